import { AuditModule } from './platform/audit/audit.module';
import { IdentityModule } from './platform/identity/identity.module';
import { LedgerModule } from './modules/ledger/ledger.module';
import { MatchingModule } from './modules/matching/matching.module';
import { PoolModule } from './modules/pool/pool.module';
import { PoolWorkflowModule } from './modules/pool/claims/pool-b.module';
import { SearchModule } from './modules/search/search.module';
import { VolumesModule } from './modules/volumes/volumes.module';
import { ChecksModule } from './modules/checks/checks.module';
import { ArchiveModule } from './modules/archive/archive.module';
import { HomeModule } from './modules/home/home.module';

/**
 * The feature modules the application is made of, in import order. Each capability module adds itself here
 * (platform modules are wired in app.module.ts).
 */
export const featureModules: any[] = [AuditModule, IdentityModule, PoolModule, PoolWorkflowModule, SearchModule, LedgerModule, MatchingModule, VolumesModule, ChecksModule, ArchiveModule, HomeModule];

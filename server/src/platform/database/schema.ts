/**
 * The database's tables as Kysely sees them. Each module declares its own tables in its `*.tables.ts`
 * and they are merged here, so one `Kysely<Database>` types every query in the product.
 */
import type { PlatformTables } from './platform.tables';
import type { IdentityTables } from '../identity/identity.tables';
import type { AuditTables } from '../audit/audit.tables';
import type { LedgerTables } from '../../modules/ledger/ledger.tables';
import type { MatchingTables } from '../../modules/matching/matching.tables';
import type { SearchTables } from '../../modules/search/search.tables';
import type { PoolTables } from '../../modules/pool/pool.tables';
import type { ChecksTables } from '../../modules/checks/checks.tables';
import type { ArchiveTables } from '../../modules/archive/archive.tables';
import type { VolumesTables } from '../../modules/volumes/volumes.tables';
import type { RetentionTables } from '../../modules/retention/retention.tables';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Database extends PlatformTables, IdentityTables, AuditTables, LedgerTables, MatchingTables, SearchTables, PoolTables, VolumesTables, RetentionTables, ChecksTables, ArchiveTables {}

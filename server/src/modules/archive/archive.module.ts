import { Module } from '@nestjs/common';
import { AuditModule } from '../../platform/audit/audit.module';
import { ChecksModule } from '../checks/checks.module';
import { PoolWorkflowModule } from '../pool/claims/pool-b.module';
import { ClaimsService } from '../pool/claims/claims.service';
import { VolumesModule } from '../volumes/volumes.module';
import { VolumesService } from '../volumes/volumes.service';
import { ArchiveController } from './archive.controller';
import { ArchiveService, POOL_ARCHIVER, VOLUME_ARCHIVER, type PoolArchiver } from './archive.service';

/**
 * 归档: checks at the archiving stage, the signed package, volumes' markArchived, the pool's vouchers booked →
 * archived (POOL_ARCHIVER = the pool's ClaimsService, in the archive's transaction), read-only snapshots.
 */
@Module({
  imports: [AuditModule, ChecksModule, VolumesModule, PoolWorkflowModule],
  controllers: [ArchiveController],
  providers: [
    ArchiveService,
    { provide: VOLUME_ARCHIVER, useExisting: VolumesService },
    {
      // A plain adapter object (not an alias of ClaimsService, whose @Job methods would be discovered twice).
      provide: POOL_ARCHIVER,
      useFactory: (claims: ClaimsService): PoolArchiver => ({ assertArchivable: (ids) => claims.assertArchivable(ids), markArchived: (ids, trx, actor) => claims.markArchived(ids, trx, actor) }),
      inject: [ClaimsService],
    },
  ],
  exports: [ArchiveService],
})
export class ArchiveModule {}

import { Module } from '@nestjs/common';
import { AuditModule } from '../../platform/audit/audit.module';
import { ChecksModule } from '../checks/checks.module';
import { VolumesModule } from '../volumes/volumes.module';
import { VolumesService } from '../volumes/volumes.service';
import { ArchiveController } from './archive.controller';
import { ArchiveService, VOLUME_ARCHIVER } from './archive.service';

/**
 * 归档: checks at the archiving stage, the signed package, volumes' markArchived, read-only snapshots. The pool
 * does not yet offer a way to mark its vouchers archived (POOL_ARCHIVER is optional and unbound until it does).
 */
@Module({
  imports: [AuditModule, ChecksModule, VolumesModule],
  controllers: [ArchiveController],
  providers: [ArchiveService, { provide: VOLUME_ARCHIVER, useExisting: VolumesService }],
  exports: [ArchiveService],
})
export class ArchiveModule {}

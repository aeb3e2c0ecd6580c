import { Module } from '@nestjs/common';
import { AuditModule } from '../../platform/audit/audit.module';
import { ChecksController } from './checks.controller';
import { ChecksService } from './checks.service';

/** 四性检测 (DA/T 70): schemes as data, the engine, stored runs and results, signed reports, the nightly sweep. */
@Module({
  imports: [AuditModule],
  controllers: [ChecksController],
  providers: [ChecksService],
  exports: [ChecksService],
})
export class ChecksModule {}

import { Module } from '@nestjs/common';
import { PoolModule } from '../pool.module';
import { ConnectorsController } from '../connectors/connectors.controller';
import { ConnectorsService } from '../connectors/connectors.service';
import { ClaimsController } from './claims.controller';
import { ClaimsService } from './claims.service';

/**
 * 票据池 part B: the reimbursement state machine with its receiver API and write-back (claims/, receiver/) and the
 * bank SFTP connectors (connectors/). Builds on PoolModule's tables and ingest pipeline.
 */
@Module({
  imports: [PoolModule],
  controllers: [ClaimsController, ConnectorsController],
  providers: [ClaimsService, ConnectorsService],
  exports: [ClaimsService, ConnectorsService],
})
export class PoolWorkflowModule {}

import { Module } from '@nestjs/common';
import { LedgerModule } from '../../ledger/ledger.module';
import { SearchModule } from '../../search/search.module';
import { PoolModule } from '../pool.module';
import { ConnectorsController } from '../connectors/connectors.controller';
import { ConnectorsService } from '../connectors/connectors.service';
import { ClaimsController } from './claims.controller';
import { ClaimsService } from './claims.service';
import { LinkBookingService } from './link-booking.service';

/**
 * 票据池 part B: the reimbursement state machine with its receiver API and write-back (claims/, receiver/), booking
 * through matching links (LinkBookingService, injected into matching), the archive's POOL_ARCHIVER (ClaimsService)
 * and the bank SFTP connectors (connectors/). Builds on PoolModule's tables and ingest pipeline; every state change
 * re-indexes the voucher's search document (SearchModule) in its transaction.
 */
@Module({
  imports: [PoolModule, SearchModule, LedgerModule],
  controllers: [ClaimsController, ConnectorsController],
  providers: [ClaimsService, ConnectorsService, LinkBookingService],
  exports: [ClaimsService, ConnectorsService, LinkBookingService],
})
export class PoolWorkflowModule {}

import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { PoolWorkflowModule } from '../pool/claims/pool-b.module';
import { MatchingController } from './matching.controller';
import { MatchingRepository } from './matching.repository';
import { MatchingService } from './matching.service';

/** Links journal vouchers to original vouchers and bank statement lines by rules (archive-rules/matching). */
@Module({
  // PoolWorkflowModule: the pool books (入账) the vouchers of links in force (LinkBookingService).
  imports: [LedgerModule, PoolWorkflowModule],
  controllers: [MatchingController],
  providers: [MatchingRepository, MatchingService],
  exports: [MatchingService],
})
export class MatchingModule {}

import { Module } from '@nestjs/common';
import { SearchModule } from '../search/search.module';
import { LedgerController } from './ledger.controller';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';

/** 会计核算资料: journal vouchers, books, reports and other accounting materials. */
@Module({
  imports: [SearchModule],
  controllers: [LedgerController],
  providers: [LedgerRepository, LedgerService],
  exports: [LedgerService],
})
export class LedgerModule {}

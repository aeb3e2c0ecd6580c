import { Module } from '@nestjs/common';
import { RetentionModule } from '../retention/retention.module';
import { SearchModule } from '../search/search.module';
import { VolumeSources } from './sources';
import { VolumesController } from './volumes.controller';
import { VolumesService } from './volumes.service';

/**
 * 组卷/组件: volumes with 档号 from the ledger's journal vouchers (with their matched originals), books, reports
 * and other materials. Calls identity, audit, retention and the search indexer; reads ledger and matching
 * tables only through VolumeSources.
 */
@Module({
  imports: [RetentionModule, SearchModule],
  controllers: [VolumesController],
  providers: [VolumeSources, VolumesService],
  exports: [VolumesService, VolumeSources],
})
export class VolumesModule {}

import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { shutdownOcr } from '../../formats/ocr/ocr';
import { shutdownPdfEngine } from '../../formats/pdf/engine';
import { SearchModule } from '../search/search.module';
import { ChannelsService } from './channels.service';
import { IngestService } from './ingest.service';
import { PoolController } from './pool.controller';
import { PoolRepository } from './pool.repository';
import { PoolService } from './pool.service';

/**
 * 票据池 (voucher pool): the ingest pipeline every channel uses, pool records, dedupe, conflicts, queries.
 * Exports the services the claims, receiver and connector parts build on.
 */
@Module({
  // The index step writes pool records into the archive search index in the same transaction.
  imports: [SearchModule],
  controllers: [PoolController],
  providers: [PoolRepository, IngestService, PoolService, ChannelsService],
  exports: [PoolRepository, IngestService, PoolService, ChannelsService],
})
export class PoolModule implements OnApplicationShutdown {
  constructor(private readonly channels: ChannelsService) {}

  /** Let background upload runs finish, then stop the reader threads the pipeline started (PDF engine, OCR). */
  async onApplicationShutdown(): Promise<void> {
    await this.channels.idle();
    await Promise.allSettled([shutdownPdfEngine(), shutdownOcr()]);
  }
}

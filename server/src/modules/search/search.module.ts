import { Module } from '@nestjs/common';
import type { AppConfig } from '../../platform/config/config';
import { CONFIG, SEARCH } from '../../platform/tokens';
import { createSearchBackend } from './backend.factory';
import { SearchIndexer } from './indexer.service';
import { SearchOutboxJob } from './outbox.job';
import { SearchScopeBuilder } from './scope';
import { SearchController } from './search.controller';
import { SearchRepository } from './search.repository';
import { SearchService } from './search.service';

/**
 * Search over the archive: SearchIndexer for other modules, the configured backend under SEARCH, the HTTP API
 * and the outbox job that feeds OpenSearch.
 */
@Module({
  controllers: [SearchController],
  providers: [
    SearchRepository,
    { provide: SEARCH, useFactory: (config: AppConfig, repo: SearchRepository) => createSearchBackend(config, repo), inject: [CONFIG, SearchRepository] },
    SearchIndexer,
    SearchScopeBuilder,
    SearchService,
    SearchOutboxJob,
  ],
  exports: [SearchIndexer, SearchService, SEARCH],
})
export class SearchModule {}

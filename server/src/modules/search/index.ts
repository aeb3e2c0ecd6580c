/** What other modules use from search: the indexer, the document model and the pool projection. */
export { SearchIndexer, type IndexOptions } from './indexer.service';
export { SearchModule } from './search.module';
export { SearchService } from './search.service';
export { projectVoucher, type PoolVoucherRow } from './projection';
export { SEARCH_DOCUMENT_GRANTS, type DocumentGrantSource } from './scope';
export type { SearchBackend, SearchDocumentInput, SearchQuery, SearchResult, SearchScope, Category, DocType } from './search.types';

import type { ColumnType, Generated } from 'kysely';

/** Tables owned by the search module (migration 0900_search). */
export interface SearchTables {
  /**
   * The denormalised source of truth for indexing: one row per searchable item, written by other modules
   * through SearchIndexer in the same transaction as their own change. The PostgreSQL backend searches it
   * directly; the OpenSearch index is rebuilt from it at any time.
   */
  search_document: {
    /** `<doc_type>:<source_id>` */
    id: string;
    doc_type: string;
    source_id: string;
    unit_id: string;
    fonds_id: string | null;
    kind: string | null;
    category: string;
    year: number | null;
    period: number | null;
    archival_code: string | null;
    number: string | null;
    numbers: string[];
    title: string;
    /** numeric(18,2): a string in and out. */
    amount: string | null;
    doc_date: string | null;
    parties: string[];
    accounts: string[];
    state: string;
    retention: string | null;
    body: string;
    /** Folded text of every searchable field (analyze.ts), trigram-indexed. */
    haystack: string;
    /** tsvector('simple') of words, 1–2-character Han pieces and jieba tokens. */
    tokens: ColumnType<string, string, string>;
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
    /** From sequence search_document_version: every write gets a higher one (incremental reindex cursor). */
    version: ColumnType<string, string | undefined, string>;
  };
  /** Transactional outbox feeding the OpenSearch index: written with the change, deleted once indexed. */
  search_outbox: {
    seq: Generated<string>;
    doc_id: string;
    op: 'upsert' | 'delete';
    version: string | null;
    created_at: Generated<Date>;
    attempts: Generated<number>;
    last_error: string | null;
  };
  /** Per external index: which physical index serves, which one is being built, and the reindex cursor. */
  search_index_state: {
    name: string;
    index_name: string;
    status: 'active' | 'building';
    cursor_version: string;
    done: string;
    total: string;
    started_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
}

/**
 * The search module's contract: the document other modules hand to the indexer, the query model every caller
 * (HTTP, CLI, benchmark) builds, the result, and the port both backends implement.
 */
import { VOUCHER_KINDS } from '../../formats/voucher';

/** 凭证 / 账簿 / 报告 / 其他 (DA/T 94 categories of accounting archives). */
export const CATEGORIES = ['voucher', 'ledger', 'report', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];
export const CATEGORY_NAMES: Record<Category, string> = { voucher: '凭证', ledger: '账簿', report: '报告', other: '其他' };

/** What a search document stands for; the pair (docType, sourceId) is its identity. */
export const DOC_TYPES = ['voucher', 'journal', 'ledger', 'report', 'volume', 'file', 'other'] as const;
export type DocType = (typeof DOC_TYPES)[number];

/**
 * The kinds a search document can carry, so a filter can refuse a misspelt one by name instead of finding nothing:
 * the MoF voucher kinds (`formats/voucher.ts`) and `journal` (记账凭证, ledger's JOURNAL_DOC_TYPE; a test keeps the
 * two equal). A module that starts indexing books or reports adds their kinds here.
 */
export const SEARCH_KINDS: readonly string[] = [...VOUCHER_KINDS, 'journal'];

/** One searchable item, as another module describes it (the indexer derives the search columns). */
export interface SearchDocumentInput {
  docType: DocType;
  /** Id of the row in the owning module (voucher id, journal id, …). */
  sourceId: string;
  unitId: string;
  fondsId?: string | null;
  /** Voucher kind (inv_ord, bker, …) or the kind of journal/ledger/report. */
  kind?: string | null;
  category: Category;
  year?: number | null;
  /** Accounting period, 1–12. */
  period?: number | null;
  /** 档号 */
  archivalCode?: string | null;
  /** The main number: invoice number, journal voucher number, bank serial. */
  number?: string | null;
  /** Other numbers worth finding exactly (invoice code, bank serial, contract number). */
  numbers?: string[];
  title: string;
  /** Decimal string with up to two places ("1234.50", "-36.00"); never a float. */
  amount?: string | null;
  /** YYYY-MM-DD */
  date?: string | null;
  parties?: string[];
  accounts?: string[];
  state: string;
  /** 保管期限: 'permanent', '30y', '10y', … */
  retention?: string | null;
  body?: string;
}

/** A stored document, as backends return it. */
export interface SearchDocument extends Required<Omit<SearchDocumentInput, 'fondsId' | 'kind' | 'year' | 'period' | 'archivalCode' | 'number' | 'amount' | 'date' | 'retention'>> {
  id: string;
  fondsId: string | null;
  kind: string | null;
  year: number | null;
  period: number | null;
  archivalCode: string | null;
  number: string | null;
  amount: string | null;
  date: string | null;
  retention: string | null;
  version: string;
  updatedAt: string;
}

export type SortKey = 'relevance' | 'date' | 'amount';
export type SortOrder = 'asc' | 'desc';

/** Field filters; every given field narrows the result (AND), list values are alternatives (OR). */
export interface SearchFilters {
  docType?: string[];
  kind?: string[];
  fondsId?: string[];
  unitId?: string[];
  year?: number[];
  /** Periods 1–12; with `year` this is 2024-03, alone "March of any year". */
  period?: number[];
  category?: Category[];
  archivalCode?: string;
  /** Exact number (invoice number, journal number, …): matches `number` or any of `numbers`. */
  number?: string;
  amountMin?: string;
  amountMax?: string;
  /** YYYY-MM-DD, inclusive */
  dateFrom?: string;
  dateTo?: string;
  /** Exact party name (seller, buyer, payer, payee). */
  party?: string;
  account?: string;
  state?: string[];
  retention?: string[];
}

export interface SearchQuery {
  /** Full text: whitespace-separated terms, all must match. */
  text?: string;
  filters?: SearchFilters;
  /** Refine within results: earlier queries' texts, AND-ed with this one. */
  refine?: string[];
  sort?: SortKey;
  order?: SortOrder;
  /** Page size, 1–500. */
  limit?: number;
  /** Opaque, from the previous page's nextCursor. */
  cursor?: string;
  /** Facets are counted unless false (the export and later pages do not need them). */
  facets?: boolean;
  highlight?: boolean;
}

/**
 * Who is asking, reduced to what every query must be filtered by. Built from the identity module's grants
 * (SearchScopeBuilder); a backend applies it to every query and never sees a principal.
 */
export interface SearchScope {
  /** Units whose documents the caller may read: 'all' or ids (empty: none). */
  unitIds: 'all' | string[];
  /**
   * Single documents readable outside those units. Extension point for loan grants (借阅): the lending module
   * will fill this from active loans; until then it is always empty.
   */
  documentIds: string[];
}

export interface Highlight {
  field: 'title' | 'parties' | 'body' | 'number' | 'archivalCode';
  /** HTML-escaped text with the matched parts inside <em>…</em>. */
  fragment: string;
}

export interface SearchHit {
  id: string;
  docType: string;
  sourceId: string;
  kind: string | null;
  category: string;
  unitId: string;
  fondsId: string | null;
  invoiceNumber: string | null;
  archivalCode: string | null;
  title: string;
  amount: string | null;
  date: string | null;
  parties: string[];
  state: string;
  year: number | null;
  period: number | null;
  score: number | null;
  highlights: Highlight[];
}

export interface FacetBucket {
  value: string;
  count: number;
  label?: string;
}

export interface Facets {
  kind: FacetBucket[];
  year: FacetBucket[];
  unit: FacetBucket[];
  state: FacetBucket[];
  category: FacetBucket[];
}

export interface SearchResult {
  /** Exact up to the backend's cap (OpenSearch 10,000, PostgreSQL 1,000); beyond, the cap with totalRelation 'gte' (shown as "10,000+" / "1,000+"). */
  total: number;
  totalRelation: 'eq' | 'gte';
  hits: SearchHit[];
  facets?: Facets;
  /** PostgreSQL beyond 1,000 matches: facets counted over the first 1,001 matches only. */
  facetsSampled?: boolean;
  /** Set when the backend ordered otherwise than asked (PostgreSQL: relevance beyond 1,000 matches → date). */
  sortedBy?: SortKey;
  nextCursor: string | null;
}

/** What a backend reports while (re)building its index. */
export interface ReindexProgress {
  done: number;
  total: number;
  lastVersion: string;
}

export interface ReindexOptions {
  /** Build a new index from scratch and switch to it; otherwise continue from the stored cursor. */
  full?: boolean;
  batchSize?: number;
  onProgress?: (p: ReindexProgress) => void;
}

/** The port: one implementation on PostgreSQL, one on OpenSearch, chosen by config.search.driver. */
export interface SearchBackend {
  readonly name: 'postgres' | 'opensearch';
  search(query: NormalizedQuery, scope: SearchScope): Promise<SearchResult>;
  /** Brings the backend's index up to date with search_document. */
  reindex(opts?: ReindexOptions): Promise<ReindexProgress>;
  close(): Promise<void>;
}

/** One full-text term after analysis (see analyze.ts). */
export type QueryTerm =
  /** Han characters only: substring of the document text. */
  | { type: 'cjk'; text: string }
  /** Latin letters/digits: a whole word of the document text (lower-cased). */
  | { type: 'word'; text: string };

/** The query after validation: what backends translate. */
export interface NormalizedQuery {
  /** Every term of the text and of each refine step; all must match. */
  terms: QueryTerm[];
  /** jieba segmentation of the query text, for ranking only. */
  rankTokens: string[];
  filters: SearchFilters;
  sort: SortKey;
  order: SortOrder;
  limit: number;
  cursor: Cursor | null;
  facets: boolean;
  highlight: boolean;
}

/** Keyset position: the sort value of the last hit and its id. */
export interface Cursor {
  sort: SortKey;
  value: string | null;
  id: string;
}

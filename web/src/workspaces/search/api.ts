import { api } from '../../api/client';

/** The search API's contract (server/src/modules/search/search.types.ts). */
export interface Highlight {
  field: 'title' | 'parties' | 'body' | 'number' | 'archivalCode';
  /** HTML-escaped text with <em>…</em> around matches. */
  fragment: string;
}
export interface SearchHit {
  id: string;
  docType: string;
  sourceId: string;
  kind: string | null;
  category: string;
  unitId: string;
  invoiceNumber: string | null;
  archivalCode: string | null;
  title: string;
  amount: string | null;
  date: string | null;
  parties: string[];
  state: string;
  score: number | null;
  highlights: Highlight[];
}
export interface FacetBucket {
  value: string;
  count: number;
  label?: string;
}
export type FacetKey = 'kind' | 'year' | 'unit' | 'state' | 'category';
export interface SearchResult {
  /** Exact up to the backend's cap (10,000 OpenSearch, 1,000 PostgreSQL); then the cap with totalRelation 'gte'. */
  total: number;
  totalRelation: 'eq' | 'gte';
  facetsSampled?: boolean;
  hits: SearchHit[];
  facets?: Record<FacetKey, FacetBucket[]>;
  nextCursor: string | null;
}

export interface SearchForm {
  q: string;
  refine: string[];
  kind: string[];
  year: string[];
  unit: string[];
  state: string[];
  category: string[];
  from?: string;
  to?: string;
  amountMin?: string;
  amountMax?: string;
  number?: string;
  sort: 'relevance' | 'date' | 'amount';
  order: 'asc' | 'desc';
}

export const emptyForm: SearchForm = { q: '', refine: [], kind: [], year: [], unit: [], state: [], category: [], sort: 'relevance', order: 'desc' };

export function searchParams(f: SearchForm, extra: Record<string, string | undefined> = {}): string {
  const p = new URLSearchParams();
  if (f.q.trim()) p.set('q', f.q.trim());
  for (const r of f.refine) p.append('refine', r);
  for (const k of ['kind', 'year', 'unit', 'state', 'category'] as const) if (f[k].length) p.set(k, f[k].join(','));
  for (const k of ['from', 'to', 'amountMin', 'amountMax', 'number'] as const) if (f[k]?.trim()) p.set(k, f[k]!.trim());
  p.set('sort', f.sort);
  if (f.sort !== 'relevance') p.set('order', f.order);
  for (const [k, v] of Object.entries(extra)) if (v) p.set(k, v);
  return p.toString();
}

export const searchApi = {
  search: (f: SearchForm, cursor?: string, signal?: AbortSignal) =>
    api.get<SearchResult>(`/api/search?${searchParams(f, { cursor, facets: cursor ? 'false' : undefined })}`, { signal }),
  exportUrl: (f: SearchForm) => `/api/search.xlsx?${searchParams(f)}`,
};

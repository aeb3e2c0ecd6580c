/**
 * The default backend: search_document queried in place.
 *
 * - Han terms of 3+ characters: `haystack LIKE '%…%'` on the trigram GIN index; 1–2 characters and whole
 *   words: lexemes in the `tokens` tsvector (GIN). Both combine with the field GIN (btree_gin) in one bitmap.
 * - Pages by keyset on (sort value, id): page 500 costs what page 1 costs, no OFFSET.
 * - Total and facets: one grouped count (GROUPING SETS) over the filtered set only.
 * - Highlights: computed in Node for the returned page only.
 */
import { sql, type RawBuilder } from 'kysely';
import { highlightsFor } from './analyze';
import { encodeCursor } from './query';
import { SearchRepository, tsLexeme } from './search.repository';
import type { Facets, NormalizedQuery, ReindexOptions, ReindexProgress, SearchBackend, SearchHit, SearchResult, SearchScope } from './search.types';

/** Totals are exact up to here (OpenSearch's track_total_hits default, too); above, "10,000+". */
export const COUNT_CAP = 10_000;
/** Rows the facets are counted over when there are more than COUNT_CAP matches. */
export const FACET_SAMPLE = 2_000;

const DATE_EXPR = sql`coalesce(doc_date, date '0001-01-01')`;
const AMOUNT_EXPR = sql`coalesce(amount, -10000000000000000)`;

/** The scope and every filter and term of the query as SQL conditions (shared with the export). */
export function whereClauses(q: NormalizedQuery, scope: SearchScope): RawBuilder<unknown>[] {
  const w: RawBuilder<unknown>[] = [];
  // Access scope first: part of every query. Loan grants (documentIds) widen it by single documents.
  if (scope.unitIds !== 'all') {
    if (scope.documentIds.length) w.push(sql`(unit_id = any(${scope.unitIds}::uuid[]) or id = any(${scope.documentIds}::text[]))`);
    else w.push(sql`unit_id = any(${scope.unitIds}::uuid[])`);
  }
  const lex: string[] = [];
  for (const t of q.terms) {
    if (t.type === 'cjk' && [...t.text].length >= 3) w.push(sql`haystack like ${'%' + t.text + '%'}`);
    else lex.push(tsLexeme(t.text));
  }
  if (lex.length) w.push(sql`tokens @@ ${lex.join(' & ')}::tsquery`);
  const f = q.filters;
  if (f.docType) w.push(sql`doc_type = any(${f.docType}::text[])`);
  if (f.kind) w.push(sql`kind = any(${f.kind}::text[])`);
  if (f.fondsId) w.push(sql`fonds_id = any(${f.fondsId}::uuid[])`);
  if (f.unitId) w.push(sql`unit_id = any(${f.unitId}::uuid[])`);
  if (f.year) w.push(sql`year = any(${f.year}::int[])`);
  if (f.period) w.push(sql`period = any(${f.period}::smallint[])`);
  if (f.category) w.push(sql`category = any(${f.category}::text[])`);
  if (f.state) w.push(sql`state = any(${f.state}::text[])`);
  if (f.retention) w.push(sql`retention = any(${f.retention}::text[])`);
  if (f.archivalCode) w.push(sql`archival_code = ${f.archivalCode}`);
  if (f.number) w.push(sql`(number = ${f.number} or numbers @> array[${f.number}]::text[])`);
  if (f.party) w.push(sql`parties @> array[${f.party}]::text[]`);
  if (f.account) w.push(sql`accounts @> array[${f.account}]::text[]`);
  // Ranges are written on the sort expressions, so the keyset indexes serve both the range and the order
  // (a plain `doc_date >= …` makes the planner walk the date index from the newest row instead), and as one
  // BETWEEN that excludes the missing-value stand-ins: no extra `is not null` filter, which would force a heap
  // fetch per candidate where an all-visible page could otherwise be skipped.
  if (f.amountMin !== undefined || f.amountMax !== undefined) {
    w.push(sql`${AMOUNT_EXPR} between ${f.amountMin ?? '-9999999999999999.99'}::numeric and ${f.amountMax ?? '9999999999999999.99'}::numeric`);
  }
  if (f.dateFrom || f.dateTo) w.push(sql`${DATE_EXPR} between ${f.dateFrom ?? '0001-01-02'}::date and ${f.dateTo ?? '9999-12-31'}::date`);
  return w;
}

function and(w: RawBuilder<unknown>[]): RawBuilder<unknown> {
  return w.length ? sql.join(w, sql` and `) : sql`true`;
}

interface HitRow {
  id: string;
  doc_type: string;
  source_id: string;
  kind: string | null;
  category: string;
  unit_id: string;
  fonds_id: string | null;
  number: string | null;
  archival_code: string | null;
  title: string;
  amount: string | null;
  doc_date: string | null;
  parties: string[];
  body: string;
  state: string;
  year: number | null;
  period: number | null;
  score: string | null;
  sort_value: string | null;
}

export class PostgresSearchBackend implements SearchBackend {
  readonly name = 'postgres' as const;

  constructor(private readonly repo: SearchRepository) {}

  async search(q: NormalizedQuery, scope: SearchScope): Promise<SearchResult> {
    if (scope.unitIds !== 'all' && scope.unitIds.length === 0 && scope.documentIds.length === 0) {
      return { total: 0, totalRelation: 'eq', hits: [], facets: q.facets ? emptyFacets() : undefined, nextCursor: null };
    }
    const where = whereClauses(q, scope);
    // The capped count needs no column (all-visible heap pages are skipped); facets read the matching rows,
    // all of them up to COUNT_CAP, a sample of FACET_SAMPLE beyond.
    const countP = this.count(where);
    const countsP = q.facets
      ? countP.then(async (c) => ({ ...c, facets: await this.facets(where, c.totalRelation === 'eq' ? COUNT_CAP + 1 : FACET_SAMPLE) }))
      : countP;
    // Ranking needs every match's tsvector: beyond COUNT_CAP matches the newest come first instead (a later
    // page keeps the order its cursor names).
    let sort = q.cursor?.sort ?? q.sort;
    let order = sort === q.sort ? q.order : 'desc';
    if (sort === 'relevance' && (await countsP).totalRelation === 'gte') {
      sort = 'date';
      order = 'desc';
    }
    const rankQuery = q.rankTokens.length ? q.rankTokens.map(tsLexeme).join(' | ') : null;
    const scoreExpr = rankQuery && sort === 'relevance' ? sql`ts_rank(tokens, ${rankQuery}::tsquery)` : sql`0::real`;
    const sortExpr = sort === 'relevance' ? scoreExpr : sort === 'date' ? DATE_EXPR : AMOUNT_EXPR;
    const cmp = order === 'asc' ? sql`>` : sql`<`;
    const dir = order === 'asc' ? sql`asc` : sql`desc`;
    const page = [...where];
    if (q.cursor) {
      const v = q.cursor.value;
      const typed = sort === 'relevance' ? sql`${v}::real` : sort === 'date' ? sql`${v}::date` : sql`${v}::numeric`;
      page.push(sql`(${sortExpr}, id) ${cmp} (${typed}, ${q.cursor.id})`);
    }
    const rowsP = this.repo.run(sql<HitRow>`
      select id, doc_type, source_id, kind, category, unit_id, fonds_id, number, archival_code, title, amount, doc_date,
             parties, body, state, year, period, ${scoreExpr}::text as score, (${sortExpr})::text as sort_value
      from search_document where ${and(page)}
      order by ${sortExpr} ${dir}, id ${dir}
      limit ${q.limit + 1}`);
    const [rows, counts] = await Promise.all([rowsP, countsP]);
    const more = rows.length > q.limit;
    const pageRows = more ? rows.slice(0, q.limit) : rows;
    const last = pageRows[pageRows.length - 1];
    const hits: SearchHit[] = pageRows.map((r) => ({
      id: r.id,
      docType: r.doc_type,
      sourceId: r.source_id,
      kind: r.kind,
      category: r.category,
      unitId: r.unit_id,
      fondsId: r.fonds_id,
      invoiceNumber: r.number,
      archivalCode: r.archival_code,
      title: r.title,
      amount: r.amount,
      date: r.doc_date,
      parties: r.parties,
      state: r.state,
      year: r.year,
      period: r.period,
      score: sort === 'relevance' && r.score !== null ? Number(r.score) : null,
      highlights: q.highlight
        ? highlightsFor({ title: r.title, parties: r.parties, body: r.body, number: r.number, archivalCode: r.archival_code }, q.terms)
        : [],
    }));
    return {
      total: Math.min(counts.total, COUNT_CAP),
      totalRelation: counts.totalRelation,
      hits,
      facets: counts.facets,
      ...(counts.facets && counts.totalRelation === 'gte' ? { facetsSampled: true } : {}),
      ...(sort !== q.sort ? { sortedBy: sort } : {}),
      nextCursor: more && last ? encodeCursor({ sort, value: last.sort_value, id: last.id }) : null,
    };
  }

  /** Counting stops after COUNT_CAP + 1 matches: "10,000+" costs what 10,000 costs. */
  private async count(where: RawBuilder<unknown>[]): Promise<{ total: number; totalRelation: 'eq' | 'gte'; facets?: Facets }> {
    const r = await this.repo.run(sql<{ n: string }>`select count(*) as n from (select 1 from search_document where ${and(where)} limit ${COUNT_CAP + 1}) m`);
    const n = Number(r[0].n);
    return { total: n, totalRelation: n > COUNT_CAP ? 'gte' : 'eq' };
  }

  /** Facets over the filtered set, or over its first `limit` rows (then marked sampled). */
  private async facets(where: RawBuilder<unknown>[], limit: number): Promise<Facets> {
    const rows = await this.repo.run(sql<{ kind: string | null; year: number | null; unit_id: string | null; state: string | null; category: string | null; g: number; n: string }>`
      with m as materialized (select kind, year, unit_id, state, category from search_document where ${and(where)} limit ${limit})
      select kind, year, unit_id::text as unit_id, state, category,
             grouping(kind, year, unit_id, state, category) as g, count(*) as n
      from m
      group by grouping sets ((kind), (year), (unit_id), (state), (category), ())`);
    const facets = emptyFacets();
    // grouping() sets a bit for each column NOT in the row's set: 0b01111 = kind only, … 0b11111 = the total.
    const dims: [keyof Facets, number, (r: (typeof rows)[number]) => unknown][] = [
      ['kind', 0b01111, (r) => r.kind],
      ['year', 0b10111, (r) => r.year],
      ['unit', 0b11011, (r) => r.unit_id],
      ['state', 0b11101, (r) => r.state],
      ['category', 0b11110, (r) => r.category],
    ];
    for (const r of rows) {
      if (Number(r.g) === 0b11111) continue;
      const d = dims.find(([, g]) => g === Number(r.g));
      const v = d?.[2](r);
      if (d && v !== null && v !== undefined) facets[d[0]].push({ value: String(v), count: Number(r.n) });
    }
    for (const k of Object.keys(facets) as (keyof Facets)[]) sortBuckets(facets[k]);
    return facets;
  }

  /** search_document is this backend's index: nothing to copy. Counts the documents for the caller's progress. */
  async reindex(opts: ReindexOptions = {}): Promise<ReindexProgress> {
    const total = await this.repo.countAfterVersion('0');
    const p = { done: total, total, lastVersion: '0' };
    opts.onProgress?.(p);
    return p;
  }

  async close(): Promise<void> {}
}

export function emptyFacets(): Facets {
  return { kind: [], year: [], unit: [], state: [], category: [] };
}

/** Largest count first, then by value, so both backends list buckets identically. */
export function sortBuckets(b: { value: string; count: number }[]): void {
  b.sort((x, y) => y.count - x.count || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
}

/**
 * The default backend: search_document queried in place.
 *
 * - Han terms of 3+ characters: `haystack LIKE '%…%'` on the trigram GIN index; 1–2 characters and whole
 *   words: lexemes in the `tokens` tsvector (GIN). Both combine with the field GIN (btree_gin) in one bitmap.
 * - Pages by keyset on (sort value, id): page 500 costs what page 1 costs, no OFFSET.
 * - Total and facets: one pass over the first PG_COUNT_CAP + 1 matches (a grouped count with GROUPING SETS);
 *   beyond the cap the total is "1,000+" and the facets are those of that sample, marked as sampled.
 * - Highlights: computed in Node for the returned page only.
 */
import { sql, type RawBuilder } from 'kysely';
import { highlightsFor } from './analyze';
import { encodeCursor } from './query';
import { SearchRepository, tsLexeme } from './search.repository';
import type { Facets, NormalizedQuery, ReindexOptions, ReindexProgress, SearchBackend, SearchHit, SearchResult, SearchScope, SortKey } from './search.types';

/** OpenSearch's exact-total limit (its track_total_hits default): "10,000+" beyond. */
export const COUNT_CAP = 10_000;
/**
 * PostgreSQL's exact-total limit: "1,000+" beyond. Counting a match here means visiting its heap row (a GIN
 * bitmap cannot be counted without the table, and PostgreSQL 15 fetches every page of a bitmap scan), so the cap
 * bounds the work of a common word to ~1,000 row visits instead of ~10,000 (measured: docs/benchmarks.md).
 * Facets beyond the cap are counted over those same first matches (`facetsSampled`), and relevance beyond it
 * falls back to newest first (`sortedBy: 'date'`).
 */
export const PG_COUNT_CAP = 1_000;
/** Above this estimated matching fraction the first matches are found by a scan that stops early (firstMatches). */
export const BROAD_SELECTIVITY = 0.02;

const DATE_EXPR = sql`coalesce(doc_date, date '0001-01-01')`;
const AMOUNT_EXPR = sql`coalesce(amount, -10000000000000000)`;

/** The scope and every filter and term of the query as SQL conditions (shared with the export). */
export function whereClauses(q: NormalizedQuery, scope: SearchScope): RawBuilder<unknown>[] {
  const w: RawBuilder<unknown>[] = [];
  // Access scope first: part of every query. Loan grants (documentIds) widen it by single documents.
  if (scope.unitIds !== 'all') {
    if (scope.documentIds.length) w.push(sql`(${oneOf('unit_id', scope.unitIds, 'uuid')} or id = any(${scope.documentIds}::text[]))`);
    else w.push(oneOf('unit_id', scope.unitIds, 'uuid'));
  }
  const lex: string[] = [];
  for (const t of q.terms) {
    if (t.type === 'cjk' && [...t.text].length >= 3) w.push(sql`haystack like ${'%' + t.text + '%'}`);
    else lex.push(tsLexeme(t.text));
  }
  if (lex.length) w.push(sql`tokens @@ ${lex.join(' & ')}::tsquery`);
  const f = q.filters;
  if (f.docType) w.push(oneOf('doc_type', f.docType, 'text'));
  if (f.kind) w.push(oneOf('kind', f.kind, 'text'));
  if (f.fondsId) w.push(oneOf('fonds_id', f.fondsId, 'uuid'));
  if (f.unitId) w.push(oneOf('unit_id', f.unitId, 'uuid'));
  if (f.year) w.push(oneOf('year', f.year, 'int'));
  if (f.period) w.push(oneOf('period', f.period, 'smallint'));
  if (f.category) w.push(oneOf('category', f.category, 'text'));
  if (f.state) w.push(oneOf('state', f.state, 'text'));
  if (f.retention) w.push(oneOf('retention', f.retention, 'text'));
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

/**
 * `column = value` for one value, `= any(array)` for several: PostgreSQL 15 walks a B-tree in order only under
 * an equality, so a single unit or kind can use the (unit_id, date) and (kind, date) keyset indexes.
 */
function oneOf(column: string, values: readonly (string | number)[], type: 'text' | 'uuid' | 'int' | 'smallint'): RawBuilder<unknown> {
  const c = sql.ref(column);
  if (values.length === 1) return sql`${c} = ${values[0]}::${sql.raw(type)}`;
  return sql`${c} = any(${values}::${sql.raw(type)}[])`;
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
    // One pass over the first PG_COUNT_CAP + 1 matches gives the total and the facets. Where the planner is
    // fairly sure which side of the cap the query falls, the page runs beside that pass: a broad query (a large
    // share of the table) walks the sort order; one expected to have at most a few times the cap is paged as
    // "all matches sorted" (collected up to the cap + 1, so a wrong guess costs no more than the count pass and
    // one more page). Otherwise the page waits for the count: the planner's guess for a number in an array is
    // 0.5 % of the table, and walking the date order for one real match would read the whole table; and paging
    // a query that has more than the cap as "all matches" reads a thousand wide rows for nothing.
    const { broad, expected } = await this.estimate(where);
    const countsP = this.matchSet(where, q.facets, broad);
    countsP.catch(() => undefined); // awaited below; a failure must not surface as an unhandled rejection first
    let relation: 'eq' | 'gte' = broad ? 'gte' : expected !== undefined && expected <= 3 * PG_COUNT_CAP ? 'eq' : (await countsP).totalRelation;
    let { rows, sort } = await this.page(q, where, relation);
    const counts = await countsP;
    if (counts.totalRelation !== relation) ({ rows, sort } = await this.page(q, where, (relation = counts.totalRelation)));
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
      total: Math.min(counts.total, PG_COUNT_CAP),
      totalRelation: counts.totalRelation,
      hits,
      facets: counts.facets,
      ...(counts.facets && counts.totalRelation === 'gte' ? { facetsSampled: true } : {}),
      ...(sort !== q.sort ? { sortedBy: sort } : {}),
      nextCursor: more && last ? encodeCursor({ sort, value: last.sort_value, id: last.id }) : null,
    };
  }

  /**
   * One page in keyset order. Ranking needs every match's tsvector: beyond the cap the newest come first
   * instead (a later page keeps the order its cursor names).
   *
   * At most PG_COUNT_CAP matches: collect them all (with the plan the filters call for) and sort those. A plain
   * ORDER BY … LIMIT lets the planner walk the sort index and filter, which is right for a common word but reads
   * most of the table when the matches are rare or cluster at the far end of the order (year = 2024 walked from
   * the newest 2025 rows). Beyond the cap the matches are dense enough for that walk. The collection stops at
   * the cap + 1, so a guess of "at most the cap" that proves wrong costs no more than the count pass does.
   */
  private async page(q: NormalizedQuery, where: RawBuilder<unknown>[], relation: 'eq' | 'gte'): Promise<{ rows: HitRow[]; sort: SortKey }> {
    let sort = q.cursor?.sort ?? q.sort;
    let order = sort === q.sort ? q.order : 'desc';
    if (sort === 'relevance' && relation === 'gte') {
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
    const columns = sql`id, doc_type, source_id, kind, category, unit_id, fonds_id, number, archival_code, title, amount, doc_date,
             parties, body, state, year, period, ${scoreExpr}::text as score, (${sortExpr})::text as sort_value`;
    const rows = await this.repo.run(
      relation === 'eq'
        ? sql<HitRow>`
      with m as materialized (select ${columns}, ${sortExpr} as sort_key from search_document where ${and(page)} limit ${PG_COUNT_CAP + 1})
      select * from m order by sort_key ${dir}, id ${dir} limit ${q.limit + 1}`
        : sql<HitRow>`
      select ${columns} from search_document where ${and(page)}
      order by ${sortExpr} ${dir}, id ${dir}
      limit ${q.limit + 1}`,
    );
    return { rows, sort };
  }

  /**
   * Total and facets from the first PG_COUNT_CAP + 1 matches: exact up to the cap, "1,000+" and facets over
   * that sample beyond it. Without facets only the capped count (no column is read).
   */
  private async matchSet(where: RawBuilder<unknown>[], withFacets: boolean, broad: boolean): Promise<{ total: number; totalRelation: 'eq' | 'gte'; facets?: Facets }> {
    if (!withFacets) {
      const r = await this.firstMatches(broad, sql<{ n: string }>`select count(*) as n from (select 1 from search_document where ${and(where)} limit ${PG_COUNT_CAP + 1}) m`);
      const n = Number(r[0].n);
      return { total: n, totalRelation: n > PG_COUNT_CAP ? 'gte' : 'eq' };
    }
    const rows = await this.firstMatches(broad, sql<{ kind: string | null; year: number | null; unit_id: string | null; state: string | null; category: string | null; g: number; n: string }>`
      with m as materialized (select kind, year, unit_id, state, category from search_document where ${and(where)} limit ${PG_COUNT_CAP + 1})
      select kind, year, unit_id::text as unit_id, state, category,
             grouping(kind, year, unit_id, state, category) as g, count(*) as n
      from m
      group by grouping sets ((kind), (year), (unit_id), (state), (category), ())`);
    const n = Number(rows.find((r) => Number(r.g) === 0b11111)?.n ?? 0);
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
    return { total: n, totalRelation: n > PG_COUNT_CAP ? 'gte' : 'eq', facets };
  }

  /**
   * Runs a query over the first matches of `where`. A GIN index only answers with a complete bitmap, so a word
   * in 5 % of 10⁷ documents costs 500,000 posting entries before the first row, while a scan that stops after
   * PG_COUNT_CAP + 1 matches reads ~20,000 rows. The planner prices the bitmap far below that (it does not
   * charge for decoding posting lists), so when its own estimate says the filters match at least
   * BROAD_SELECTIVITY of the table, bitmap scans are switched off for this statement and the scan stops early.
   */
  private async firstMatches<T>(broad: boolean, query: RawBuilder<T>): Promise<T[]> {
    if (!broad) return this.repo.run(query);
    return this.repo.db.transaction().execute(async (trx) => {
      await sql`set local enable_bitmapscan = off`.execute(trx);
      return (await query.execute(trx)).rows;
    });
  }

  private tableRows: { n: number; at: number } | undefined;

  /**
   * The planner's estimate of the matching rows (one EXPLAIN, no execution), and whether that is a broad share
   * of the table (BROAD_SELECTIVITY). No estimate below 100,000 documents, where every query is cheap.
   */
  private async estimate(where: RawBuilder<unknown>[]): Promise<{ broad: boolean; expected?: number }> {
    if (!this.tableRows || Date.now() - this.tableRows.at > 60_000) {
      const t = await this.repo.run(sql<{ n: number }>`select greatest(reltuples, 0)::float8 as n from pg_class where oid = 'search_document'::regclass`);
      this.tableRows = { n: Number(t[0]?.n ?? 0), at: Date.now() };
    }
    if (this.tableRows.n < 100_000) return { broad: false };
    const r = await this.repo.run(sql<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>`explain (format json) select 1 from search_document where ${and(where)}`);
    const expected = r[0]['QUERY PLAN'][0].Plan['Plan Rows'];
    return { broad: expected >= BROAD_SELECTIVITY * this.tableRows.n, expected };
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

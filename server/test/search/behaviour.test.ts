/**
 * One behavioural suite, run against BOTH backends over the same fixture documents: the same query must
 * return the same ids on PostgreSQL and on a real OpenSearch 2.19 node (started once for this file).
 */
import { SearchIndexer } from '../../src/modules/search/indexer.service';
import { OpenSearchBackend } from '../../src/modules/search/opensearch.backend';
import { PostgresSearchBackend } from '../../src/modules/search/postgres.backend';
import { normalizeQuery } from '../../src/modules/search/query';
import { SearchRepository } from '../../src/modules/search/search.repository';
import type { SearchBackend, SearchQuery, SearchScope } from '../../src/modules/search/search.types';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { SERVER_START_TIMEOUT_MS, startOpenSearch, type OpenSearchHandle } from '../support/servers';
import { DOCS, seedUnits, short, UNIT_A, UNIT_B } from './fixtures';

let tdb: TestDatabase;
let os: OpenSearchHandle;
let pg: PostgresSearchBackend;
let ob: OpenSearchBackend;

const ALL: SearchScope = { unitIds: 'all', documentIds: [] };
const A: SearchScope = { unitIds: [UNIT_A], documentIds: [] };
const B: SearchScope = { unitIds: [UNIT_B], documentIds: [] };

beforeAll(async () => {
  [tdb, os] = await Promise.all([createTestDatabase(), startOpenSearch()]);
  await seedUnits(tdb.db);
  const repo = new SearchRepository(tdb.db);
  // Indexed the way other modules do it: through SearchIndexer, which writes the outbox for OpenSearch.
  const indexer = new SearchIndexer(repo, { search: { driver: 'opensearch', node: os.url, indexPrefix: 'behaviour' } });
  await indexer.upsert(DOCS);
  pg = new PostgresSearchBackend(repo);
  ob = new OpenSearchBackend(repo, { node: os.url, indexPrefix: 'behaviour', refreshOnWrite: true });
  expect(await ob.processOutbox()).toBe(DOCS.length);
}, SERVER_START_TIMEOUT_MS);

afterAll(async () => {
  await ob?.close();
  await os?.stop();
  await tdb?.drop();
}, 60_000);

const backends = (): [string, SearchBackend][] => [
  ['postgres', pg],
  ['opensearch', ob],
];

async function ids(b: SearchBackend, q: SearchQuery, scope: SearchScope = A): Promise<string[]> {
  const r = await b.search(normalizeQuery({ limit: 100, ...q }), scope);
  expect(r.total).toBe(r.hits.length);
  return r.hits.map((h) => short(h.id)).sort();
}

/** Runs the query on both backends, checks they agree, returns the ids. */
async function both(q: SearchQuery, scope: SearchScope = A): Promise<string[]> {
  const [p, o] = await Promise.all(backends().map(([, b]) => ids(b, q, scope)));
  expect(o).toEqual(p);
  return p;
}

describe('the same ids on PostgreSQL and OpenSearch', () => {
  test('Chinese queries of 1, 2, 3 and more characters are substring matches', async () => {
    expect(await both({ text: '局' })).toEqual(['v01', 'v02', 'v04', 'v06']);
    expect(await both({ text: '南通' })).toEqual(['j01', 'v01', 'v02', 'v03', 'v04', 'v05']);
    expect(await both({ text: '会议' })).toEqual(['j01', 'v01']);
    expect(await both({ text: '财政局' })).toEqual(['v01', 'v02', 'v04', 'v06']);
    expect(await both({ text: '南通市财政局' })).toEqual(['v01', 'v02', 'v04']);
    expect(await both({ text: '南通市财政厅' })).toEqual([]);
    // Characters that merely appear apart do not make the word.
    expect(await both({ text: '财局' })).toEqual([]);
  });

  test('mixed Chinese and numbers: every term must match; numbers are whole words', async () => {
    expect(await both({ text: '发票 2024' })).toEqual(['v01', 'v02', 'v06']);
    expect(await both({ text: '发票2024' })).toEqual(['v01', 'v02', 'v06']);
    expect(await both({ text: '复印纸 A4' })).toEqual(['v07']);
    expect(await both({ text: '纸' })).toEqual(['v07']);
    expect(await both({ text: '２０２３' })).toEqual(['v05', 'v07']); // full-width digits fold like cjk_width
  });

  test('invoice number: exact filter and as a search word', async () => {
    expect(await both({ filters: { number: '24320000000000000102' } })).toEqual(['v02']);
    expect(await both({ filters: { number: '032002400111' } })).toEqual(['v02']); // another number of the same voucher
    expect(await both({ text: '24320000000000000102' })).toEqual(['v02']);
    expect(await both({ text: '2432000000000000010' })).toEqual([]); // a prefix is not the number
  });

  test('amount range, period, dates, kinds, categories, archival code, parties, accounts', async () => {
    expect(await both({ filters: { amountMin: '1000', amountMax: '60000' } })).toEqual(['j01', 'v01', 'v02']);
    expect(await both({ filters: { amountMin: '354.50', amountMax: '354.50' } })).toEqual(['v03']);
    expect(await both({ filters: { year: [2024], period: [3] } })).toEqual(['j01', 'r01', 'v01', 'v02']);
    expect(await both({ filters: { dateFrom: '2024-04-01', dateTo: '2024-04-30' } })).toEqual(['r01', 'v03', 'v04']);
    expect(await both({ filters: { kind: ['einv_ord', 'inv_ord'] } })).toEqual(['v01', 'v06', 'v07']);
    expect(await both({ filters: { category: ['ledger', 'report'] } })).toEqual(['l01', 'r01']);
    expect(await both({ filters: { archivalCode: 'NT001-2024-KJ-PZ-0031' } })).toEqual(['j01']);
    expect(await both({ filters: { party: '南通市财政局' } })).toEqual(['v01', 'v02', 'v04']);
    expect(await both({ filters: { account: '6602 管理费用' } })).toEqual(['j01']);
    expect(await both({ filters: { state: ['booked'] } })).toEqual(['v03']);
    expect(await both({ filters: { retention: ['30y'] } })).toEqual(['j01', 'l01']);
    expect(await both({ text: '发票', filters: { amountMax: '100' } })).toEqual(['v06']);
  });

  test('refine within results AND-s the earlier queries', async () => {
    expect(await both({ text: '南通' })).toHaveLength(6);
    expect(await both({ text: '发票', refine: ['南通'] })).toEqual(['v01', 'v02']);
    expect(await both({ text: '专用', refine: ['南通', '发票'] })).toEqual(['v02']);
  });

  test('facet counts are those of the filtered set', async () => {
    const results = await Promise.all(backends().map(([, b]) => b.search(normalizeQuery({ text: '南通' }), A)));
    for (const r of results) {
      expect(r.total).toBe(6);
      const f = r.facets!;
      expect(f.year).toEqual([{ value: '2024', count: 5 }, { value: '2023', count: 1 }]);
      expect(f.state).toEqual([{ value: 'archived', count: 5 }, { value: 'booked', count: 1 }]);
      expect(f.category).toEqual([{ value: 'voucher', count: 6 }]);
      expect(f.unit).toEqual([{ value: UNIT_A, count: 6 }]);
      expect(f.kind.map((b) => `${b.value}:${b.count}`)).toEqual(['bker:1', 'efi:1', 'einv_ord:1', 'inv_spcl:1', 'journal:1', 'rai:1']);
    }
    const all = await Promise.all(backends().map(([, b]) => b.search(normalizeQuery({ text: '会议费' }), ALL)));
    for (const r of all) expect(r.facets!.unit).toEqual([{ value: UNIT_A, count: 2 }, { value: UNIT_B, count: 1 }]);
  });

  test('scope: a user of unit A never sees unit B, and the other way round', async () => {
    expect(await both({ text: '南通市财政局' }, B)).toEqual(['b01']);
    expect(await both({ text: '会议费' }, A)).toEqual(['j01', 'v01']);
    expect(await both({ text: '会议费' }, B)).toEqual(['b01']);
    expect(await both({ text: '会议费' }, ALL)).toEqual(['b01', 'j01', 'v01']);
    // Asking for the other unit explicitly does not widen the scope.
    expect(await both({ filters: { unitId: [UNIT_B] } }, A)).toEqual([]);
    expect(await both({ filters: { number: '24320000000000000201' } }, A)).toEqual([]);
    expect(await both({}, { unitIds: [], documentIds: [] })).toEqual([]);
    // A loan grant (extension point) opens single documents outside the units.
    expect(await both({ text: '会议费' }, { unitIds: [], documentIds: ['voucher:b01'] })).toEqual(['b01']);
    expect(await both({ text: '会议费' }, { unitIds: [UNIT_A], documentIds: ['voucher:b01'] })).toEqual(['b01', 'j01', 'v01']);
  });

  test('keyset pages by amount and by date give the same order on both backends', async () => {
    for (const q of [
      { text: '局', sort: 'amount' as const, order: 'desc' as const },
      { text: '局', sort: 'date' as const, order: 'asc' as const },
      { sort: 'date' as const, order: 'desc' as const },
    ]) {
      const orders: string[][] = [];
      for (const [, b] of backends()) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const r = await b.search(normalizeQuery({ ...q, limit: 2, cursor }), ALL);
          seen.push(...r.hits.map((h) => short(h.id)));
          cursor = r.nextCursor ?? undefined;
        } while (cursor);
        orders.push(seen);
      }
      expect(orders[1]).toEqual(orders[0]);
      if (q.sort === 'amount') expect(orders[0]).toEqual(['v04', 'v02', 'v01', 'b01', 'b02', 'v06']);
      if (!q.text) expect(orders[0]).toHaveLength(DOCS.length);
    }
  });

  test('relevance ranks and highlights the page', async () => {
    for (const [, b] of backends()) {
      const r = await b.search(normalizeQuery({ text: '南通市财政局 会议费' }), A);
      expect(r.hits.map((h) => short(h.id))).toEqual(['v01']);
      expect(r.hits[0].score).toBeGreaterThan(0);
      const parties = r.hits[0].highlights.find((h) => h.field === 'parties');
      expect(parties?.fragment).toBe('<em>南通市财政局</em>培训中心；<em>南通市财政局</em>');
      expect(r.hits[0].highlights.find((h) => h.field === 'body')?.fragment).toBe('<em>会议费</em>');
      expect(r.hits[0].invoiceNumber).toBe('24320000000000000101');
    }
  });
});

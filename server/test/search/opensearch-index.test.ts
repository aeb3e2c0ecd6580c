/**
 * Feeding OpenSearch without losing updates: the transactional outbox (rolled-back changes never arrive,
 * committed ones always do, in order, retried after failures), stale writes losing to newer versions, and
 * the incremental and full (new index + alias swap) rebuilds with resume. Real OpenSearch 2.19 node.
 */
import { sql } from 'kysely';
import { SearchIndexer } from '../../src/modules/search/indexer.service';
import { OpenSearchBackend, toSource } from '../../src/modules/search/opensearch.backend';
import { PostgresSearchBackend } from '../../src/modules/search/postgres.backend';
import { normalizeQuery } from '../../src/modules/search/query';
import { SearchRepository } from '../../src/modules/search/search.repository';
import type { SearchScope } from '../../src/modules/search/search.types';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { SERVER_START_TIMEOUT_MS, startOpenSearch, type OpenSearchHandle } from '../support/servers';
import { DOCS, seedUnits, short, UNIT_A } from './fixtures';

let tdb: TestDatabase;
let os: OpenSearchHandle;
let repo: SearchRepository;
let indexer: SearchIndexer;
let ob: OpenSearchBackend;
const ALL: SearchScope = { unitIds: 'all', documentIds: [] };

beforeAll(async () => {
  [tdb, os] = await Promise.all([createTestDatabase(), startOpenSearch()]);
  await seedUnits(tdb.db);
  repo = new SearchRepository(tdb.db);
  indexer = new SearchIndexer(repo, { search: { driver: 'opensearch', node: os.url, indexPrefix: 'feed' } });
  ob = new OpenSearchBackend(repo, { node: os.url, indexPrefix: 'feed', refreshOnWrite: true });
}, SERVER_START_TIMEOUT_MS);

afterAll(async () => {
  await ob?.close();
  await os?.stop();
  await tdb?.drop();
}, 60_000);

const found = async (text: string) =>
  (await ob.search(normalizeQuery({ text, limit: 100 }), ALL)).hits.map((h) => short(h.id)).sort();
const outbox = async () => (await sql<{ n: string }>`select count(*) as n from search_outbox`.execute(tdb.db)).rows[0].n;

test('a rolled-back change leaves neither a document nor an outbox entry', async () => {
  await expect(
    tdb.db.transaction().execute(async (trx) => {
      await indexer.upsert([DOCS[0]], { trx });
      throw new Error('the source change failed');
    }),
  ).rejects.toThrow('the source change failed');
  expect(await repo.documentsByIds(tdb.db, ['voucher:v01'])).toEqual([]);
  expect(await outbox()).toBe('0');
});

test('committed changes reach the index in order: insert, update, delete', async () => {
  await tdb.db.transaction().execute((trx) => indexer.upsert(DOCS, { trx }));
  expect(await outbox()).toBe(String(DOCS.length));
  expect(await ob.processOutbox()).toBe(DOCS.length);
  expect(await outbox()).toBe('0');
  expect(await found('南通市财政局')).toEqual(['b01', 'v01', 'v02', 'v04']);

  // Update then delete before the processor runs: the index ends at the last state.
  await indexer.upsert([{ ...DOCS[0], parties: ['如东县财政局'] }]);
  await indexer.upsert([{ ...DOCS[1], title: '增值税电子专用发票（更正）' }]);
  await indexer.remove(['voucher:v04']);
  await indexer.upsert([{ ...DOCS[3], sourceId: 'v04b' }]);
  await indexer.remove(['voucher:v04b']);
  expect(await ob.processOutbox()).toBe(5);
  expect(await found('南通市财政局')).toEqual(['b01', 'v02']);
  expect(await found('更正')).toEqual(['v02']);
});

test('when OpenSearch is down the entries stay, count the attempt, and go through on the next run', async () => {
  await indexer.upsert([{ ...DOCS[2], body: '南京南-南通 二等座 改签' }]);
  const down = new OpenSearchBackend(repo, { node: 'http://127.0.0.1:9', indexPrefix: 'feed' });
  await expect(down.processOutbox()).rejects.toMatchObject({ code: 'search_unavailable' });
  await down.close();
  const rows = await sql<{ attempts: number; last_error: string }>`select attempts, last_error from search_outbox`.execute(tdb.db);
  expect(rows.rows).toHaveLength(1);
  expect(rows.rows[0].attempts).toBe(1);
  expect(rows.rows[0].last_error).toMatch(/OpenSearch/);
  expect(await ob.processOutbox()).toBe(1);
  expect(await found('改签')).toEqual(['v03']);
});

test('a stale write (older version) does not overwrite a newer one', async () => {
  const [row] = await repo.documentsByIds(tdb.db, ['voucher:v03']);
  await ob.bulk([ob.alias], [{ op: 'index', id: row.id, version: String(Number(row.version) - 1), source: { ...toSource(row), title: '旧版本' } }]);
  expect(await found('旧版本')).toEqual([]);
  expect(await found('改签')).toEqual(['v03']);
});

test('full rebuild into a new index resumes after an interruption and swaps the alias', async () => {
  const before = (await ob.client.indices.getAlias({ name: ob.alias })).body;
  const oldIndex = Object.keys(before)[0];
  const total = DOCS.length - 1; // v04 was removed
  let calls = 0;
  await expect(
    ob.reindex({
      full: true,
      batchSize: 4,
      onProgress: (p) => {
        if (++calls === 2) throw new Error(`interrupted at ${p.done}`);
      },
    }),
  ).rejects.toThrow('interrupted at 4');
  const states = await repo.indexStates(`opensearch:${ob.alias}:`);
  const building = states.find((s) => s.status === 'building')!;
  expect(building.done).toBe('4');
  // While the rebuild waits, a change goes to both the serving and the new index.
  await indexer.upsert([{ ...DOCS[5], body: '资料费 重建期间' }]);
  expect(await ob.processOutbox()).toBe(1);

  const seen: number[] = [];
  const p = await ob.reindex({ full: true, batchSize: 4, onProgress: (x) => seen.push(x.done) });
  expect(seen[0]).toBe(4); // resumed, not restarted
  // Copies, not distinct documents: v06 changed after its first copy and was copied again.
  expect(p.done).toBe(p.total);
  const after = (await ob.client.indices.getAlias({ name: ob.alias })).body;
  expect(Object.keys(after)).toEqual([building.index_name]);
  expect((await ob.client.indices.exists({ index: oldIndex })).body).toBe(false);
  expect(await found('重建期间')).toEqual(['v06']);
  expect(await found('南通市财政局')).toEqual(['b01', 'v02']);
  expect((await ob.search(normalizeQuery({ limit: 100 }), ALL)).total).toBe(total);
});

test('incremental reindex copies what changed since its cursor', async () => {
  // Written as if by a process that could not reach the outbox processor: drop the outbox entry.
  await indexer.upsert([{ ...DOCS[6], sourceId: 'v08', body: '新增 复印纸 B5', unitId: UNIT_A }]);
  await sql`delete from search_outbox`.execute(tdb.db);
  expect(await found('B5')).toEqual([]);
  const p = await ob.reindex();
  expect(p.done).toBeGreaterThan(0);
  await ob.refresh();
  expect(await found('B5')).toEqual(['v08']);
  // Nothing new: a no-op from the stored cursor.
  const again = await ob.reindex();
  expect(again.done).toBe(p.done);
});

test('beyond 10,000 matches both backends say 10,000+; PostgreSQL samples facets and pages by date', async () => {
  const many = Array.from({ length: 10_050 }, (_, i) => ({
    docType: 'voucher' as const,
    sourceId: `m${i}`,
    unitId: UNIT_A,
    category: 'voucher' as const,
    kind: 'bker',
    title: '银行电子回单',
    parties: ['示例银行南通分行'],
    body: '批量代发 工资',
    amount: `${100 + (i % 500)}.00`,
    date: `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
    state: 'archived',
  }));
  await indexer.upsert(many);
  await ob.processOutbox(2000);
  const pgb = new PostgresSearchBackend(repo);
  for (const b of [pgb, ob]) {
    const r = await b.search(normalizeQuery({ text: '代发' }), ALL);
    // PostgreSQL counts exactly up to 1,000 (each counted match is a heap row), OpenSearch up to 10,000.
    expect([r.total, r.totalRelation]).toEqual([b === pgb ? 1000 : 10000, 'gte']);
    expect(r.hits).toHaveLength(20);
    const few = await b.search(normalizeQuery({ text: '代发', filters: { amountMax: '101' } }), ALL);
    expect([few.total, few.totalRelation]).toEqual([42, 'eq']);
    expect(few.facets!.kind).toEqual([{ value: 'bker', count: 42 }]);
  }
  const p = await pgb.search(normalizeQuery({ text: '代发' }), ALL);
  expect(p.facetsSampled).toBe(true);
  expect(p.sortedBy).toBe('date');
  const next = await pgb.search(normalizeQuery({ text: '代发', cursor: p.nextCursor! }), ALL);
  expect(next.hits[0].date! <= p.hits[19].date!).toBe(true);
  expect(next.hits.map((h) => h.id)).not.toContain(p.hits[19].id);
}, 120_000);

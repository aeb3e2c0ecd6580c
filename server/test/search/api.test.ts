/**
 * The HTTP API (scope from the signed-in user's grants, facets with labels, refine, Excel export) and the CLI
 * (`evarchive search`, `evarchive search reindex --from pool`) on the default PostgreSQL backend.
 */
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { SearchIndexer } from '../../src/modules/search/indexer.service';
import { call, createIdentityTestApp, login, seedOrg } from '../identity/support';
import { SearchModule } from '../../src/modules/search/search.module';
import type { TestApp } from '../support/app';
import { DOCS, FONDS_A, short, UNIT_A, UNIT_B } from './fixtures';

const root = join(__dirname, '..', '..', '..');
let t: TestApp;
let org: Awaited<ReturnType<typeof seedOrg>>;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  t = await createIdentityTestApp({ modules: [SearchModule] });
  org = await seedOrg(t);
  const map = (id: string | null | undefined) => (id === UNIT_A ? org.unitA.id : id === UNIT_B ? org.unitB.id : id === FONDS_A ? org.fondsA.id : id);
  await t.app.get(SearchIndexer).upsert(DOCS.map((d) => ({ ...d, unitId: map(d.unitId)!, fondsId: map(d.fondsId) ?? null })));
  for (const u of ['root', 'arch_a', 'arch_b', 'ua']) tokens[u] = await login(t, u, org.pw);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const get = (user: string, qs: string) => call(t, 'GET', `/api/search?${qs}`, { token: tokens[user] });
const ids = (r: { json: { hits: { id: string }[] } }) => r.json.hits.map((h) => short(h.id)).sort();

test('every user searches only the units they hold a search role in', async () => {
  const q = `q=${encodeURIComponent('会议费')}`;
  expect(ids(await get('arch_a', q))).toEqual(['j01', 'v01']);
  expect(ids(await get('ua', q))).toEqual(['j01', 'v01']);
  // arch_b is a borrower in A: a borrower sees only what a loan grants, and no loan exists.
  expect(ids(await get('arch_b', q))).toEqual(['b01']);
  const all = await get('root', q);
  expect(ids(all)).toEqual(['b01', 'j01', 'v01']);
  expect(all.json.facets.unit).toEqual([
    { value: org.unitA.id, count: 2, label: '南通市财政局' },
    { value: org.unitB.id, count: 1, label: '南通市教育局' },
  ]);
  // Naming the other unit does not widen the scope.
  expect(ids(await get('arch_a', `${q}&unit=${org.unitB.id}`))).toEqual([]);
  expect((await call(t, 'GET', `/api/search?${q}`)).status).toBe(401);
});

test('the response carries ids, kinds, numbers, codes, titles, scores, highlights, facets and a cursor', async () => {
  const r = await get('arch_a', `q=${encodeURIComponent('南通市财政局')}&limit=2`);
  expect(r.status).toBe(200);
  expect(r.json.total).toBe(3);
  expect(r.json.hits).toHaveLength(2);
  expect(r.json.nextCursor).toEqual(expect.any(String));
  const hit = r.json.hits[0];
  expect(Object.keys(hit)).toEqual(expect.arrayContaining(['id', 'docType', 'kind', 'invoiceNumber', 'archivalCode', 'title', 'score', 'highlights']));
  expect(hit.highlights.some((h: { fragment: string }) => h.fragment.includes('<em>南通市财政局</em>'))).toBe(true);
  expect(r.json.facets.kind.find((b: { value: string }) => b.value === 'einv_ord')).toEqual({ value: 'einv_ord', count: 1, label: '电子发票（普通发票）' });
  const next = await get('arch_a', `q=${encodeURIComponent('南通市财政局')}&limit=2&cursor=${r.json.nextCursor}`);
  expect(next.json.hits).toHaveLength(1);
  expect(next.json.nextCursor).toBeNull();
  expect([...r.json.hits, ...next.json.hits].map((h: { id: string }) => short(h.id)).sort()).toEqual(['v01', 'v02', 'v04']);
});

test('filters, refine (repeatable), period as YYYY-MM, sorts, and clear errors', async () => {
  expect(ids(await get('arch_a', `q=${encodeURIComponent('专用')}&refine=${encodeURIComponent('南通')}&refine=${encodeURIComponent('发票')}`))).toEqual(['v02']);
  expect(ids(await get('arch_a', 'period=2024-03'))).toEqual(['j01', 'r01', 'v01', 'v02']);
  expect(ids(await get('arch_a', 'kind=einv_ord,inv_ord&from=2024-01-01&to=2024-12-31'))).toEqual(['v01', 'v06']);
  expect(ids(await get('arch_a', 'amountMin=1000&amountMax=60000'))).toEqual(['j01', 'v01', 'v02']);
  expect(ids(await get('arch_a', 'number=24320000000000000102'))).toEqual(['v02']);
  const byAmount = await get('arch_a', `q=${encodeURIComponent('局')}&sort=amount&order=desc`);
  expect(byAmount.json.hits.map((h: { id: string }) => short(h.id))).toEqual(['v04', 'v02', 'v01', 'v06']);
  const bad = await get('arch_a', 'amountMin=12.345');
  expect(bad.status).toBe(400);
  expect(bad.json).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('amountMin') });
  // The parameter the caller typed is named, with what is wrong with the date.
  const badDate = await get('arch_a', 'from=2024-13-01');
  expect(badDate.status).toBe(400);
  expect(badDate.json.message).toBe('from: "2024-13-01" is not a date in the calendar (month 13 does not exist)');
  expect((await get('arch_a', 'cursor=nonsense')).json.message).toMatch(/cursor/);
  // A misspelt kind found nothing at all (200, no hits); now it is refused by name with the kinds there are.
  const badKind = await get('arch_a', 'kind=einv_ord,nosuchkind');
  expect(badKind.status).toBe(400);
  expect(badKind.json).toMatchObject({ code: 'invalid_input', details: { field: 'kind', unknown: ['nosuchkind'] }, message: expect.stringMatching(/^kind: unknown kind "nosuchkind"; expected one of inv_ord, inv_spcl, .*bker.*journal$/) });
});

test('GET /api/search.xlsx exports the same query', async () => {
  const res = await fetch(`${t.url}/api/search.xlsx?q=${encodeURIComponent('局')}&sort=amount`, { headers: { authorization: `Bearer ${tokens.arch_a}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('spreadsheetml');
  expect(res.headers.get('x-evarchive-rows')).toBe('4');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as any);
  const ws = wb.getWorksheet('检索结果')!;
  expect(ws.getRow(1).getCell(1).value).toBe('档号');
  const numbers = [2, 3, 4, 5].map((i) => ws.getRow(i).getCell(4).value);
  expect(numbers).toEqual(['2024040500001', '24320000000000000102', '24320000000000000101', '24320000000000000106']);
  expect(ws.getRow(2).getCell(7).value).toBe(100000);
  expect(ws.getRow(2).getCell(9).value).toBe('南通市财政局');
  expect(ws.rowCount).toBe(5);
});

function evarchive(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'server', 'bin', 'evarchive.js'), ...args],
      { cwd: root, env: { ...process.env, DATABASE_URL: t.testDb.url, EVARCHIVE_DATA_DIR: t.config.dataDir, EVARCHIVE_LOG_LEVEL: 'error' }, timeout: 90_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('CLI: evarchive search prints JSON or a table over every unit', async () => {
  const json = await evarchive('search', '会议费', '--json');
  expect(json.stderr).toBe('');
  expect(json.code).toBe(0);
  const r = JSON.parse(json.stdout);
  expect(r.total).toBe(3);
  expect(r.hits.map((h: { id: string }) => short(h.id)).sort()).toEqual(['b01', 'j01', 'v01']);
  expect(Object.keys(r.hits[0]).sort()).toEqual(['archivalCode', 'id', 'invoiceNumber', 'kind', 'score', 'title']);

  const filtered = JSON.parse((await evarchive('search', '发票', '--kind', 'einv_ord', '--from', '2024-03-01', '--to', '2024-03-31', '--json')).stdout);
  expect(filtered.hits.map((h: { id: string }) => short(h.id)).sort()).toEqual(['b01', 'v01']);

  const text = await evarchive('search', '南通市财政局', '--unit', 'A01', '--sort', 'amount');
  expect(text.code).toBe(0);
  const lines = text.stdout.trimEnd().split('\n');
  expect(lines[0]).toBe('3 found (postgres)');
  expect(lines[1]).toMatch(/^种类 kind\s+号码 number/);
  expect(lines[2]).toMatch(/^bker\s+2024040500001\s+2024-04-05\s+100000\.00\s+银行电子回单\s+voucher:v04$/);

  const bad = await evarchive('search', '会议', '--from', '2024-02-30x');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/^evarchive: invalid_input: dateFrom: expected a date YYYY-MM-DD/);

  const badKind = await evarchive('search', '会议', '--kind', 'nosuchkind');
  expect(badKind.code).toBe(1);
  expect(badKind.stdout).toBe('');
  expect(badKind.stderr).toMatch(/^evarchive: invalid_input: kind: unknown kind "nosuchkind"; expected one of inv_ord, inv_spcl, einv_ord, /);
}, 180_000);

test('CLI: search reindex --from pool projects the pool vouchers', async () => {
  // The pool module owns `voucher` (0400_pool); where it is not migrated here, a stand-in with its columns.
  await sql`
    create table if not exists voucher (
      id uuid primary key, unit_id uuid, kind text not null, identity_key text not null, invoice_code text, invoice_number text,
      issue_date date, total_amount numeric(18,2), seller_name text, buyer_name text, payer_name text, payee_name text,
      bank_serial text, data jsonb not null, signature_verdict text not null, state text not null default 'available',
      created_at timestamptz not null, updated_at timestamptz not null)`.execute(t.db);
  await sql`
    insert into voucher (id, unit_id, kind, identity_key, invoice_number, issue_date, total_amount, seller_name, buyer_name, data, signature_verdict, state, created_at, updated_at)
    values ('11111111-1111-4111-8111-111111111111', ${org.unitA.id}, 'einv_ord', 'einv:25320000000000000777', '25320000000000000777', '2025-02-14', 666.60,
            '南通示例文具有限公司', '南通市财政局', ${JSON.stringify({ kind: 'einv_ord', lineItems: [{ name: '*文具*订书机' }], extra: {} })}::jsonb, 'valid', 'available', now(), now())`.execute(t.db);
  const r = await evarchive('search', 'reindex', '--from', 'pool');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/projected 1 pool voucher\(s\) into search_document/);
  expect(r.stdout).toMatch(/postgres: search_document is the index/);
  const found = await get('arch_a', `q=${encodeURIComponent('订书机')}`);
  expect(found.json.hits.map((h: { id: string; invoiceNumber: string; title: string }) => [h.id, h.invoiceNumber, h.title])).toEqual([
    ['voucher:11111111-1111-4111-8111-111111111111', '25320000000000000777', '电子发票（普通发票）'],
  ]);
  expect(ids(await get('arch_b', `q=${encodeURIComponent('订书机')}`))).toEqual([]);
}, 120_000);

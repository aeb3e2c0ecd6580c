/**
 * GET /api/home/summary on the synthetic demo (EVARCHIVE_DEMO=synthetic: factory-made vouchers only, even on a
 * machine with the real corpus): each count equals the rows the page it links to lists, counts follow the work
 * (a decided suggestion, a submitted volume, failed checks counted per volume), and every section is scoped to the
 * units and roles of the person asking.
 */
import { loadDemo } from '../../src/modules/demo/demo';
import { OrgService } from '../../src/platform/identity/org.service';
import { UserService } from '../../src/platform/identity/user.service';
import { eicarDatabase, flipStoredByte } from '../checks/fixture';
import { call, login } from '../identity/support';
import { createTestApp, type TestApp } from '../support/app';

const PERIOD = '2026-11';
let t: TestApp;
let demoUnitId: string;
let demoFondsId: string;
let otherUnitId: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp({ jobs: false, logger: false, env: { EVARCHIVE_DEMO: 'synthetic' } });
  process.env.EVARCHIVE_CLAMAV_DB = eicarDatabase(t.config.dataDir);
  const demo = await loadDemo(t.app, { period: PERIOD });
  // Synthetic: no real sample file, whatever ../shared holds on this machine.
  expect(demo).toMatchObject({ loaded: true, corpusFiles: 0, vouchers: { received: 15, created: 15, rejected: 0 } });
  demoUnitId = demo.unitId;
  demoFondsId = demo.fondsId;
  otherUnitId = (await t.app.get(OrgService).createUnit('system', { code: 'B02', name: '示例教育局' })).id;
  const users = t.app.get(UserService);
  const pw = 'correct horse 1';
  await users.create('system', { username: 'arch_b', password: pw, roles: [{ role: 'archivist', unitId: otherUnitId }] });
  await users.create('system', { username: 'root', password: pw, roles: [{ role: 'system_admin' }] });
  for (const u of ['arch_b', 'root']) tokens[u] = await login(t, u, pw);
  for (const u of ['demo-archivist', 'demo-clerk', 'demo-accountant']) tokens[u] = await login(t, u, u);
}, 180_000);
afterAll(async () => {
  delete process.env.EVARCHIVE_CLAMAV_DB;
  await t?.close();
});

const summary = async (user: string, unitId?: string) => {
  const r = await call(t, 'GET', `/api/home/summary${unitId ? `?unitId=${unitId}` : ''}`, { token: tokens[user] });
  expect(r.status).toBe(200);
  return r.json;
};

async function poolRows(user: string, query: string): Promise<number> {
  const r = await call(t, 'GET', `/api/pool/vouchers?unitId=${demoUnitId}&limit=200&${query}`, { token: tokens[user] });
  expect(r.status).toBe(200);
  return r.json.items.length;
}

test('the demo archivist’s counts are the rows each linked page lists', async () => {
  const s = await summary('demo-archivist', demoUnitId);
  expect(s.unitId).toBe(demoUnitId);
  // 15 synthetic vouchers, all verified, none claimed yet; one suggestion (the mistyped invoice number); one draft.
  expect(Object.values(s.pool.byState).reduce((a: number, b) => a + (b as number), 0)).toBe(15);
  for (const state of ['available', 'claimed', 'reimbursed', 'booked', 'archived']) {
    expect([state, s.pool.byState[state]]).toEqual([state, await poolRows('demo-archivist', `state=${state}`)]);
  }
  expect(s.pool.invalid).toBe(await poolRows('demo-archivist', 'verdict=invalid'));
  expect(s.pool.invalid).toBe(0);
  const suggestions = await call(t, 'GET', '/api/matching/suggestions', { token: tokens['demo-archivist'] });
  expect(suggestions.json).toHaveLength(1);
  expect(s.suggestions).toBe(1);
  expect(s.volumes).toEqual({ draft: 1, submitted: 0, approved: 0, archived: 0 });
  expect(s.checksFailed).toBe(0);
  // Without a unit: every unit the archivist may read, which is the demo unit only.
  expect(await summary('demo-archivist')).toEqual({ ...s, unitId: null });
});

test('sections follow the roles: the reimbursement clerk sees the pool only', async () => {
  const s = await summary('demo-clerk', demoUnitId);
  expect(s.pool.byState.available + s.pool.byState.booked).toBeGreaterThan(0);
  expect(s).toMatchObject({ suggestions: null, volumes: null, checksFailed: null });
});

test('another unit’s archivist sees zeros in their unit and is refused the demo unit', async () => {
  expect(await summary('arch_b')).toEqual({
    unitId: null,
    pool: { byState: { available: 0, claimed: 0, reimbursed: 0, booked: 0, archived: 0 }, invalid: 0 },
    suggestions: 0,
    volumes: { draft: 0, submitted: 0, approved: 0, archived: 0 },
    checksFailed: 0,
  });
  const r = await call(t, 'GET', `/api/home/summary?unitId=${demoUnitId}`, { token: tokens.arch_b });
  expect(r.status).toBe(403);
  expect(r.json.message).toContain(demoUnitId);
  // The system administrator reads every unit: the demo's figures plus the empty unit's.
  const all = await summary('root');
  expect(all.pool.byState).toEqual((await summary('demo-archivist')).pool.byState);
  expect((await summary('root', otherUnitId)).volumes).toEqual({ draft: 0, submitted: 0, approved: 0, archived: 0 });
});

test('bad requests are named; anonymous callers get 401', async () => {
  const bad = await call(t, 'GET', '/api/home/summary?unitId=DEMO', { token: tokens['demo-archivist'] });
  expect(bad.status).toBe(400);
  expect(bad.json.message).toContain('unitId');
  expect((await call(t, 'GET', '/api/home/summary')).status).toBe(401);
});

test('counts follow the work: a decided suggestion, a submitted volume, failed checks counted once per volume', async () => {
  const token = tokens['demo-archivist'];
  const [sugg] = (await call(t, 'GET', '/api/matching/suggestions', { token })).json;
  const decided = await call(t, 'POST', `/api/matching/links/${sugg.id}/accept`, { token, body: { reason: '发票号录入错误，已核对原件' } });
  expect(decided.status).toBeLessThan(300);
  // The accepted link files its invoice into the month's draft volume when the volume is assembled again.
  const assembled = await call(t, 'POST', '/api/volumes/assemble', { token, body: { unitId: demoUnitId, fondsId: demoFondsId, year: 2026, period: PERIOD } });
  expect(assembled.json.updated).toEqual(['DEMO-2026-PZ-D30-0001']);
  const [volume] = (await call(t, 'GET', `/api/volumes?unitId=${demoUnitId}`, { token })).json.items;
  expect((await call(t, 'POST', `/api/volumes/${volume.id}/submit`, { token, body: {} })).status).toBeLessThan(300);
  let s = await summary('demo-archivist', demoUnitId);
  expect(s.suggestions).toBe(0);
  expect(s.volumes).toEqual({ draft: 0, submitted: 1, approved: 0, archived: 0 });

  // One original of the volume changed behind the store's back: the archiving check fails (fixity veto).
  const detail = (await call(t, 'GET', `/api/volumes/${volume.id}`, { token })).json;
  const voucherId = detail.items.flatMap((i: any) => i.originals).find((o: any) => o.sourceType === 'original').sourceId;
  const file = await t.db.selectFrom('voucher_file').select('object_key').where('voucher_id', '=', voucherId).executeTakeFirstOrThrow();
  const root = (t.config.storage as { root: string }).root;
  await flipStoredByte(root, file.object_key);
  const failed = await call(t, 'POST', '/api/checks/runs', { token, body: { volume: volume.id, stage: 'GD' } });
  expect(failed.status).toBe(200);
  expect(failed.json.verdict).toBe('fail');
  expect(failed.json.summary.vetoFailures.map((v: any) => v.code)).toContain('GD-ZS-1-1');
  s = await summary('demo-archivist', demoUnitId);
  expect(s.checksFailed).toBe(1);
  const listed = await call(t, 'GET', '/api/checks/runs?verdict=fail', { token });
  expect(listed.json.map((r: any) => r.subjectId)).toEqual([volume.id]);

  // Checked again (the byte flipped back): still failing — the demo's mistyped invoice number stays unlinked by
  // number even after the suggestion was accepted — and two failed runs are still one volume to look at.
  await flipStoredByte(root, file.object_key);
  const again = await call(t, 'POST', '/api/checks/runs', { token, body: { volume: volume.id, stage: 'GD' } });
  expect(again.json.verdict).toBe('fail');
  expect(again.json.summary.vetoFailures.map((v: any) => v.code)).not.toContain('GD-ZS-1-1');
  expect((await call(t, 'GET', '/api/checks/runs?verdict=fail', { token })).json).toHaveLength(2);
  expect((await summary('demo-archivist', demoUnitId)).checksFailed).toBe(1);
}, 180_000);

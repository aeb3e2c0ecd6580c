import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { UserService } from '../../src/platform/identity/user.service';
import { OrgService } from '../../src/platform/identity/org.service';
import { call, login } from '../identity/support';
import { createTestApp, type TestApp } from '../support/app';
import { insertJournals } from './support';

const root = join(__dirname, '..', '..', '..');

function evarchive(t: TestApp, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'server', 'bin', 'evarchive.js'), ...args],
      { cwd: root, env: { ...process.env, DATABASE_URL: t.testDb.url, EVARCHIVE_DATA_DIR: t.config.dataDir, EVARCHIVE_LOG_LEVEL: 'error' }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('volumes over HTTP and the CLI', () => {
  let t: TestApp;
  let unitA: { id: string };
  let unitB: { id: string };
  let fondsA: { id: string };
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp({ jobs: false, logger: false });
    const org = t.app.get(OrgService);
    const users = t.app.get(UserService);
    unitA = await org.createUnit('system', { code: 'A01', name: '南通市财政局' });
    unitB = await org.createUnit('system', { code: 'B02', name: '南通市教育局' });
    fondsA = await org.createFonds('system', { code: 'Q001', name: '财政局全宗', unitId: unitA.id });
    await org.createFonds('system', { code: 'Q002', name: '教育局全宗', unitId: unitB.id });
    const pw = 'correct horse 1';
    await users.create('system', { username: 'arch_a', password: pw, roles: [{ role: 'archivist', unitId: unitA.id }] });
    await users.create('system', { username: 'acc_a', password: pw, roles: [{ role: 'accountant', unitId: unitA.id }] });
    await users.create('system', { username: 'arch_b', password: pw, roles: [{ role: 'archivist', unitId: unitB.id }] });
    await users.create('system', { username: 'aud', password: pw, roles: [{ role: 'auditor', unitId: unitA.id }] });
    for (const u of ['arch_a', 'acc_a', 'arch_b', 'aud']) tokens[u] = await login(t, u, pw);
    await insertJournals(t.db, unitA.id, fondsA.id, '2024-01', [1, 2, 3, 5]);
  }, 60_000);
  afterAll(() => t?.close());

  it('assembles, lists, shows and moves a volume through its states', async () => {
    const body = { unitId: unitA.id, fondsId: fondsA.id, year: 2024, period: '2024-01' };
    expect((await call(t, 'POST', '/api/volumes/assemble', { token: tokens.arch_b, body })).status).toBe(403);
    expect((await call(t, 'POST', '/api/volumes/assemble', { token: tokens.aud, body })).status).toBe(403);
    const r = await call(t, 'POST', '/api/volumes/assemble', { token: tokens.acc_a, body });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ created: ['Q001-2024-PZ-D30-0001'], gaps: [{ period: '2024-01', missing: '记-0004', acknowledged: false }] });

    expect((await call(t, 'GET', `/api/volumes/fonds?unitId=${unitA.id}`, { token: tokens.acc_a })).json).toEqual({ items: [{ id: fondsA.id, code: 'Q001', name: '财政局全宗' }] });
    expect((await call(t, 'GET', `/api/volumes/fonds?unitId=${unitA.id}`, { token: tokens.arch_b })).status).toBe(403);
    const list = await call(t, 'GET', `/api/volumes?unitId=${unitA.id}&year=2024`, { token: tokens.aud });
    expect(list.status).toBe(200);
    expect(list.json.items.map((v: any) => v.archivalCode)).toEqual(['Q001-2024-PZ-D30-0001']);
    expect((await call(t, 'GET', '/api/volumes', { token: tokens.arch_b })).json.items).toEqual([]);
    const id = list.json.items[0].id;
    const detail = await call(t, 'GET', `/api/volumes/${id}`, { token: tokens.aud });
    expect(detail.json.items.map((i: any) => [i.archivalCode, i.number])).toEqual([
      ['Q001-2024-PZ-D30-0001-0001', '记-0001'],
      ['Q001-2024-PZ-D30-0001-0002', '记-0002'],
      ['Q001-2024-PZ-D30-0001-0003', '记-0003'],
      ['Q001-2024-PZ-D30-0001-0004', '记-0005'],
    ]);
    expect((await call(t, 'GET', `/api/volumes/${id}`, { token: tokens.arch_b })).status).toBe(403);

    const blocked = await call(t, 'POST', `/api/volumes/${id}/submit`, { token: tokens.acc_a, body: {} });
    expect(blocked).toMatchObject({ status: 409, json: { code: 'number_gaps' } });
    expect((await call(t, 'POST', `/api/volumes/${id}/submit`, { token: tokens.acc_a, body: { gapReason: '记-0004 作废' } })).json.state).toBe('submitted');
    expect((await call(t, 'POST', `/api/volumes/${id}/approve`, { token: tokens.acc_a })).status).toBe(403);
    expect((await call(t, 'POST', `/api/volumes/${id}/approve`, { token: tokens.arch_a })).json).toMatchObject({ state: 'approved', approvedBy: 'arch_a', submittedBy: 'acc_a' });
    expect((await call(t, 'POST', `/api/volumes/${id}/reopen`, { token: tokens.arch_a, body: {} })).status).toBe(400);

    const overview = await call(t, 'GET', `/api/retention/units/${unitA.id}`, { token: tokens.aud });
    expect(overview.json).toMatchObject({ regime: 'public_institution', explicit: false });
    expect(overview.json.rows.find((x: any) => x.no === 3)).toMatchObject({ retention: '30y', item: '行政单位和事业单位的各种会计凭证' });
    expect((await call(t, 'GET', '/api/retention/due?before=2100-01-01', { token: tokens.aud })).json).toEqual({ before: '2100-01-01', items: [] });
    expect((await call(t, 'PUT', `/api/retention/units/${unitA.id}/regime`, { token: tokens.arch_b, body: { regime: 'enterprise' } })).status).toBe(403);
    expect((await call(t, 'PUT', `/api/retention/units/${unitA.id}/regime`, { token: tokens.aud, body: { regime: 'enterprise' } })).status).toBe(403);
    expect((await call(t, 'PUT', `/api/retention/units/${unitA.id}/regime`, { token: tokens.arch_a, body: { regime: 'general_budget' } })).json).toEqual({ unitId: unitA.id, regime: 'general_budget' });
    expect((await call(t, 'GET', `/api/retention/units/${unitA.id}`, { token: tokens.aud })).json).toMatchObject({ regime: 'general_budget', explicit: true, regimeName: '财政总预算' });
    await call(t, 'PUT', `/api/retention/units/${unitA.id}/regime`, { token: tokens.arch_a, body: { regime: 'public_institution' } });
  });

  it('assembles and lists from the command line', async () => {
    await insertJournals(t.db, unitA.id, fondsA.id, '2024-02', [1, 2]);
    const a = await evarchive(t, 'volumes', 'assemble', '--unit', 'A01', '--fonds', 'Q001', '--year', '2024', '--period', '2024-02', '--json');
    expect(a.stderr).toBe('');
    expect(JSON.parse(a.stdout)).toMatchObject({ created: ['Q001-2024-PZ-D30-0002'], gaps: [] });
    const again = await evarchive(t, 'volumes', 'assemble', '--unit', 'A01', '--fonds', 'Q001', '--year', '2024');
    // January is approved (frozen): counted apart, with its acknowledged gap.
    expect(again.stdout).toMatch(/0 created, 0 updated, 1 unchanged, 0 deleted\n  frozen voucher 2024-01: Q001-2024-PZ-D30-0001\n  gap 2024-01: 记-0004 \(acknowledged: 记-0004 作废\)\n$/);
    const list = await evarchive(t, 'volumes', 'list', '--json');
    expect(list.stdout.trim().split('\n').map((l) => JSON.parse(l).archivalCode)).toEqual(['Q001-2024-PZ-D30-0001', 'Q001-2024-PZ-D30-0002']);
    const due = await evarchive(t, 'retention', 'due', '--before', '2060-01-01');
    expect(due.stdout).toMatch(/^0 item\(s\) due for appraisal on or before 2060-01-01/);
  }, 120_000);
});

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createFactory } from '../../src/formats/factory';
import { OrgService } from '../../src/platform/identity/org.service';
import { UserService } from '../../src/platform/identity/user.service';
import { STORAGE } from '../../src/platform/tokens';
import { call, login } from '../identity/support';
import { createTestApp, type TestApp } from '../support/app';
import { createVolume, eicarDatabase, type VolumeFixture } from './fixture';

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

describe('checks and archive over HTTP', () => {
  let t: TestApp;
  let vol: VolumeFixture;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp({ jobs: false, logger: false });
    process.env.EVARCHIVE_CLAMAV_DB = eicarDatabase(t.config.dataDir);
    const org = t.app.get(OrgService);
    const users = t.app.get(UserService);
    const unitA = await org.createUnit('system', { code: 'A01', name: '示例财政局' });
    const unitB = await org.createUnit('system', { code: 'B02', name: '示例教育局' });
    const fondsA = await org.createFonds('system', { code: 'Q001', name: '财政局全宗', unitId: unitA.id });
    const pw = 'correct horse 1';
    await users.create('system', { username: 'arch_a', password: pw, roles: [{ role: 'archivist', unitId: unitA.id }] });
    await users.create('system', { username: 'arch_b', password: pw, roles: [{ role: 'archivist', unitId: unitB.id }] });
    await users.create('system', { username: 'aud', password: pw, roles: [{ role: 'auditor', unitId: unitA.id }] });
    for (const u of ['arch_a', 'arch_b', 'aud']) tokens[u] = await login(t, u, pw);
    vol = await createVolume({ db: t.db, store: t.app.get(STORAGE), factory: createFactory({ seed: 'http' }), unitId: unitA.id, fondsId: fondsA.id }, { items: 2, fondsCode: 'Q001' });
  }, 120_000);
  afterAll(async () => {
    delete process.env.EVARCHIVE_CLAMAV_DB;
    await t?.close();
  });

  it('runs checks, lists runs and filtered results, serves the printable report, archives and verifies the package', async () => {
    expect((await call(t, 'POST', '/api/checks/runs', { token: tokens.arch_b, body: { volume: vol.volumeId } })).status).toBe(403);
    expect((await call(t, 'POST', '/api/checks/runs', { token: tokens.aud, body: { volume: vol.volumeId } })).status).toBe(403);
    const r = await call(t, 'POST', '/api/checks/runs', { token: tokens.arch_a, body: { volume: vol.archivalCode, stage: 'GD' } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ stage: 'GD', schemeId: 'dat70-accounting', subjectLabel: vol.archivalCode });
    const runs = await call(t, 'GET', '/api/checks/runs', { token: tokens.aud });
    expect(runs.json.map((x: any) => x.id)).toEqual([r.json.id]);
    expect((await call(t, 'GET', '/api/checks/runs', { token: tokens.arch_b })).json).toEqual([]);
    const zs = await call(t, 'GET', `/api/checks/runs/${r.json.id}/results?nature=ZS&outcome=pass`, { token: tokens.aud });
    expect(zs.status).toBe(200);
    expect(zs.json.length).toBeGreaterThan(0);
    expect(zs.json.every((x: any) => x.nature === 'ZS' && x.outcome === 'pass')).toBe(true);
    const byCode = await call(t, 'GET', `/api/checks/runs/${r.json.id}/results?code=GD-AQ-1-1`, { token: tokens.aud });
    expect(byCode.json.every((x: any) => x.code === 'GD-AQ-1-1')).toBe(true);
    expect((await call(t, 'GET', `/api/checks/runs/${r.json.id}/results?nature=XX`, { token: tokens.aud })).status).toBe(400);
    const pdf = await fetch(`${t.url}/api/checks/runs/${r.json.id}/report.pdf`, { headers: { authorization: `Bearer ${tokens.aud}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toMatch(/^inline/);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await call(t, 'GET', `/api/checks/runs/${r.json.id}/report.pdf`, { token: tokens.arch_b })).status).toBe(403);

    const a = await call(t, 'POST', `/api/archive/volumes/${vol.volumeId}`, { token: tokens.arch_a, body: { signatureAlgorithm: 'sm2-sm3' } });
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ archivalCode: vol.archivalCode, items: 2 });
    const pk = await call(t, 'GET', '/api/archive/packages', { token: tokens.aud });
    expect(pk.json).toHaveLength(1);
    expect(pk.json[0].signatureAlgorithm).toBe('sm2-sm3');
    const v = await call(t, 'POST', `/api/archive/packages/${pk.json[0].id}/verify`, { token: tokens.aud });
    expect(v.json).toMatchObject({ ok: true, problems: [], stored: { ok: true } });
    expect(v.json.signature.algorithm).toMatch(/sm2-sm3$/);
  });

  it('evarchive check runs the long-term checks on the archived volume, writes the signed report, and report verify accepts it', async () => {
    const out = join(t.config.dataDir, 'cli-out');
    const r = await evarchive(t, 'check', '--volume', vol.archivalCode, '--stage', 'BC', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`四性检测 BC ${vol.archivalCode}: PASS`);
    const pdf = join(out, `check-report-${vol.archivalCode}-BC.pdf`);
    expect(r.stdout).toContain(`report: ${pdf}`);
    expect(existsSync(`${pdf}.sig`)).toBe(true);
    const v = await evarchive(t, 'report', 'verify', pdf, '--trusted-cert', join(t.config.dataDir, 'keys', 'sm2-signing.crt.pem'));
    expect(v.stdout).toContain('report signature ok');
    expect(v.code).toBe(0);
  }, 300_000);
});

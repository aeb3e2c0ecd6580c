import { sql } from 'kysely';
import { AuditService } from '../../src/platform/audit/audit.service';
import { UserService, ensureFirstAdmin } from '../../src/platform/identity/user.service';
import type { TestApp } from '../support/app';
import { call, createIdentityTestApp, login, seedOrg } from '../identity/support';

let t: TestApp;
let seed: Awaited<ReturnType<typeof seedOrg>>;
let root: string;
let firstAdmin: { username: string; password: string } | null;

beforeAll(async () => {
  t = await createIdentityTestApp();
  firstAdmin = await ensureFirstAdmin(t.db);
  seed = await seedOrg(t);
  root = await login(t, 'root', seed.pw);
  await t.app.get(UserService).create('system', { username: 'aud_a', password: seed.pw, roles: [{ role: 'auditor', unitId: seed.unitA.id }] });
  await t.app.get(UserService).create('system', { username: 'aud_all', password: seed.pw, roles: [{ role: 'auditor' }] });
  const audit = t.app.get(AuditService);
  await audit.record({ actor: 'system', action: 'archive.file.read', targetType: 'file', targetId: 'f-1', unitId: seed.unitA.id, digests: { original: 'sm3:00' } });
  await audit.record({ actor: 'system', action: 'archive.file.read', targetType: 'file', targetId: 'f-2', unitId: seed.unitB.id });
});
afterAll(async () => {
  await t?.close();
});

test('ensureFirstAdmin creates admin once; the password signs in', async () => {
  expect(firstAdmin).toEqual({ username: 'admin', password: expect.stringMatching(/^[A-Za-z2-9]{16}$/) });
  const me = await call(t, 'GET', '/api/auth/me', { token: await login(t, 'admin', firstAdmin!.password) });
  expect(me.json.user).toMatchObject({ username: 'admin', displayName: '系统管理员', roles: [{ role: 'system_admin', unitId: null, unitName: null }] });
  expect(await ensureFirstAdmin(t.db)).toBeNull();
  const grants = await t.db
    .selectFrom('role_grant')
    .innerJoin('app_user', 'app_user.id', 'role_grant.user_id')
    .select(['role', 'unit_id'])
    .where('username', '=', 'admin')
    .execute();
  expect(grants).toEqual([{ role: 'system_admin', unit_id: null }]);
});

test('the audit list pages newest first and filters by action prefix and target', async () => {
  const first = await call(t, 'GET', '/api/admin/audit?limit=2', { token: root });
  expect(first.status).toBe(200);
  expect(first.json.items).toHaveLength(2);
  const seqs = first.json.items.map((e: any) => Number(e.seq));
  expect(seqs[0]).toBeGreaterThan(seqs[1]);
  const next = await call(t, 'GET', `/api/admin/audit?limit=2&beforeSeq=${first.json.nextBeforeSeq}`, { token: root });
  expect(Number(next.json.items[0].seq)).toBe(seqs[1] - 1);

  const reads = await call(t, 'GET', '/api/admin/audit?action=archive.', { token: root });
  expect(reads.json.items.map((e: any) => e.targetId)).toEqual(['f-2', 'f-1']);
  expect(reads.json.items[1]).toMatchObject({ actorType: 'system', action: 'archive.file.read', digests: { original: 'sm3:00' }, unitId: seed.unitA.id });
  const one = await call(t, 'GET', '/api/admin/audit?targetType=file&targetId=f-1', { token: root });
  expect(one.json.items.map((e: any) => e.targetId)).toEqual(['f-1']);
  const bad = await call(t, 'GET', '/api/admin/audit?limit=0', { token: root });
  expect(bad.status).toBe(400);
  expect(bad.json.message).toBe('limit: expected a whole number from 1 to 500, got "0"');
  expect((await call(t, 'GET', '/api/admin/audit?from=yesterday', { token: root })).json.message).toBe('from: expected an ISO date-time, got "yesterday"');
});

test('a unit auditor sees only entries of their unit; an all-units auditor sees all', async () => {
  const a = await call(t, 'GET', '/api/admin/audit?action=archive.', { token: await login(t, 'aud_a', seed.pw) });
  expect(a.json.items.map((e: any) => e.targetId)).toEqual(['f-1']);
  const all = await call(t, 'GET', '/api/admin/audit?action=archive.', { token: await login(t, 'aud_all', seed.pw) });
  expect(all.json.items.map((e: any) => e.targetId)).toEqual(['f-2', 'f-1']);
});

test('GET /api/admin/audit/verify reports ok, then the first broken link; archivists may not call it', async () => {
  const ok = await call(t, 'GET', '/api/admin/audit/verify', { token: root });
  expect(ok.status).toBe(200);
  expect(ok.json).toMatchObject({ ok: true, lastHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect((await call(t, 'GET', '/api/admin/audit/verify', { token: await login(t, 'arch_a', seed.pw) })).status).toBe(403);

  const target = (await t.db.selectFrom('audit_log').select('seq').where('target_id', '=', 'f-1').executeTakeFirstOrThrow()).seq;
  await sql`alter table audit_log disable trigger audit_log_no_change`.execute(t.db);
  await sql`update audit_log set ip = '10.6.6.6' where seq = ${target}`.execute(t.db);
  await sql`alter table audit_log enable trigger audit_log_no_change`.execute(t.db);
  const broken = await call(t, 'GET', '/api/admin/audit/verify', { token: root });
  expect(broken.json).toMatchObject({ ok: false, seq: target, reason: 'hash_mismatch' });
});

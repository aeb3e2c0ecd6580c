import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedClock } from '../../src/platform/clock/clock';
import { UserService } from '../../src/platform/identity/user.service';
import type { TestApp } from '../support/app';
import { call, createIdentityTestApp, login, seedOrg } from './support';

const clock = fixedClock('2026-12-03T08:00:00.000Z');
let t: TestApp;
let seed: Awaited<ReturnType<typeof seedOrg>>;

beforeAll(async () => {
  t = await createIdentityTestApp({ clock, env: { EVARCHIVE_MAX_FAILED_LOGINS: '3', EVARCHIVE_LOCKOUT_MINUTES: '15', EVARCHIVE_SESSION_TTL_MINUTES: '60' } });
  seed = await seedOrg(t);
});
afterAll(async () => {
  await t?.close();
});

async function auditActions(targetUsername: string) {
  const rows = await t.db
    .selectFrom('audit_log')
    .innerJoin('app_user', (j) => j.on((eb) => eb(eb.cast('app_user.id', 'text'), '=', eb.ref('audit_log.target_id'))))
    .select(['audit_log.action', 'audit_log.details'])
    .where('app_user.username', '=', targetUsername)
    .where('audit_log.action', 'like', 'auth.%')
    .orderBy('audit_log.seq')
    .execute();
  return rows.map((r) => r.action);
}

test('the session secret is generated once into <dataDir>/secrets/session.key, mode 0600', () => {
  const file = join(t.config.dataDir, 'secrets', 'session.key');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(readFileSync(file, 'utf8').trim().length).toBeGreaterThanOrEqual(48);
});

test('login returns the user, a token and an HTTP-only session cookie; the cookie and the bearer token both work', async () => {
  const r = await call(t, 'POST', '/api/auth/login', { body: { username: 'Arch_A', password: seed.pw } });
  expect(r.status).toBe(200);
  expect(r.json.expiresAt).toBe('2026-12-03T09:00:00.000Z');
  expect(r.json.user).toEqual({
    id: expect.any(String),
    username: 'arch_a',
    displayName: 'arch_a',
    disabled: false,
    roles: [{ role: 'archivist', unitId: seed.unitA.id, unitName: '南通市财政局' }],
    units: [{ id: seed.unitA.id, code: 'A01', name: '南通市财政局' }],
  });
  const cookie = r.headers.get('set-cookie')!;
  expect(cookie).toMatch(/^evarchive_session=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; /);
  expect(cookie).toContain('HttpOnly');
  expect(cookie).toContain('SameSite=Lax');
  expect(cookie).toContain('Path=/');
  const cookieValue = cookie.split(';')[0];
  expect(decodeURIComponent(cookieValue.split('=')[1])).toBe(r.json.token);

  const byCookie = await call(t, 'GET', '/api/auth/me', { cookie: cookieValue });
  expect(byCookie.status).toBe(200);
  expect(byCookie.json.user.username).toBe('arch_a');
  const byBearer = await call(t, 'GET', '/api/auth/me', { token: r.json.token });
  expect(byBearer.status).toBe(200);
  expect(byBearer.json.user.roles).toEqual([{ role: 'archivist', unitId: seed.unitA.id, unitName: '南通市财政局' }]);
});

test('no credentials, a forged token or a malformed Authorization header is 401', async () => {
  expect((await call(t, 'GET', '/api/auth/me')).json.code).toBe('unauthenticated');
  const token = await login(t, 'arch_a', seed.pw);
  const [id] = token.split('.');
  const forged = await call(t, 'GET', '/api/auth/me', { token: `${id}.${'A'.repeat(43)}` });
  expect(forged.status).toBe(401);
  expect(forged.json.code).toBe('session_invalid');
  const basic = await call(t, 'GET', '/api/auth/me', { headers: { authorization: 'Basic YTpi' } });
  expect(basic.status).toBe(401);
  expect(basic.json.message).toBe('Authorization: expected "Bearer <token>"');
});

test('logout revokes the session server-side and clears the cookie', async () => {
  const token = await login(t, 'arch_a', seed.pw);
  const out = await call(t, 'POST', '/api/auth/logout', { token });
  expect(out.status).toBe(200);
  expect(out.headers.get('set-cookie')).toMatch(/^evarchive_session=; .*Expires=Thu, 01 Jan 1970/);
  const after = await call(t, 'GET', '/api/auth/me', { token });
  expect(after.status).toBe(401);
  expect(after.json.code).toBe('session_invalid');
});

test('a session expires after the configured TTL', async () => {
  const token = await login(t, 'arch_a', seed.pw);
  clock.set('2026-12-03T08:59:59.000Z');
  expect((await call(t, 'GET', '/api/auth/me', { token })).status).toBe(200);
  clock.set('2026-12-03T09:00:00.000Z');
  expect((await call(t, 'GET', '/api/auth/me', { token })).status).toBe(401);
  clock.set('2026-12-03T08:00:00.000Z');
});

test('wrong password and unknown user are the same 401; failures are audited', async () => {
  const bad = await call(t, 'POST', '/api/auth/login', { body: { username: 'arch_b', password: 'wrong password' } });
  expect(bad.status).toBe(401);
  expect(bad.json).toEqual({ code: 'invalid_credentials', message: 'invalid username or password' });
  const unknown = await call(t, 'POST', '/api/auth/login', { body: { username: 'nobody', password: 'whatever1' } });
  expect(unknown.status).toBe(401);
  expect(unknown.json.code).toBe('invalid_credentials');
  const missing = await call(t, 'POST', '/api/auth/login', { body: {} });
  expect(missing.status).toBe(401);
  const anon = await t.db.selectFrom('audit_log').select(['actor_type', 'details']).where('action', '=', 'auth.login_failed').where('actor_type', '=', 'anonymous').execute();
  expect(anon).toEqual([{ actor_type: 'anonymous', details: { username: 'nobody', reason: 'unknown_user' } }]);
  // A success resets the failure count, so arch_b is not a step closer to a lockout.
  await login(t, 'arch_b', seed.pw);
  expect((await t.db.selectFrom('app_user').select('failed_logins').where('username', '=', 'arch_b').executeTakeFirstOrThrow()).failed_logins).toBe(0);
});

test('three failures lock the account for 15 minutes (423 with until), even for the right password; then it opens again', async () => {
  clock.set('2026-12-03T10:00:00.000Z');
  for (let i = 1; i <= 2; i++) {
    expect((await call(t, 'POST', '/api/auth/login', { body: { username: 'ua', password: `nope-${i}-xxxx` } })).status).toBe(401);
  }
  const third = await call(t, 'POST', '/api/auth/login', { body: { username: 'ua', password: 'nope-3-xxxx' } });
  expect(third.status).toBe(423);
  expect(third.json).toMatchObject({ code: 'locked', until: '2026-12-03T10:15:00.000Z' });

  const right = await call(t, 'POST', '/api/auth/login', { body: { username: 'ua', password: seed.pw } });
  expect(right.status).toBe(423);
  expect(right.json.until).toBe('2026-12-03T10:15:00.000Z');

  expect(await auditActions('ua')).toEqual(['auth.login_failed', 'auth.login_failed', 'auth.login_failed', 'auth.locked', 'auth.login_refused']);

  clock.set('2026-12-03T10:15:00.001Z');
  const later = await call(t, 'POST', '/api/auth/login', { body: { username: 'ua', password: seed.pw } });
  expect(later.status).toBe(200);
  expect((await auditActions('ua')).slice(-1)).toEqual(['auth.login']);
  clock.set('2026-12-03T08:00:00.000Z');
});

test('parallel guesses are all counted: five at once against a limit of three leave the account locked', async () => {
  await t.app.get(UserService).create('system', { username: 'racer', password: 'long enough pw', roles: [{ role: 'borrower', unitCode: 'A01' }] });
  const results = await Promise.all([1, 2, 3, 4, 5].map((i) => call(t, 'POST', '/api/auth/login', { body: { username: 'racer', password: `parallel guess ${i}` } })));
  expect(results.map((r) => r.status).sort()).toEqual([401, 401, 423, 423, 423]);
  expect((await call(t, 'POST', '/api/auth/login', { body: { username: 'racer', password: 'long enough pw' } })).status).toBe(423);
});

test('a password reset by the admin clears a lockout and ends existing sessions', async () => {
  const rootToken = await login(t, 'root', seed.pw);
  const archToken = await login(t, 'arch_b', seed.pw);
  const id = (await t.db.selectFrom('app_user').select('id').where('username', '=', 'arch_b').executeTakeFirstOrThrow()).id;
  const short = await call(t, 'POST', `/api/admin/users/${id}/password`, { token: rootToken, body: { password: 'short' } });
  expect(short.status).toBe(400);
  expect(short.json.message).toBe('password: must be at least 8 characters');
  expect((await call(t, 'POST', `/api/admin/users/${id}/password`, { token: rootToken, body: { password: 'a new long password' } })).status).toBe(200);
  expect((await call(t, 'GET', '/api/auth/me', { token: archToken })).status).toBe(401);
  expect((await call(t, 'POST', '/api/auth/login', { body: { username: 'arch_b', password: seed.pw } })).status).toBe(401);
  await login(t, 'arch_b', 'a new long password');
});

test('a user changes their own password: the current one is checked, other sessions end, this one stays', async () => {
  const first = await login(t, 'arch_a', seed.pw);
  const second = await login(t, 'arch_a', seed.pw);
  const wrong = await call(t, 'POST', '/api/auth/password', { token: second, body: { currentPassword: 'not it at all', newPassword: 'brand new password' } });
  expect(wrong.status).toBe(401);
  expect(wrong.json).toEqual({ code: 'invalid_credentials', message: 'currentPassword: wrong password' });
  const weak = await call(t, 'POST', '/api/auth/password', { token: second, body: { currentPassword: seed.pw, newPassword: 'short' } });
  expect(weak.json.message).toBe('newPassword: must be at least 8 characters');
  const ok = await call(t, 'POST', '/api/auth/password', { token: second, body: { currentPassword: seed.pw, newPassword: 'brand new password' } });
  expect(ok.status).toBe(200);
  expect((await call(t, 'GET', '/api/auth/me', { token: first })).status).toBe(401);
  expect((await call(t, 'GET', '/api/auth/me', { token: second })).status).toBe(200);
  await login(t, 'arch_a', 'brand new password');
});

test('guessing the current password through a session locks the account and ends its sessions', async () => {
  await t.app.get(UserService).create('system', { username: 'acc_lock', password: 'long enough pw', roles: [{ role: 'accountant', unitCode: 'A01' }] });
  const token = await login(t, 'acc_lock', 'long enough pw');
  const guess = (i: number) => call(t, 'POST', '/api/auth/password', { token, body: { currentPassword: `guess number ${i}`, newPassword: 'whatever new pw' } });
  expect((await guess(1)).status).toBe(401);
  expect((await guess(2)).status).toBe(401);
  const third = await guess(3);
  expect(third.status).toBe(423);
  expect(third.json.code).toBe('locked');
  expect((await call(t, 'GET', '/api/auth/me', { token })).status).toBe(401);
  expect((await call(t, 'POST', '/api/auth/login', { body: { username: 'acc_lock', password: 'long enough pw' } })).status).toBe(423);
});

test('a login clears the user\'s sessions that expired more than a day ago', async () => {
  clock.set('2026-12-03T08:00:00.000Z');
  await login(t, 'root', seed.pw);
  const count = async () => Number((await t.db.selectFrom('user_session').innerJoin('app_user', 'app_user.id', 'user_session.user_id').select((eb) => eb.fn.countAll().as('n')).where('username', '=', 'root').executeTakeFirstOrThrow()).n);
  expect(await count()).toBeGreaterThanOrEqual(1);
  clock.set('2026-12-04T09:00:00.001Z');
  await login(t, 'root', seed.pw);
  expect(await count()).toBe(1);
  clock.set('2026-12-03T08:00:00.000Z');
});

import type { TestApp } from '../support/app';
import { call, createIdentityTestApp, login, seedOrg } from './support';

let t: TestApp;
let seed: Awaited<ReturnType<typeof seedOrg>>;
const tok: Record<string, string> = {};

beforeAll(async () => {
  t = await createIdentityTestApp();
  seed = await seedOrg(t);
  for (const u of ['root', 'ua', 'arch_a', 'arch_b']) tok[u] = await login(t, u, seed.pw);
});
afterAll(async () => {
  await t?.close();
});

test('the health check stays public; everything else needs a session', async () => {
  expect((await call(t, 'GET', '/api/health')).status).toBe(200);
  expect((await call(t, 'GET', '/api/admin/units')).status).toBe(401);
});

test('wrong role is 403 naming the required role', async () => {
  const r = await call(t, 'GET', '/api/admin/audit', { token: tok.arch_a });
  expect(r.status).toBe(403);
  expect(r.json).toEqual({ code: 'forbidden', message: 'requires role system_admin or auditor', details: { roles: ['system_admin', 'auditor'] } });
  expect((await call(t, 'POST', '/api/admin/units', { token: tok.ua, body: { code: 'X', name: 'x' } })).status).toBe(403);
});

test('@UnitScope: the role must be held in the unit the route names', async () => {
  const own = await call(t, 'GET', `/api/admin/units/${seed.unitA.id}/fonds`, { token: tok.ua });
  expect(own.status).toBe(200);
  expect(own.json.items.map((f: any) => f.code)).toEqual(['Q001']);
  const other = await call(t, 'GET', `/api/admin/units/${seed.unitB.id}/fonds`, { token: tok.ua });
  expect(other.status).toBe(403);
  expect(other.json.message).toBe(`requires role unit_admin in unit ${seed.unitB.id}`);
  // arch_b holds a role in unit A (borrower), but not the route's role there.
  expect((await call(t, 'GET', `/api/admin/units/${seed.unitA.id}/fonds`, { token: tok.arch_b })).status).toBe(403);
  const bad = await call(t, 'GET', '/api/admin/units/not-a-uuid/fonds', { token: tok.ua });
  expect(bad.status).toBe(400);
  expect(bad.json.message).toBe('unitId: expected an id (UUID), got "not-a-uuid"');
  expect((await call(t, 'GET', `/api/admin/units/${seed.unitB.id}/fonds`, { token: tok.root })).json.items.map((f: any) => f.code)).toEqual(['Q002']);
});

test('@FondsScope: a fonds of another unit is 403; a missing fonds 404', async () => {
  const own = await call(t, 'GET', `/api/admin/fonds/${seed.fondsA.id}`, { token: tok.ua });
  expect(own.status).toBe(200);
  expect(own.json).toEqual({ id: seed.fondsA.id, code: 'Q001', name: '财政局全宗', unitId: seed.unitA.id, unitName: '南通市财政局' });
  expect((await call(t, 'GET', `/api/admin/fonds/${seed.fondsB.id}`, { token: tok.ua })).status).toBe(403);
  expect((await call(t, 'GET', '/api/admin/fonds/00000000-0000-4000-8000-000000000000', { token: tok.root })).status).toBe(404);
});

test('a unit_admin creates fonds only in their own unit', async () => {
  const ok = await call(t, 'POST', '/api/admin/fonds', { token: tok.ua, body: { code: 'Q003', name: '财政局二号全宗', unitId: seed.unitA.id } });
  expect(ok.status).toBe(201);
  const denied = await call(t, 'POST', '/api/admin/fonds', { token: tok.ua, body: { code: 'Q004', name: '越权', unitId: seed.unitB.id } });
  expect(denied.status).toBe(403);
  expect(await t.db.selectFrom('fonds').select('code').where('code', '=', 'Q004').execute()).toEqual([]);
  const dup = await call(t, 'POST', '/api/admin/fonds', { token: tok.ua, body: { code: 'Q003', name: 'again', unitId: seed.unitA.id } });
  expect(dup.status).toBe(409);
  expect(dup.json.message).toBe('code: a fonds with code "Q003" already exists');
});

test('a unit_admin sees only users of their units, and only the grants there', async () => {
  const r = await call(t, 'GET', '/api/admin/users', { token: tok.ua });
  expect(r.status).toBe(200);
  expect(r.json.items.map((u: any) => u.username)).toEqual(['arch_a', 'arch_b', 'ua']);
  const archB = r.json.items.find((u: any) => u.username === 'arch_b');
  expect(archB.roles).toEqual([{ role: 'borrower', unitId: seed.unitA.id, unitName: '南通市财政局' }]);
  const filtered = await call(t, 'GET', `/api/admin/users?unitId=${seed.unitB.id}`, { token: tok.ua });
  expect(filtered.json.items).toEqual([]);
  const all = await call(t, 'GET', '/api/admin/users', { token: tok.root });
  expect(all.json.items.map((u: any) => u.username)).toEqual(['arch_a', 'arch_b', 'root', 'ua']);
  expect(all.json.items.find((u: any) => u.username === 'arch_b').roles).toHaveLength(2);
  expect(all.json.nextAfter).toBeNull();
});

test('the user list pages by username', async () => {
  const p1 = await call(t, 'GET', '/api/admin/users?limit=3', { token: tok.root });
  expect(p1.json.items.map((u: any) => u.username)).toEqual(['arch_a', 'arch_b', 'root']);
  expect(p1.json.nextAfter).toBe('root');
  const p2 = await call(t, 'GET', `/api/admin/users?limit=3&after=${p1.json.nextAfter}`, { token: tok.root });
  expect(p2.json.items.map((u: any) => u.username)).toEqual(['ua']);
  expect(p2.json.nextAfter).toBeNull();
  const bad = await call(t, 'GET', '/api/admin/users?limit=lots', { token: tok.root });
  expect(bad.status).toBe(400);
  expect(bad.json.message).toBe('limit: expected a whole number from 1 to 1000, got "lots"');
});

test('a unit_admin lists only their units; the admin lists all, with a name filter', async () => {
  expect((await call(t, 'GET', '/api/admin/units', { token: tok.ua })).json.items.map((u: any) => u.code)).toEqual(['A01']);
  expect((await call(t, 'GET', '/api/admin/units', { token: tok.root })).json.items.map((u: any) => u.code)).toEqual(['A01', 'B02']);
  expect((await call(t, 'GET', `/api/admin/units?q=${encodeURIComponent('教育')}`, { token: tok.root })).json.items.map((u: any) => u.code)).toEqual(['B02']);
});

test('a unit_admin grants roles only inside their units and never system_admin', async () => {
  const ok = await call(t, 'POST', '/api/admin/users', { token: tok.ua, body: { username: 'acc_a', displayName: '会计甲', generatePassword: true, roles: [{ role: 'accountant', unitId: seed.unitA.id }] } });
  expect(ok.status).toBe(201);
  expect(ok.json.password).toMatch(/^[A-Za-z2-9]{16}$/);
  expect(ok.json.user.roles).toEqual([{ role: 'accountant', unitId: seed.unitA.id, unitName: '南通市财政局' }]);
  await login(t, 'acc_a', ok.json.password);

  const other = await call(t, 'POST', '/api/admin/users', { token: tok.ua, body: { username: 'acc_b', password: 'long enough pw', roles: [{ role: 'accountant', unitId: seed.unitB.id }] } });
  expect(other.status).toBe(403);
  const admin = await call(t, 'POST', '/api/admin/users', { token: tok.ua, body: { username: 'boss', password: 'long enough pw', roles: [{ role: 'system_admin' }] } });
  expect(admin.status).toBe(403);
  expect(await t.db.selectFrom('app_user').select('username').where('username', 'in', ['acc_b', 'boss']).execute()).toEqual([]);
});

test('bad user input is a 400 naming the field, and nothing is stored', async () => {
  const cases: [unknown, string][] = [
    [{ username: 'x', password: 'long enough pw', roles: [{ role: 'archivist', unitCode: 'A01' }] }, 'username: 2–64 lower-case letters, digits, ".", "_" or "-", got "x"'],
    [{ username: 'newbie', password: 'long enough pw', roles: [{ role: 'janitor', unitCode: 'A01' }] }, 'roles[0].role: unknown role "janitor"; one of system_admin, unit_admin, archivist, accountant, reimbursement_clerk, auditor, borrower, warehouse_keeper'],
    [{ username: 'newbie', password: 'long enough pw', roles: [{ role: 'archivist' }] }, 'roles[0]: role archivist needs a unit (unitId or unitCode)'],
    [{ username: 'newbie', password: 'long enough pw', roles: [{ role: 'archivist', unitCode: 'ZZ' }] }, 'roles[0].unitCode: no unit with code "ZZ"'],
    [{ username: 'newbie', password: 'long enough pw', roles: [] }, 'roles: at least one role grant is required, e.g. [{"role":"archivist","unitCode":"001"}]'],
    [{ username: 'newbie', roles: [{ role: 'archivist', unitCode: 'A01' }] }, 'password: required (or set generatePassword: true)'],
  ];
  for (const [body, message] of cases) {
    const r = await call(t, 'POST', '/api/admin/users', { token: tok.root, body });
    expect({ status: r.status, message: r.json.message }).toEqual({ status: 400, message });
  }
  const taken = await call(t, 'POST', '/api/admin/users', { token: tok.root, body: { username: 'ARCH_A', password: 'long enough pw', roles: [{ role: 'archivist', unitCode: 'A01' }] } });
  expect(taken.status).toBe(409);
  expect(taken.json.message).toBe('username: "arch_a" is already taken');
  expect(await t.db.selectFrom('app_user').select('username').where('username', '=', 'newbie').execute()).toEqual([]);
});

test('units: credit code checked (GB 32100), duplicates refused, parent by code', async () => {
  const bad = await call(t, 'POST', '/api/admin/units', { token: tok.root, body: { code: 'C03', name: '卫健委', creditCode: '91350100M000100Y44' } });
  expect(bad.status).toBe(400);
  expect(bad.json.message).toBe('creditCode: check character should be 3');
  const child = await call(t, 'POST', '/api/admin/units', { token: tok.root, body: { code: 'A01-1', name: '财政局国库科', parentCode: 'A01' } });
  expect(child.status).toBe(201);
  expect(child.json).toEqual({ id: expect.any(String), code: 'A01-1', name: '财政局国库科', creditCode: null, parentId: seed.unitA.id });
  const dup = await call(t, 'POST', '/api/admin/units', { token: tok.root, body: { code: 'A01', name: 'again' } });
  expect(dup.status).toBe(409);
  expect(dup.json.details).toEqual({ field: 'code' });
  const entry = await t.db.selectFrom('audit_log').select(['actor_name', 'unit_id']).where('action', '=', 'unit.create').where('target_id', '=', child.json.id).executeTakeFirstOrThrow();
  expect(entry).toEqual({ actor_name: 'root', unit_id: child.json.id });
});

test('GET /api/auth/me lists every unit for a system_admin', async () => {
  const me = await call(t, 'GET', '/api/auth/me', { token: tok.root });
  expect(me.json.user.roles).toEqual([{ role: 'system_admin', unitId: null, unitName: null }]);
  expect(me.json.user.units.map((u: any) => u.code)).toEqual(['A01', 'A01-1', 'B02']);
});

describe('changing grants and disabling', () => {
  const idOf = async (username: string) => (await t.db.selectFrom('app_user').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;

  test('a unit_admin replaces only the grants inside their units; grants elsewhere stay', async () => {
    const archB = await idOf('arch_b');
    const r = await call(t, 'PUT', `/api/admin/users/${archB}/roles`, { token: tok.ua, body: { roles: [{ role: 'auditor', unitCode: 'A01' }] } });
    expect(r.status).toBe(200);
    expect(r.json.roles).toEqual([{ role: 'auditor', unitId: seed.unitA.id, unitName: '南通市财政局' }]);
    const grants = await t.db.selectFrom('role_grant').select(['role', 'unit_id']).where('user_id', '=', archB).orderBy('role').execute();
    expect(grants).toEqual([
      { role: 'archivist', unit_id: seed.unitB.id },
      { role: 'auditor', unit_id: seed.unitA.id },
    ]);
    const outside = await call(t, 'PUT', `/api/admin/users/${archB}/roles`, { token: tok.ua, body: { roles: [{ role: 'archivist', unitCode: 'B02' }] } });
    expect(outside.status).toBe(403);
  });

  test('a unit_admin cannot touch a user with no grant in their units', async () => {
    const root = await idOf('root');
    expect((await call(t, 'PUT', `/api/admin/users/${root}/roles`, { token: tok.ua, body: { roles: [{ role: 'borrower', unitCode: 'A01' }] } })).status).toBe(404);
    expect((await call(t, 'POST', `/api/admin/users/${root}/disable`, { token: tok.ua })).status).toBe(403);
  });

  test('disabling ends the sessions and blocks login; enabling restores it', async () => {
    const archA = await idOf('arch_a');
    const session = await login(t, 'arch_a', seed.pw);
    const r = await call(t, 'POST', `/api/admin/users/${archA}/disable`, { token: tok.ua });
    expect(r.status).toBe(200);
    expect(r.json.disabled).toBe(true);
    expect((await call(t, 'GET', '/api/auth/me', { token: session })).status).toBe(401);
    expect((await call(t, 'POST', '/api/auth/login', { body: { username: 'arch_a', password: seed.pw } })).status).toBe(401);
    expect((await call(t, 'POST', `/api/admin/users/${archA}/enable`, { token: tok.ua })).json.disabled).toBe(false);
    tok.arch_a = await login(t, 'arch_a', seed.pw);
  });

  test('the last active system administrator cannot be demoted or disabled', async () => {
    const root = await idOf('root');
    const demote = await call(t, 'PUT', `/api/admin/users/${root}/roles`, { token: tok.root, body: { roles: [{ role: 'auditor' }] } });
    expect(demote.status).toBe(409);
    expect(demote.json.code).toBe('last_admin');
    expect((await call(t, 'POST', `/api/admin/users/${root}/disable`, { token: tok.root })).json.message).toBe('id: you cannot disable your own account');
    expect((await t.db.selectFrom('role_grant').select('role').where('user_id', '=', root).execute()).map((g) => g.role)).toEqual(['system_admin']);
  });
});

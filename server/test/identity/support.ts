import { AuditModule } from '../../src/platform/audit/audit.module';
import { IdentityModule } from '../../src/platform/identity/identity.module';
import { UserService } from '../../src/platform/identity/user.service';
import { OrgService } from '../../src/platform/identity/org.service';
import { createTestApp, type TestApp, type TestAppOptions } from '../support/app';

/** The full app with identity and audit loaded (explicitly, so these tests do not depend on app.modules.ts). */
export function createIdentityTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  return createTestApp({ jobs: false, logger: false, ...opts, modules: [AuditModule, IdentityModule, ...(opts.modules ?? [])] });
}

export interface Http {
  status: number;
  json: any;
  headers: Headers;
}

export async function call(t: TestApp, method: string, path: string, opts: { body?: unknown; token?: string; cookie?: string; headers?: Record<string, string>; raw?: string } = {}): Promise<Http> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  const res = await fetch(`${t.url}${path}`, { method, headers, body });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

export async function login(t: TestApp, username: string, password: string): Promise<string> {
  const r = await call(t, 'POST', '/api/auth/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.token;
}

/** Two units with a fonds each, and users: admin, unit_admin of A, archivist of A, archivist of B. */
export async function seedOrg(t: TestApp) {
  const app = t.app;
  const org = app.get(OrgService);
  const users = app.get(UserService);
  const unitA = await org.createUnit('system', { code: 'A01', name: '南通市财政局', creditCode: '91350100M000100Y43' });
  const unitB = await org.createUnit('system', { code: 'B02', name: '南通市教育局' });
  const fondsA = await org.createFonds('system', { code: 'Q001', name: '财政局全宗', unitId: unitA.id });
  const fondsB = await org.createFonds('system', { code: 'Q002', name: '教育局全宗', unitCode: 'B02' });
  const pw = 'correct horse 1';
  await users.create('system', { username: 'root', password: pw, roles: [{ role: 'system_admin' }] });
  await users.create('system', { username: 'ua', displayName: '单位管理员A', password: pw, roles: [{ role: 'unit_admin', unitId: unitA.id }] });
  await users.create('system', { username: 'arch_a', password: pw, roles: [{ role: 'archivist', unitCode: 'A01' }] });
  await users.create('system', { username: 'arch_b', password: pw, roles: [{ role: 'archivist', unitCode: 'B02' }, { role: 'borrower', unitCode: 'A01' }] });
  return { unitA, unitB, fondsA, fondsB, pw };
}

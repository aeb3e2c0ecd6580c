import { IngestService } from '../../src/modules/pool/ingest.service';
import { PoolWorkflowModule } from '../../src/modules/pool/claims/pool-b.module';
import { PoolModule } from '../../src/modules/pool/pool.module';
import { OrgService } from '../../src/platform/identity/org.service';
import { UserService } from '../../src/platform/identity/user.service';
import { signRequest } from '../../src/platform/identity/sign-request';
import type { Clock } from '../../src/platform/clock/clock';
import { createTestApp, type TestApp, type TestAppOptions } from '../support/app';

export const PW = 'correct horse 1';

/** The app with the pool and its part B loaded explicitly (these tests do not depend on app.modules.ts). */
export function createPoolTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  return createTestApp({ jobs: false, logger: false, ...opts, modules: [PoolModule, PoolWorkflowModule, ...(opts.modules ?? [])] });
}

export interface Http {
  status: number;
  json: any;
}

export async function call(t: TestApp, method: string, path: string, opts: { body?: unknown; token?: string } = {}): Promise<Http> {
  const headers: Record<string, string> = {};
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${t.url}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

export interface Client {
  keyId: string;
  secret: string;
}

export async function signed(t: TestApp, clock: Clock, client: Client, method: string, path: string, payload?: unknown): Promise<Http> {
  const body = payload === undefined ? undefined : JSON.stringify(payload);
  const headers = signRequest({ keyId: client.keyId, secret: client.secret, method, path, body, timestamp: clock.now() });
  const res = await fetch(`${t.url}${path}`, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

export async function login(t: TestApp, username: string): Promise<string> {
  const r = await call(t, 'POST', '/api/auth/login', { body: { username, password: PW } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.token;
}

/** Unit A01 (with a credit code) and B02, people of each role, and an API client of `role` for A01. */
export async function seedPoolOrg(t: TestApp) {
  const org = t.app.get(OrgService);
  const users = t.app.get(UserService);
  const unitA = await org.createUnit('system', { code: 'A01', name: '示例市测试局', creditCode: '91350100M000100Y43' });
  const unitB = await org.createUnit('system', { code: 'B02', name: '示例市另一局' });
  await users.create('system', { username: 'root', password: PW, roles: [{ role: 'system_admin' }] });
  await users.create('system', { username: 'clerk', password: PW, roles: [{ role: 'reimbursement_clerk', unitId: unitA.id }] });
  await users.create('system', { username: 'acc', password: PW, roles: [{ role: 'accountant', unitId: unitA.id }] });
  await users.create('system', { username: 'ua', password: PW, roles: [{ role: 'unit_admin', unitId: unitA.id }] });
  await users.create('system', { username: 'clerk_b', password: PW, roles: [{ role: 'reimbursement_clerk', unitId: unitB.id }] });
  const admin = await login(t, 'root');
  const mk = async (name: string, role: string, unitCodes: string[]): Promise<Client> => {
    const r = await call(t, 'POST', '/api/admin/api-clients', { token: admin, body: { name, role, unitCodes } });
    if (r.status !== 201) throw new Error(`api client: ${r.status} ${JSON.stringify(r.json)}`);
    return { keyId: r.json.keyId, secret: r.json.secret };
  };
  return {
    unitA,
    unitB,
    admin,
    receiver: await mk('示例报销系统', 'reimbursement_system', ['A01']),
    accounting: await mk('示例核算系统', 'accounting_system', ['A01']),
    otherUnit: await mk('另一单位报销系统', 'receiver', ['B02']),
  };
}

/** One file through pool A's real ingest pipeline into the unit's pool; returns the voucher id. */
export async function ingest(t: TestApp, unitId: string, filename: string, bytes: Uint8Array): Promise<string> {
  const r = await t.app.get(IngestService).ingestOne({ filename, bytes, sourceRef: `test:${filename}` }, { channel: 'upload', routing: { unitId, routableUnitIds: 'all' }, actor: 'system' });
  if (r.outcome !== 'created' || !r.voucherId) throw new Error(`ingest ${filename}: ${r.outcome} ${r.errorCode} ${r.message}`);
  return r.voucherId;
}

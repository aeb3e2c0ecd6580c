import { Controller, Get, Module, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { fixedClock } from '../../src/platform/clock/clock';
import { CurrentPrincipal, Roles, UnitScope } from '../../src/platform/identity/decorators';
import type { ClientPrincipal } from '../../src/platform/identity/principal';
import { UserService } from '../../src/platform/identity/user.service';
import { secretBox } from '../../src/platform/identity/secrets';
import { sha256Hex, signRequest } from '../../src/platform/identity/sign-request';
import type { TestApp } from '../support/app';
import { call, createIdentityTestApp, login, seedOrg } from './support';

/** Stands in for an ingest endpoint: an issuer uploads a file as multipart. */
@Controller('upload-probe')
class UploadProbe {
  @Post()
  @Roles('issuer')
  async upload(@Req() req: FastifyRequest, @CurrentPrincipal() p: ClientPrincipal) {
    const file = await (req as any).file();
    const bytes: Buffer = await file.toBuffer();
    return { filename: file.filename, size: bytes.length, sha256: sha256Hex(bytes), client: p.keyId };
  }
}
@Controller('upload-probe-user')
class UserUploadProbe {
  @Post()
  @Roles('reimbursement_clerk')
  async upload(@Req() req: FastifyRequest) {
    const file = await (req as any).file();
    const bytes: Buffer = await file.toBuffer();
    return { filename: file.filename, size: bytes.length, sha256: sha256Hex(bytes) };
  }
}
/** Stands in for a unit-scoped integration endpoint, e.g. an issuer pushing vouchers for one unit. */
@Controller('units-probe')
class UnitProbe {
  @Get(':unitId')
  @Roles('issuer')
  @UnitScope((req) => req.params.unitId)
  ok() {
    return { ok: true };
  }
}
@Module({ controllers: [UploadProbe, UserUploadProbe, UnitProbe] })
class UploadProbeModule {}

const clock = fixedClock('2026-12-03T08:00:00.000Z');
let t: TestApp;
let seed: Awaited<ReturnType<typeof seedOrg>>;
let admin: string;
let client: { keyId: string; secret: string; client: any };

beforeAll(async () => {
  t = await createIdentityTestApp({ clock, env: { EVARCHIVE_API_KEY_WINDOW_SECONDS: '300' }, modules: [UploadProbeModule] });
  seed = await seedOrg(t);
  admin = await login(t, 'root', seed.pw);
  const r = await call(t, 'POST', '/api/admin/api-clients', { token: admin, body: { name: '南通市财政票据开具系统', role: 'issuer', unitCodes: ['A01'] } });
  expect(r.status).toBe(201);
  client = r.json;
});
afterAll(async () => {
  await t?.close();
});

function signed(method: string, path: string, body?: string, over: { timestamp?: number; nonce?: string; secret?: string } = {}) {
  return signRequest({ keyId: client.keyId, secret: over.secret ?? client.secret, method, path, body, timestamp: over.timestamp ?? clock.now(), nonce: over.nonce });
}

test('creating a client shows the secret once; it is stored encrypted, never in clear', async () => {
  expect(client.keyId).toMatch(/^ek_[0-9a-f]{24}$/);
  expect(client.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(client.client).toMatchObject({ name: '南通市财政票据开具系统', role: 'issuer', units: [{ id: seed.unitA.id, code: 'A01', name: '南通市财政局' }], revokedAt: null });
  const row = await t.db.selectFrom('api_client').select('secret_enc').where('key_id', '=', client.keyId).executeTakeFirstOrThrow();
  expect(row.secret_enc).toMatch(/^v1:/);
  expect(row.secret_enc).not.toContain(client.secret);
  const list = await call(t, 'GET', '/api/admin/api-clients', { token: admin });
  expect(JSON.stringify(list.json)).not.toContain(client.secret);
  expect(list.json.items.map((c: any) => c.keyId)).toEqual([client.keyId]);
});

test('a correctly signed request is accepted as the client, with its role in its units', async () => {
  const r = await call(t, 'GET', '/api/auth/client?probe=1', { headers: signed('GET', '/api/auth/client?probe=1') });
  expect(r.status).toBe(200);
  expect(r.json).toEqual({
    client: { id: client.client.id, keyId: client.keyId, name: '南通市财政票据开具系统', role: 'issuer', unitIds: [seed.unitA.id] },
    bodySha256: sha256Hex(''),
  });
});

test('the signature covers the exact body bytes', async () => {
  const body = JSON.stringify({ invoiceNo: '26322000000012345678', amount: '1280.00', seller: '南通市某某公司' });
  const ok = await call(t, 'POST', '/api/auth/client', { raw: body, headers: { 'content-type': 'application/json', ...signed('POST', '/api/auth/client', body) } });
  expect(ok.status).toBe(200);
  expect(ok.json.bodySha256).toBe(sha256Hex(body));

  const tampered = body.replace('1280.00', '9280.00');
  const r = await call(t, 'POST', '/api/auth/client', { raw: tampered, headers: { 'content-type': 'application/json', ...signed('POST', '/api/auth/client', body) } });
  expect(r.status).toBe(401);
  expect(r.json.code).toBe('signature_invalid');
});

test('a replayed request (same nonce) is rejected', async () => {
  const headers = signed('GET', '/api/auth/client', undefined, { nonce: 'nonce-replay-000000001' });
  expect((await call(t, 'GET', '/api/auth/client', { headers })).status).toBe(200);
  const again = await call(t, 'GET', '/api/auth/client', { headers });
  expect(again.status).toBe(401);
  expect(again.json).toEqual({ code: 'nonce_reused', message: 'X-Evarchive-Nonce: already used (replayed request)' });
});

test('the same signed request sent twice at once is accepted exactly once', async () => {
  const headers = signed('GET', '/api/auth/client', undefined, { nonce: 'nonce-parallel-0000001' });
  const results = await Promise.all([1, 2, 3].map(() => call(t, 'GET', '/api/auth/client', { headers })));
  expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
});

test('a timestamp outside the replay window is rejected, in the past or the future', async () => {
  const now = Math.floor(clock.now().getTime() / 1000);
  for (const ts of [now - 301, now + 301]) {
    const r = await call(t, 'GET', '/api/auth/client', { headers: signed('GET', '/api/auth/client', undefined, { timestamp: ts }) });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('timestamp_out_of_window');
  }
  expect((await call(t, 'GET', '/api/auth/client', { headers: signed('GET', '/api/auth/client', undefined, { timestamp: now - 299 }) })).status).toBe(200);
});

test('a changed path or query, a wrong secret or a missing header is rejected with the reason', async () => {
  const h = signed('GET', '/api/auth/client?unit=A01');
  expect((await call(t, 'GET', '/api/auth/client?unit=B02', { headers: h })).json.code).toBe('signature_invalid');
  expect((await call(t, 'GET', '/api/auth/client', { headers: signed('GET', '/api/auth/client', undefined, { secret: 'guessed' }) })).json.code).toBe('signature_invalid');
  const { 'X-Evarchive-Nonce': _n, ...noNonce } = signed('GET', '/api/auth/client');
  const missing = await call(t, 'GET', '/api/auth/client', { headers: noNonce });
  expect(missing.status).toBe(401);
  expect(missing.json.code).toBe('signature_missing');
  const unknown = await call(t, 'GET', '/api/auth/client', { headers: { ...signed('GET', '/api/auth/client'), 'X-Evarchive-Key': 'ek_nope' } });
  expect(unknown.json.code).toBe('unknown_key');
  const reasons = (await t.db.selectFrom('audit_log').select('details').where('action', '=', 'api.request_rejected').execute()).map((r: any) => r.details.reason);
  expect(reasons).toEqual(expect.arrayContaining(['signature_invalid', 'nonce_reused', 'timestamp_out_of_window', 'signature_missing', 'unknown_key']));
});

test('a machine client is confined to its units by the same guard', async () => {
  const own = `/api/units-probe/${seed.unitA.id}`;
  expect((await call(t, 'GET', own, { headers: signed('GET', own) })).status).toBe(200);
  const other = `/api/units-probe/${seed.unitB.id}`;
  const r = await call(t, 'GET', other, { headers: signed('GET', other) });
  expect(r.status).toBe(403);
  expect(r.json.message).toBe(`requires role issuer in unit ${seed.unitB.id}`);
});

test('a machine client cannot use people\'s endpoints', async () => {
  const me = await call(t, 'GET', '/api/auth/me', { headers: signed('GET', '/api/auth/me') });
  expect(me.status).toBe(403);
  expect(me.json.message).toBe('machine clients may call only endpoints open to their client role');
  expect((await call(t, 'GET', '/api/admin/users', { headers: signed('GET', '/api/admin/users') })).status).toBe(403);
  // …and a person cannot use a machine client's endpoint, not even the system admin.
  expect((await call(t, 'GET', '/api/auth/client', { token: admin })).status).toBe(403);
});

test('old nonces are pruned once they can no longer pass the timestamp check', async () => {
  const before = await t.db.selectFrom('api_nonce').select('nonce').execute();
  expect(before.length).toBeGreaterThan(0);
  clock.set('2026-12-03T08:20:00.000Z');
  expect((await call(t, 'GET', '/api/auth/client', { headers: signed('GET', '/api/auth/client', undefined, { nonce: 'nonce-after-prune-0001' }) })).status).toBe(200);
  expect((await t.db.selectFrom('api_nonce').select('nonce').execute()).map((r) => r.nonce)).toEqual(['nonce-after-prune-0001']);
});

test('a revoked key is refused', async () => {
  expect((await call(t, 'POST', `/api/admin/api-clients/${client.client.id}/revoke`, { token: admin })).status).toBe(200);
  const r = await call(t, 'GET', '/api/auth/client', { headers: signed('GET', '/api/auth/client') });
  expect(r.status).toBe(401);
  expect(r.json.code).toBe('unknown_key');
});

test('bad client input is a 400 naming the field', async () => {
  const r = await call(t, 'POST', '/api/admin/api-clients', { token: admin, body: { name: 'x', role: 'archivist', unitCodes: ['A01'] } });
  expect(r.status).toBe(400);
  expect(r.json.message).toBe('role: expected one of issuer, receiver, accounting_system, reimbursement_system, bank_connector, got "archivist"');
  const u = await call(t, 'POST', '/api/admin/api-clients', { token: admin, body: { name: 'x', role: 'receiver', unitCodes: ['NOPE'] } });
  expect(u.json.message).toBe('unitCodes[0]: no unit with code "NOPE"');
});

describe('signed multipart uploads', () => {
  function multipart(boundary: string, filename: string, content: Buffer): Buffer {
    return Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
  }

  test('the digest covers the multipart bytes and the handler still reads the file', async () => {
    const r0 = await call(t, 'POST', '/api/admin/api-clients', { token: admin, body: { name: '上传系统', role: 'issuer', unitCodes: ['A01'] } });
    const up = r0.json;
    const content = Buffer.from('%PDF-1.7 电子发票 '.repeat(5000));
    const body = multipart('XyZb0und4ry', 'invoice.pdf', content);
    const headers = (b: Buffer) => ({
      'content-type': 'multipart/form-data; boundary=XyZb0und4ry',
      ...signRequest({ keyId: up.keyId, secret: up.secret, method: 'POST', path: '/api/upload-probe', body: b, timestamp: clock.now() }),
    });
    const ok = await fetch(`${t.url}/api/upload-probe`, { method: 'POST', headers: headers(body), body: new Uint8Array(body) });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ filename: 'invoice.pdf', size: content.length, sha256: sha256Hex(content), client: up.keyId });

    const tampered = multipart('XyZb0und4ry', 'invoice.pdf', Buffer.concat([content, Buffer.from('!')]));
    const bad = await fetch(`${t.url}/api/upload-probe`, { method: 'POST', headers: headers(body), body: new Uint8Array(tampered) });
    expect(bad.status).toBe(401);
    expect((await bad.json()).code).toBe('signature_invalid');
  });
});

test('an unsigned multipart upload by a person is not touched by the body hashing', async () => {
  await t.app.get(UserService).create('system', { username: 'clerk', password: 'long enough pw', roles: [{ role: 'reimbursement_clerk', unitCode: 'A01' }] });
  const token = await login(t, 'clerk', 'long enough pw');
  const content = Buffer.from('扫描件'.repeat(40000));
  const body = Buffer.concat([
    Buffer.from('--b0undary\r\nContent-Disposition: form-data; name="file"; filename="scan.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'),
    content,
    Buffer.from('\r\n--b0undary--\r\n'),
  ]);
  const r = await fetch(`${t.url}/api/upload-probe-user`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b0undary', authorization: `Bearer ${token}` }, body: new Uint8Array(body) });
  expect(r.status).toBe(201);
  expect(await r.json()).toEqual({ filename: 'scan.jpg', size: content.length, sha256: sha256Hex(content) });
});

test('a key sealed under another session secret is refused with a reason, not a crash', async () => {
  const r = await call(t, 'POST', '/api/admin/api-clients', { token: admin, body: { name: '旧密钥系统', role: 'receiver', unitCodes: ['A01'] } });
  const foreign = secretBox(Buffer.from('another session secret of at least 32 chars')).seal(r.json.secret);
  await t.db.updateTable('api_client').set({ secret_enc: foreign }).where('key_id', '=', r.json.keyId).execute();
  const headers = signRequest({ keyId: r.json.keyId, secret: r.json.secret, method: 'GET', path: '/api/auth/client', timestamp: clock.now() });
  const res = await call(t, 'GET', '/api/auth/client', { headers });
  expect(res.status).toBe(401);
  expect(res.json.code).toBe('key_unreadable');
});

/**
 * What an integrator reads at /api/docs works as written: the signing rule of the security scheme, implemented here
 * from its text alone (not with signRequest), is accepted; the documented example bodies of the issuer push and the
 * receiver API, taken from /api/docs-json as published, go through claim → reimbursed → booked and claim → release
 * with the documented status codes and answer at least the documented required properties.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { fixedClock } from '../../src/platform/clock/clock';
import { createFactory } from '../../src/formats/factory';
import type { TestApp } from '../support/app';
import { call, createPoolTestApp, seedPoolOrg, type Client } from './support';

const clock = fixedClock('2026-03-02T02:00:00.000Z');
let t: TestApp;
let seed: Awaited<ReturnType<typeof seedPoolOrg>>;
let issuer: Client;
let doc: any;
const factory = createFactory({ seed: 'api-docs' });

beforeAll(async () => {
  t = await createPoolTestApp({ clock });
  seed = await seedPoolOrg(t);
  const r = await call(t, 'POST', '/api/admin/api-clients', { token: seed.admin, body: { name: '示例开票系统', role: 'issuer', unitCodes: ['A01'] } });
  issuer = { keyId: r.json.keyId, secret: r.json.secret };
  doc = (await call(t, 'GET', '/api/docs-json')).json;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** The documented rule, written from the scheme's description: HMAC-SHA256 over METHOD\npath\ntimestamp\nnonce\nsha256(body). */
async function byTheDocs(c: Client, method: string, path: string, payload?: unknown) {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const ts = String(Math.floor(clock.now().getTime() / 1000));
  const nonce = randomBytes(12).toString('base64url');
  const bodyHash = createHash('sha256').update(body, 'utf8').digest('hex');
  const sig = createHmac('sha256', c.secret).update(`${method}\n${path}\n${ts}\n${nonce}\n${bodyHash}`, 'utf8').digest('hex');
  const headers: Record<string, string> = { 'X-Evarchive-Key': c.keyId, 'X-Evarchive-Timestamp': ts, 'X-Evarchive-Nonce': nonce, 'X-Evarchive-Signature': sig };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${t.url}${path}`, { method, headers, body: payload === undefined ? undefined : body });
  return { status: res.status, json: await res.json() };
}

const op = (path: string, method: string) => {
  const o = doc.paths[path]?.[method];
  if (!o) throw new Error(`${method.toUpperCase()} ${path} is not in /api/docs-json`);
  return o;
};
const example = (o: any) => o.requestBody.content['application/json'].schema.example;
const required = (o: any, status: number): string[] => o.responses[String(status)].content['application/json'].schema.required;

test('the signed-request scheme names the four headers and the canonical text; every integration route declares it', () => {
  const scheme = doc.components.securitySchemes.signedRequest;
  expect(scheme).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Evarchive-Key' });
  for (const h of ['X-Evarchive-Key', 'X-Evarchive-Timestamp', 'X-Evarchive-Nonce', 'X-Evarchive-Signature']) expect(scheme.description).toContain(h);
  expect(scheme.description).toContain('HMAC-SHA256');
  expect(scheme.description).toContain('hex SHA-256(body bytes)');
  expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  const routes: [string, string][] = [
    ['/api/pool/issuer/vouchers', 'post'],
    ['/api/pool/receiver/vouchers', 'get'],
    ['/api/pool/receiver/vouchers/{id}', 'get'],
    ...['claim', 'release', 'reimbursed', 'booked'].map((a): [string, string] => [`/api/pool/receiver/vouchers/{id}/${a}`, 'post']),
  ];
  routes.push(['/api/pool/receiver/vouchers/{id}/files/{fileId}', 'get']);
  for (const [p, m] of routes) {
    const o = op(p, m);
    // Each scheme once (a shared decorator instance used to add it again on every route it decorated).
    expect([p, o.security]).toEqual([p, [{ signedRequest: [] }, { bearer: [] }]]);
    expect([p, o.responses['401']?.description]).toEqual([p, expect.stringContaining('signature_invalid')]);
    // Who may call it, from the guard's own role lists.
    expect([p, o.description]).toEqual([p, expect.stringContaining('Who may call it: API keys of role `')]);
    expect([p, o.responses['403']?.description]).toEqual([p, expect.stringContaining('lacks the role')]);
  }
  expect(op('/api/pool/issuer/vouchers', 'post').description).toContain('`issuer`');
  expect(op('/api/pool/receiver/vouchers/{id}/booked', 'post').description).toMatch(/`accounting_system`.*`receiver`|`receiver`.*`accounting_system`/);
  expect(op('/api/pool/receiver/vouchers/{id}/booked', 'post').description).not.toContain('`reimbursement_system`');
  // The multipart form of the push has its own schema: the file in the part `file`.
  expect(op('/api/pool/issuer/vouchers', 'post').requestBody.content['multipart/form-data'].schema).toMatchObject({ required: ['file'], properties: { file: { format: 'binary' } } });
  // Bodies are described field by field.
  expect(op('/api/pool/issuer/vouchers', 'post').requestBody.content['application/json'].schema.required).toEqual(['filename', 'content']);
  const bookedBody = op('/api/pool/receiver/vouchers/{id}/booked', 'post').requestBody.content['application/json'].schema;
  expect(bookedBody.required).toEqual(['journalVoucherNumber', 'period', 'bookedAt', 'entries']);
  // An amount keeps its own words beside the shared format.
  expect(bookedBody.properties.entries.items.properties.debit).toMatchObject({ pattern: expect.any(String), description: expect.stringContaining('debit amount (or credit, not both)') });
});

test('the issuer push example, with real file bytes in content, answers as documented: 201, then 200 duplicate; a refused file 422', async () => {
  const push = op('/api/pool/issuer/vouchers', 'post');
  const f = factory.ofdInvoice({ kind: 'inv_ord' });
  const body = { ...example(push), filename: f.name, content: Buffer.from(f.bytes).toString('base64') };
  const first = await byTheDocs(issuer, 'POST', '/api/pool/issuer/vouchers', body);
  expect(first.status).toBe(201);
  expect(Object.keys(first.json)).toEqual(expect.arrayContaining(required(push, 201)));
  expect(first.json).toMatchObject({ outcome: 'created', verdict: 'valid', kind: 'inv_ord' });
  expect(push.responses['201'].content['application/json'].schema.properties.outcome.enum).toContain(first.json.outcome);

  const again = await byTheDocs(issuer, 'POST', '/api/pool/issuer/vouchers', body);
  expect(again.status).toBe(200);
  expect(again.json).toMatchObject({ outcome: 'duplicate', voucherId: first.json.voucherId });

  const refused = await byTheDocs(issuer, 'POST', '/api/pool/issuer/vouchers', { ...body, filename: 'note.ofd', content: Buffer.from('not a voucher').toString('base64') });
  expect(refused.status).toBe(422);
  expect(Object.keys(refused.json)).toEqual(expect.arrayContaining(push.responses['422'].content['application/json'].schema.required));
});

test('the receiver examples as published: claim → reimbursed → booked, and claim → release, with the documented answers', async () => {
  const base = '/api/pool/receiver/vouchers';
  const newVoucher = async () => {
    const f = factory.ofdInvoice({ kind: 'inv_ord' });
    const r = await byTheDocs(issuer, 'POST', '/api/pool/issuer/vouchers', { filename: f.name, content: Buffer.from(f.bytes).toString('base64') });
    expect(r.status).toBe(201);
    return { id: r.json.voucherId as string, number: f.expected.invoiceNumber! };
  };
  const claim = op(`${base}/{id}/claim`, 'post');
  const reimbursed = op(`${base}/{id}/reimbursed`, 'post');
  const booked = op(`${base}/{id}/booked`, 'post');
  const release = op(`${base}/{id}/release`, 'post');

  const v = await newVoucher();
  const lookupParams = op(base, 'get').parameters.map((p: any) => p.name);
  expect(lookupParams).toContain('invoiceNumber');
  const found = await byTheDocs(seed.receiver, 'GET', `${base}?invoiceNumber=${v.number}`);
  expect(found.status).toBe(200);
  expect(found.json.items).toEqual([expect.objectContaining({ id: v.id, state: 'available' })]);

  const c = await byTheDocs(seed.receiver, 'POST', `${base}/${v.id}/claim`, example(claim));
  expect([c.status, c.json.message]).toEqual([201, undefined]);
  expect(Object.keys(c.json)).toEqual(expect.arrayContaining(required(claim, 201)));
  expect(c.json).toMatchObject({ state: 'claimed', reimbursementDocId: example(claim).reimbursementDocId, repeated: false });

  // More than the voucher's total cannot have been reimbursed.
  const tooMuch = await byTheDocs(seed.receiver, 'POST', `${base}/${v.id}/reimbursed`, { ...example(reimbursed), amount: '99999.00' });
  expect([tooMuch.status, tooMuch.json.code, tooMuch.json.details?.field]).toEqual([400, 'amount_exceeds_total', 'amount']);
  const r = await byTheDocs(seed.receiver, 'POST', `${base}/${v.id}/reimbursed`, example(reimbursed));
  expect([r.status, r.json.message]).toEqual([200, undefined]);
  expect(Object.keys(r.json)).toEqual(expect.arrayContaining(required(reimbursed, 200)));
  expect(r.json).toMatchObject({ state: 'reimbursed', amount: example(reimbursed).amount });

  const b = await byTheDocs(seed.accounting, 'POST', `${base}/${v.id}/booked`, example(booked));
  expect([b.status, b.json.message]).toEqual([200, undefined]);
  expect(Object.keys(b.json)).toEqual(expect.arrayContaining(required(booked, 200)));
  expect(b.json.state).toBe('booked');
  expect(b.json.receiverFiles).toEqual({ configId: expect.any(String), xbrlFileId: expect.any(String), jsonFileId: expect.any(String) });
  const after = await byTheDocs(seed.receiver, 'GET', `${base}/${v.id}`);
  expect(after.status).toBe(200);
  expect(after.json.booking).toMatchObject({ journalVoucherNumber: example(booked).journalVoucherNumber, period: example(booked).period });
  // The receiver files download with the API keys that book and reimburse (the documented route), audited.
  for (const [client, fileId, type] of [[seed.accounting, b.json.receiverFiles.xbrlFileId, 'application/xml'], [seed.receiver, b.json.receiverFiles.jsonFileId, 'application/json']] as const) {
    const path = `${base}/${v.id}/files/${fileId}`;
    const ts = String(Math.floor(clock.now().getTime() / 1000));
    const nonce = randomBytes(12).toString('hex');
    const sig = createHmac('sha256', client.secret).update(`GET\n${path}\n${ts}\n${nonce}\n${createHash('sha256').update('').digest('hex')}`).digest('hex');
    const res = await fetch(`${t.url}${path}`, { headers: { 'X-Evarchive-Key': client.keyId, 'X-Evarchive-Timestamp': ts, 'X-Evarchive-Nonce': nonce, 'X-Evarchive-Signature': sig } });
    expect([res.status, res.headers.get('content-type')]).toEqual([200, expect.stringContaining(type)]);
    const text = await res.text();
    expect(text).toContain(example(booked).journalVoucherNumber);
  }
  // Another voucher's id with this file: not found.
  const other = await newVoucher();
  expect((await byTheDocs(seed.receiver, 'GET', `${base}/${other.id}/files/${b.json.receiverFiles.xbrlFileId}`)).status).toBe(404);
  // A document named for a voucher nobody claimed is refused, not silently dropped.
  const unclaimed = await byTheDocs(seed.accounting, 'POST', `${base}/${other.id}/booked`, example(booked));
  expect([unclaimed.status, unclaimed.json.code]).toEqual([409, 'not_claim_holder']);
  const { reimbursementDocId: _doc, ...withoutDoc } = example(booked);
  expect((await byTheDocs(seed.accounting, 'POST', `${base}/${other.id}/booked`, withoutDoc)).status).toBe(200);
  // Booking again is the documented 409.
  const twice = await byTheDocs(seed.accounting, 'POST', `${base}/${v.id}/booked`, example(booked));
  expect(twice.status).toBe(409);
  expect(booked.responses['409']).toBeDefined();

  const w = await newVoucher();
  expect((await byTheDocs(seed.receiver, 'POST', `${base}/${w.id}/claim`, example(claim))).status).toBe(201);
  const rel = await byTheDocs(seed.receiver, 'POST', `${base}/${w.id}/release`, example(release));
  expect([rel.status, rel.json.message]).toEqual([200, undefined]);
  expect(Object.keys(rel.json)).toEqual(expect.arrayContaining(required(release, 200)));
  expect(rel.json).toMatchObject({ state: 'available', released: { reason: example(release).reason } });
});

test('documented formats are enforced: dates only in ISO 8601, limits on filename and reference, nested fields named', async () => {
  const base = '/api/pool/receiver/vouchers';
  const f = factory.ofdInvoice({ kind: 'inv_ord' });
  const pushed = await byTheDocs(issuer, 'POST', '/api/pool/issuer/vouchers', { filename: f.name, content: Buffer.from(f.bytes).toString('base64') });
  const id = pushed.json.voucherId as string;
  // Date.parse alone would read these as dates (2001-01-01, March 3 of 2001, year 20000).
  for (const expiresAt of ['1', 'March 3', '+020000-01-01T00:00:00Z', 'Thu Dec 10 2026']) {
    const r = await byTheDocs(seed.receiver, 'POST', `${base}/${id}/claim`, { reimbursementDocId: 'BX-DATES', expiresAt });
    expect([expiresAt, r.status, r.json.details?.field]).toEqual([expiresAt, 400, 'expiresAt']);
  }
  expect((await byTheDocs(seed.receiver, 'POST', `${base}/${id}/claim`, { reimbursementDocId: 'BX-DATES', expiresAt: '2026-03-20T09:00:00+08:00' })).status).toBe(201);
  const badReimbursed = await byTheDocs(seed.receiver, 'POST', `${base}/${id}/reimbursed`, { reimbursementDocId: 'BX-DATES', reimbursedAt: 'March 3' });
  expect([badReimbursed.status, badReimbursed.json.details?.field]).toEqual([400, 'reimbursedAt']);
  expect((await byTheDocs(seed.receiver, 'POST', `${base}/${id}/reimbursed`, { reimbursementDocId: 'BX-DATES', reimbursedAt: '2026-03-03' })).status).toBe(200);
  const entries = [{ accountCode: '5001', debit: '1.00' }, { accountCode: '1002', credit: '1.00' }];
  const junkDate = await byTheDocs(seed.accounting, 'POST', `${base}/${id}/booked`, { journalVoucherNumber: '记-1', period: '2026-03', bookedAt: '2026-03-05 not a date', entries });
  expect([junkDate.status, junkDate.json.details?.field]).toEqual([400, 'bookedAt']);
  const longCode = await byTheDocs(seed.accounting, 'POST', `${base}/${id}/booked`, { journalVoucherNumber: '记-1', period: '2026-03', bookedAt: '2026-03-05', entries: [{ ...entries[0], accountCode: '5'.repeat(65) }, entries[1]] });
  expect([longCode.status, longCode.json.details?.field]).toEqual([400, 'entries[0].accountCode']);
  const huge = await byTheDocs(seed.accounting, 'POST', `${base}/${id}/booked`, { journalVoucherNumber: '记-1', period: '2026-03', bookedAt: '2026-03-05', entries: [{ accountCode: '5001', debit: '9999999999999999' }, { accountCode: '5002', debit: '9999999999999999' }, { accountCode: '1002', credit: '9999999999999999' }, { accountCode: '1003', credit: '9999999999999999' }] });
  expect([huge.status, huge.json.details?.field]).toEqual([400, 'entries']);

  const push = (body: Record<string, unknown>) => byTheDocs(issuer, 'POST', '/api/pool/issuer/vouchers', { filename: f.name, content: Buffer.from(f.bytes).toString('base64'), ...body });
  expect(((await push({ filename: `${'长'.repeat(256)}.ofd` })).json.details ?? {}).field).toBe('filename');
  expect((await push({ reference: 'r'.repeat(201) })).status).toBe(400);
  expect((await push({ reference: { nested: true } })).status).toBe(400);
  expect((await push({ reference: 'INV-2026-1' })).status).toBe(200);
});

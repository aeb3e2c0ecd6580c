import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { fixedClock } from '../../src/platform/clock/clock';
import { signRequest, sha256Hex } from '../../src/platform/identity/sign-request';
import { OrgService } from '../../src/platform/identity/org.service';
import { UserService } from '../../src/platform/identity/user.service';
import { createTestApp, type TestApp } from '../support/app';
import { invoiceJson, invoiceXbrl, syntheticUscc } from './support';

const clock = fixedClock('2026-12-03T08:00:00.000Z');
let t: TestApp;
let unitA: { id: string };
let unitB: { id: string };
let admin: string;
let clerkA: string;
let accB: string;
let issuer: { keyId: string; secret: string };
const pw = 'correct horse 1';

async function call(method: string, path: string, opts: { token?: string; json?: unknown; raw?: string | Buffer; form?: FormData; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  } else if (opts.raw !== undefined) body = opts.raw as BodyInit;
  else if (opts.form) body = opts.form;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${t.url}${path}`, { method, headers, body });
  const buf = Buffer.from(await res.arrayBuffer());
  let json: any = null;
  try {
    json = JSON.parse(buf.toString('utf8'));
  } catch {
    /* binary */
  }
  return { status: res.status, json, buf, headers: res.headers };
}

async function login(username: string) {
  const r = await call('POST', '/api/auth/login', { json: { username, password: pw } });
  expect(r.status).toBe(200);
  return r.json.token as string;
}

function form(files: { name: string; bytes: Buffer }[], fields: Record<string, string> = {}) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const file of files) f.append('files', new Blob([new Uint8Array(file.bytes)]), file.name);
  return f;
}

beforeAll(async () => {
  t = await createTestApp({ jobs: false, logger: false, clock });
  const org = t.app.get(OrgService);
  const users = t.app.get(UserService);
  unitA = await org.createUnit('system', { code: 'A01', name: '示例局', creditCode: syntheticUscc(2) });
  unitB = await org.createUnit('system', { code: 'B02', name: '示例中心', creditCode: syntheticUscc(3) });
  await users.create('system', { username: 'root', password: pw, roles: [{ role: 'system_admin' }] });
  await users.create('system', { username: 'clerk_a', password: pw, roles: [{ role: 'reimbursement_clerk', unitId: unitA.id }] });
  await users.create('system', { username: 'acc_b', password: pw, roles: [{ role: 'accountant', unitId: unitB.id }] });
  admin = await login('root');
  clerkA = await login('clerk_a');
  accB = await login('acc_b');
  const c = await call('POST', '/api/admin/api-clients', { token: admin, json: { name: '示例开票系统', role: 'issuer', unitCodes: ['A01'] } });
  expect(c.status).toBe(201);
  issuer = { keyId: c.json.keyId, secret: c.json.secret };
});
afterAll(async () => {
  await t?.close();
});

function issuerPost(body: string, nonce?: string) {
  const path = '/api/pool/issuer/vouchers';
  const headers = signRequest({ keyId: issuer.keyId, secret: issuer.secret, method: 'POST', path, body, timestamp: clock.now(), nonce });
  return call('POST', path, { raw: body, headers: { ...headers, 'content-type': 'application/json' } });
}

test('issuer push: a signed multipart body over 64 MB is answered 413 naming the limit, not cut off with a reset', async () => {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(65 * 1024 * 1024)]), 'huge.ofd');
  const req = new Request('http://x/', { method: 'POST', body: form });
  const body = Buffer.from(await req.arrayBuffer());
  const path = '/api/pool/issuer/vouchers';
  const headers = signRequest({ keyId: issuer.keyId, secret: issuer.secret, method: 'POST', path, body, timestamp: clock.now() });
  const r = await call('POST', path, { raw: body, headers: { ...headers, 'content-type': req.headers.get('content-type')! } });
  expect(r.status).toBe(413);
  expect(r.json.message).toContain('exceeds 64 MB');
}, 60_000);

test('issuer push: a signed request creates, the same file again answers the same voucher, a replay is refused', async () => {
  const body = JSON.stringify({ filename: 'inv100.xml', content: invoiceXbrl({ number: 100 }).toString('base64') });
  const nonce = 'n'.repeat(16) + '0001';
  const first = await issuerPost(body, nonce);
  expect(first.status).toBe(201);
  expect(first.json).toMatchObject({ outcome: 'created', verdict: 'unsigned', kind: 'inv_ord', voucherId: expect.any(String) });
  const replay = await issuerPost(body, nonce);
  expect(replay.status).toBe(401);
  expect(replay.json.code).toBe('nonce_reused');
  const again = await issuerPost(body);
  expect(again.status).toBe(200);
  expect(again.json).toMatchObject({ outcome: 'duplicate', voucherId: first.json.voucherId });
  const twin = await issuerPost(JSON.stringify({ filename: 'inv100.json', content: invoiceJson({ number: 100 }).toString('base64') }));
  expect(twin.json).toMatchObject({ outcome: 'linked', voucherId: first.json.voucherId });
  const bad = await issuerPost(JSON.stringify({ filename: 'x.bin', content: Buffer.from('not a voucher').toString('base64') }));
  expect(bad.status).toBe(422);
  expect(bad.json).toMatchObject({ code: 'unknown_format', message: 'x.bin: not a voucher file (not OFD, PDF, XML, XBRL, JSON, JPEG or PNG)' });
  const unsigned = await call('POST', '/api/pool/issuer/vouchers', { raw: body, headers: { 'content-type': 'application/json' } });
  expect(unsigned.status).toBe(401);
  // A person cannot use the issuer channel, an issuer cannot read the pool.
  expect((await call('POST', '/api/pool/issuer/vouchers', { token: clerkA, json: {} })).status).toBe(403);
  const path = '/api/pool/vouchers';
  expect((await call('GET', path, { headers: signRequest({ keyId: issuer.keyId, secret: issuer.secret, method: 'GET', path, timestamp: clock.now() }) })).status).toBe(403);
});

test('issuer push: concurrent pushes are committed together in groups, and each request still gets its own outcome', async () => {
  const files = [
    ...Array.from({ length: 20 }, (_, i) => ({ filename: `g${i}.xml`, content: invoiceXbrl({ number: 900 + i }) })),
    { filename: 'g0-again.xml', content: invoiceXbrl({ number: 900 }) },
    { filename: 'g1-json.json', content: invoiceJson({ number: 901 }) },
    { filename: 'junk.bin', content: Buffer.from('not a voucher') },
    { filename: 'g0-thrice.xml', content: invoiceXbrl({ number: 900 }) },
  ];
  const vouchersBefore = (await t.db.selectFrom('voucher').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;
  const answers = await Promise.all(files.map((f) => issuerPost(JSON.stringify({ filename: f.filename, content: f.content.toString('base64') }))));
  const byName = new Map(files.map((f, i) => [f.filename, answers[i]]));
  for (let i = 0; i < 20; i++) expect(byName.get(`g${i}.xml`)).toMatchObject({ status: 201, json: { kind: 'inv_ord' } });
  // The three copies of invoice 900: one created it, whichever came first; the others answer the same voucher.
  const copies = ['g0.xml', 'g0-again.xml', 'g0-thrice.xml'].map((n) => byName.get(n)!.json);
  expect(copies.map((c) => c.outcome).sort()).toEqual(['created', 'duplicate', 'duplicate']);
  expect(new Set(copies.map((c) => c.voucherId)).size).toBe(1);
  // The JSON twin of invoice 901 is linked to the voucher its XML created (or the other way round).
  expect([byName.get('g1.xml')!.json.outcome, byName.get('g1-json.json')!.json.outcome].sort()).toEqual(['created', 'linked']);
  expect(byName.get('g1-json.json')!.json.voucherId).toBe(byName.get('g1.xml')!.json.voucherId);
  expect(byName.get('junk.bin')).toMatchObject({ status: 422, json: { code: 'unknown_format', message: expect.stringContaining('junk.bin: not a voucher file') } });
  const vouchersAfter = (await t.db.selectFrom('voucher').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;
  expect(Number(vouchersAfter) - Number(vouchersBefore)).toBe(20);
  // Fewer batches than requests: pushes that waited for a group in progress went together.
  // (Every answer names its batch: a group may hold only duplicates or links, answered 200.)
  const batchIds = [...new Set(answers.filter((a) => a.status === 201 || a.status === 200).map((a) => a.json.batchId as string))];
  expect(batchIds.length).toBeGreaterThanOrEqual(1);
  expect(batchIds.length).toBeLessThan(23);
  const batches = await t.db.selectFrom('ingest_batch').select(['id', 'total', 'status', 'channel']).where('id', 'in', batchIds).execute();
  expect(batches.every((b) => b.status === 'complete' && b.channel === 'issuer')).toBe(true);
  // Every request is one item of exactly one batch, with its own audit entry.
  const junkBatch = byName.get('junk.bin')!.json.details.batchId;
  const items = await t.db.selectFrom('ingest_item').select(['filename', 'batch_id', 'status']).where('batch_id', 'in', [...new Set([...batchIds, junkBatch])]).execute();
  expect(items.map((i) => i.filename).sort()).toEqual(files.map((f) => f.filename).sort());
  expect(items.every((i) => i.status === 'done')).toBe(true);
  const audit = await t.db.selectFrom('audit_log').select(['action']).where(sql`details->>'batchId'`, 'in', [...new Set([...batchIds, junkBatch])]).execute();
  expect(audit).toHaveLength(files.length);
});

test('issuer push: a bad push in a group fails alone — a NUL in its name is refused (400), a file the readers choke on is rejected (422), the others get their own outcomes', async () => {
  const good = Array.from({ length: 12 }, (_, i) => ({ filename: `solo${i}.xml`, content: invoiceXbrl({ number: 960 + i }) }));
  const nulName = { filename: 'bad\u0000name.xml', content: invoiceXbrl({ number: 990 }) };
  const nulJson = { filename: 'nul.json', content: Buffer.from(`{${' '.repeat(600)}"a":\u0000}`, 'latin1') };
  const all = [...good.slice(0, 6), nulName, nulJson, ...good.slice(6)];
  const answers = await Promise.all(all.map((f) => issuerPost(JSON.stringify({ filename: f.filename, content: f.content.toString('base64') }))));
  const byName = new Map(all.map((f, i) => [f.filename, answers[i]]));
  expect(byName.get(nulName.filename)).toMatchObject({ status: 400, json: { code: 'invalid_input', message: 'filename: contains a NUL (0x00) character' } });
  expect(byName.get('nul.json')).toMatchObject({ status: 422, json: { message: expect.stringMatching(/^nul\.json: /) } });
  for (const f of good) expect(byName.get(f.filename)).toMatchObject({ status: 201, json: { outcome: 'created', kind: 'inv_ord' } });
});

test('a voucher is served with a code for each warning (for readers in other languages), in the list and in the detail', async () => {
  const body = JSON.stringify({ filename: 'badtax.xml', content: invoiceXbrl({ number: 950, sellerTaxId: '91110108MA01ABCD81' }).toString('base64') });
  const pushed = await issuerPost(body);
  expect(pushed.status).toBe(201);
  const detail = await call('GET', `/api/pool/vouchers/${pushed.json.voucherId}`, { token: clerkA });
  expect(detail.status).toBe(200);
  const i = detail.json.warnings.findIndex((w: string) => /GB 32100/.test(w));
  expect(i).toBeGreaterThanOrEqual(0);
  expect(detail.json.warningCodes).toHaveLength(detail.json.warnings.length);
  expect(detail.json.warningCodes[i]).toMatchObject({ code: expect.stringMatching(/^(tax_id_check_char|layer)$/) });
  const list = await call('GET', '/api/pool/vouchers?number=00000950', { token: clerkA });
  expect(list.json.items[0].warningCodes).toEqual(detail.json.warningCodes);
});

test('collection upload: many files, per-file outcomes and progress from the batch endpoint', async () => {
  const r = await call('POST', '/api/pool/uploads?wait=true', {
    token: clerkA,
    form: form([
      { name: 'a.xml', bytes: invoiceXbrl({ number: 200 }) },
      { name: 'b.xml', bytes: invoiceXbrl({ number: 201 }) },
      { name: 'b-copy.xml', bytes: invoiceXbrl({ number: 201 }) },
      { name: 'elsewhere.xml', bytes: invoiceXbrl({ number: 202, buyerTaxId: syntheticUscc(3) }) },
      { name: 'junk.txt', bytes: Buffer.from('hello') },
    ]),
  });
  expect(r.status).toBe(202);
  expect(r.json).toMatchObject({ status: 'complete', total: 5, done: 5, progress: 100, summary: { received: 5, created: 3, duplicates: 1, rejected: 1 } });
  expect(r.json.items.map((i: any) => [i.filename, i.outcome])).toEqual([
    ['a.xml', 'created'],
    ['b.xml', expect.stringMatching(/created|duplicate/)],
    ['b-copy.xml', expect.stringMatching(/created|duplicate/)],
    ['elsewhere.xml', 'created'],
    ['junk.txt', 'rejected'],
  ]);
  const batch = await call('GET', `/api/pool/batches/${r.json.id}`, { token: clerkA });
  expect(batch.json).toMatchObject({ id: r.json.id, status: 'complete', done: 5 });
  // The voucher bought by unit B is outside the clerk's units: it went to the clerk's personal folder.
  const elsewhere = r.json.items[3].voucherId;
  const d = await call('GET', `/api/pool/vouchers/${elsewhere}`, { token: clerkA });
  expect(d.json).toMatchObject({ unit: null, personalOwnerId: expect.any(String) });
  expect((await call('GET', `/api/pool/vouchers/${elsewhere}`, { token: accB })).status).toBe(404);
  expect((await call('GET', `/api/pool/batches/${r.json.id}`, { token: accB })).status).toBe(404);
  const missing = await call('POST', '/api/pool/uploads', { token: clerkA, form: form([]) });
  expect(missing.status).toBe(400);
});

test('list: unit scope, filters, keyset pages, detail with files and history, audited download, Excel export', async () => {
  // Two vouchers in unit B through the CLI-equivalent path (buyer tax ID routing via upload by the admin).
  const up = await call('POST', '/api/pool/uploads?wait=true', {
    token: admin,
    form: form([
      { name: 'b1.xml', bytes: invoiceXbrl({ number: 300, buyerTaxId: syntheticUscc(3), total: '50.00' }) },
      { name: 'b2.xml', bytes: invoiceXbrl({ number: 301, buyerTaxId: syntheticUscc(3), total: '5000.00' }) },
    ]),
  });
  expect(up.json.summary).toMatchObject({ created: 2 });

  const seenBy = async (token: string, q = '') => (await call('GET', `/api/pool/vouchers?limit=200${q}`, { token })).json.items.map((v: any) => v.invoiceNumber).sort();
  expect(await seenBy(accB)).toEqual(['00000300', '00000301']);
  const forA = await seenBy(clerkA);
  expect(forA).toEqual(expect.arrayContaining(['00000100', '00000200', '00000201', '00000202']));
  expect(forA).not.toContain('00000300');
  expect((await seenBy(admin)).length).toBe(forA.length + 2);
  expect((await call('GET', `/api/pool/vouchers?unitId=${unitB.id}`, { token: clerkA })).status).toBe(403);
  expect(await seenBy(accB, '&amountMin=100')).toEqual(['00000301']);
  expect(await seenBy(admin, '&number=00000300')).toEqual(['00000300']);
  expect(await seenBy(admin, `&party=${encodeURIComponent('示例科技')}&unitId=${unitB.id}`)).toEqual(['00000300', '00000301']);
  const bad = await call('GET', '/api/pool/vouchers?amountMin=lots', { token: admin });
  expect(bad.status).toBe(400);
  expect(bad.json.message).toBe('amountMin: expected an amount such as 100 or 1234.50, got "lots"');

  // Keyset pages: every voucher once, in amount order.
  const pages: string[] = [];
  let cursor: string | null = null;
  do {
    const r: any = await call('GET', `/api/pool/vouchers?limit=2&sort=amount_desc${cursor ? `&cursor=${cursor}` : ''}`, { token: admin });
    pages.push(...r.json.items.map((v: any) => v.id));
    cursor = r.json.nextCursor;
  } while (cursor);
  const all = (await call('GET', '/api/pool/vouchers?limit=200&sort=amount_desc', { token: admin })).json.items.map((v: any) => v.id);
  expect(pages).toEqual(all);

  const id = up.json.items[0].voucherId;
  const d = await call('GET', `/api/pool/vouchers/${id}`, { token: accB });
  expect(d.status).toBe(200);
  expect(d.json).toMatchObject({ totalAmount: '50.00', unit: { code: 'B02' }, state: 'available', signatureVerdict: 'unsigned', signatures: [], voucher: { kind: 'inv_ord' } });
  expect(d.json.files).toHaveLength(1);
  expect(d.json.history.map((h: any) => h.action)).toEqual(['created']);
  expect((await call('GET', `/api/pool/vouchers/${id}`, { token: clerkA })).status).toBe(404);

  const file = await call('GET', `/api/pool/files/${d.json.files[0].id}`, { token: accB });
  expect(file.status).toBe(200);
  expect(sha256Hex(file.buf)).toBe(d.json.files[0].sha256);
  expect(file.headers.get('content-disposition')).toContain("filename*=UTF-8''b1.xml");
  const read = await t.db.selectFrom('audit_log').select(['actor_name', 'target_id']).where('action', '=', 'pool.file.read').execute();
  expect(read).toEqual([{ actor_name: 'acc_b', target_id: d.json.files[0].id }]);
  expect((await call('GET', `/api/pool/files/${d.json.files[0].id}`, { token: clerkA })).status).toBe(404);

  const x = await call('GET', '/api/pool/vouchers.xlsx?sort=amount_asc', { token: accB });
  expect(x.status).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(x.buf as any);
  const ws = wb.getWorksheet('票据池')!;
  expect(ws.rowCount).toBe(3);
  expect(ws.getRow(2).getCell(5).value).toBe('00000300');
  expect(ws.getRow(3).getCell(9).value).toBe(5000);
});

test('conflicts: listed for the unit, resolved by a person of the unit', async () => {
  const a = await call('POST', '/api/pool/uploads?wait=true', { token: clerkA, form: form([{ name: 'c.xml', bytes: invoiceXbrl({ number: 400 }) }]) });
  const b = await call('POST', '/api/pool/uploads?wait=true', { token: clerkA, form: form([{ name: 'c2.xml', bytes: invoiceXbrl({ number: 400, total: '999.00' }) }]) });
  expect(b.json.items[0]).toMatchObject({ outcome: 'conflict', voucherId: a.json.items[0].voucherId, errorCode: 'conflict' });
  const list = await call('GET', '/api/pool/conflicts?status=open', { token: clerkA });
  expect(list.json.items).toHaveLength(1);
  expect(list.json.items[0].differences[0]).toEqual({ field: 'totalAmount', existing: '113.00', incoming: '999.00' });
  expect((await call('GET', '/api/pool/conflicts?status=open', { token: accB })).json.items).toHaveLength(0);
  const r = await call('POST', `/api/pool/conflicts/${list.json.items[0].id}/resolve`, { token: clerkA, json: { resolution: 'keep_existing', note: '查验为113元' } });
  expect(r.status).toBe(200);
  expect((await call('GET', '/api/pool/conflicts?status=open', { token: clerkA })).json.items).toHaveLength(0);
  const d = await call('GET', `/api/pool/vouchers/${a.json.items[0].voucherId}`, { token: clerkA });
  expect(d.json.totalAmount).toBe('113.00');
  expect(d.json.history.map((h: any) => h.action)).toEqual(['created', 'conflict', 'conflict_resolved']);
  expect(d.json.conflicts[0]).toMatchObject({ status: 'resolved', resolution: 'keep_existing', note: '查验为113元' });
});

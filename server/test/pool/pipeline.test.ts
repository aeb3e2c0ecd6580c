import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { sql } from 'kysely';
import { verifyAuditChain } from '../../src/platform/audit/audit.service';
import { OrgService } from '../../src/platform/identity/org.service';
import { UserService } from '../../src/platform/identity/user.service';
import { writeZip } from '../../src/formats/zip/write';
import { qrPng } from '../../src/formats/factory/png';
import { createFactory, tamper } from '../../src/formats/factory';
import { openZip } from '../../src/formats/zip/zip';
import { IngestService, sha256Of, type BatchOptions } from '../../src/modules/pool/ingest.service';
import { PoolService } from '../../src/modules/pool/pool.service';
import { ClaimsService } from '../../src/modules/pool/claims/claims.service';
import { PoolRepository } from '../../src/modules/pool/pool.repository';
import type { ObjectStore } from '../../src/platform/storage/object-store';
import { STORAGE } from '../../src/platform/tokens';
import { INGEST_STEP_NAMES } from './expect';
import { createTestApp, type TestApp } from '../support/app';
import { invoiceJson, invoiceXbrl, syntheticUscc } from './support';

let t: TestApp;
let ingest: IngestService;
let unitA: { id: string };
let unitB: { id: string };
let clerkId: string;

beforeAll(async () => {
  t = await createTestApp({ jobs: false, logger: false });
  ingest = t.app.get(IngestService);
  const org = t.app.get(OrgService);
  unitA = await org.createUnit('system', { code: 'A01', name: '示例局', creditCode: syntheticUscc(2) });
  unitB = await org.createUnit('system', { code: 'B02', name: '示例中心', creditCode: syntheticUscc(3) });
  const u = await t.app.get(UserService).create('system', { username: 'clerk', password: 'correct horse 1', roles: [{ role: 'reimbursement_clerk', unitId: unitA.id }] });
  clerkId = u.user.id;
});
afterAll(async () => {
  await t?.close();
});

const folder = (routing: Partial<BatchOptions['routing']> = {}): BatchOptions => ({
  channel: 'folder',
  routing: { routableUnitIds: 'all', ...routing },
  actor: { type: 'system', id: null, name: 'test' },
});

/** Undoes what a test changed on the shared service (reader threads), even when it failed. */
let afterOutage: (() => void) | undefined;
afterEach(() => {
  afterOutage?.();
  afterOutage = undefined;
});

async function ingestFiles(files: { name: string; bytes: Uint8Array }[], opts = folder({ unitId: unitA.id })) {
  const { batchId } = await ingest.openBatch(
    opts,
    files.map((f) => ({ filename: f.name, sourceRef: f.name, sha256: sha256Of(f.bytes), size: f.bytes.length })),
  );
  const byName = new Map(files.map((f) => [f.name, f.bytes]));
  const r = await ingest.runBatch(batchId, opts, async (it) => byName.get(it.filename)!);
  return { batchId, ...r };
}

const count = async (table: 'voucher' | 'voucher_file' | 'voucher_conflict') =>
  Number((await t.db.selectFrom(table).select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);

test('the same bytes twice: created, then duplicate with nothing new; every step recorded with its version', async () => {
  const bytes = invoiceXbrl({ number: 1 });
  const first = await ingestFiles([{ name: 'inv1.xml', bytes }]);
  expect(first.outcomes).toEqual([expect.objectContaining({ outcome: 'created', kind: 'inv_ord', verdict: 'unsigned', errorCode: null })]);
  expect(first.complete).toBe(true);
  const second = await ingestFiles([{ name: 'again.xml', bytes }]);
  expect(second.outcomes).toEqual([expect.objectContaining({ outcome: 'duplicate', voucherId: first.outcomes[0].voucherId })]);
  expect(await count('voucher')).toBe(1);
  expect(await count('voucher_file')).toBe(1);

  const item = await t.db.selectFrom('ingest_item').select(['steps', 'sha256']).where('batch_id', '=', first.batchId).executeTakeFirstOrThrow();
  expect((item.steps as any[]).map((s) => [s.step, s.version, s.outcome])).toEqual(
    INGEST_STEP_NAMES.map((n) => [n, n === 'store' ? 4 : n === 'parse' ? 3 : n === 'index' ? 2 : 1, n === 'unpack' ? 'skipped' : 'ok']),
  );
  expect(item.sha256).toBe(sha256Of(bytes));
  const v = await t.db.selectFrom('voucher').selectAll().executeTakeFirstOrThrow();
  expect(v).toMatchObject({
    unit_id: unitA.id,
    kind: 'inv_ord',
    identity_key: 'vat:032001900111:00000001',
    total_amount: '113.00',
    amount_ex_tax: '100.00',
    tax_amount: '13.00',
    issue_date: '2026-11-20',
    state: 'available',
    signature_verdict: 'unsigned',
  });
  expect(v.search_text).toContain('示例科技有限公司1');
});

test('the JSON twin of an invoice is linked to it as a version, not a second record', async () => {
  const a = await ingestFiles([{ name: 'inv2.xml', bytes: invoiceXbrl({ number: 2 }) }]);
  const b = await ingestFiles([{ name: 'inv2.json', bytes: invoiceJson({ number: 2 }) }]);
  expect(b.outcomes[0]).toMatchObject({ outcome: 'linked', voucherId: a.outcomes[0].voucherId });
  const files = await t.db.selectFrom('voucher_file').select(['role', 'format']).where('voucher_id', '=', a.outcomes[0].voucherId!).orderBy('received_at').orderBy('format').execute();
  expect(files.map((f) => `${f.format}:${f.role}`).sort()).toEqual(['json:version', 'xbrl:original']);
  const events = await t.db.selectFrom('voucher_event').select('action').where('voucher_id', '=', a.outcomes[0].voucherId!).orderBy('id').execute();
  expect(events.map((e) => e.action)).toEqual(['created', 'linked']);
});

test('a copy whose seal fails, then the genuine one: the genuine becomes the original (what the checks and the archive take), the failed one a version, the record says so; a failing copy after a genuine original only adds a warning', async () => {
  const factory = createFactory({ seed: 'pipeline-original-swap' });
  const g = factory.ofdInvoice({ kind: 'inv_ord' });
  const forged = tamper(g.bytes, 'signed-value').bytes;
  const first = await ingestFiles([{ name: 'copy-from-clerk.ofd', bytes: forged }]);
  expect(first.outcomes[0].outcome).toBe('created');
  const id = first.outcomes[0].voucherId!;
  const record = () => t.db.selectFrom('voucher').select(['signature_verdict', 'warnings', 'total_amount']).where('id', '=', id).executeTakeFirstOrThrow();
  const files = async () => (await t.db.selectFrom('voucher_file').select(['filename', 'role', 'signature_verdict']).where('voucher_id', '=', id).orderBy('received_at').orderBy('id').execute()).map((f) => `${f.filename}:${f.role}:${f.signature_verdict}`);
  expect((await record()).signature_verdict).toBe('invalid');

  const genuine = await ingestFiles([{ name: 'from-issuer.ofd', bytes: g.bytes }]);
  expect(genuine.outcomes[0]).toMatchObject({ outcome: 'linked', voucherId: id });
  expect((await files()).sort()).toEqual(['copy-from-clerk.ofd:version:invalid', 'from-issuer.ofd:original:valid']);
  const after = await record();
  expect(after.signature_verdict).toBe('valid');
  expect(after.total_amount).toBe(g.expected.totalAmount);
  const oldFile = await t.db.selectFrom('voucher_file').select('id').where('voucher_id', '=', id).where('filename', '=', 'copy-from-clerk.ofd').executeTakeFirstOrThrow();
  expect(after.warnings).toContain(`the copy received first (copy-from-clerk.ofd, file ${oldFile.id}) has signature verdict invalid; a copy that verifies is kept as the original`);
  const clerk = { kind: 'user' as const, id: clerkId, username: 'clerk', displayName: 'clerk', sessionId: null, grants: [{ role: 'reimbursement_clerk' as const, unitId: unitA.id }] };
  const detail = await t.app.get(PoolService).detail(clerk, id);
  expect(detail.warningCodes).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'original_replaced', params: { filename: 'copy-from-clerk.ofd', fileId: oldFile.id, verdict: 'invalid' } })]));
  const events = await t.db.selectFrom('voucher_event').select('action').where('voucher_id', '=', id).orderBy('id').execute();
  expect(events.map((e) => e.action)).toEqual(['created', 'original_replaced']);
  // An archive that packaged the old original is refused before it writes its package; one with the new one locks.
  const claims = t.app.get(ClaimsService);
  await expect(t.db.transaction().execute((trx) => claims.lockOriginals([id], new Set([oldFile.id]), trx))).rejects.toMatchObject({ code: 'originals_changed' });
  const current = await t.db.selectFrom('voucher_file').select('id').where('voucher_id', '=', id).where('role', '=', 'original').executeTakeFirstOrThrow();
  await t.db.transaction().execute((trx) => claims.lockOriginals([id], new Set([current.id]), trx));

  // Another forged copy now: the genuine original stays, the record is warned.
  const again = tamper(g.bytes, 'attachment').bytes;
  const late = await ingestFiles([{ name: 'late-copy.ofd', bytes: again }]);
  expect(late.outcomes[0]).toMatchObject({ outcome: 'linked', voucherId: id });
  expect((await files()).filter((f) => f.includes(':original:'))).toEqual(['from-issuer.ofd:original:valid']);
  const last = await record();
  expect(last.signature_verdict).toBe('valid');
  expect(last.warnings).toContain(`a later copy (late-copy.ofd, file ${late.outcomes[0].fileId}) has signature verdict invalid; the original that verifies is kept`);
  expect((await t.db.selectFrom('voucher_event').select('action').where('voucher_id', '=', id).orderBy('id').execute()).map((e) => e.action)).toEqual(['created', 'original_replaced', 'linked']);
});

test('a forged amount first, the genuine file second (a conflict): taking the incoming reading makes the genuine file the original; conflicting files of a paper record stay versions until then', async () => {
  const factory = createFactory({ seed: 'pipeline-conflict-original' });
  const clerk = { kind: 'user' as const, id: clerkId, username: 'clerk', displayName: 'clerk', sessionId: null, grants: [{ role: 'reimbursement_clerk' as const, unitId: unitA.id }] };
  const pool = t.app.get(PoolService);
  const roles = async (id: string) => (await t.db.selectFrom('voucher_file').select(['filename', 'role', 'signature_verdict']).where('voucher_id', '=', id).orderBy('filename').execute()).map((f) => `${f.filename}:${f.role}:${f.signature_verdict}`);
  const forgeTotal = (bytes: Uint8Array) => {
    const zip = openZip(bytes);
    const e = zip.entries.find((x) => /original_invoice\.xml$/.test(x.name))!;
    const tag = Buffer.from('<fp:TaxInclusiveTotalAmount>');
    return tamper(bytes, { path: e.name }, { offset: Buffer.from(zip.read(e)).indexOf(tag) + tag.length }).bytes;
  };

  const g = factory.ofdInvoice({ kind: 'inv_ord' });
  const first = await ingestFiles([{ name: 'forged-amount.ofd', bytes: forgeTotal(g.bytes) }]);
  const id = first.outcomes[0].voucherId!;
  const second = await ingestFiles([{ name: 'genuine.ofd', bytes: g.bytes }]);
  expect(second.outcomes[0]).toMatchObject({ outcome: 'conflict', voucherId: id });
  expect(await roles(id)).toEqual(['forged-amount.ofd:original:invalid', 'genuine.ofd:version:valid']);
  const c = await t.db.selectFrom('voucher_conflict').select('id').where('voucher_id', '=', id).executeTakeFirstOrThrow();
  await pool.resolveConflict(clerk, c.id, { resolution: 'take_incoming' }, null);
  expect(await roles(id)).toEqual(['forged-amount.ofd:version:invalid', 'genuine.ofd:original:valid']);
  expect(await t.db.selectFrom('voucher').select(['signature_verdict', 'total_amount']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ signature_verdict: 'valid', total_amount: g.expected.totalAmount });

  // A photo whose QR amount differs, then two electronic copies: conflicts, both versions (never several originals).
  const h = factory.ofdInvoice({ kind: 'inv_ord' });
  const qr = `01,04,${h.expected.invoiceCode},${h.expected.invoiceNumber},1.00,${h.expected.issueDate!.replace(/-/g, '')},${h.expected.checkCode ?? ''},ABCD,`;
  const photo = await ingestFiles([{ name: 'photo.png', bytes: qrPng(qr, 6) }]);
  const pid = photo.outcomes[0].voucherId!;
  const later = await ingestFiles([{ name: 'h-genuine.ofd', bytes: h.bytes }, { name: 'h-forged.ofd', bytes: tamper(h.bytes, 'signed-value').bytes }]);
  expect(later.outcomes.map((o) => [o.outcome, o.voucherId])).toEqual([['conflict', pid], ['conflict', pid]]);
  expect(await roles(pid)).toEqual(['h-forged.ofd:version:invalid', 'h-genuine.ofd:version:valid', 'photo.png:paper_photo:unsigned']);
  const hc = await t.db.selectFrom('voucher_conflict').innerJoin('voucher_file as f', 'f.id', 'voucher_conflict.file_id').select('voucher_conflict.id').where('f.filename', '=', 'h-genuine.ofd').executeTakeFirstOrThrow();
  await pool.resolveConflict(clerk, hc.id, { resolution: 'take_incoming' }, null);
  expect(await roles(pid)).toEqual(['h-forged.ofd:version:invalid', 'h-genuine.ofd:original:valid', 'photo.png:paper_photo:unsigned']);
  expect(await t.db.selectFrom('voucher').select(['carrier', 'signature_verdict']).where('id', '=', pid).executeTakeFirstOrThrow()).toEqual({ carrier: 'electronic', signature_verdict: 'valid' });

  // A photo conflicting with an electronic original cannot replace its reading: the record stays its original's.
  const k = factory.ofdInvoice({ kind: 'inv_ord' });
  const kid = (await ingestFiles([{ name: 'k.ofd', bytes: k.bytes }])).outcomes[0].voucherId!;
  const kPhoto = await ingestFiles([{ name: 'k-photo.png', bytes: qrPng(`01,04,${k.expected.invoiceCode},${k.expected.invoiceNumber},1.00,${k.expected.issueDate!.replace(/-/g, '')},${k.expected.checkCode ?? ''},ABCD,`, 6) }]);
  expect(kPhoto.outcomes[0]).toMatchObject({ outcome: 'conflict', voucherId: kid });
  const kc = await t.db.selectFrom('voucher_conflict').select('id').where('voucher_id', '=', kid).executeTakeFirstOrThrow();
  await expect(pool.resolveConflict(clerk, kc.id, { resolution: 'take_incoming' }, null)).rejects.toMatchObject({ code: 'photo_cannot_replace_original' });
  expect(await t.db.selectFrom('voucher').select(['signature_verdict', 'total_amount']).where('id', '=', kid).executeTakeFirstOrThrow()).toEqual({ signature_verdict: 'valid', total_amount: k.expected.totalAmount });

  // An archived paper-only record is not completed by a later electronic file: it stays what the archive holds.
  const m = factory.ofdInvoice({ kind: 'inv_ord' });
  const mPhoto = await ingestFiles([{ name: 'm-photo.png', bytes: qrPng(`01,04,${m.expected.invoiceCode},${m.expected.invoiceNumber},${m.expected.amountExTax},${m.expected.issueDate!.replace(/-/g, '')},${m.expected.checkCode ?? ''},ABCD,`, 6) }]);
  const mid = mPhoto.outcomes[0].voucherId!;
  await t.db.updateTable('voucher').set({ state: 'archived' }).where('id', '=', mid).execute();
  const mLate = await ingestFiles([{ name: 'm.ofd', bytes: m.bytes }]);
  expect(mLate.outcomes[0]).toMatchObject({ outcome: 'linked', voucherId: mid });
  expect(await roles(mid)).toEqual(['m-photo.png:paper_photo:unsigned', 'm.ofd:version:valid']);
  expect((await t.db.selectFrom('voucher').select('carrier').where('id', '=', mid).executeTakeFirstOrThrow()).carrier).toBe('paper');
}, 120_000);

test('same identity with another amount is a conflict for a person; resolving takes the chosen reading', async () => {
  const a = await ingestFiles([{ name: 'inv3.xml', bytes: invoiceXbrl({ number: 3, total: '113.00' }) }]);
  const b = await ingestFiles([{ name: 'inv3-altered.xml', bytes: invoiceXbrl({ number: 3, total: '226.00' }) }]);
  expect(b.outcomes[0]).toMatchObject({ outcome: 'conflict', voucherId: a.outcomes[0].voucherId, errorCode: 'conflict' });
  expect(b.outcomes[0].message).toContain('totalAmount 113.00 ≠ 226.00');
  const c = await t.db.selectFrom('voucher_conflict').selectAll().where('voucher_id', '=', a.outcomes[0].voucherId!).executeTakeFirstOrThrow();
  expect(c.differences).toEqual([
    { field: 'totalAmount', existing: '113.00', incoming: '226.00' },
    { field: 'amountExTax', existing: '100.00', incoming: '200.00' },
    { field: 'taxAmount', existing: '13.00', incoming: '26.00' },
  ]);
  expect(c.status).toBe('open');
  const voucherBefore = await t.db.selectFrom('voucher').select('total_amount').where('id', '=', c.voucher_id).executeTakeFirstOrThrow();
  expect(voucherBefore.total_amount).toBe('113.00');

  const admin = { kind: 'user' as const, id: clerkId, username: 'clerk', displayName: 'clerk', sessionId: null, grants: [{ role: 'reimbursement_clerk' as const, unitId: unitA.id }] };
  const pool = t.app.get(PoolService);
  await expect(pool.resolveConflict(admin, c.id, { resolution: 'maybe' }, null)).rejects.toThrow('resolution: expected keep_existing or take_incoming');
  const r = await pool.resolveConflict(admin, c.id, { resolution: 'take_incoming', note: '以税务局查验结果为准' }, '127.0.0.1');
  expect(r).toMatchObject({ status: 'resolved', resolution: 'take_incoming' });
  const after = await t.db.selectFrom('voucher').select(['total_amount', 'amount_ex_tax']).where('id', '=', c.voucher_id).executeTakeFirstOrThrow();
  expect(after).toEqual({ total_amount: '226.00', amount_ex_tax: '200.00' });
  await expect(pool.resolveConflict(admin, c.id, { resolution: 'keep_existing' }, null)).rejects.toMatchObject({ code: 'already_resolved' });
  const audit = await t.db.selectFrom('audit_log').select(['action', 'target_id']).where('action', '=', 'pool.conflict.resolve').where('target_id', '=', c.voucher_id).execute();
  expect(audit).toEqual([{ action: 'pool.conflict.resolve', target_id: c.voucher_id }]);
  // The incoming file, whose reading the record took, is now the voucher's original.
  const roles = await t.db.selectFrom('voucher_file').select(['filename', 'role']).where('voucher_id', '=', c.voucher_id).orderBy('filename').execute();
  expect(roles).toEqual([{ filename: 'inv3-altered.xml', role: 'original' }, { filename: 'inv3.xml', role: 'version' }]);
});

test('without a named unit the buyer tax ID routes; unroutable is rejected, or goes to the personal folder for collection', async () => {
  const routed = await ingestFiles([{ name: 'b.xml', bytes: invoiceXbrl({ number: 10, buyerTaxId: syntheticUscc(3) }) }], folder());
  expect(routed.outcomes[0].outcome).toBe('created');
  expect((await t.db.selectFrom('voucher').select('unit_id').where('id', '=', routed.outcomes[0].voucherId!).executeTakeFirstOrThrow()).unit_id).toBe(unitB.id);

  const before = await count('voucher');
  const lost = await ingestFiles([{ name: 'x.xml', bytes: invoiceXbrl({ number: 11, buyerTaxId: syntheticUscc(99) }) }], folder());
  expect(lost.outcomes[0]).toMatchObject({ outcome: 'rejected', errorCode: 'unroutable', voucherId: null });
  expect(lost.outcomes[0].message).toContain(`no unit has the buyer tax ID ${syntheticUscc(99)} as its credit code`);
  expect(await count('voucher')).toBe(before);

  // A file already in a unit's pool (ingested with --unit) goes where it is when a re-run names no unit: the same
  // bytes are a duplicate, its JSON twin is linked — not refused as unroutable; a channel that may not deliver to
  // that unit is still refused as unroutable, saying nothing about where the voucher is.
  const placed = await ingestFiles([{ name: 'placed.xml', bytes: invoiceXbrl({ number: 13, buyerTaxId: syntheticUscc(98) }) }], folder({ unitId: unitA.id }));
  expect(placed.outcomes[0].outcome).toBe('created');
  const rerun = await ingestFiles(
    [
      { name: 'placed-again.xml', bytes: invoiceXbrl({ number: 13, buyerTaxId: syntheticUscc(98) }) },
      { name: 'placed.json', bytes: invoiceJson({ number: 13, buyerTaxId: syntheticUscc(98) }) },
    ],
    folder(),
  );
  expect(rerun.outcomes.map((o) => [o.outcome, o.voucherId])).toEqual([
    ['duplicate', placed.outcomes[0].voucherId],
    ['linked', placed.outcomes[0].voucherId],
  ]);
  const elsewhere = await ingestFiles([{ name: 'placed-b.xml', bytes: invoiceXbrl({ number: 13, buyerTaxId: syntheticUscc(98) }) }], folder({ routableUnitIds: [unitB.id] }));
  expect(elsewhere.outcomes[0]).toMatchObject({ outcome: 'rejected', errorCode: 'unroutable', voucherId: null });
  expect(elsewhere.outcomes[0].message).not.toContain(unitA.id);

  // A collection upload by a clerk of A: B's buyer tax ID is outside the clerk's units, so it lands in their folder.
  const personal = await ingestFiles([{ name: 'y.xml', bytes: invoiceXbrl({ number: 12, buyerTaxId: syntheticUscc(3) }) }], {
    channel: 'upload',
    routing: { routableUnitIds: [unitA.id], personalOwnerId: clerkId },
    actor: { type: 'user', id: clerkId, name: 'clerk' },
  });
  expect(personal.outcomes[0].outcome).toBe('created');
  expect(await t.db.selectFrom('voucher').select(['unit_id', 'owner_user_id']).where('id', '=', personal.outcomes[0].voucherId!).executeTakeFirstOrThrow()).toEqual({ unit_id: null, owner_user_id: clerkId });
});

test('hostile files are rejected with the reason and leave no voucher or file record', async () => {
  const before = { v: await count('voucher'), f: await count('voucher_file') };
  const ofdXml = '<?xml version="1.0"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>';
  const traversal = writeZip([
    { name: 'OFD.xml', data: ofdXml },
    { name: 'x', rawName: new TextEncoder().encode('../../etc/evil.xml'), data: '<x/>' },
  ]);
  const bomb = writeZip([
    { name: 'OFD.xml', data: ofdXml },
    { name: 'Doc_0/Document.xml', data: new Uint8Array(0), rawDeflate: deflateSync(Buffer.alloc(64 * 1024 * 1024)), declaredSize: 2 ** 30 },
  ]);
  // An external DTD (the XML reader refuses every DTD: no entity expansion, no fetching).
  const dtd = Buffer.from('<?xml version="1.0"?><!DOCTYPE xbrl SYSTEM "http://127.0.0.1:9/evil.dtd"><xbrl xmlns="http://www.xbrl.org/2003/instance"/>');
  // An internal subset with entities is not even taken for XML.
  const entities = Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><eInvoice>&b;</eInvoice>');
  const r = await ingestFiles([
    { name: 'traversal.ofd', bytes: traversal },
    { name: 'bomb.ofd', bytes: bomb },
    { name: 'dtd.xml', bytes: dtd },
    { name: 'entities.xml', bytes: entities },
    { name: 'random.bin', bytes: Buffer.from([1, 2, 3, 4, 0, 0, 9]) },
  ]);
  expect(r.outcomes.map((o) => [o.filename, o.outcome, o.errorCode])).toEqual([
    ['traversal.ofd', 'rejected', 'unsafe_path'],
    ['bomb.ofd', 'rejected', 'too_large'],
    ['dtd.xml', 'rejected', 'xml_dtd_forbidden'],
    ['entities.xml', 'rejected', 'unknown_format'],
    ['random.bin', 'rejected', 'unknown_format'],
  ]);
  for (const o of r.outcomes) expect(o.message).toMatch(new RegExp(`^${o.filename.replace('.', '\\.')}: `));
  expect({ v: await count('voucher'), f: await count('voucher_file') }).toEqual(before);
  const audit = await t.db.selectFrom('audit_log').select(sql<string>`count(*)`.as('n')).where('action', '=', 'pool.ingest.rejected').executeTakeFirstOrThrow();
  expect(Number(audit.n)).toBeGreaterThanOrEqual(5);
  expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
});

test('a photo of the paper invoice (QR) is linked to its electronic voucher; a photo first makes a paper record the electronic file then completes', async () => {
  const e = await ingestFiles([{ name: 'inv500.xml', bytes: invoiceXbrl({ number: 500 }) }]);
  const photo = qrPng('01,10,032001900111,00000500,100.00,20261120,12345678901234567890,ABCD,', 6);
  const p = await ingestFiles([{ name: 'photo.png', bytes: photo }]);
  expect(p.outcomes[0]).toMatchObject({ outcome: 'linked', voucherId: e.outcomes[0].voucherId });
  const files = await t.db.selectFrom('voucher_file').select(['role', 'format']).where('voucher_id', '=', e.outcomes[0].voucherId!).execute();
  expect(files.map((f) => `${f.format}:${f.role}`).sort()).toEqual(['png:paper_photo', 'xbrl:original']);
  const events = await t.db.selectFrom('voucher_event').select('action').where('voucher_id', '=', e.outcomes[0].voucherId!).orderBy('id').execute();
  expect(events.map((x) => x.action)).toEqual(['created', 'paper_linked']);

  const first = await ingestFiles([{ name: 'photo-501.png', bytes: qrPng('01,10,032001900111,00000501,100.00,20261120,12345678901234567890,ABCD,', 6) }]);
  expect(first.outcomes[0].outcome).toBe('created');
  const paper = await t.db.selectFrom('voucher').select(['carrier', 'total_amount']).where('id', '=', first.outcomes[0].voucherId!).executeTakeFirstOrThrow();
  expect(paper).toEqual({ carrier: 'paper', total_amount: null });
  const elec = await ingestFiles([{ name: 'inv501.xml', bytes: invoiceXbrl({ number: 501 }) }]);
  expect(elec.outcomes[0]).toMatchObject({ outcome: 'linked', voucherId: first.outcomes[0].voucherId });
  const after = await t.db.selectFrom('voucher').select(['carrier', 'total_amount']).where('id', '=', first.outcomes[0].voucherId!).executeTakeFirstOrThrow();
  expect(after).toEqual({ carrier: 'electronic', total_amount: '113.00' });
}, 120_000);

test('an ingested voucher is in the archive search index as soon as its item commits', async () => {
  const r = await ingestFiles([{ name: 'indexed.xml', bytes: invoiceXbrl({ number: 4711 }) }]);
  const voucherId = r.outcomes[0].voucherId!;
  const doc = await sql<{ unit_id: string; kind: string; doc_type: string }>`
    select unit_id, kind, doc_type from search_document where source_id = ${voucherId}`.execute(t.db);
  expect(doc.rows).toEqual([{ unit_id: unitA.id, kind: 'inv_ord', doc_type: 'voucher' }]);
});

test("a voucher held by another unit is refused without revealing that unit's record", async () => {
  const bytes = invoiceXbrl({ number: 5150 });
  const a = await ingestFiles([{ name: 'a.xml', bytes }], folder({ unitId: unitA.id }));
  expect(a.outcomes[0].outcome).toBe('created');
  const before = await count('voucher_file');
  const sameFile = await ingestFiles([{ name: 'b.xml', bytes }], folder({ unitId: unitB.id }));
  expect(sameFile.outcomes).toEqual([expect.objectContaining({ outcome: 'rejected', errorCode: 'held_by_other_unit', voucherId: null })]);
  expect(JSON.stringify(sameFile.outcomes)).not.toContain(a.outcomes[0].voucherId!);
  // The same invoice in another form (its JSON twin) is refused the same way, and unit A's record is untouched.
  const twin = await ingestFiles([{ name: 'b.json', bytes: invoiceJson({ number: 5150 }) }], folder({ unitId: unitB.id }));
  expect(twin.outcomes).toEqual([expect.objectContaining({ outcome: 'rejected', errorCode: 'held_by_other_unit' })]);
  expect(await count('voucher_file')).toBe(before);
});

test('one chunk of new, repeated, linked, known and junk files: each gets its outcome, steps, event, index entry and audit entry', async () => {
  const known = invoiceXbrl({ number: 500 });
  const before = await ingestFiles([{ name: 'known.xml', bytes: known }]);
  const files = [
    ...Array.from({ length: 6 }, (_, i) => ({ name: `new${i}.xml`, bytes: invoiceXbrl({ number: 510 + i }) })),
    { name: 'new0-again.xml', bytes: invoiceXbrl({ number: 510 }) },
    { name: 'new1.json', bytes: invoiceJson({ number: 511 }) },
    { name: 'known-again.xml', bytes: known },
    { name: 'junk.txt', bytes: Buffer.from('not a voucher') },
  ];
  const vouchersBefore = await count('voucher');
  const r = await ingestFiles(files);
  expect(r.outcomes.map((o) => [o.filename, o.outcome])).toEqual([
    ...files.slice(0, 6).map((f) => [f.name, 'created']),
    ['new0-again.xml', 'duplicate'],
    ['new1.json', 'linked'],
    ['known-again.xml', 'duplicate'],
    ['junk.txt', 'rejected'],
  ]);
  const byName = new Map(r.outcomes.map((o) => [o.filename, o]));
  expect(byName.get('new0-again.xml')!.voucherId).toBe(byName.get('new0.xml')!.voucherId);
  expect(byName.get('new1.json')!.voucherId).toBe(byName.get('new1.xml')!.voucherId);
  expect(byName.get('known-again.xml')!.voucherId).toBe(before.outcomes[0].voucherId);
  expect(byName.get('junk.txt')!.errorCode).toBe('unknown_format');
  expect(await count('voucher')).toBe(vouchersBefore + 6);

  const items = await t.db.selectFrom('ingest_item').select(['filename', 'status', 'steps']).where('batch_id', '=', r.batchId).orderBy('seq').execute();
  expect(items.every((i) => i.status === 'done')).toBe(true);
  for (const i of items.slice(0, 6)) {
    expect((i.steps as any[]).map((s) => [s.step, s.outcome])).toEqual(INGEST_STEP_NAMES.map((n) => [n, n === 'unpack' ? 'skipped' : 'ok']));
    expect((i.steps as any[]).find((s) => s.step === 'record').message).toMatch(/^created voucher [0-9a-f-]{36} file [0-9a-f-]{36} \(original\)$/);
  }
  // new2…new5 share nothing with another item, so they were recorded together (the chunk's fast path): each
  // carries the same share of its wall time. new0 and new1 went one by one, before their repeat and their twin.
  expect(new Set(items.slice(2, 6).map((i) => JSON.stringify((i.steps as any[]).filter((s) => ['dedupe', 'record', 'index'].includes(s.step)).map((s) => s.ms)))).size).toBe(1);
  const created = r.outcomes.slice(0, 6).map((o) => o.voucherId!);
  const v = await t.db.selectFrom('voucher').select(['id', 'invoice_number', 'search_text', 'state']).where('id', 'in', created).orderBy('invoice_number').execute();
  expect(v.map((x) => [x.invoice_number, x.state])).toEqual(Array.from({ length: 6 }, (_, i) => [String(510 + i).padStart(8, '0'), 'available']));
  expect(v.every((x) => x.search_text.includes('示例科技有限公司1'))).toBe(true);
  const events = await t.db.selectFrom('voucher_event').select(['voucher_id', 'action']).where('voucher_id', 'in', created).orderBy('id').execute();
  expect(events.filter((e) => e.voucher_id === byName.get('new1.xml')!.voucherId).map((e) => e.action)).toEqual(['created', 'linked']);
  expect(events.filter((e) => e.action === 'created')).toHaveLength(6);
  const docs = await sql<{ n: string }>`select count(*) as n from search_document where source_id = any(${created}::text[])`.execute(t.db);
  expect(docs.rows[0].n).toBe('6');
  const audit = await t.db.selectFrom('audit_log').select(['action', 'target_id']).where(sql`details->>'batchId'`, '=', r.batchId).orderBy('seq').execute();
  expect(audit.map((a) => a.action)).toEqual(r.outcomes.map((o) => `pool.ingest.${o.outcome}`));
  expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
});

test('reader threads and the main thread record the same steps and readings', async () => {
  const read = async (readers: number, number: number) => {
    ingest.useReaders(readers);
    const r = await ingestFiles([
      { name: `t${number}.xml`, bytes: invoiceXbrl({ number }) },
      { name: 'notes.txt', bytes: Buffer.from('no voucher here') },
    ]);
    const items = await t.db.selectFrom('ingest_item').select(['steps']).where('batch_id', '=', r.batchId).orderBy('seq').execute();
    const v = await t.db.selectFrom('voucher').select(['data']).where('id', '=', r.outcomes[0].voucherId!).executeTakeFirstOrThrow();
    const { invoiceNumber: _n, ...data } = v.data as Record<string, unknown>;
    return { outcomes: r.outcomes.map((o) => [o.outcome, o.kind, o.verdict, o.errorCode]), steps: items.map((i) => (i.steps as any[]).map((s) => [s.step, s.version, s.outcome, s.step === 'parse' || s.step === 'verify' || s.step === 'identify' ? s.message : ''])), data };
  };
  try {
    const threads = await read(2, 600);
    const main = await read(0, 601);
    expect(threads).toEqual(main);
    expect(threads.outcomes).toEqual([
      ['created', 'inv_ord', 'unsigned', null],
      ['rejected', null, null, 'unknown_format'],
    ]);
  } finally {
    ingest.useReaders(2);
  }
});

test('a storage outage in a later chunk (the store stage) stops the run with the earlier chunks recorded and the rest pending; running again completes it, nothing doubled', async () => {
  // On the main thread, so the store stage (putMany) stores the originals; the reader threads' own store is the next test.
  ingest.useReaders(0);
  afterOutage = () => ingest.useReaders(2);
  const storage = t.app.get<ObjectStore>(STORAGE);
  const files = Array.from({ length: 6 }, (_, i) => ({ name: `outage${i}.xml`, bytes: invoiceXbrl({ number: 700 + i }) }));
  const { batchId } = await ingest.openBatch(folder({ unitId: unitA.id }), files.map((f) => ({ filename: f.name, sourceRef: f.name, sha256: sha256Of(f.bytes), size: f.bytes.length })));
  const byName = new Map(files.map((f) => [f.name, f.bytes]));
  const load = async (it: { filename: string }) => byName.get(it.filename)!;
  const vouchersBefore = await count('voucher');
  const putMany = storage.putMany.bind(storage);
  // The second chunk's store fails — picked by its files, not by call order: two chunks' stores run side by side
  // and either may reach the store first.
  storage.putMany = async (...args: Parameters<ObjectStore['putMany']>) => {
    if (args[0].some((e) => e.options.filename === 'outage2.xml')) throw Object.assign(new Error('object store unreachable'), { code: 'storage_failed' });
    return putMany(...args);
  };
  try {
    await expect(ingest.runBatch(batchId, folder({ unitId: unitA.id }), load, { chunkSize: 2 })).rejects.toThrow('object store unreachable');
  } finally {
    storage.putMany = putMany;
  }
  const status = async () => (await t.db.selectFrom('ingest_item').select(['filename', 'status']).where('batch_id', '=', batchId).orderBy('seq').execute()).map((i) => [i.filename, i.status]);
  expect(await status()).toEqual(files.map((f, i) => [f.name, i < 2 ? 'done' : 'pending']));
  expect(await count('voucher')).toBe(vouchersBefore + 2);

  const again = await ingest.runBatch(batchId, folder({ unitId: unitA.id }), load, { chunkSize: 2 });
  expect(again.complete).toBe(true);
  expect(again.outcomes.map((o) => [o.filename, o.outcome])).toEqual(files.slice(2).map((f) => [f.name, 'created']));
  expect(await status()).toEqual(files.map((f) => [f.name, 'done']));
  expect(await count('voucher')).toBe(vouchersBefore + 6);
});

test('a reader thread that cannot store an original (the store folder broke mid-run) stops the run with the chunks before it recorded and the rest pending; running again completes it', async () => {
  ingest.useReaders(2);
  const storage = t.app.get<ObjectStore>(STORAGE);
  const root = storage.localFolder!();
  const tmp = path.join(root, '.tmp');
  const files = Array.from({ length: 6 }, (_, i) => ({ name: `thread-outage${i}.xml`, bytes: invoiceXbrl({ number: 720 + i }) }));
  const opts = folder({ unitId: unitA.id });
  const { batchId } = await ingest.openBatch(opts, files.map((f) => ({ filename: f.name, sourceRef: f.name, sha256: sha256Of(f.bytes), size: f.bytes.length })));
  const byName = new Map(files.map((f) => [f.name, f.bytes]));
  const vouchersBefore = await count('voucher');
  // The first item of the second chunk breaks the store before it is read: its temp folder becomes a plain file.
  const breaking = async (it: { filename: string }) => {
    if (it.filename === 'thread-outage2.xml' && !existsSync(`${tmp}-away`)) {
      renameSync(tmp, `${tmp}-away`);
      writeFileSync(tmp, 'not a folder');
    }
    return byName.get(it.filename)!;
  };
  const repair = () => {
    if (!existsSync(`${tmp}-away`)) return;
    rmSync(tmp, { force: true });
    renameSync(`${tmp}-away`, tmp);
  };
  afterOutage = repair;
  await expect(ingest.runBatch(batchId, opts, breaking, { chunkSize: 2 })).rejects.toThrow(/storing to .* failed: ENOTDIR/);
  const status = async () => (await t.db.selectFrom('ingest_item').select(['filename', 'status']).where('batch_id', '=', batchId).orderBy('seq').execute()).map((i) => [i.filename, i.status]);
  expect(await status()).toEqual(files.map((f, i) => [f.name, i < 2 ? 'done' : 'pending']));
  expect(await count('voucher')).toBe(vouchersBefore + 2);

  repair();
  const again = await ingest.runBatch(batchId, opts, async (it) => byName.get(it.filename)!, { chunkSize: 2 });
  expect(again.complete).toBe(true);
  expect(again.outcomes.map((o) => [o.filename, o.outcome])).toEqual(files.slice(2).map((f) => [f.name, 'created']));
  expect(await count('voucher')).toBe(vouchersBefore + 6);
  // Every original was stored by a reader thread and reads back whole, with its recorded digests and name.
  const stored = await t.db.selectFrom('voucher_file').select(['object_key', 'sha256', 'sm3', 'filename']).where('sha256', 'in', files.map((f) => sha256Of(f.bytes))).orderBy('filename').execute();
  expect(stored.map((f) => f.filename)).toEqual(files.map((f) => f.name));
  for (const f of stored) {
    expect(sha256Of(await storage.get(f.object_key))).toBe(f.sha256);
    expect(await storage.verify(f.object_key)).toMatchObject({ ok: true, sha256: f.sha256, sm3: f.sm3 });
  }
  const steps = await t.db.selectFrom('ingest_item').select(['steps']).where('batch_id', '=', batchId).orderBy('seq').execute();
  expect(steps.map((s) => (s.steps as { step: string; message?: string }[]).find((x) => x.step === 'store')?.message)).toEqual(files.map(() => expect.stringMatching(/^sha256\/.*; in the reader thread$/)));
});

test('the reader threads shutting down under a run (the server stopping) leave the unread items pending, none rejected; the next run completes them', async () => {
  ingest.useReaders(2);
  const files = Array.from({ length: 6 }, (_, i) => ({ name: `stopping${i}.xml`, bytes: invoiceXbrl({ number: 740 + i }) }));
  const opts = folder({ unitId: unitA.id });
  const { batchId } = await ingest.openBatch(opts, files.map((f) => ({ filename: f.name, sourceRef: f.name, sha256: sha256Of(f.bytes), size: f.bytes.length })));
  const byName = new Map(files.map((f) => [f.name, f.bytes]));
  let destroyed: Promise<void> | undefined;
  const stopping = async (it: { filename: string }) => {
    // What Nest does on SIGTERM while a push is in flight: the service's destroy hook closes the reader threads.
    if (it.filename === 'stopping2.xml') destroyed = ingest.onModuleDestroy();
    return byName.get(it.filename)!;
  };
  await expect(ingest.runBatch(batchId, opts, stopping, { chunkSize: 2 })).rejects.toMatchObject({ code: 'shutting_down', status: 503 });
  // Once the threads are gone, the next run gets new ones.
  await destroyed;
  const items = await t.db.selectFrom('ingest_item').select(['filename', 'status', 'outcome']).where('batch_id', '=', batchId).orderBy('seq').execute();
  expect(items.map((i) => [i.filename, i.status, i.outcome])).toEqual(files.map((f, i) => [f.name, i < 2 ? 'done' : 'pending', i < 2 ? 'created' : null]));
  const again = await ingest.runBatch(batchId, opts, async (it) => byName.get(it.filename)!, { chunkSize: 2 });
  expect(again.complete).toBe(true);
  expect(again.outcomes.map((o) => o.outcome)).toEqual(['created', 'created', 'created', 'created']);
});

test('a file whose reader error quotes a NUL is rejected with its reason; the chunk and the batch go on (PostgreSQL cannot store U+0000)', async () => {
  const nulJson = Buffer.from(`{${' '.repeat(600)}"a":\u0000}`, 'latin1');
  const r = await ingestFiles([
    { name: 'before-nul.xml', bytes: invoiceXbrl({ number: 760 }) },
    { name: 'nul.json', bytes: nulJson },
    { name: 'after-nul.xml', bytes: invoiceXbrl({ number: 761 }) },
  ]);
  expect(r.complete).toBe(true);
  expect(r.outcomes.map((o) => [o.filename, o.outcome])).toEqual([
    ['before-nul.xml', 'created'],
    ['nul.json', 'rejected'],
    ['after-nul.xml', 'created'],
  ]);
  expect(r.outcomes[1].message).toMatch(/^nul\.json: /);
  expect(r.outcomes[1].message).not.toContain('\u0000');
  const audit = await t.db.selectFrom('audit_log').select(['action']).where(sql`details->>'batchId'`, '=', r.batchId).orderBy('seq').execute();
  expect(audit.map((a) => a.action)).toEqual(['pool.ingest.created', 'pool.ingest.rejected', 'pool.ingest.created']);
  expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
});

test('pushed files of one group whose batch cannot be recorded go again one by one: only the file that fails alone gets the error', async () => {
  const repo = t.app.get(PoolRepository);
  const addItems = repo.addItems.bind(repo);
  // A failure of the group's own (an unforeseen database refusal) that a single file does not meet, except one.
  repo.addItems = async (trx, batchId, items) => {
    if (items.length > 1 || items[0].filename === 'refused.xml') throw new Error('value too long for the group');
    return addItems(trx, batchId, items);
  };
  try {
    const opts: BatchOptions = { channel: 'issuer', routing: { unitId: unitA.id, routableUnitIds: [unitA.id] }, actor: { type: 'system', id: null, name: 'test' } };
    const files = [...Array.from({ length: 5 }, (_, i) => ({ filename: `alone${i}.xml`, bytes: invoiceXbrl({ number: 770 + i }) })), { filename: 'refused.xml', bytes: invoiceXbrl({ number: 779 }) }];
    // The first push holds the lane, so the others wait and go as one group.
    const answers = await Promise.allSettled(files.map((f) => ingest.ingestOne(f, opts)));
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value.outcome : (a.reason as Error).message))).toEqual(['created', 'created', 'created', 'created', 'created', 'value too long for the group']);
  } finally {
    repo.addItems = addItems;
  }
});

test('push batches an outage left open are closed after an hour without progress; folder batches and recent pushes are left alone', async () => {
  const push: BatchOptions = { channel: 'issuer', routing: { unitId: unitA.id, routableUnitIds: [unitA.id] }, actor: { type: 'system', id: null, name: 'test' } };
  const item = (name: string, n: number) => {
    const bytes = invoiceXbrl({ number: n });
    return { filename: name, sourceRef: null, sha256: sha256Of(bytes), size: bytes.length };
  };
  const stale = await ingest.openBatch(push, [item('stale-a.xml', 780), item('stale-b.xml', 781)]);
  const recent = await ingest.openBatch(push, [item('recent.xml', 782)]);
  const folderBatch = await ingest.openBatch(folder({ unitId: unitA.id }), [item('folder.xml', 783)]);
  const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
  await t.db.updateTable('ingest_batch').set({ created_at: twoHoursAgo }).where('id', 'in', [stale.batchId, folderBatch.batchId]).execute();

  expect(await ingest.closeStalePushBatches()).toEqual({ closed: 1 });
  const status = async (id: string) => (await t.db.selectFrom('ingest_batch').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
  expect([await status(stale.batchId), await status(recent.batchId), await status(folderBatch.batchId)]).toEqual(['complete', 'open', 'open']);
  const items = await t.db.selectFrom('ingest_item').select(['filename', 'status', 'outcome', 'error_code']).where('batch_id', '=', stale.batchId).orderBy('seq').execute();
  expect(items.map((i) => [i.filename, i.status, i.outcome, i.error_code])).toEqual([
    ['stale-a.xml', 'done', 'rejected', 'batch_closed'],
    ['stale-b.xml', 'done', 'rejected', 'batch_closed'],
  ]);
  const audit = await t.db.selectFrom('audit_log').select(['action', 'actor_name']).where('target_id', '=', stale.batchId).execute();
  expect(audit).toEqual([{ action: 'pool.batch.close', actor_name: 'pool.batches.close-stale' }]);
  // Run again: nothing more to close.
  expect(await ingest.closeStalePushBatches()).toEqual({ closed: 0 });
  await t.db.updateTable('ingest_batch').set({ status: 'complete' }).where('id', 'in', [recent.batchId, folderBatch.batchId]).execute();
});

test('two runs of one batch at the same time (two ingests of one folder): each item is committed once, with one audit entry, and both runs report what was recorded', async () => {
  const files = Array.from({ length: 40 }, (_, i) => ({ name: `twice${i}.xml`, bytes: invoiceXbrl({ number: 800 + (i % 30) }) }));
  const opts = folder({ unitId: unitA.id });
  const { batchId } = await ingest.openBatch(opts, files.map((f) => ({ filename: f.name, sourceRef: f.name, sha256: sha256Of(f.bytes), size: f.bytes.length })));
  const byName = new Map(files.map((f) => [f.name, f.bytes]));
  const load = async (it: { filename: string }) => byName.get(it.filename)!;
  const vouchersBefore = await count('voucher');
  const [a, b] = await Promise.all([ingest.runBatch(batchId, opts, load, { chunkSize: 8 }), ingest.runBatch(batchId, opts, load, { chunkSize: 8 })]);
  const recorded = (await ingest.batchOutcomes(batchId)).map((o) => [o.filename, o.outcome, o.voucherId]);
  expect(recorded.filter((r) => r[1] === 'created')).toHaveLength(30);
  expect(recorded.filter((r) => r[1] === 'duplicate')).toHaveLength(10);
  for (const run of [a, b]) expect(run.outcomes.map((o) => [o.filename, o.outcome, o.voucherId])).toEqual(recorded);
  expect(await count('voucher')).toBe(vouchersBefore + 30);
  const audit = await t.db.selectFrom('audit_log').select(['target_id', 'action']).where(sql`details->>'batchId'`, '=', batchId).execute();
  expect(audit).toHaveLength(40);
  expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
});

test('a JSON voucher spelling a lone surrogate (\\ud800) is recorded with U+FFFD in its reading, not refused by the database', async () => {
  const raw = invoiceJson({ number: 900 }).toString('utf8');
  expect(raw).toContain('示例科技有限公司1');
  const bytes = Buffer.from(raw.replace('示例科技有限公司1', '示例\\ud800科技有限公司1'), 'utf8');
  const r = await ingestFiles([{ name: 'surrogate.json', bytes }]);
  expect(r.outcomes).toEqual([expect.objectContaining({ outcome: 'created', errorCode: null })]);
  const v = await t.db.selectFrom('voucher').select(['seller_name', 'search_text']).where('id', '=', r.outcomes[0].voucherId!).executeTakeFirstOrThrow();
  expect(v.seller_name).toBe('示例\ufffd科技有限公司1');
});

/**
 * The reimbursement state machine end to end over HTTP: signed receiver clients and people, every transition and
 * its 409s, release and expiry, and 240 concurrent claims of one voucher, each its own HTTP request on its own
 * connection (the server's pool spreads them over many database connections) — exactly one wins.
 */
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fixedClock } from '../../src/platform/clock/clock';
import { createFactory } from '../../src/formats/factory';
import { ClaimsService } from '../../src/modules/pool/claims/claims.service';
import { signRequest } from '../../src/platform/identity/sign-request';
import type { TestApp } from '../support/app';
import { call, createPoolTestApp, ingest, login, seedPoolOrg, signed, type Client } from './support';

const clock = fixedClock('2026-03-02T02:00:00.000Z');
let t: TestApp;
let seed: Awaited<ReturnType<typeof seedPoolOrg>>;
const factory = createFactory({ seed: 'pool-claims' });
const base = '/api/pool/receiver/vouchers';

beforeAll(async () => {
  t = await createPoolTestApp({ clock, env: { EVARCHIVE_API_KEY_WINDOW_SECONDS: '300' } });
  seed = await seedPoolOrg(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

async function newVoucher(): Promise<{ id: string; number: string }> {
  const f = factory.ofdInvoice({ kind: 'inv_ord' });
  const id = await ingest(t, seed.unitA.id, f.name, f.bytes);
  return { id, number: f.expected.invoiceNumber! };
}

const s = (c: Client, method: string, path: string, body?: unknown) => signed(t, clock, c, method, path, body);

test('claim → reimbursed → booked by signed clients; every step in the history and the audit log', async () => {
  const v = await newVoucher();
  const look = await s(seed.receiver, 'GET', `${base}?invoiceNumber=${v.number}`);
  expect(look.status).toBe(200);
  expect(look.json.items).toEqual([expect.objectContaining({ id: v.id, state: 'available', claim: null })]);

  const c = await s(seed.receiver, 'POST', `${base}/${v.id}/claim`, { reimbursementDocId: 'BX-2026-0001', claimantUser: '测试甲1' });
  expect(c.status).toBe(201);
  expect(c.json).toMatchObject({ voucherId: v.id, state: 'claimed', reimbursementDocId: 'BX-2026-0001', claimant: { type: 'client', name: '示例报销系统', user: '测试甲1' }, repeated: false });
  // Default expiry: 30 days.
  expect(c.json.expiresAt).toBe('2026-04-01T02:00:00.000Z');
  // The same document asking again gets its claim back (a retried request), not a conflict.
  const again = await s(seed.receiver, 'POST', `${base}/${v.id}/claim`, { reimbursementDocId: 'BX-2026-0001' });
  expect(again.status).toBe(201);
  expect(again.json).toMatchObject({ claimId: c.json.claimId, repeated: true });

  // Another unit's client does not see it at all.
  expect((await s(seed.otherUnit, 'POST', `${base}/${v.id}/claim`, { reimbursementDocId: 'X' })).status).toBe(404);
  // Booking straight from claimed is illegal and names the state.
  const early = await s(seed.accounting, 'POST', `${base}/${v.id}/booked`, { journalVoucherNumber: '记-0007', period: '2026-03', bookedAt: '2026-03-05', entries: [{ accountCode: '5001', accountName: '业务活动费用', debit: '1.00' }, { accountCode: '1002', accountName: '银行存款', credit: '1.00' }] });
  expect(early.status).toBe(409);
  expect(early.json).toMatchObject({ code: 'illegal_transition', details: { state: 'claimed', action: 'booked' } });
  expect(early.json.message).toContain('is claimed');
  // Only the holding document may mark it reimbursed.
  const wrongDoc = await s(seed.receiver, 'POST', `${base}/${v.id}/reimbursed`, { reimbursementDocId: 'BX-OTHER' });
  expect(wrongDoc.status).toBe(409);
  expect(wrongDoc.json.code).toBe('not_claim_holder');

  const r = await s(seed.receiver, 'POST', `${base}/${v.id}/reimbursed`, { reimbursementDocId: 'BX-2026-0001', amount: '113.00', reimbursedAt: '2026-03-03T01:00:00Z' });
  expect(r.status).toBe(200);
  expect(r.json).toMatchObject({ state: 'reimbursed', amount: '113.00' });

  const unbalanced = await s(seed.accounting, 'POST', `${base}/${v.id}/booked`, { journalVoucherNumber: '记-0007', period: '2026-03', bookedAt: '2026-03-05', entries: [{ accountCode: '5001', accountName: '业务活动费用', debit: '113.00' }, { accountCode: '1002', accountName: '银行存款', credit: '112.99' }] });
  expect(unbalanced.status).toBe(400);
  expect(unbalanced.json.code).toBe('unbalanced_entries');

  const entries = [
    { accountCode: '500101', accountName: '业务活动费用', subsidiaryName: '办公费', debit: '100.00' },
    { accountCode: '500102', accountName: '业务活动费用', subsidiaryName: '进项税额', debit: '13' },
    { accountCode: '100201', accountName: '银行存款', credit: '113.00' },
  ];
  const b = await s(seed.accounting, 'POST', `${base}/${v.id}/booked`, { journalVoucherNumber: '记-0007', period: '202603', bookedAt: '2026-03-05', summary: '报销办公用品', entries });
  expect([b.status, b.json.message]).toEqual([200, undefined]);
  expect(b.json).toMatchObject({ state: 'booked', journalVoucherNumber: '记-0007', period: '2026-03', debitTotal: '113.00', creditTotal: '113.00', receiverFiles: { configId: 'inv_ord_receiver' } });
  expect(b.json.entries[1]).toEqual({ direction: 'debit', accountCode: '500102', accountName: '业务活动费用', subsidiaryName: '进项税额', amount: '13.00' });

  // Anything after booked is illegal (except archiving, which is the archive's).
  const rel = await s(seed.receiver, 'POST', `${base}/${v.id}/release`, { reimbursementDocId: 'BX-2026-0001' });
  expect(rel.status).toBe(409);
  expect(rel.json.message).toContain('is booked');

  const d = await s(seed.receiver, 'GET', `${base}/${v.id}`);
  expect(d.status).toBe(200);
  expect(d.json.state).toBe('booked');
  expect(d.json.booking).toMatchObject({ journalVoucherNumber: '记-0007', period: '2026-03', bookedAt: '2026-03-05', debitTotal: '113.00', summary: '报销办公用品' });
  expect(d.json.booking.entries).toHaveLength(3);
  expect(d.json.claims).toEqual([expect.objectContaining({ reimbursementDocId: 'BX-2026-0001', status: 'booked', reimbursedAmount: '113.00' })]);
  expect(d.json.receiverFiles.map((f: any) => f.role).sort()).toEqual(['receiver_json', 'receiver_xbrl']);
  expect(d.json.history.map((e: any) => [e.action, e.fromState, e.toState])).toEqual([
    ['created', null, 'available'],
    ['claimed', 'available', 'claimed'],
    ['reimbursed', 'claimed', 'reimbursed'],
    ['booked', 'reimbursed', 'booked'],
  ]);
  expect(d.json.history[3].details).toMatchObject({ journalVoucherNumber: '记-0007', period: '2026-03', entries: expect.any(Array) });

  // Pool A's detail shows the state, the history and the receiver files too.
  const acc = await login(t, 'acc');
  const poolDetail = await call(t, 'GET', `/api/pool/vouchers/${v.id}`, { token: acc });
  expect(poolDetail.json.state).toBe('booked');
  expect(poolDetail.json.files.map((f: any) => f.role).sort()).toEqual(['original', 'receiver_json', 'receiver_xbrl']);

  // Pool A's CLI lists the state: `evarchive pool list --json`.
  const cli = spawnSync(process.execPath, [resolve(__dirname, '../../bin/evarchive.js'), 'pool', 'list', '--json', '--state', 'booked'], {
    env: { ...process.env, EVARCHIVE_DATA_DIR: t.config.dataDir, DATABASE_URL: t.testDb.url, EVARCHIVE_FROM_SRC: '1', EVARCHIVE_DEMO: 'false', EVARCHIVE_LOG_LEVEL: 'error' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect([cli.status, cli.stderr]).toEqual([0, '']);
  const listed = cli.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(listed).toEqual([expect.objectContaining({ id: v.id, state: 'booked' })]);

  const audit = await t.db.selectFrom('audit_log').select(['action']).where('target_id', '=', v.id).where('action', 'like', 'pool.voucher.%').orderBy('seq').execute();
  expect(audit.map((a) => a.action)).toEqual(['pool.voucher.claim', 'pool.voucher.reimbursed', 'pool.voucher.booked']);
});

test('people on the web: the clerk claims and releases on rejection; the accountant books; roles and units are enforced', async () => {
  const v = await newVoucher();
  const clerk = await login(t, 'clerk');
  const clerkB = await login(t, 'clerk_b');
  const acc = await login(t, 'acc');
  const ua = await login(t, 'ua');
  expect((await call(t, 'POST', `${base}/${v.id}/claim`, { token: clerkB, body: { reimbursementDocId: 'BX-B' } })).status).toBe(404);
  expect((await call(t, 'POST', `${base}/${v.id}/claim`, { token: ua, body: { reimbursementDocId: 'BX-UA' } })).status).toBe(403);
  const c = await call(t, 'POST', `${base}/${v.id}/claim`, { token: clerk, body: { reimbursementDocId: 'BX-WEB-1', expiresAt: '2026-03-09T00:00:00Z' } });
  expect(c.status).toBe(201);
  expect(c.json.claimant).toMatchObject({ type: 'user', name: 'clerk' });
  const rej = await call(t, 'POST', `${base}/${v.id}/release`, { token: clerk, body: { reason: 'rejected', note: '发票抬头不符' } });
  expect(rej.status).toBe(200);
  expect(rej.json.state).toBe('available');
  // Released: free for another document.
  expect((await call(t, 'POST', `${base}/${v.id}/claim`, { token: clerk, body: { reimbursementDocId: 'BX-WEB-2' } })).status).toBe(201);
  expect((await call(t, 'POST', `${base}/${v.id}/reimbursed`, { token: clerk, body: {} })).status).toBe(200);
  // The clerk may not book; the accountant may.
  const booking = { journalVoucherNumber: '记-0100', period: '2026-03', bookedAt: '2026-03-20', entries: [{ accountCode: '5001', accountName: '业务活动费用', debit: '5.00' }, { accountCode: '1002', accountName: '银行存款', credit: '5.00' }] };
  expect((await call(t, 'POST', `${base}/${v.id}/booked`, { token: clerk, body: booking })).status).toBe(403);
  expect((await call(t, 'POST', `${base}/${v.id}/booked`, { token: acc, body: booking })).status).toBe(200);
  const d = await call(t, 'GET', `${base}/${v.id}`, { token: acc });
  expect(d.json.claims.map((x: any) => [x.reimbursementDocId, x.status, x.endReason])).toEqual([
    ['BX-WEB-1', 'released', 'rejected'],
    ['BX-WEB-2', 'booked', 'booked'],
  ]);
});

test('an expired claim is released by the expiry job and the voucher can be claimed again', async () => {
  const v = await newVoucher();
  const c = await s(seed.receiver, 'POST', `${base}/${v.id}/claim`, { reimbursementDocId: 'BX-EXP', expiresAt: '2026-03-02T03:00:00Z' });
  expect(c.status).toBe(201);
  const svc = t.app.get(ClaimsService);
  expect(await svc.expireClaims()).toBe(0);
  clock.set('2026-03-02T03:00:01Z');
  try {
    expect(await svc.expireClaims()).toBe(1);
    const d = await s(seed.receiver, 'GET', `${base}/${v.id}`);
    expect(d.json.state).toBe('available');
    expect(d.json.history.at(-1)).toMatchObject({ action: 'claim_expired', fromState: 'claimed', toState: 'available', actor: { type: 'system' } });
    expect(d.json.claims[0]).toMatchObject({ status: 'expired' });
    expect((await s(seed.receiver, 'POST', `${base}/${v.id}/claim`, { reimbursementDocId: 'BX-EXP-2' })).status).toBe(201);
  } finally {
    clock.set('2026-03-02T02:00:00.000Z');
  }
});

test('240 concurrent claims of one voucher over separate connections: exactly one wins, the rest get already_claimed naming the holder', async () => {
  const v = await newVoucher();
  const N = 240;
  const path = `${base}/${v.id}/claim`;
  // Each request is its own HTTP request on its own TCP connection (agent: false), signed with its own nonce.
  const post = (body: string, headers: Record<string, string>) =>
    new Promise<{ status: number; json: any }>((resolve, reject) => {
      const req = http.request(`${t.url}${path}`, { method: 'POST', agent: false, headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  const results = await Promise.all(
    Array.from({ length: N }, (_, i) => {
      const body = JSON.stringify({ reimbursementDocId: `BX-RACE-${String(i).padStart(3, '0')}` });
      return post(body, signRequest({ keyId: seed.receiver.keyId, secret: seed.receiver.secret, method: 'POST', path, body, timestamp: clock.now() }));
    }),
  );
  const winners = results.filter((r) => r.status === 201);
  const losers = results.filter((r) => r.status === 409);
  expect(winners).toHaveLength(1);
  expect(losers).toHaveLength(N - 1);
  const holder = winners[0].json.reimbursementDocId;
  for (const l of losers) {
    expect(l.json.code).toBe('already_claimed');
    expect(l.json.details.holder.reimbursementDocId).toBe(holder);
    expect(l.json.message).toContain(holder);
  }
  const claims = await t.db.selectFrom('voucher_claim' as never).select(['reimbursement_doc_id' as never]).where('voucher_id' as never, '=', v.id as never).execute();
  expect(claims).toHaveLength(1);
  const events = await t.db.selectFrom('voucher_event').select('action').where('voucher_id', '=', v.id).where('action', '=', 'claimed').execute();
  expect(events).toHaveLength(1);
}, 120_000);

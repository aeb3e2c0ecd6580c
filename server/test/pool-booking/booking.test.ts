/**
 * Booking (入账) through matching: a journal voucher linked to pool vouchers — by an automatic link of a matching
 * run, or by a suggestion a person accepts — books them through the same path as the receiver API (write-back,
 * receiver XBRL + JSON stored and linked, event, audit, search document). A claimed voucher is not booked and the
 * reason is given; a link removed by a person undoes the booking it made, unless something else happened since.
 */
import { fixedClock } from '../../src/platform/clock/clock';
import { createFactory } from '../../src/formats/factory';
import { ClaimsService } from '../../src/modules/pool/claims/claims.service';
import { readXbrl } from '../../src/formats/xbrl';
import type { TestApp } from '../support/app';
import { call, createPoolTestApp, ingest, login, seedPoolOrg, signed, type Client } from '../pool-claims/support';

const clock = fixedClock('2026-03-20T02:00:00.000Z');
let t: TestApp;
let seed: Awaited<ReturnType<typeof seedPoolOrg>>;
let acc: string;
const factory = createFactory({ seed: 'pool-booking' });
const base = '/api/pool/receiver/vouchers';
const s = (c: Client, method: string, path: string, body?: unknown) => signed(t, clock, c, method, path, body);

type V = { id: string; number: string; amount: string };
const v: Record<string, V> = {};

beforeAll(async () => {
  t = await createPoolTestApp({ clock, env: { EVARCHIVE_API_KEY_WINDOW_SECONDS: '300' } });
  seed = await seedPoolOrg(t);
  acc = await login(t, 'acc');
  // 'corrected' first: the factory numbers invoices in sequence, and the mistyped number made from 'typo' (the last)
  // must not be another voucher's real number.
  for (const [name, day] of [
    ['corrected', '2026-03-06'],
    ['plain', '2026-03-02'],
    ['claimed', '2026-03-03'],
    ['reimbursed', '2026-03-04'],
    ['typo', '2026-03-05'],
  ] as const) {
    const f = factory.ofdInvoice({ kind: 'inv_ord', issueDate: day, buyer: { taxId: '91350100M000100Y43', name: '示例市测试局' } });
    v[name] = { id: await ingest(t, seed.unitA.id, f.name, f.bytes), number: f.expected.invoiceNumber!, amount: f.expected.totalAmount! };
  }
  // The reimbursement system holds one voucher (claimed) and has settled another (reimbursed).
  expect((await s(seed.receiver, 'POST', `${base}/${v.claimed.id}/claim`, { reimbursementDocId: 'BX-0002' })).status).toBe(201);
  expect((await s(seed.receiver, 'POST', `${base}/${v.reimbursed.id}/claim`, { reimbursementDocId: 'BX-0003' })).status).toBe(201);
  expect((await s(seed.receiver, 'POST', `${base}/${v.reimbursed.id}/reimbursed`, { reimbursementDocId: 'BX-0003', amount: v.reimbursed.amount })).status).toBe(200);

  const jv = (number: string, date: string, summary: string, amount: string) => ({
    number,
    date,
    summary,
    attachmentCount: 1,
    entries: [
      { accountCode: '500101', accountName: '业务活动费用-办公费', debit: amount },
      { accountCode: '100201', accountName: '银行存款-基本户', credit: amount },
    ],
  });
  const n = v.typo.number;
  const typo = n.slice(0, -2) + n.slice(-1) + n.slice(-2, -1);
  const imported = await s(seed.accounting, 'POST', '/api/ledger/journal-vouchers', {
    unit: 'A01',
    journalVouchers: [
      jv('0005', '2026-03-14', `报销差旅费 发票号${v.corrected.number}`, v.corrected.amount),
      jv('0001', '2026-03-10', `报销办公用品 发票号${v.plain.number}`, v.plain.amount),
      jv('0002', '2026-03-11', `报销印刷费 发票号${v.claimed.number}`, v.claimed.amount),
      jv('0003', '2026-03-12', `报销培训费 发票号${v.reimbursed.number}`, v.reimbursed.amount),
      jv('0004', '2026-03-13', `报销会议费 发票号${typo === n ? n.slice(0, -1) + ((Number(n.slice(-1)) + 1) % 10) : typo}`, v.typo.amount),
    ],
  });
  expect([imported.status, imported.json.created]).toEqual([200, 5]);
}, 180_000);
afterAll(async () => {
  await t?.close();
});

const detail = async (id: string) => (await call(t, 'GET', `${base}/${id}`, { token: acc })).json;

let run: any;
test('a matching run books the vouchers of its automatic links: available and reimbursed → booked with the journal voucher, receiver XBRL/JSON stored and linked', async () => {
  const r = await call(t, 'POST', '/api/matching/runs', { token: acc, body: { period: '2026-03', unit: 'A01' } });
  expect(r.status).toBe(200);
  run = r.json.units[0];
  expect([run.auto, run.suggestions]).toEqual([4, 1]);
  expect(run.booking).toMatchObject({ booked: 3, unbooked: 0, keptBooked: [] });
  expect((await detail(v.corrected.id)).booking.journalVoucherNumber).toBe('0005');

  // Straight from available (no reimbursement claim): normal for vouchers the reimbursement system never saw.
  const plain = await detail(v.plain.id);
  expect(plain.state).toBe('booked');
  expect(plain.booking).toMatchObject({ journalVoucherNumber: '0001', period: '2026-03', bookedAt: '2026-03-10', summary: `报销办公用品 发票号${v.plain.number}`, debitTotal: v.plain.amount, creditTotal: v.plain.amount, configId: 'inv_ord_receiver' });
  expect(plain.booking.entries).toEqual([
    { direction: 'debit', accountCode: '500101', accountName: '业务活动费用-办公费', amount: v.plain.amount },
    { direction: 'credit', accountCode: '100201', accountName: '银行存款-基本户', amount: v.plain.amount },
  ]);
  expect(plain.receiverFiles.map((f: any) => f.role).sort()).toEqual(['receiver_json', 'receiver_xbrl']);
  expect(plain.history.map((e: any) => [e.action, e.fromState, e.toState])).toEqual([
    ['created', null, 'available'],
    ['booked', 'available', 'booked'],
  ]);
  expect(plain.history[1].details).toMatchObject({ source: 'matching', journalVoucherNumber: '0001', linkId: expect.any(String) });
  // The receiver file carries the journal voucher number and the entries, like one the receiver API writes.
  const xbrlFile = plain.receiverFiles.find((f: any) => f.role === 'receiver_xbrl');
  const bytes = Buffer.from(await (await fetch(`${t.url}/api/pool/files/${xbrlFile.id}`, { headers: { authorization: `Bearer ${acc}` } })).arrayBuffer());
  const xbrl = bytes.toString('utf8');
  expect(xbrl).toContain(v.plain.number);
  expect(xbrl).toMatch(/>0001</);
  expect(xbrl).toMatch(/>500101</);
  const read = readXbrl(bytes);
  expect([read.configId, read.role]).toEqual(['inv_ord_receiver', 'receiver']);

  // Reimbursed → booked closes the reimbursement claim, as the receiver API does.
  const reimbursed = await detail(v.reimbursed.id);
  expect(reimbursed.state).toBe('booked');
  expect(reimbursed.booking.journalVoucherNumber).toBe('0003');
  expect(reimbursed.claims).toEqual([expect.objectContaining({ reimbursementDocId: 'BX-0003', status: 'booked' })]);
  expect(reimbursed.history.map((e: any) => e.action)).toEqual(['created', 'claimed', 'reimbursed', 'booked']);

  const audit = await t.db.selectFrom('audit_log').select(['action', 'actor_name']).where('target_id', '=', v.plain.id).where('action', '=', 'pool.voucher.booked').execute();
  expect(audit).toEqual([{ action: 'pool.voucher.booked', actor_name: 'acc' }]);
}, 120_000);

test('a voucher claimed by a reimbursement document is not booked behind its back: the run and the voucher history say why', async () => {
  expect(run.booking.notBooked).toEqual([
    expect.objectContaining({ voucherId: v.claimed.id, journalVoucherNumber: '0002', code: 'claimed', reason: expect.stringContaining('claimed by reimbursement document BX-0002') }),
  ]);
  const d = await detail(v.claimed.id);
  expect(d.state).toBe('claimed');
  expect(d.booking).toBeNull();
  const refused = d.history.filter((e: any) => e.action === 'booking_refused');
  expect(refused).toHaveLength(1);
  expect(refused[0].details).toMatchObject({ code: 'claimed', journalVoucherNumber: '0002' });

  // Running again repeats the reason in the answer but not in the voucher's history; once the reimbursement
  // system marks it reimbursed, the next run books it.
  const again = await call(t, 'POST', '/api/matching/runs', { token: acc, body: { period: '2026-03', unit: 'A01' } });
  expect(again.json.units[0].booking).toMatchObject({ booked: 0, notBooked: [expect.objectContaining({ code: 'claimed' })] });
  expect((await detail(v.claimed.id)).history.filter((e: any) => e.action === 'booking_refused')).toHaveLength(1);
  expect((await s(seed.receiver, 'POST', `${base}/${v.claimed.id}/reimbursed`, { reimbursementDocId: 'BX-0002' })).status).toBe(200);
  const third = await call(t, 'POST', '/api/matching/runs', { token: acc, body: { period: '2026-03', unit: 'A01' } });
  expect(third.json.units[0].booking).toMatchObject({ booked: 1, notBooked: [] });
  expect(await detail(v.claimed.id)).toMatchObject({ state: 'booked', booking: { journalVoucherNumber: '0002' } });
}, 120_000);

test('a suggestion accepted by a person books its voucher; the answer says so', async () => {
  const sugg = await call(t, 'GET', '/api/matching/suggestions?period=2026-03', { token: acc });
  expect(sugg.json).toHaveLength(1);
  expect(sugg.json[0].voucherId).toBe(v.typo.id);
  expect((await detail(v.typo.id)).state).toBe('available');
  const a = await call(t, 'POST', `/api/matching/links/${sugg.json[0].id}/accept`, { token: acc, body: { reason: '发票号录入错误，已核对原件' } });
  expect(a.status).toBe(200);
  expect(a.json.booking).toEqual({ booked: 1, unbooked: 0, notBooked: [], keptBooked: [] });
  expect(await detail(v.typo.id)).toMatchObject({ state: 'booked', booking: { journalVoucherNumber: '0004' } });
}, 60_000);

test('a person removing the link undoes the booking it made (back to the earlier state, claim live again, receiver files unlinked); a re-run leaves it so', async () => {
  const links = (await call(t, 'GET', `/api/matching/vouchers/${v.plain.id}/journal-vouchers`, { token: acc })).json.journalVouchers;
  const r = await call(t, 'POST', `/api/matching/links/${links[0].link.id}/reject`, { token: acc, body: { reason: '不是这张发票' } });
  expect(r.status).toBe(200);
  expect(r.json.booking).toMatchObject({ booked: 0, unbooked: 1, keptBooked: [] });
  const d = await detail(v.plain.id);
  expect(d).toMatchObject({ state: 'available', booking: null, receiverFiles: [] });
  expect(d.history.map((e: any) => [e.action, e.fromState, e.toState]).slice(-1)).toEqual([['unbooked', 'booked', 'available']]);
  expect(d.history.at(-1).details).toMatchObject({ journalVoucherNumber: '0001', reason: 'link rejected by acc: 不是这张发票' });
  const files = await t.db.selectFrom('voucher_file').select('role').where('voucher_id', '=', v.plain.id).execute();
  expect(files.map((f) => f.role)).toEqual(['original']);

  const rerun = await call(t, 'POST', '/api/matching/runs', { token: acc, body: { period: '2026-03', unit: 'A01' } });
  expect(rerun.json.units[0].booking).toMatchObject({ booked: 0, unbooked: 0 });
  expect((await detail(v.plain.id)).state).toBe('available');

  // From reimbursed: the claim is live again, so the reimbursement system's view is as before the booking.
  const l3 = (await call(t, 'GET', `/api/matching/vouchers/${v.reimbursed.id}/journal-vouchers`, { token: acc })).json.journalVouchers;
  // Something else happened first: the voucher was archived with its volume. The booking is kept, with the reason.
  const claims = t.app.get(ClaimsService);
  await t.db.transaction().execute((trx) => claims.markArchived([v.claimed.id], trx, 'system'));
  const lc = (await call(t, 'GET', `/api/matching/vouchers/${v.claimed.id}/journal-vouchers`, { token: acc })).json.journalVouchers;
  const kept = await call(t, 'POST', `/api/matching/links/${lc[0].link.id}/reject`, { token: acc, body: { reason: '核对有误' } });
  expect(kept.json.booking).toMatchObject({ unbooked: 0, keptBooked: [expect.objectContaining({ voucherId: v.claimed.id, code: 'moved_on', reason: expect.stringContaining('is archived') })] });
  expect(await detail(v.claimed.id)).toMatchObject({ state: 'archived', booking: { journalVoucherNumber: '0002' } });

  const r3 = await call(t, 'POST', `/api/matching/links/${l3[0].link.id}/reject`, { token: acc, body: { reason: '重复报销' } });
  expect(r3.json.booking).toMatchObject({ unbooked: 1 });
  const d3 = await detail(v.reimbursed.id);
  expect(d3.state).toBe('reimbursed');
  expect(d3.claim).toMatchObject({ reimbursementDocId: 'BX-0003', status: 'reimbursed' });
}, 120_000);

test('a journal voucher corrected so that the rules no longer link it: the next run undoes the booking it made', async () => {
  const changed = await s(seed.accounting, 'POST', '/api/ledger/journal-vouchers', {
    unit: 'A01',
    reason: '摘要更正：不是这张发票',
    journalVouchers: [
      {
        number: '0005',
        date: '2026-03-14',
        summary: '报销差旅费',
        attachmentCount: 1,
        entries: [
          { accountCode: '500101', accountName: '业务活动费用-办公费', debit: '1.23' },
          { accountCode: '100201', accountName: '银行存款-基本户', credit: '1.23' },
        ],
      },
    ],
  });
  expect(changed.json).toMatchObject({ updated: 1 });
  const r = await call(t, 'POST', '/api/matching/runs', { token: acc, body: { period: '2026-03', unit: 'A01' } });
  expect(r.json.units[0].removed).toBe(1);
  expect(r.json.units[0].booking).toMatchObject({ unbooked: 1, booked: 0 });
  const d = await detail(v.corrected.id);
  expect(d).toMatchObject({ state: 'available', booking: null });
  expect(d.history.at(-1)).toMatchObject({ action: 'unbooked', fromState: 'booked', toState: 'available', details: { journalVoucherNumber: '0005', reason: 'the matching rules no longer link it' } });
}, 120_000);

test('impossible calendar dates in the receiver API are 400s naming the field (Date.parse would read 1 May / 2 March)', async () => {
  const claim = await s(seed.receiver, 'POST', `${base}/${v.plain.id}/claim`, { reimbursementDocId: 'BX-0009', expiresAt: '2026-04-31T10:00:00Z' });
  expect([claim.status, claim.json.details?.field]).toEqual([400, 'expiresAt']);
  const entries = [
    { accountCode: '5001', accountName: '业务活动费用', debit: v.reimbursed.amount },
    { accountCode: '1002', accountName: '银行存款', credit: v.reimbursed.amount },
  ];
  const booked = await s(seed.accounting, 'POST', `${base}/${v.reimbursed.id}/booked`, { journalVoucherNumber: '记-0099', period: '2026-02', bookedAt: '2026-02-30', entries });
  expect([booked.status, booked.json.details?.field]).toEqual([400, 'bookedAt']);
  expect((await detail(v.reimbursed.id)).state).toBe('reimbursed');
}, 60_000);

test('the receiver API books a voucher that never entered a reimbursement (available → booked), through the same routine', async () => {
  expect((await detail(v.plain.id)).state).toBe('available');
  const entries = [
    { accountCode: '500101', accountName: '业务活动费用-办公费', debit: v.plain.amount },
    { accountCode: '100201', accountName: '银行存款-基本户', credit: v.plain.amount },
  ];
  const b = await s(seed.accounting, 'POST', `${base}/${v.plain.id}/booked`, { journalVoucherNumber: '记-0101', period: '2026-03', bookedAt: '2026-03-21', entries });
  expect(b.status).toBe(200);
  expect(b.json).toMatchObject({ state: 'booked', reimbursementDocId: null, receiverFiles: { configId: 'inv_ord_receiver' } });
  const d = await detail(v.plain.id);
  expect(d.history.at(-1)).toMatchObject({ action: 'booked', fromState: 'available', toState: 'booked' });
  expect(d.receiverFiles.map((f: any) => f.role).sort()).toEqual(['receiver_json', 'receiver_xbrl']);
}, 60_000);

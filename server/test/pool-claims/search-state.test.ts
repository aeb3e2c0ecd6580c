/**
 * The archive search index follows the reimbursement states: every claim, release, reimbursement and booking
 * re-projects the voucher's search document in the same transaction, so searching by state answers current states.
 */
import { fixedClock } from '../../src/platform/clock/clock';
import { createFactory } from '../../src/formats/factory';
import type { TestApp } from '../support/app';
import { call, createPoolTestApp, ingest, login, seedPoolOrg, signed } from './support';

const clock = fixedClock('2026-03-02T02:00:00.000Z');
let t: TestApp;
let seed: Awaited<ReturnType<typeof seedPoolOrg>>;
let acc: string;
const factory = createFactory({ seed: 'pool-search-state' });
const base = '/api/pool/receiver/vouchers';

beforeAll(async () => {
  t = await createPoolTestApp({ clock, env: { EVARCHIVE_API_KEY_WINDOW_SECONDS: '300' } });
  seed = await seedPoolOrg(t);
  acc = await login(t, 'acc');
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** The voucher ids the archive search finds in a state (docType voucher), and the state facet of the unit. */
async function byState(state: string): Promise<string[]> {
  const r = await call(t, 'GET', `/api/search?docType=voucher&state=${state}&limit=50`, { token: acc });
  expect(r.status).toBe(200);
  return r.json.hits.map((h: any) => h.sourceId).sort();
}

test('searching by state finds each voucher in the state it is in now', async () => {
  const a = factory.ofdInvoice({ kind: 'inv_ord' });
  const b = factory.ofdInvoice({ kind: 'inv_ord' });
  const va = await ingest(t, seed.unitA.id, a.name, a.bytes);
  const vb = await ingest(t, seed.unitA.id, b.name, b.bytes);
  expect(await byState('available')).toEqual([va, vb].sort());

  const s = (path: string, body: unknown) => signed(t, clock, seed.receiver, 'POST', `${base}/${path}`, body);
  expect((await s(`${va}/claim`, { reimbursementDocId: 'BX-1' })).status).toBe(201);
  expect((await s(`${vb}/claim`, { reimbursementDocId: 'BX-2' })).status).toBe(201);
  expect(await byState('available')).toEqual([]);
  expect(await byState('claimed')).toEqual([va, vb].sort());

  expect((await s(`${vb}/release`, { reimbursementDocId: 'BX-2', reason: 'rejected' })).status).toBe(200);
  expect((await s(`${va}/reimbursed`, { reimbursementDocId: 'BX-1' })).status).toBe(200);
  expect(await byState('available')).toEqual([vb]);
  expect(await byState('reimbursed')).toEqual([va]);

  const entries = [
    { accountCode: '5001', accountName: '业务活动费用', debit: a.expected.totalAmount },
    { accountCode: '1002', accountName: '银行存款', credit: a.expected.totalAmount },
  ];
  const booked = await signed(t, clock, seed.accounting, 'POST', `${base}/${va}/booked`, { journalVoucherNumber: '记-0001', period: '2026-03', bookedAt: '2026-03-02', entries });
  expect(booked.status).toBe(200);
  expect(await byState('reimbursed')).toEqual([]);
  expect(await byState('booked')).toEqual([va]);
  const doc = await t.db.selectFrom('search_document').select(['state']).where('id', '=', `voucher:${va}`).executeTakeFirstOrThrow();
  expect(doc.state).toBe('booked');
}, 120_000);

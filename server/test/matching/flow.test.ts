/**
 * The whole path on a real database: an accounting system posts journal vouchers (signed API key), a person
 * uploads a CSV, vouchers sit in the pool, matching runs, a suggestion is rejected and one accepted, the
 * evidence chain is read both ways, and the bank reconciliation balances.
 */
import { fixedClock } from '../../src/platform/clock/clock';
import { OrgService } from '../../src/platform/identity/org.service';
import { UserService } from '../../src/platform/identity/user.service';
import { signRequest } from '../../src/platform/identity/sign-request';
import { createTestApp, type TestApp } from '../support/app';

const clock = fixedClock('2025-04-02T08:00:00.000Z', 1000);
let t: TestApp;
let token: string;
let client: { keyId: string; secret: string };
let unitId: string;

async function call(method: string, path: string, opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${t.url}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

function signedPost(path: string, payload: unknown) {
  const body = JSON.stringify(payload);
  const headers = signRequest({ keyId: client.keyId, secret: client.secret, method: 'POST', path, body, timestamp: clock.now() });
  return fetch(`${t.url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body }).then(async (r) => ({ status: r.status, json: await r.json() }));
}

const entries = (amount: string, counterparty: string, extra: Record<string, string> = {}) => [
  { accountCode: '500101', accountName: '业务活动费用-办公费', debit: amount },
  { accountCode: '100201', accountName: '银行存款-基本户', credit: amount, counterparty, ...extra },
];

const batch = {
  unit: 'A01',
  journalVouchers: [
    { number: '0001', date: '2025-03-05', summary: '报销办公用品 发票号25310000000000001234', attachmentCount: 1, maker: '测试甲1', entries: entries('1130.00', '示例办公设备有限公司1', { counterpartyAccount: '6222000000000000111' }) },
    { number: '0002', date: '2025-03-08', summary: '报销会议费 发票号12345687', attachmentCount: 1, entries: entries('2400.00', '示例会议服务有限公司2') },
    {
      number: '0003',
      date: '2025-03-10',
      summary: '收到非税收入',
      references: { paymentCodes: ['20250000000000000777'] },
      entries: [
        { accountCode: '100201', accountName: '银行存款-基本户', debit: '500.00' },
        { accountCode: '2103', accountName: '应缴财政款', credit: '500.00' },
      ],
    },
  ],
};

beforeAll(async () => {
  t = await createTestApp({ jobs: false, logger: false, clock });
  const org = t.app.get(OrgService);
  const unit = await org.createUnit('system', { code: 'A01', name: '示例市测试局' });
  unitId = unit.id;
  const users = t.app.get(UserService);
  await users.create('system', { username: 'acc', password: 'correct horse 1', roles: [{ role: 'accountant', unitCode: 'A01' }] });
  await users.create('system', { username: 'root', password: 'correct horse 1', roles: [{ role: 'system_admin' }] });
  token = (await call('POST', '/api/auth/login', { body: { username: 'acc', password: 'correct horse 1' } })).json.token;
  const admin = (await call('POST', '/api/auth/login', { body: { username: 'root', password: 'correct horse 1' } })).json.token;
  const c = await call('POST', '/api/admin/api-clients', { token: admin, body: { name: '示例核算系统', role: 'accounting_system', unitCodes: ['A01'] } });
  expect(c.status).toBe(201);
  client = c.json;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

async function poolVoucher(kind: string, v: Record<string, unknown>, columns: Record<string, unknown> = {}): Promise<string> {
  const data = { kind, lineItems: [], extra: {}, sources: {}, signatures: [], signatureVerdict: 'valid', warnings: [], ...v };
  const r = await t.db
    .insertInto('voucher')
    .values({
      unit_id: unitId,
      kind,
      identity_key: `${kind}:${Math.random()}`,
      data: JSON.stringify(data),
      signature_verdict: 'valid',
      issue_date: (v.issueDate as string) ?? null,
      invoice_number: (v.invoiceNumber as string) ?? null,
      total_amount: (v.totalAmount as string) ?? null,
      seller_name: (v.sellerName as string) ?? null,
      created_at: new Date(),
      updated_at: new Date(),
      ...columns,
    } as any)
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

test('an accounting system posts a batch; a re-post is idempotent; a change is a new version with a reason', async () => {
  const first = await signedPost('/api/ledger/journal-vouchers', batch);
  expect(first.status).toBe(200);
  expect(first.json).toMatchObject({ vouchers: 3, created: 3, updated: 0, unchanged: 0, units: ['A01'], periods: ['2025-03'] });
  const again = await signedPost('/api/ledger/journal-vouchers', batch);
  expect(again.json).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
  const changed = structuredClone(batch);
  changed.journalVouchers[0].attachmentCount = 2;
  const third = await signedPost('/api/ledger/journal-vouchers', { ...changed, reason: '补充附件' });
  expect(third.json).toMatchObject({ created: 0, updated: 1, unchanged: 2, changes: [{ number: '0001', version: 2, reason: '补充附件' }] });
  const list = await call('GET', '/api/ledger/journal-vouchers?period=2025-03', { token });
  expect(list.json.items.map((i: any) => i.number)).toEqual(['0001', '0002', '0003']);
  const detail = await call('GET', `/api/ledger/journal-vouchers/${list.json.items[0].id}`, { token });
  expect(detail.json.versions.map((v: any) => [v.version, v.reason])).toEqual([
    [1, null],
    [2, '补充附件'],
  ]);
});

test('an unbalanced voucher or a bad row rejects the whole import with row and column, storing nothing', async () => {
  const bad = {
    unit: 'A01',
    journalVouchers: [
      { number: '0100', date: '2025-03-20', summary: '好的', entries: entries('10.00', 'x') },
      { number: '0101', date: '2025-03-20', summary: '不平', entries: [{ accountCode: '5001', accountName: '费用', debit: '10.00' }, { accountCode: '1002', accountName: '银行存款', credit: '9.99' }] },
      { number: '0102', date: '2025-02-30', summary: '坏日期', entries: entries('1.00', 'y') },
    ],
  };
  const r = await signedPost('/api/ledger/journal-vouchers', bad);
  expect(r.status).toBe(400);
  expect(r.json.code).toBe('import_rejected');
  expect(r.json.details.errors).toEqual([
    { row: 2, column: '/debit', problem: 'debits 10.00 ≠ credits 9.99 in voucher 0101', code: 'unbalanced', params: { debit: '10.00', credit: '9.99', number: '0101' } },
    { row: 3, column: '/date', problem: 'not a date: "2025-02-30" (use YYYY-MM-DD)', code: 'bad_date', params: { value: '2025-02-30' } },
  ]);
  const list = await call('GET', '/api/ledger/journal-vouchers?period=2025-03&number=0100', { token });
  expect(list.json.items).toEqual([]);
});

test('a person uploads a CSV ledger (one row per entry, Chinese headers)', async () => {
  const csv = [
    '凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,往来单位,对方账号,附件数,制单,审核,记账,银行流水号',
    '0004,2025-03-12,支付示例物业服务有限公司3物业费,500104,业务活动费用-物业管理费,"3,000.00",,,,1,测试甲1,测试乙2,测试丙3,HX2025031200001',
    '0004,2025-03-12,支付示例物业服务有限公司3物业费,100201,银行存款-基本户,,3000.00,示例物业服务有限公司3,6222000000000000999,1,测试甲1,测试乙2,测试丙3,',
  ].join('\r\n');
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'ledger.csv');
  const res = await fetch(`${t.url}/api/ledger/imports`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const json = await res.json();
  expect(res.status).toBe(200);
  expect(json).toMatchObject({ created: 1, units: ['A01'] });

  const bad = csv.replace('3000.00,示例', '3000.0x,示例');
  const form2 = new FormData();
  form2.append('file', new Blob([bad], { type: 'text/csv' }), 'ledger.csv');
  const r2 = await fetch(`${t.url}/api/ledger/imports`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form2 });
  expect(r2.status).toBe(400);
  expect((await r2.json()).details.errors).toEqual([{ row: 3, column: '贷方金额', problem: 'not an amount: "3000.0x"', code: 'not_amount', params: { value: '3000.0x' } }]);
});

test('match, decide suggestions, read the chain both ways, reconcile the bank account', async () => {
  const inv = await poolVoucher('einv_ord', { invoiceNumber: '25310000000000001234', issueDate: '2025-03-01', totalAmount: '1130.00', sellerName: '示例办公设备有限公司1' });
  const typo = await poolVoucher('inv_ord', { invoiceNumber: '12345678', issueDate: '2025-03-02', totalAmount: '2400.00', sellerName: '示例会议服务有限公司2' });
  const ntrev = await poolVoucher('ntrev', { invoiceNumber: '0000000777', issueDate: '2025-03-09', totalAmount: '500.00', extra: { paymentCode: '20250000000000000777' } });
  const statement = await poolVoucher('bkrs', {
    issueDate: '2025-03-31',
    extra: {
      statementLines: [
        { bookkeepingDate: '2025-03-05', serialNumber: 'S1', creditOrDebit: '借', amount: '1130.00', balance: '8870.00', counterpartyAccount: '6222000000000000111' },
        { bookkeepingDate: '2025-03-10', serialNumber: 'S2', creditOrDebit: '贷', amount: '500.00', balance: '9370.00' },
        { bookkeepingDate: '2025-03-12', serialNumber: 'HX2025031200001', creditOrDebit: '借', amount: '3000.00', balance: '6370.00', counterpartyAccount: '6222000000000000999' },
        { bookkeepingDate: '2025-03-31', serialNumber: 'S4', creditOrDebit: '贷', amount: '12.34', balance: '6382.34' },
      ],
    },
  });

  const run = await call('POST', '/api/matching/runs', { token, body: { period: '2025-03', unit: 'A01' } });
  expect(run.status).toBe(200);
  const u = run.json.units[0];
  // Auto: the invoice by number, the ntrev by 缴款码, statement lines 1 and 3 by amount + date + account/serial.
  // Suggestions: 0002 cites 12345687 (a typo of 12345678); line 2 agrees with 0003 in amount and date only.
  expect(u.auto).toBe(4);
  expect(u.suggestions).toBe(2);
  expect(u.unmatchedVouchers.map((v: any) => v.id)).toEqual([`${statement}#3`]);

  const sugg = await call('GET', '/api/matching/suggestions?period=2025-03', { token });
  expect(sugg.json).toHaveLength(2);
  const typoLink = sugg.json.find((l: any) => l.voucherId === typo);
  expect(typoLink.ruleId).toBe('invoice-number-typo');
  // Explanations: structured (condition id, message code, values) with text in the reader's language, zh-CN by default.
  const number = typoLink.explanation.find((o: any) => o.condition === 'number');
  expect(number).toMatchObject({ passed: true, exact: false, reason: { code: 'fuzzy.edits', values: { journal: '12345687', voucher: '12345678', edits: 1 } } });
  expect(number.text).toBe('记账凭证发票号码 “12345687” 与票据发票号码 “12345678” 相差 1 个字符');
  expect(typoLink.notes).toEqual([{ code: 'note.maxTier', values: { rule: 'invoice-number-typo' }, text: '规则 invoice-number-typo 只提出建议，从不自动关联' }]);
  const english = await call('GET', '/api/matching/suggestions?period=2025-03', { token, headers: { 'accept-language': 'en-GB,en;q=0.9' } });
  const typoEn = english.json.find((l: any) => l.voucherId === typo);
  expect(typoEn.explanation.find((o: any) => o.condition === 'number').text).toBe('journal invoice number "12345687" is 1 edit(s) from voucher invoice number "12345678"');
  expect(typoEn.notes[0].text).toBe('rule invoice-number-typo never links automatically');
  const lineLink = sugg.json.find((l: any) => l.statementLine === 1);

  const noReason = await call('POST', `/api/matching/links/${lineLink.id}/reject`, { token, body: {} });
  expect(noReason.status).toBe(400);
  expect((await call('POST', `/api/matching/links/${typoLink.id}/accept`, { token, body: { reason: '发票号录入错误，已核对' } })).status).toBe(200);
  expect((await call('POST', `/api/matching/links/${lineLink.id}/accept`, { token, body: {} })).status).toBe(200);
  const twice = await call('POST', `/api/matching/links/${typoLink.id}/reject`, { token, body: { reason: 'x' } });
  expect(twice.status).toBe(409);

  // A second run keeps the decisions.
  const rerun = await call('POST', '/api/matching/runs', { token, body: { period: '2025-03', unit: 'A01' } });
  expect(rerun.json.units[0]).toMatchObject({ auto: 4, suggestions: 0, kept: 2 });

  const journals = (await call('GET', '/api/ledger/journal-vouchers?period=2025-03', { token })).json.items;
  const j1 = journals.find((j: any) => j.number === '0001');
  const chain = await call('GET', `/api/ledger/journal-vouchers/${j1.id}/chain`, { token });
  expect(chain.status).toBe(200);
  const invLink = chain.json.links.find((l: any) => l.voucherId === inv);
  expect(invLink).toMatchObject({ tier: 'auto', status: 'active', score: 100, ruleId: 'invoice-number', ruleVersion: 1 });
  expect(invLink.voucher).toMatchObject({ kind: 'einv_ord', invoiceNumber: '25310000000000001234', totalAmount: '1130.00' });
  expect(invLink.explanation.map((o: any) => [o.condition, o.passed])).toEqual([
    ['number', true],
    ['amount', true],
    ['date', true],
  ]);
  expect(chain.json.links.some((l: any) => l.voucherId === statement && l.statementLine === 0)).toBe(true);

  const back = await call('GET', `/api/matching/vouchers/${ntrev}/journal-vouchers`, { token });
  expect(back.json.journalVouchers.map((x: any) => [x.journalVoucher.number, x.link.ruleId])).toEqual([['0003', 'payment-code']]);

  const recon = await call('GET', '/api/matching/reconciliation?unit=A01&period=2025-03', { token });
  expect(recon.status).toBe(200);
  expect(recon.json).toMatchObject({
    bookOpening: '10000.00',
    bookOpeningSource: 'bank-opening',
    bookBalance: '3970.00',
    bankBalance: '6382.34',
    bankReceivedNotBooked: [{ amount: '12.34', reference: 'S4' }],
    bankPaidNotBooked: [],
    bookReceivedNotBank: [],
    // 0002 paid 2400.00 from the bank account; the bank has not booked it yet.
    bookPaidNotBank: [{ amount: '2400.00', reference: '0002' }],
    adjustedBookBalance: '3982.34',
    adjustedBankBalance: '3982.34',
    balanced: true,
  });
  const xlsx = await fetch(`${t.url}/api/matching/reconciliation.xlsx?unit=A01&period=2025-03`, { headers: { authorization: `Bearer ${token}` } });
  expect(xlsx.status).toBe(200);
  const bytes = new Uint8Array(await xlsx.arrayBuffer());
  expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b]);

  const audit = await t.db.selectFrom('audit_log').select(['action']).where('action', 'like', 'matching.%').execute();
  expect(audit.map((a) => a.action).sort()).toEqual(['matching.link.accept', 'matching.link.accept', 'matching.run', 'matching.run']);
});

test('an invoice booked years after it was issued is found by the number its journal voucher cites, and linked with the date against it', async () => {
  const old = await poolVoucher('inv_ord', { invoiceNumber: '22310000000000009876', issueDate: '2022-06-15', totalAmount: '880.00', sellerName: '示例印刷有限公司4' });
  // Issued the same day, never cited: it stays out of the run (only cited numbers are looked up beyond the window).
  await poolVoucher('inv_ord', { invoiceNumber: '22310000000000009877', issueDate: '2022-06-15', totalAmount: '880.00', sellerName: '示例印刷有限公司4' });
  const late = await signedPost('/api/ledger/journal-vouchers', {
    unit: 'A01',
    journalVouchers: [{ number: '0001', date: '2025-04-03', summary: '补报2022年印刷费 发票号22310000000000009876', attachmentCount: 1, entries: entries('880.00', '示例印刷有限公司4') }],
  });
  expect(late.status).toBe(200);
  const run = await call('POST', '/api/matching/runs', { token, body: { period: '2025-04', unit: 'A01' } });
  expect(run.status).toBe(200);
  expect(run.json.units[0]).toMatchObject({ journals: 1, auto: 1, suggestions: 0, unmatchedJournals: [] });
  const list = await call('GET', '/api/ledger/journal-vouchers?period=2025-04', { token });
  const chain = await call('GET', `/api/ledger/journal-vouchers/${list.json.items[0].id}/chain`, { token });
  expect(chain.json.links.map((l: any) => [l.voucherId, l.tier, l.ruleId, l.score])).toEqual([[old, 'auto', 'invoice-number', 90]]);
  const byCondition = Object.fromEntries(chain.json.links[0].explanation.map((o: any) => [o.condition, o.passed]));
  expect(byCondition).toEqual({ number: true, amount: true, date: false });
});

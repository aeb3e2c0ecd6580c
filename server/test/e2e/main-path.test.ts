/**
 * The main job end to end through public interfaces only: the HTTP API of a real app (createTestApp) and
 * `evarchive` child processes on the same database and data folder.
 *
 * ingest (collection upload of real corpus files, a signed issuer push, `evarchive ingest --json`) → pool states
 * (claim → reimbursed → booked by signed systems, receiver 入账 files) → ledger import → `evarchive match --json`
 * → a suggestion accepted → `evarchive volumes assemble --json` + submit → checks with report → archive + package
 * → `evarchive search --json` by invoice number and by a fragment of a Chinese seller name → chain view.
 *
 * Real corpus files are read from ../shared/corpus/raw; without it the upload step sends factory invoices and
 * says so. Steps whose module has not landed yet are skipped with a name that says which piece is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFactory, Prng, syntheticUscc } from '../../src/formats/factory';
import { featureModules } from '../../src/app.modules';
import { OrgService } from '../../src/platform/identity/org.service';
import { UserService } from '../../src/platform/identity/user.service';
import { signRequest } from '../../src/platform/identity/sign-request';
import { createTestApp, type TestApp } from '../support/app';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const CORPUS = path.resolve(REPO_ROOT, '../shared/corpus/raw');
const BIN = path.join(REPO_ROOT, 'server', 'bin', 'evarchive.js');
const PW = 'correct horse 1';
const PERIOD = '2023-08';

/** Three real VAT e-invoices (PDF, seller-signed) of one buyer, issued in April and August 2023. */
const CORPUS_FILES = [
  'kudeerliu48-web__fapiaohezi/fp_api_new__files__592263136104457807__uploads__73c00f18_042002200411_51905150.pdf',
  'kudeerliu48-web__fapiaohezi/fp_api_new__files__592263136104457807__uploads__017896387135354278.pdf',
  'kudeerliu48-web__fapiaohezi/fp_api_new__files__087924330369534421__uploads__482078385650808140.pdf',
];
const haveCorpus = CORPUS_FILES.every((f) => existsSync(path.join(CORPUS, f)));
if (!haveCorpus) console.warn(`main-path: real corpus not found at ${CORPUS}; the collection upload sends three factory invoices instead`);

/** Which CLI commands exist now (other modules land while this test is written). */
const cliHelp = spawnSync(process.execPath, [BIN, '--help'], { env: { ...process.env, EVARCHIVE_FROM_SRC: '1' }, encoding: 'utf8', timeout: 120_000 }).stdout ?? '';
const hasCommand = (name: string) => new RegExp(`^\\s+${name}\\b`, 'm').test(cliHelp);
/** Pool part B (claims, receiver 入账 files) is a module of its own; the test mounts it when app.modules.ts does not yet. */
let poolB: any = null;
try {
  poolB = require('../../src/modules/pool/claims/pool-b.module').PoolWorkflowModule;
} catch (e) {
  console.warn(`main-path: pool part B (claims, receiver files) is not available: ${(e as Error).message}`);
}
const poolBWired = !!poolB && featureModules.includes(poolB);

let t: TestApp;
let unitId: string;
let fondsId: string;
const tokens: Record<string, string> = {};
const clients: Record<string, { keyId: string; secret: string }> = {};
const f = createFactory({ seed: 'e2e-main-path' });
const unitTaxId = syntheticUscc(new Prng('e2e-main-path-unit'));
const work = mkdtempSync(path.join(tmpdir(), 'evarchive-main-path-'));

/** What the steps found, for the later steps. */
const s: {
  uploaded: { voucherId: string; invoiceNumber: string; totalAmount: string; issueDate: string; sellerName: string }[];
  issued?: { voucherId: string; invoiceNumber: string; totalAmount: string };
  receipt?: { voucherId: string; serial: string; amount: string };
  ntrev?: { voucherId: string; paymentCode: string; amount: string };
  journals: Record<string, string>;
  volumeId?: string;
  volumeCode?: string;
  reportFile?: string;
} = { uploaded: [], journals: {} };

async function call(method: string, url: string, opts: { token?: string; body?: unknown; form?: FormData; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  let body: any;
  if (opts.form) body = opts.form;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${t.url}${url}`, { method, headers, body });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

async function signed(client: string, method: string, url: string, payload?: unknown) {
  const body = payload === undefined ? undefined : JSON.stringify(payload);
  const headers = signRequest({ keyId: clients[client].keyId, secret: clients[client].secret, method, path: url, body, timestamp: new Date() });
  return call(method, url, { headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: payload } : {}) });
}

/** `evarchive <args>` as a child process on the app's database and data folder. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: t.testDb.url, EVARCHIVE_DATA_DIR: t.config.dataDir, EVARCHIVE_FROM_SRC: '1', EVARCHIVE_LOG_LEVEL: 'error', EVARCHIVE_DEMO: '0', EVARCHIVE_CLAMAV_DB: clamDb() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
/**
 * A ClamAV signature folder for the check children: this machine's clamscan has no database, and the
 * virus-scan veto must scan, not fail to. One MD5 signature of a string that appears in no voucher.
 */
function clamDb(): string {
  const dir = path.join(work, 'clamdb');
  if (existsSync(dir)) return dir;
  mkdirSync(dir, { recursive: true });
  const probe = 'evarchive main-path test signature, in no voucher';
  writeFileSync(path.join(dir, 'probe.hdb'), `${createHash('md5').update(probe).digest('hex')}:${probe.length}:Evarchive.Test.Probe\n`);
  return dir;
}

const jsonLines = (out: string) => out.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l));

beforeAll(async () => {
  t = await createTestApp({ jobs: false, logger: false, modules: poolB && !poolBWired ? [poolB] : [] });
  const org = t.app.get(OrgService);
  const users = t.app.get(UserService);
  unitId = (await org.createUnit('system', { code: 'A01', name: '示例市教育局', creditCode: unitTaxId })).id;
  fondsId = (await org.createFonds('system', { code: 'J001', name: '示例市教育局会计档案', unitId })).id;
  await users.create('system', { username: 'root', password: PW, roles: [{ role: 'system_admin' }] });
  for (const [u, role] of [
    ['clerk', 'reimbursement_clerk'],
    ['acc', 'accountant'],
    ['arch', 'archivist'],
    ['ua', 'unit_admin'],
  ] as const)
    await users.create('system', { username: u, password: PW, roles: [{ role, unitId }] });
  for (const u of ['root', 'clerk', 'acc', 'arch', 'ua']) {
    const r = await call('POST', '/api/auth/login', { body: { username: u, password: PW } });
    expect(r.status).toBe(200);
    tokens[u] = r.json.token;
  }
  for (const role of ['issuer', 'reimbursement_system', 'accounting_system']) {
    const c = await call('POST', '/api/admin/api-clients', { token: tokens.root, body: { name: `示例${role}`, role, unitCodes: ['A01'] } });
    expect(c.status).toBe(201);
    clients[role] = { keyId: c.json.keyId, secret: c.json.secret };
  }
}, 180_000);

afterAll(async () => {
  await t?.close();
  rmSync(work, { recursive: true, force: true });
});

test(`ingest 1/3: collection upload of three ${haveCorpus ? 'real corpus' : 'factory (corpus absent)'} invoices, all created and verified`, async () => {
  const form = new FormData();
  form.append('unitId', unitId);
  const files = haveCorpus
    ? CORPUS_FILES.map((rel) => ({ name: path.basename(rel), bytes: readFileSync(path.join(CORPUS, rel)) }))
    : ['2023-04-05', '2023-04-11', '2023-08-11'].map((d) => f.ofdInvoice({ kind: 'inv_ord', issueDate: d, buyer: { taxId: unitTaxId, name: '示例市教育局' } })).map((g) => ({ name: g.name, bytes: Buffer.from(g.bytes) }));
  for (const file of files) form.append('files', new Blob([new Uint8Array(file.bytes)]), file.name);
  const r = await call('POST', '/api/pool/uploads?wait=true', { token: tokens.clerk, form });
  expect(r.status).toBe(202);
  expect(r.json).toMatchObject({ status: 'complete', total: 3, done: 3, summary: { received: 3, created: 3, duplicates: 0, rejected: 0 } });
  for (const item of r.json.items) {
    expect(item).toMatchObject({ outcome: 'created', kind: 'inv_ord', verdict: 'valid' });
    const v = await call('GET', `/api/pool/vouchers/${item.voucherId}`, { token: tokens.arch });
    expect(v.status).toBe(200);
    const d = v.json.data ?? v.json;
    s.uploaded.push({ voucherId: item.voucherId, invoiceNumber: d.invoiceNumber ?? v.json.invoiceNumber, totalAmount: d.totalAmount ?? v.json.totalAmount, issueDate: d.issueDate ?? v.json.issueDate, sellerName: d.sellerName ?? v.json.sellerName });
  }
  expect(s.uploaded.map((u) => u.issueDate.slice(0, 7))).toEqual(['2023-04', '2023-04', '2023-08']);
  for (const u of s.uploaded) {
    expect(u.invoiceNumber).toMatch(/^\d{8,20}$/);
    expect(u.sellerName).toMatch(/[\u4e00-\u9fff]{4,}/);
  }
}, 120_000);

test('ingest 2/3: an issuer pushes a sealed OFD invoice with a signed API key', async () => {
  const g = f.ofdInvoice({ kind: 'einv_ord', issueDate: '2023-08-08', buyer: { taxId: unitTaxId, name: '示例市教育局' } });
  const r = await signed('issuer', 'POST', '/api/pool/issuer/vouchers', { filename: g.name, content: Buffer.from(g.bytes).toString('base64') });
  expect(r.status).toBe(201);
  expect(r.json).toMatchObject({ outcome: 'created', kind: 'einv_ord', voucherId: expect.any(String) });
  // The factory's seal chains to its test CA, which is not a configured trust anchor.
  expect(r.json.verdict).not.toBe('invalid');
  s.issued = { voucherId: r.json.voucherId, invoiceNumber: g.expected.invoiceNumber!, totalAmount: g.expected.totalAmount! };
  const again = await signed('issuer', 'POST', '/api/pool/issuer/vouchers', { filename: g.name, content: Buffer.from(g.bytes).toString('base64') });
  expect(again.json).toMatchObject({ outcome: 'duplicate', voucherId: r.json.voucherId });
}, 60_000);

test('ingest 3/3: `evarchive ingest --json` brings a bank receipt OFD and a non-tax form from a folder', async () => {
  const receipt = f.bankReceiptOfd({ issueDate: '2023-08-15', totalFen: 1_280_000n });
  const ntrev = f.dataVoucher({ kind: 'ntrev', issueDate: '2023-08-20', totalFen: 60_000n }).json;
  const inbox = path.join(work, 'inbox');
  mkdirSync(inbox);
  writeFileSync(path.join(inbox, receipt.name), receipt.bytes);
  writeFileSync(path.join(inbox, ntrev.name), ntrev.bytes);
  const r = await cli(['ingest', inbox, '--unit', 'A01', '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = jsonLines(r.stdout);
  const summary = lines[lines.length - 1];
  expect(summary).toMatchObject({ received: 2, created: 2, duplicates: 0, rejected: 0, complete: true });
  const byKind = Object.fromEntries(lines.slice(0, -1).map((l: any) => [l.kind, l]));
  expect(Object.keys(byKind).sort()).toEqual(['bker', 'ntrev']);
  s.receipt = { voucherId: byKind.bker.voucherId, serial: receipt.expected.bankSerialNumber!, amount: receipt.expected.totalAmount! };
  s.ntrev = { voucherId: byKind.ntrev.voucherId, paymentCode: (ntrev.expected.extra as any).paymentCode, amount: ntrev.expected.totalAmount! };
  expect(s.receipt.amount).toBe('12800.00');
  expect(s.ntrev.paymentCode).toMatch(/^\d{20}$/);
  const list = await call('GET', '/api/pool/vouchers?limit=50', { token: tokens.arch });
  expect(list.json.items).toHaveLength(6);
}, 120_000);

(poolB ? test : test.skip)(
  poolB ? `pool states: a reimbursement system claims and reimburses, the accounting system books; receiver 入账 XBRL/JSON written${poolBWired ? '' : ' (PoolWorkflowModule mounted by the test: app.modules.ts does not list it yet)'}` : 'pool states — SKIPPED: pool part B (claims/receiver) not available yet',
  async () => {
    const base = `/api/pool/receiver/vouchers/${s.issued!.voucherId}`;
    const c = await signed('reimbursement_system', 'POST', `${base}/claim`, { reimbursementDocId: 'BX-2023-0808', claimantUser: '测试甲1' });
    expect(c.status).toBe(201);
    expect(c.json).toMatchObject({ state: 'claimed', reimbursementDocId: 'BX-2023-0808' });
    const twice = await call('POST', `${base}/claim`, { token: tokens.clerk, body: { reimbursementDocId: 'BX-OTHER' } });
    expect(twice.status).toBe(409);
    const r = await signed('reimbursement_system', 'POST', `${base}/reimbursed`, { reimbursementDocId: 'BX-2023-0808', amount: s.issued!.totalAmount });
    expect(r.status).toBe(200);
    expect(r.json.state).toBe('reimbursed');
    const entries = [
      { accountCode: '500101', accountName: '业务活动费用-办公费', debit: s.issued!.totalAmount },
      { accountCode: '100201', accountName: '银行存款-基本户', credit: s.issued!.totalAmount },
    ];
    const b = await signed('accounting_system', 'POST', `${base}/booked`, { journalVoucherNumber: '0004', period: PERIOD, bookedAt: '2023-08-09', summary: '报销办公用品', entries });
    expect(b.status).toBe(200);
    expect(b.json).toMatchObject({ state: 'booked', journalVoucherNumber: '0004', period: PERIOD });
    const d = await call('GET', base, { token: tokens.arch });
    expect(d.json.state).toBe('booked');
    expect(d.json.receiverFiles.map((x: any) => x.role).sort()).toEqual(['receiver_json', 'receiver_xbrl']);
  },
  60_000,
);

test('ledger import: the accountant uploads the month’s journal vouchers (CSV) citing the vouchers', async () => {
  const [a, b, c] = s.uploaded;
  const typo = s.issued!.invoiceNumber.slice(0, -2) + s.issued!.invoiceNumber.slice(-1) + s.issued!.invoiceNumber.slice(-2, -1);
  const typoNumber = typo === s.issued!.invoiceNumber ? s.issued!.invoiceNumber.slice(0, -1) + ((Number(s.issued!.invoiceNumber.slice(-1)) + 1) % 10) : typo;
  const rows: string[][] = [];
  const expense = (no: string, date: string, summary: string, amount: string, account: string, name: string) => {
    rows.push([no, date, summary, account, name, amount, '', '', '1', '测试甲1', '测试乙2', '测试丙3', '']);
    rows.push([no, date, summary, '100201', '银行存款-基本户', '', amount, '', '1', '测试甲1', '测试乙2', '测试丙3', '']);
  };
  expense('0001', '2023-08-01', `报销培训费 发票号${a.invoiceNumber}`, a.totalAmount, '500106', '业务活动费用-培训费');
  expense('0002', '2023-08-02', `报销印刷费 发票号${b.invoiceNumber}`, b.totalAmount, '500102', '业务活动费用-印刷费');
  expense('0003', '2023-08-14', `报销办公费 发票号${c.invoiceNumber}`, c.totalAmount, '500101', '业务活动费用-办公费');
  expense('0004', '2023-08-09', `报销办公用品 发票号${typoNumber}`, s.issued!.totalAmount, '500101', '业务活动费用-办公费');
  rows.push(['0005', '2023-08-15', '支付物业费', '500104', '业务活动费用-物业管理费', s.receipt!.amount, '', '', '1', '测试甲1', '测试乙2', '测试丙3', s.receipt!.serial]);
  rows.push(['0005', '2023-08-15', '支付物业费', '100201', '银行存款-基本户', '', s.receipt!.amount, '', '1', '测试甲1', '测试乙2', '测试丙3', '']);
  rows.push(['0006', '2023-08-21', `收到非税收入 缴款码${s.ntrev!.paymentCode}`, '100201', '银行存款-基本户', s.ntrev!.amount, '', '', '1', '测试甲1', '测试乙2', '测试丙3', '']);
  rows.push(['0006', '2023-08-21', `收到非税收入 缴款码${s.ntrev!.paymentCode}`, '2103', '应缴财政款', '', s.ntrev!.amount, '', '1', '测试甲1', '测试乙2', '测试丙3', '']);
  const csv = ['凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,往来单位,附件数,制单,审核,记账,银行流水号', ...rows.map((r) => r.join(','))].join('\r\n');
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'ledger-2023-08.csv');
  const r = await call('POST', '/api/ledger/imports', { token: tokens.acc, form });
  expect(r.status).toBe(200);
  expect(r.json).toMatchObject({ vouchers: 6, created: 6, units: ['A01'], periods: [PERIOD] });
  const list = await call('GET', `/api/ledger/journal-vouchers?period=${PERIOD}`, { token: tokens.arch });
  expect(list.json.items.map((j: any) => j.number)).toEqual(['0001', '0002', '0003', '0004', '0005', '0006']);
  for (const j of list.json.items) s.journals[j.number] = j.id;
}, 60_000);

test('matching: `evarchive match --json` links five automatically and suggests the mistyped invoice number', async () => {
  const r = await cli(['match', '--period', PERIOD, '--unit', 'A01', '--json']);
  expect(r.code).toBe(0);
  const summary = JSON.parse(r.stdout);
  expect(summary.totals).toMatchObject({ journals: 6, auto: 5, suggestions: 1, unmatchedJournals: 0 });
}, 120_000);

test('the archivist accepts the suggestion with a reason', async () => {
  const sugg = await call('GET', `/api/matching/suggestions?period=${PERIOD}`, { token: tokens.arch });
  expect(sugg.status).toBe(200);
  expect(sugg.json).toHaveLength(1);
  expect(sugg.json[0]).toMatchObject({ ruleId: 'invoice-number-typo', voucherId: s.issued!.voucherId, journalVoucherId: s.journals['0004'] });
  const a = await call('POST', `/api/matching/links/${sugg.json[0].id}/accept`, { token: tokens.arch, body: { reason: '发票号录入错误，已核对原件' } });
  expect(a.status).toBe(200);
  expect((await call('GET', `/api/matching/suggestions?period=${PERIOD}`, { token: tokens.arch })).json).toEqual([]);
}, 60_000);

test('volumes: `evarchive volumes assemble --json` files the month in one volume, the archivist submits it', async () => {
  const r = await cli(['volumes', 'assemble', '--unit', 'A01', '--fonds', 'J001', '--year', '2023', '--period', PERIOD, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const summary = JSON.parse(r.stdout);
  expect(summary).toMatchObject({ created: ['J001-2023-PZ-D30-0001'], gaps: [], frozen: [] });
  const list = await call('GET', `/api/volumes?unitId=${unitId}`, { token: tokens.arch });
  expect(list.json.items).toHaveLength(1);
  s.volumeId = list.json.items[0].id;
  s.volumeCode = list.json.items[0].archivalCode;
  const detail = await call('GET', `/api/volumes/${s.volumeId}`, { token: tokens.arch });
  expect(detail.status).toBe(200);
  // Six journal vouchers, each with its originals as 组件 (three real invoices, the issued one, receipt, form).
  expect(detail.json.volume ?? detail.json).toMatchObject({ itemCount: 6, state: 'draft' });
  const sub = await call('POST', `/api/volumes/${s.volumeId}/submit`, { token: tokens.arch, body: {} });
  expect(sub.status).toBe(200);
  expect(sub.json.state ?? sub.json.volume?.state).toBe('submitted');
  const ok = await call('POST', `/api/volumes/${s.volumeId}/approve`, { token: tokens.ua, body: {} });
  expect(ok.status).toBe(200);
}, 120_000);

const hasCheck = hasCommand('check');
(hasCheck ? test : test.skip)(hasCheck ? 'checks: `evarchive check --json` (archiving stage) passes the volume and writes the signed report' : 'checks — SKIPPED: no `evarchive check` command yet', async () => {
  const out = path.join(work, 'report');
  const r = await cli(['check', '--volume', s.volumeCode!, '--out', out, '--json']);
  const res = JSON.parse(r.stdout);
  if (r.code !== 0) writeFileSync(path.join(REPO_ROOT, '.test-output', 'main-path-check.json'), JSON.stringify(res.summary, null, 2));
  expect(res.summary.vetoFailures).toEqual([]);
  expect(r.code).toBe(0);
  expect(res.summary.verdict).not.toBe('fail');
  expect(res.summary.fail).toBe(0);
  expect(res.report).toBe(path.join(out, `check-report-${s.volumeCode}-GD.pdf`));
  expect(readFileSync(res.report).subarray(0, 5).toString()).toBe('%PDF-');
  expect(existsSync(`${res.report}.sig`)).toBe(true);
  s.reportFile = res.report;
  if (hasCommand('report')) {
    const v = await cli(['report', 'verify', res.report]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('report signature ok');
  }
}, 180_000);

const hasArchive = hasCommand('archive') && hasCommand('package');
(hasArchive ? test : test.skip)(hasArchive ? 'archive: `evarchive archive --json` packages the volume; the downloaded package passes `package verify --json`' : 'archive + package verify — SKIPPED: no `evarchive archive` / `evarchive package` command yet', async () => {
  const r = await cli(['archive', '--volume', s.volumeCode!, '--json']);
  if (r.code !== 0) console.log(`archive: ${r.stderr}`);
  expect(r.code).toBe(0);
  const res = JSON.parse(r.stdout);
  expect(res).toMatchObject({ archivalCode: s.volumeCode, items: expect.any(Number), packageKey: expect.any(String) });
  const vol = await call('GET', `/api/volumes/${s.volumeId}`, { token: tokens.arch });
  expect((vol.json.volume ?? vol.json).state).toBe('archived');
  const pk = await call('GET', `/api/archive/packages?volumeId=${s.volumeId}`, { token: tokens.arch });
  expect(pk.status).toBe(200);
  const pkgs = pk.json.items ?? pk.json;
  expect(pkgs).toHaveLength(1);
  const zip = await fetch(`${t.url}/api/archive/packages/${pkgs[0].id}/download`, { headers: { authorization: `Bearer ${tokens.arch}` } });
  expect(zip.status).toBe(200);
  const zipPath = path.join(work, 'package.zip');
  writeFileSync(zipPath, Buffer.from(await zip.arrayBuffer()));
  const v = await cli(['package', 'verify', zipPath, '--json']);
  const verdict = JSON.parse(v.stdout);
  expect(verdict).toMatchObject({ ok: true, problems: [], volume: expect.objectContaining({ archivalCode: s.volumeCode }) });
  expect(v.code).toBe(0);
}, 180_000);

test('search: `evarchive search --json` finds the real invoice by number and by a fragment of its seller name', async () => {
  const c = s.uploaded[2];
  // Pool ingest does not index vouchers for search yet (only volumes do): the operator re-projects the pool.
  const re = await cli(['search', 'reindex', '--from', 'pool']);
  expect(re.code).toBe(0);
  const byNumber = await cli(['search', c.invoiceNumber, '--json']);
  expect(byNumber.code).toBe(0);
  const hitsN = JSON.parse(byNumber.stdout);
  expect(hitsN.hits.map((h: any) => h.id)).toContain(`voucher:${c.voucherId}`);
  expect(hitsN.hits.find((h: any) => h.id === `voucher:${c.voucherId}`).invoiceNumber).toBe(c.invoiceNumber);
  // Four Han characters from the middle of the seller's name (never its first word only).
  const han = [...c.sellerName].filter((ch) => /[\u4e00-\u9fff]/.test(ch));
  const fragment = han.slice(2, 6).join('');
  const byName = await cli(['search', fragment, '--json']);
  expect(byName.code).toBe(0);
  expect(JSON.parse(byName.stdout).hits.map((h: any) => h.id)).toContain(`voucher:${c.voucherId}`);
  const http = await call('GET', `/api/search?q=${encodeURIComponent(fragment)}`, { token: tokens.arch });
  expect(http.status).toBe(200);
  expect(JSON.stringify(http.json)).toContain(c.voucherId);
}, 120_000);

test('chain view: journal voucher 0003 → its real invoice, and the invoice back to 0003', async () => {
  const c = s.uploaded[2];
  const chain = await call('GET', `/api/ledger/journal-vouchers/${s.journals['0003']}/chain`, { token: tokens.arch });
  expect(chain.status).toBe(200);
  expect(chain.json.journalVoucher.voucher.summary).toContain(c.invoiceNumber);
  expect(chain.json.links).toHaveLength(1);
  expect(chain.json.links[0]).toMatchObject({ voucherId: c.voucherId, status: 'active', tier: 'auto', ruleId: 'invoice-number' });
  const back = await call('GET', `/api/matching/vouchers/${c.voucherId}/journal-vouchers`, { token: tokens.arch });
  expect(back.status).toBe(200);
  expect(JSON.stringify(back.json)).toContain(s.journals['0003']);
  const accepted = await call('GET', `/api/ledger/journal-vouchers/${s.journals['0004']}/chain`, { token: tokens.arch });
  expect(accepted.json.links.map((l: any) => [l.voucherId, l.status])).toEqual([[s.issued!.voucherId, 'accepted']]);
}, 60_000);

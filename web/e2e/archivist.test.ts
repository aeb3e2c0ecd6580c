import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshot } from './support/browser';
import { clamDb } from './support/clamav';
import { buildWeb, ROOT, startStack, type Stack } from './support/stack';

/**
 * The archivist's month in the browser, on the real product (`evarchive serve` with the demo unit loaded on
 * first start): sign in, upload three real invoices, see them verified in the pool, import the month's journal
 * vouchers (the demo accountant: archivists may not import ledgers), run matching, accept a suggested link,
 * assemble and submit a volume, run the archiving-stage checks and download the report, search and open the
 * evidence chain. Needs the real corpus (../shared/corpus/raw); skips with a message without it.
 */
jest.setTimeout(240_000);

const CORPUS = resolve(ROOT, '../shared/corpus/raw');
const FILES = [
  'kudeerliu48-web__fapiaohezi/fp_api_new__files__592263136104457807__uploads__73c00f18_042002200411_51905150.pdf',
  'kudeerliu48-web__fapiaohezi/fp_api_new__files__592263136104457807__uploads__017896387135354278.pdf',
  'kudeerliu48-web__fapiaohezi/fp_api_new__files__087924330369534421__uploads__482078385650808140.pdf',
].map((f) => join(CORPUS, f));
const haveCorpus = FILES.every((f) => existsSync(f));
if (!haveCorpus) console.warn(`archivist.test: real corpus not found at ${CORPUS}: the browser path is skipped (it uploads real invoices)`);
const maybe = haveCorpus ? test : test.skip;

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const work = mkdtempSync(join(tmpdir(), 'evarchive-archivist-'));
const pageErrors: string[] = [];
const uploaded: { voucherId: string; invoiceNumber: string; totalAmount: string; sellerName: string }[] = [];
let volumeId = '';

beforeAll(async () => {
  if (!haveCorpus) return;
  buildWeb();
  stack = await startStack({ env: { EVARCHIVE_DEMO: '1', EVARCHIVE_CLAMAV_DB: clamDb(work) } });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
});

const text = (selector: string) => page.locator(selector).innerText();
const api = <T = any>(path: string, init?: { method?: string; body?: unknown }) =>
  page.evaluate(
    async ([p, i]) => {
      const r = await fetch(p, { method: i?.method ?? 'GET', headers: i?.body !== undefined ? { 'content-type': 'application/json' } : {}, body: i?.body !== undefined ? JSON.stringify(i.body) : undefined });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    [path, init] as const,
  ) as Promise<{ status: number; json: T }>;

async function login(username: string, password: string) {
  await page.goto(`${stack.url}/login`);
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.click('[data-testid=login-submit]');
  await page.waitForURL(`${stack.url}/`);
  await page.waitForSelector('[data-testid=home-welcome]');
}

maybe('the server loaded the labelled demo on first start and printed the demo sign-ins', async () => {
  const log = stack.serverLog();
  expect(log).toContain('Demo data (示例数据) loaded');
  expect(log).toContain('demo-archivist');
});

maybe('the demo archivist signs in and sees the demo unit', async () => {
  await login('demo-archivist', 'demo-archivist');
  expect(await text('[data-testid=home-welcome]')).toBe('您好，演示档案员');
  expect(await text('[data-testid=home-roles]')).toContain('档案员 · 演示单位（示例数据）');
  // The work counts of the demo unit: one suggestion to decide, one draft volume, the pool by state — each the
  // figure the server counts, and a link to the page listing exactly those items.
  await page.locator('[data-testid=home-count-suggestions] .ant-statistic-content').waitFor();
  const summary = (await api<any>('/api/home/summary')).json;
  const count = async (id: string) => Number((await text(`[data-testid=home-count-${id}] .ant-statistic-content`)).replace(/\D/g, ''));
  expect(await count('suggestions')).toBe(1);
  expect(await count('volumes-draft')).toBe(1);
  expect(await count('volumes-submitted')).toBe(0);
  expect(await count('checks-failed')).toBe(0);
  for (const st of ['available', 'claimed', 'reimbursed', 'booked', 'archived']) expect(await count(`pool-${st}`)).toBe(summary.pool.byState[st]);
  const work = await text('[data-testid=home-work]');
  for (const label of ['可用', '已占用', '已报销', '已入账', '已归档', '验签未通过', '待确认', '草稿', '已提交', '未通过的案卷']) expect(work).toContain(label);
  await screenshot(page, 'archivist-01-home');
  // The largest state count opens the pool filtered by that state, with as many rows, each in that state.
  const [state, label] = summary.pool.byState.booked > summary.pool.byState.available ? ['booked', '已入账'] : ['available', '可用'];
  expect(summary.pool.byState[state]).toBeGreaterThan(0);
  await page.click(`[data-testid=home-count-pool-${state}] a`);
  await page.waitForURL(`${stack.url}/pool?state=${state}`);
  const rows = page.locator('[data-testid=pool-table] .ant-table-row');
  await rows.first().waitFor();
  expect(await rows.count()).toBe(Math.min(50, summary.pool.byState[state]));
  for (const r of await rows.allInnerTexts()) expect(r).toContain(label);
  await page.goto(`${stack.url}/`);
  await page.click('[data-testid=home-count-volumes-draft] a');
  await page.waitForURL(`${stack.url}/volumes?state=draft`);
});

maybe('uploads three real invoices on the pool upload page; all three are new and verified', async () => {
  await page.goto(`${stack.url}/pool/upload`);
  await page.locator('input[type=file]').first().setInputFiles(FILES);
  await page.click('[data-testid=pool-upload-send]');
  const batch = page.locator('[data-testid=pool-batch]');
  await batch.locator('.ant-progress-status-success').waitFor({ timeout: 60_000 });
  const rows = batch.locator('.ant-table-row');
  expect(await rows.count()).toBe(3);
  for (let i = 0; i < 3; i++) {
    const row = await rows.nth(i).innerText();
    expect(row).toContain('新入池');
    // The verdict by its label, never the stored code.
    expect(row).toContain('验签通过');
    expect(row).not.toMatch(/\bvalid\b/);
  }
  await screenshot(page, 'archivist-02-upload');
  const links = await batch.locator('a[href^="/pool/vouchers/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!.split('/').pop()!));
  expect(links).toHaveLength(3);
  for (const id of links) {
    const v = await api(`/api/pool/vouchers/${id}`);
    expect(v.status).toBe(200);
    const d = v.json.data ?? v.json;
    uploaded.push({ voucherId: id, invoiceNumber: d.invoiceNumber ?? v.json.invoiceNumber, totalAmount: d.totalAmount ?? v.json.totalAmount, sellerName: d.sellerName ?? v.json.sellerName });
  }
});

maybe('sees them verified in the pool list', async () => {
  expect(uploaded).toHaveLength(3);
  await page.goto(`${stack.url}/pool`);
  const table = page.locator('[data-testid=pool-table]');
  await table.locator('.ant-table-row').first().waitFor();
  const all = await table.innerText();
  for (const u of uploaded) {
    const row = table.locator('.ant-table-row').filter({ hasText: u.invoiceNumber });
    expect(await row.count()).toBe(1);
    expect(await row.innerText()).toContain('验签通过');
    // States in Chinese, never the stored code.
    expect(await row.innerText()).toMatch(/可用|已入账/);
    expect(await row.innerText()).not.toMatch(/available|booked/);
  }
  expect(all).toContain('演示');
  await screenshot(page, 'archivist-03-pool');
});

maybe('the demo accountant imports the month’s journal vouchers on the journal import page', async () => {
  expect(uploaded).toHaveLength(3);
  const byDate = [...uploaded];
  const rows: string[] = [];
  const add = (no: string, date: string, u: (typeof uploaded)[number]) => {
    rows.push(`${no},${date},报销办公费 发票号${u.invoiceNumber},500101,业务活动费用-办公费,${u.totalAmount},,,1`);
    rows.push(`${no},${date},报销办公费 发票号${u.invoiceNumber},100201,银行存款-基本户,,${u.totalAmount},,1`);
  };
  byDate.forEach((u, i) => add(String(i + 1).padStart(4, '0'), `2023-08-${String(15 + i).padStart(2, '0')}`, u));
  const csv = ['凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,往来单位,附件数', ...rows].join('\r\n');
  const file = join(work, 'ledger-2023-08.csv');
  writeFileSync(file, csv);
  await page.click('[data-testid=logout]');
  await login('demo-accountant', 'demo-accountant');
  await page.goto(`${stack.url}/journal/import`);
  await page.locator('input[type=file]').first().setInputFiles(file);
  await page.click('[data-testid=ledger-import]');
  await page.waitForSelector('[data-testid=import-result]');
  expect(await text('[data-testid=import-result]')).toContain('已导入 3 张凭证：新增 3');
  await screenshot(page, 'archivist-04-ledger-import');
  await page.click('[data-testid=logout]');
  await login('demo-archivist', 'demo-archivist');
});

maybe('runs matching for 2023-08 (three automatic links) and accepts the demo month’s suggested link', async () => {
  await page.goto(`${stack.url}/journal/suggestions`);
  const period = page.locator('input[placeholder]').first();
  await period.fill('2023-08');
  await page.click('[data-testid=run-matching]');
  await page.getByText('匹配完成：自动关联 3 条，待确认 0 条').waitFor();
  await period.fill('');
  await page.getByRole('button', { name: /筛\s*选|查\s*询|filter/i }).first().click().catch(() => undefined);
  const table = page.locator('[data-testid=suggestion-table]');
  await table.locator('.ant-table-row').first().waitFor();
  expect(await table.locator('.ant-table-row').count()).toBe(1);
  // Voucher kinds, condition names and the rule by their labels, never the rules' codes.
  const suggestion = await table.locator('.ant-table-row').first().innerText();
  expect(suggestion).toContain('规则「');
  expect(suggestion).not.toMatch(/\b(inv_ord|inv_spcl|einv_ord|einv_spcl|number|amount|date|invoice-number(-typo)?)\b/);
  await screenshot(page, 'archivist-05-suggestions');
  await table.locator('.ant-table-row').first().locator('button.ant-btn-primary').click();
  await page.fill('[data-testid=decision-reason]', '发票号录入错误，已核对原件');
  await page.locator('.ant-modal button.ant-btn-primary').click();
  await page.locator('.ant-modal').waitFor({ state: 'hidden' });
  await table.locator('.ant-empty').waitFor();
  const left = await api<any[]>('/api/matching/suggestions');
  expect(left.json).toEqual([]);
});

maybe('assembles the 2023-08 volume in the 组卷 builder and submits it', async () => {
  await page.goto(`${stack.url}/volumes`);
  await page.waitForSelector('[data-testid=builder-fonds]');
  const builder = page.locator('form').filter({ has: page.locator('[data-testid=builder-assemble]') });
  await builder.locator('.ant-input-number input').fill('2023');
  await builder.locator('.ant-select').nth(1).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: /^8/ }).first().click();
  await page.click('[data-testid=builder-assemble]');
  await page.waitForSelector('[data-testid=builder-result]');
  expect(await text('[data-testid=builder-result]')).toMatch(/新建\s*1\s*更新\s*0/);
  // The rules version and the unit's accounting regime in words, not `volumes v1 · public_institution`.
  expect(await text('[data-testid=builder-result]')).toMatch(/组卷规则 第 \d+ 版 · (行政单位、事业单位|企业和其他组织|财政总预算)/);
  expect(await text('[data-testid=builder-result]')).not.toMatch(/public_institution|enterprise|general_budget|volumes v/);
  await screenshot(page, 'archivist-06-assembled');
  const list = await api<{ items: any[] }>('/api/volumes?period=2023-08');
  expect(list.json.items.map((v) => [v.archivalCode, v.state])).toEqual([['DEMO-2023-PZ-D30-0001', 'draft']]);
  volumeId = list.json.items[0].id;
  await page.goto(`${stack.url}/volumes/${volumeId}`);
  await page.waitForSelector('[data-testid=volume-items]');
  expect(await page.locator('[data-testid=volume-items] .ant-table-row').count()).toBeGreaterThanOrEqual(3);
  await page.click('[data-testid=volume-submit]');
  await page.locator('[data-testid=volume-cover]').getByText('已提交').waitFor();
  // Four eyes: the submitter is not offered 审核通过, and is told why.
  expect(await page.locator('[data-testid=volume-approve]').count()).toBe(0);
  expect(await page.locator('[data-testid=volume-four-eyes]').innerText()).toBe('您提交了此案卷，须由另一人审核（四眼原则）');
  await screenshot(page, 'archivist-07-submitted');
});

maybe('runs the archiving-stage checks on the volume chosen from the picker and downloads the signed report', async () => {
  await page.goto(`${stack.url}/checks`);
  // The picker lists the unit's volumes (found by typing part of the 档号), not a free-text id.
  await page.click('[data-testid=checks-volume]');
  await page.keyboard.type('2023-PZ');
  const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
  await options.first().waitFor();
  expect(await options.count()).toBe(1);
  expect(await options.first().innerText()).toContain('DEMO-2023-PZ-D30-0001');
  expect(await options.first().innerText()).toContain('已提交');
  await options.first().click();
  await page.click('[data-testid=checks-run]');
  await page.waitForSelector('[data-testid=checks-report-pdf]', { timeout: 120_000 });
  // The results name their items by 档号 (from the volume's items), not by id fragments.
  const drawer = page.locator('.ant-drawer');
  await drawer.locator('[data-testid=check-item]').first().waitFor();
  for (const item of await drawer.locator('[data-testid=check-item]').allInnerTexts()) expect(item).toMatch(/^DEMO-2023-PZ-D30-0001-\d{4}/);
  expect(await drawer.locator('.ant-table-tbody code').count()).toBe(0);
  await screenshot(page, 'archivist-08-checks');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=checks-report-pdf]')]);
  const saved = join(work, 'report.pdf');
  await download.saveAs(saved);
  expect(readFileSync(saved).subarray(0, 5).toString()).toBe('%PDF-');
  const runs = await api<any>(`/api/checks/runs?subjectId=${volumeId}`);
  const runId = (runs.json.items ?? runs.json)[0].id;
  const run = await api<any>(`/api/checks/runs/${runId}`);
  expect(run.status).toBe(200);
  expect(run.json.summary?.vetoFailures ?? run.json.run?.summary?.vetoFailures).toEqual([]);
});

maybe('searches a fragment of a real seller name and opens the evidence chain', async () => {
  const u = uploaded[0];
  const han = [...u.sellerName].filter((ch) => /[\u4e00-\u9fff]/.test(ch));
  const fragment = han.slice(2, 6).join('');
  // Pool ingest does not feed the search index yet (only `search reindex --from pool` does): the operator's step.
  stack.cli(['search', 'reindex', '--from', 'pool']);
  await page.goto(`${stack.url}/search`);
  await page.fill('[data-testid=search-input] input, input[data-testid=search-input]', fragment);
  await page.click('[data-testid=search-submit]');
  const hits = page.locator('[data-testid=search-hits]');
  await hits.getByText(u.invoiceNumber).first().waitFor({ timeout: 20_000 });
  // Kinds, states and facets in Chinese, never the stored codes.
  const hit = hits.locator('.ant-list-item').filter({ hasText: u.invoiceNumber }).first();
  const hitText = await hit.innerText();
  expect(hitText).toContain('票据');
  expect(hitText).toMatch(/增值税电子普通发票|增值税电子专用发票|电子发票（普通发票）|电子发票（增值税专用发票）/);
  expect(hitText).toMatch(/可用|已占用|已报销|已入账|已归档/);
  const facets = (await page.locator('[data-testid^=facet-]').allInnerTexts()).join('\n');
  expect(facets).toContain('凭证');
  expect(`${hitText}\n${facets}`).not.toMatch(/\b(inv_ord|inv_spcl|einv_ord|einv_spcl|available|booked|voucher)\b/);
  await screenshot(page, 'archivist-09-search');
  await hits.locator(`a[href="/pool/vouchers/${u.voucherId}"]`).first().click();
  await page.waitForURL(`${stack.url}/pool/vouchers/${u.voucherId}`);
  // The voucher's history: matching booked it, and every event by its label (no missing dictionary key).
  const detail = await api<any>(`/api/pool/vouchers/${u.voucherId}`);
  expect(detail.json.history.map((h: { action: string }) => h.action)).toEqual(expect.arrayContaining(['created', 'booked']));
  const history = page.locator('[data-testid=pool-history]');
  await history.locator('.ant-timeline-item').nth(detail.json.history.length - 1).waitFor();
  const historyText = await history.innerText();
  expect(historyText).not.toContain('pool.event.');
  expect(historyText).toContain('入池');
  expect(historyText).toContain('入账');
  // 联查 back: the journal voucher that books it, in the voucher's own page, with how and why it is linked.
  const back = await api<any>(`/api/matching/vouchers/${u.voucherId}/journal-vouchers`);
  expect(back.status).toBe(200);
  expect(back.json.journalVouchers).toHaveLength(1);
  const journal = back.json.journalVouchers[0].journalVoucher;
  const card = page.locator('[data-testid=pool-journals]');
  const link = card.locator(`a[data-testid=pool-journal-link][href="/journal/vouchers/${journal.id}"]`);
  await link.waitFor();
  expect(await link.innerText()).toBe(`记账凭证 ${journal.period} 第 ${journal.number} 号`);
  const cardText = await card.innerText();
  expect(cardText).toContain(journal.date);
  expect(cardText).toContain(`报销办公费 发票号${u.invoiceNumber}`);
  expect(cardText).toContain('自动关联');
  expect(cardText).toContain('规则「发票号码匹配」');
  expect(cardText).not.toMatch(/\b(number|amount|date|auto|active)\b/);
  await screenshot(page, 'archivist-10-voucher-journals');
  // …and its link opens that journal voucher, whose chain lists the voucher back, kinds and conditions by label.
  await link.click();
  await page.waitForURL(`${stack.url}/journal/vouchers/${journal.id}`);
  const chain = page.locator('[data-testid=journal-chain]');
  await chain.getByText(u.invoiceNumber).first().waitFor();
  const chainText = await chain.innerText();
  expect(chainText).toMatch(/增值税电子普通发票|增值税电子专用发票|电子发票（普通发票）|电子发票（增值税专用发票）/);
  expect(chainText).not.toMatch(/\b(inv_ord|inv_spcl|einv_ord|einv_spcl|number|amount|date)\b/);
  await screenshot(page, 'archivist-11-chain');
});

maybe('home counts the month’s work done: no suggestion left, the volume submitted, no failed check', async () => {
  await page.goto(`${stack.url}/`);
  await page.locator('[data-testid=home-count-volumes-submitted] .ant-statistic-content').waitFor();
  const count = async (id: string) => Number((await text(`[data-testid=home-count-${id}] .ant-statistic-content`)).replace(/\D/g, ''));
  expect(await count('suggestions')).toBe(0);
  expect(await count('volumes-submitted')).toBe(1);
  expect(await count('volumes-draft')).toBe(1);
  expect(await count('checks-failed')).toBe(0);
  await screenshot(page, 'archivist-12-home-after');
});

maybe('no script error happened in the page during the whole session', () => {
  expect(pageErrors).toEqual([]);
});

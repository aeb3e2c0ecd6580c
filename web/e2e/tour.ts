/**
 * The README's five-minute tour, taken as screenshots (docs/tour/*.png) on the real product with synthetic data
 * only: `evarchive serve` on a throwaway database (DATABASE_URL's server, else an embedded PostgreSQL in a
 * temporary data folder) with EVARCHIVE_DEMO=synthetic, three factory-made invoices uploaded, their month's
 * journal vouchers imported, matched, assembled, submitted, approved, checked, archived and searched.
 * Every step waits for its outcome (and fails when it is not there), so a screenshot never shows a half-loaded
 * page.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run tour -w web -- [--out docs/tour] [--port 47310]
 *
 * (builds web/dist when it is older than the sources; without DATABASE_URL an embedded PostgreSQL is used).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { launchBrowser } from './support/browser';
import { clamDb } from './support/clamav';
import { buildWeb, ROOT, startStack, type Stack } from './support/stack';

/**
 * The server's voucher factory (server/src/formats/factory), loaded at run time: the web type check does not
 * follow the server's module graph (its native-package types resolve only under the server's tsconfig).
 */
interface GeneratedFile {
  name: string;
  bytes: Uint8Array;
}
interface Factory {
  ofdInvoice(o: { kind: string; buyer: { name: string; taxId: string }; issueDate: string; lines: number }): GeneratedFile;
}
const factory = require('../../server/src/formats/factory') as { createFactory(o: { seed: string }): Factory; syntheticUscc(rng: unknown): string };
const { Prng } = require('../../server/src/formats/factory/prng') as { Prng: new (seed: string) => unknown };

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const OUT = resolve(ROOT, arg('out') ?? 'docs/tour');
const PORT = Number(arg('port') ?? 47310);
const VIEWPORT = { width: 1280, height: 800 };

function monthBefore(period: string): string {
  const [y, m] = period.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 2, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The screenshot as a palette PNG (a few hundred KB at most; the UI has few colours). */
async function shot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, VIEWPORT.height - 1);
  await page.waitForTimeout(300); // antd transitions (drawer, tabs) settle
  const png = await page.screenshot({ fullPage: false });
  const small = await sharp(png).png({ palette: true, colours: 128, compressionLevel: 9, effort: 10 }).toBuffer();
  writeFileSync(join(OUT, `${name}.png`), small);
  console.log(`  ${name}.png ${(small.length / 1024).toFixed(0)} KB`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'evarchive-tour-'));
  let stack: Stack | undefined;
  const browser = await launchBrowser();
  try {
    buildWeb();
    stack = await startStack({ port: PORT, env: { EVARCHIVE_DEMO: 'synthetic', EVARCHIVE_CLAMAV_DB: clamDb(work) } });
    const log = stack.serverLog();
    const demoMonth = /month (\d{4}-\d{2})/.exec(log)?.[1];
    if (!demoMonth || !log.includes('all factory-made')) throw new Error(`the synthetic demo did not load:\n${log}`);
    const month = monthBefore(demoMonth);
    const [year, mm] = month.split('-');
    console.log(`tour on ${stack.url}: demo month ${demoMonth}, tour month ${month}; screenshots → ${OUT}`);

    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const url = stack.url;
    const api = <T = any>(path: string) => page.evaluate((p) => fetch(p).then((r) => r.json()), path) as Promise<T>;
    const login = async (user: string) => {
      await page.goto(`${url}/login`);
      await page.fill('#login-username', user);
      await page.fill('#login-password', user);
      await page.click('[data-testid=login-submit]');
      await page.waitForURL(`${url}/`);
      await page.waitForSelector('[data-testid=home-welcome]');
    };
    const logout = () => page.click('[data-testid=logout]').then(() => page.waitForURL(`${url}/login`));

    // 1. Sign in (the demo users' password is their user name).
    await page.goto(`${url}/login`);
    await page.fill('#login-username', 'demo-archivist');
    await page.fill('#login-password', 'demo-archivist');
    await shot(page, '01-login');
    await page.click('[data-testid=login-submit]');
    await page.waitForURL(`${url}/`);

    // 2. Home: the work waiting in the unit.
    await page.locator('[data-testid=home-count-suggestions] .ant-statistic-content').waitFor();
    await shot(page, '02-home');

    // 3. Pool: upload three invoices (factory-made, addressed to the demo unit) and see their verdicts.
    const f = factory.createFactory({ seed: `evarchive-tour:${month}` });
    // The demo unit's own (synthetic) credit code, derived as the demo loader derives it.
    const buyer = { name: '演示单位（示例数据）', taxId: factory.syntheticUscc(new Prng('evarchive-demo-1:unit')) };
    const invoices: GeneratedFile[] = (['inv_ord', 'einv_ord', 'inv_spcl'] as const).map((kind, i) =>
      f.ofdInvoice({ kind, buyer, issueDate: `${month}-${String(6 + i * 7).padStart(2, '0')}`, lines: 1 + i }),
    );
    await page.goto(`${url}/pool/upload`);
    await page.locator('input[type=file]').first().setInputFiles(invoices.map((g) => ({ name: g.name, mimeType: 'application/ofd', buffer: Buffer.from(g.bytes) })));
    await page.click('[data-testid=pool-upload-send]');
    const batch = page.locator('[data-testid=pool-batch]');
    await batch.locator('.ant-progress-status-success').waitFor({ timeout: 120_000 });
    const ids = await batch.locator('a[href^="/pool/vouchers/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!.split('/').pop()!));
    if (ids.length !== 3) throw new Error(`expected 3 new vouchers, the batch shows ${ids.length}`);
    await shot(page, '03-pool-upload');
    const uploaded = await Promise.all(ids.map((id) => api<{ invoiceNumber: string; totalAmount: string; sellerName: string }>(`/api/pool/vouchers/${id}`)));
    await page.goto(`${url}/pool`);
    await page.locator('[data-testid=pool-table] .ant-table-row').filter({ hasText: uploaded[0].invoiceNumber }).waitFor();
    await shot(page, '04-pool');

    // 4. Ledger import (the accountant's job): the month's journal vouchers, each citing its invoice number.
    const rows = uploaded.flatMap((u, i) => {
      const no = String(i + 1).padStart(4, '0');
      const date = `${month}-${String(8 + i * 7).padStart(2, '0')}`;
      return [
        `${no},${date},报销办公费 发票号${u.invoiceNumber},500101,业务活动费用-办公费,${u.totalAmount},,,1`,
        `${no},${date},报销办公费 发票号${u.invoiceNumber},100201,银行存款-基本户,,${u.totalAmount},${u.sellerName},1`,
      ];
    });
    const csv = join(work, `ledger-${month}.csv`);
    writeFileSync(csv, ['凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,往来单位,附件数', ...rows].join('\r\n'));
    await logout();
    await login('demo-accountant');
    await page.goto(`${url}/journal/import`);
    await page.locator('input[type=file]').first().setInputFiles(csv);
    await page.click('[data-testid=ledger-import]');
    await page.locator('[data-testid=import-result]').getByText('已导入 3 张凭证').waitFor();
    await shot(page, '05-ledger-import');
    await logout();
    await login('demo-archivist');

    // 5. Matching: the month links automatically; the demo month's mistyped invoice number waits as a suggestion.
    await page.goto(`${url}/journal/suggestions`);
    const period = page.locator('input[placeholder]').first();
    await period.fill(month);
    await page.click('[data-testid=run-matching]');
    await page.getByText('匹配完成：自动关联 3 条，待确认 0 条').waitFor();
    await period.fill('');
    await page.getByRole('button', { name: /筛\s*选|查\s*询/ }).first().click().catch(() => undefined);
    await page.locator('[data-testid=suggestion-table] .ant-table-row').first().waitFor();
    await shot(page, '06-suggestions');

    // 6. Chain: from an invoice to the journal voucher that books it, with everything linked.
    const back = await api<any>(`/api/matching/vouchers/${ids[0]}/journal-vouchers`);
    const journalId = back.journalVouchers[0]?.journalVoucher?.id ?? back.journalVouchers[0]?.link?.journalVoucherId;
    if (!journalId) throw new Error(`invoice ${uploaded[0].invoiceNumber} is not linked to a journal voucher`);
    await page.goto(`${url}/journal/vouchers/${journalId}`);
    await page.locator('[data-testid=journal-chain]').getByText(uploaded[0].invoiceNumber).first().waitFor();
    await shot(page, '07-chain');

    // 7. Volumes: assemble the month, open the volume and submit it.
    await page.goto(`${url}/volumes`);
    await page.waitForSelector('[data-testid=builder-fonds]');
    const builder = page.locator('form').filter({ has: page.locator('[data-testid=builder-assemble]') });
    await builder.locator('.ant-input-number input').fill(year);
    await builder.locator('.ant-select').nth(1).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: new RegExp(`^${Number(mm)}月`) }).first().click();
    await page.click('[data-testid=builder-assemble]');
    await page.waitForSelector('[data-testid=builder-result]');
    await shot(page, '08-volumes-assemble');
    const volume = (await api<{ items: { id: string; archivalCode: string }[] }>(`/api/volumes?period=${month}`)).items[0];
    if (!volume) throw new Error(`no volume was assembled for ${month}`);
    await page.goto(`${url}/volumes/${volume.id}`);
    await page.waitForSelector('[data-testid=volume-items] .ant-table-row');
    await page.click('[data-testid=volume-submit]');
    await page.locator('[data-testid=volume-cover]').getByText('已提交').waitFor();
    await shot(page, '09-volume-submitted');
    // Four eyes: another person (the demo unit administrator) approves it.
    await logout();
    await login('demo-unitadmin');
    await page.goto(`${url}/volumes/${volume.id}`);
    await page.click('[data-testid=volume-approve]');
    await page.locator('[data-testid=volume-cover]').getByText('已审核').waitFor();
    await logout();
    await login('demo-archivist');

    // 8. Checks: choose the volume, run the archiving-stage checks, download the signed report.
    await page.goto(`${url}/checks`);
    await page.click('[data-testid=checks-volume]');
    await page.keyboard.type(volume.archivalCode);
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: volume.archivalCode }).first().click();
    await page.click('[data-testid=checks-run]');
    await page.waitForSelector('[data-testid=checks-report-pdf]', { timeout: 180_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=checks-report-pdf]')]);
    const report = join(work, 'report.pdf');
    await download.saveAs(report);
    if (readFileSync(report).subarray(0, 5).toString() !== '%PDF-') throw new Error('the downloaded check report is not a PDF');
    await shot(page, '10-checks');

    // 9. Archive: the approved volume is checked again, packaged and signed.
    await page.goto(`${url}/checks/packages`);
    await page.click('[data-testid=archive-volume]');
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: volume.archivalCode }).first().click();
    await page.click('[data-testid=archive-run]');
    const result = page.locator('[data-testid=archive-result]');
    await result.waitFor({ timeout: 180_000 });
    if (!(await result.innerText()).includes('已归档')) throw new Error(`archiving failed: ${await result.innerText()}`);
    await page.locator('[data-testid=packages-table] .ant-table-row').filter({ hasText: volume.archivalCode }).locator('[data-testid^=package-verify-]').click();
    await page.locator('[data-testid^=package-verdict-]').getByText('校验通过').waitFor();
    await shot(page, '11-archive-package');

    // 10. Search: by invoice number, then by a fragment of the seller's Chinese name.
    await page.goto(`${url}/search`);
    const hits = page.locator('[data-testid=search-hits]');
    await page.fill('[data-testid=search-input] input, input[data-testid=search-input]', uploaded[1].invoiceNumber);
    await page.click('[data-testid=search-submit]');
    await hits.getByText(uploaded[1].invoiceNumber).first().waitFor();
    await shot(page, '12-search-number');
    const fragment = [...uploaded[0].sellerName].filter((ch) => /[\u4e00-\u9fff]/.test(ch)).slice(2, 6).join('');
    await page.fill('[data-testid=search-input] input, input[data-testid=search-input]', fragment);
    await page.click('[data-testid=search-submit]');
    await hits.getByText(uploaded[0].invoiceNumber).first().waitFor();
    await shot(page, '13-search-seller');

    if (errors.length) throw new Error(`script errors in the page: ${errors.join('; ')}`);
    console.log('tour done');
  } finally {
    await browser.close();
    await stack?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

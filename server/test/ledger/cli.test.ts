/**
 * The ledger and matching commands as an operator runs them (child processes on a fresh database): CSV and
 * Excel imports with a summary, an Excel file with bad rows refused row by row, `match`, and `rules backtest`
 * with a stricter rule set reporting what would change without applying it.
 */
import ExcelJS from 'exceljs';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/db';

const root = join(__dirname, '..', '..', '..');

function evarchive(url: string, dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'server', 'bin', 'evarchive.js'), ...args],
      { cwd: root, env: { ...process.env, DATABASE_URL: url, EVARCHIVE_DATA_DIR: dataDir, EVARCHIVE_LOG_LEVEL: 'error' }, timeout: 90_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const HEAD = ['凭证号', '日期', '摘要', '科目编码', '科目名称', '借方金额', '贷方金额', '往来单位', '附件数', '制单', '审核', '记账', '发票号'];

describe('evarchive ledger import / match / rules backtest', () => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'evarchive-ledger-cli-'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports, refuses bad rows with row and column, matches and back-tests', async () => {
    expect((await evarchive(t.url, dir, 'unit', 'add', 'A01', '示例市测试局')).code).toBe(0);
    const csv = [
      HEAD.join(','),
      '0001,2025-03-05,报销办公用品,500101,业务活动费用-办公费,1130.00,,,1,测试甲1,测试乙2,测试丙3,25310000000000001234',
      '0001,2025-03-05,报销办公用品,1011,零余额账户用款额度,,1130.00,示例办公设备有限公司1,1,测试甲1,测试乙2,测试丙3,',
    ].join('\n');
    writeFileSync(join(dir, 'march.csv'), csv);
    const first = await evarchive(t.url, dir, 'ledger', 'import', join(dir, 'march.csv'), '--unit', 'A01');
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/^imported 1 journal voucher\(s\) of A01 for 2025-03: 1 new, 0 changed \(new version\), 0 unchanged\n/);
    const again = await evarchive(t.url, dir, 'ledger', 'import', join(dir, 'march.csv'), '--unit', 'A01', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, created: 0, unchanged: 1 });

    // Excel: a good voucher and a bad one; the whole file is refused.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('凭证');
    ws.addRow(HEAD);
    ws.addRow(['0002', new Date(Date.UTC(2025, 2, 9)), '报销会议费', '500106', '业务活动费用-会议费', 2400, null, null, 1, '测试甲1', '测试乙2', '测试丙3', '12345678']);
    ws.addRow(['0002', new Date(Date.UTC(2025, 2, 9)), '报销会议费', '1011', '零余额账户用款额度', null, 2400, '示例会议服务有限公司2', 1, '测试甲1', '测试乙2', '测试丙3', null]);
    ws.addRow(['0003', '2025-03-10', '', '500101', '业务活动费用-办公费', 10, null, null, 'two', '测试甲1', null, null, null]);
    ws.addRow(['0003', '2025-03-10', '', '', '零余额账户用款额度', null, 10, null, 'two', '测试甲1', null, null, null]);
    await wb.xlsx.writeFile(join(dir, 'bad.xlsx'));
    const bad = await evarchive(t.url, dir, 'ledger', 'import', join(dir, 'bad.xlsx'), '--unit', 'A01');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      [
        'import rejected, nothing stored: 3 problem(s)',
        '  row 4  摘要: 摘要 is missing',
        '  row 4  附件数: 附件数 must be a whole number, not "two"',
        '  row 5  科目编码: 科目编码 is missing',
        '',
      ].join('\n'),
    );
    const wb2 = new ExcelJS.Workbook();
    const ws2 = wb2.addWorksheet('凭证');
    for (let r = 1; r <= 3; r++) ws2.addRow((ws.getRow(r).values as unknown[]).slice(1));
    await wb2.xlsx.writeFile(join(dir, 'good.xlsx'));
    const good = await evarchive(t.url, dir, 'ledger', 'import', join(dir, 'good.xlsx'), '--unit', 'A01', '--json');
    expect(JSON.parse(good.stdout)).toMatchObject({ ok: true, created: 1, periods: ['2025-03'] });

    await t.db
      .insertInto('voucher')
      .values(
        [
          ['einv_ord', '25310000000000001234', '2025-03-01', '1130.00', '示例办公设备有限公司1'],
          ['inv_ord', '12345678', '2025-03-02', '2400.00', '示例会议服务有限公司2'],
        ].map(([kind, no, date, total, seller]) => ({
          unit_id: t.db.selectFrom('unit').select('id').where('code', '=', 'A01') as any,
          kind,
          identity_key: `${kind}:${no}`,
          invoice_number: no,
          issue_date: date,
          total_amount: total,
          seller_name: seller,
          data: JSON.stringify({ kind, invoiceNumber: no, issueDate: date, totalAmount: total, sellerName: seller, lineItems: [], extra: {}, sources: {}, signatures: [], signatureVerdict: 'valid', warnings: [] }),
          signature_verdict: 'valid',
          created_at: new Date(),
          updated_at: new Date(),
        })),
      )
      .execute();
    const match = await evarchive(t.url, dir, 'match', '--period', '2025-03', '--json');
    expect(match.stderr).toBe('');
    const summary = JSON.parse(match.stdout);
    expect(summary.totals).toEqual({ journals: 2, vouchers: 2, auto: 2, suggestions: 0, unmatchedJournals: 0, unmatchedVouchers: 0 });
    const text = await evarchive(t.url, dir, 'match', '--period', '2025-03', '--unit', 'A01');
    expect(text.stdout).toContain('A01: 2 journal vouchers, 2 candidate vouchers/lines → 2 auto links, 0 suggestions waiting');

    // A stricter invoice-number rule (version 2) that only suggests: the backtest shows both links changing.
    const rules = join(dir, 'rules');
    cpSync(join(root, 'archive-rules', 'matching'), rules, { recursive: true });
    const f = join(rules, '10-invoice-number.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('version: 1', 'version: 2').replace('tiers: { auto: 90, suggest: 60 }', 'tiers: { auto: 90, suggest: 60 }\nmaxTier: suggest'));
    const bt = await evarchive(t.url, dir, 'rules', 'backtest', rules, '--period', '2025-03', '--json');
    const report = JSON.parse(bt.stdout);
    expect(report.added).toEqual([]);
    expect(report.dropped).toEqual([]);
    expect(report.changed.map((c: any) => [c.journal, c.from.tier, c.to.tier, c.to.ruleVersion])).toEqual([
      ['A01/2025-03/0001', 'auto', 'suggest', 2],
      ['A01/2025-03/0002', 'auto', 'suggest', 2],
    ]);
    // Nothing applied.
    const links = await t.db.selectFrom('match_link').select(['tier', 'rule_version']).execute();
    expect(links).toEqual([
      { tier: 'auto', rule_version: 1 },
      { tier: 'auto', rule_version: 1 },
    ]);
    writeFileSync(join(rules, '99-broken.yaml'), 'id: Bad Id\nversion: 0\n');
    const broken = await evarchive(t.url, dir, 'rules', 'check', rules);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('99-broken.yaml /id: must match pattern');
  }, 240_000);
});

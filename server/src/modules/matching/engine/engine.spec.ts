import { journalToMatch, voucherToMatch } from '../adapters';
import type { JournalVoucher } from '../../ledger/journal';
import type { Voucher } from '../../../formats/voucher';
import { matchAll } from './engine';
import { localeFrom, renderReason } from './explain';
import { checkRule, loadRules, RuleError } from './rules';
import { editDistance, numbersIn, similarity } from './text';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const rules = loadRules();

function jv(id: string, date: string, summary: string, amount: string, more: Partial<JournalVoucher> = {}, counterparty?: string) {
  const v: JournalVoucher = {
    number: id,
    date,
    period: date.slice(0, 7),
    summary,
    entries: [
      { line: 1, accountCode: '500101', accountName: '办公费', debit: amount, credit: '0.00' },
      { line: 2, accountCode: '1011', accountName: '零余额账户用款额度', debit: '0.00', credit: amount, counterparty },
    ],
    attachmentCount: 1,
    references: { invoiceNumbers: [], reimbursementIds: [], paymentCodes: [], bankSerials: [], attachments: [] },
    totalDebit: amount,
    totalCredit: amount,
    ...more,
  };
  return journalToMatch(id, v);
}
function inv(id: string, number: string, date: string, total: string, seller = '示例科技有限公司1'): ReturnType<typeof voucherToMatch> {
  const v: Voucher = { kind: 'einv_ord', invoiceNumber: number, issueDate: date, totalAmount: total, sellerName: seller, lineItems: [], extra: {}, sources: {}, signatures: [], signatureVerdict: 'valid', warnings: [] };
  return voucherToMatch(id, v);
}
const tiers = (r: ReturnType<typeof matchAll>) => r.links.map((l) => `${l.journalId}-${l.voucherId}:${l.tier}:${l.ruleId}`).sort();

describe('matching engine: the hard cases', () => {
  it('links a cited invoice number with the same amount automatically, explaining each condition', () => {
    const r = matchAll([jv('J1', '2025-03-05', '报销办公用品 发票号12345678', '100.00')], [inv('V1', '12345678', '2025-03-01', '100.00')], rules);
    expect(tiers(r)).toEqual(['J1-V1:auto:invoice-number']);
    expect(r.links[0].score).toBe(100);
    // Stored structured: the condition id, a message code and the values compared.
    expect(r.links[0].explanation.map((o) => [o.condition, o.passed, o.reason])).toEqual([
      ['number', true, { code: 'join.hit', values: { key: 'invoiceNumber', value: '12345678' } }],
      ['amount', true, { code: 'amount.equal', values: { amount: '100.00' } }],
      ['date', true, { code: 'date.before', values: { date: '2025-03-01', days: 4, before: 180, after: 15 } }],
    ]);
    // Rendered for the reader: Chinese by default, English on request.
    expect(r.links[0].explanation.map((o) => renderReason(o.reason))).toEqual([
      '记账凭证引用的发票号码 12345678 与票据一致',
      '金额相等：100.00',
      '票据日期 2025-03-01，早于记账凭证 4 天（允许早 180 天至晚 15 天）',
    ]);
    expect(r.links[0].explanation.map((o) => renderReason(o.reason, 'en'))).toEqual([
      'invoice number 12345678 cited by the journal voucher',
      'amounts equal 100.00',
      'voucher dated 2025-03-01, 4 day(s) before the journal voucher (window −180/+15)',
    ]);
  });

  it('several invoices in one journal voucher, and one invoice paid by several journal vouchers (sum of many)', () => {
    const several = matchAll(
      [jv('J1', '2025-03-05', '报销', '300.00', { references: { invoiceNumbers: ['11111111', '22222222'], reimbursementIds: [], paymentCodes: [], bankSerials: [], attachments: [] } })],
      [inv('V1', '11111111', '2025-03-01', '100.00'), inv('V2', '22222222', '2025-03-02', '200.00')],
      rules,
    );
    expect(tiers(several)).toEqual(['J1-V1:auto:invoice-number', 'J1-V2:auto:invoice-number']);
    expect(renderReason(several.links[0].explanation[1].reason, 'en')).toBe('journal amount 300.00 = sum of 2 cited vouchers (100.00 + 200.00)');
    expect(renderReason(several.links[0].explanation[1].reason)).toBe('记账凭证金额 300.00 等于所引用 2 张票据之和（100.00 + 200.00）');
    const split = matchAll([jv('J1', '2025-03-05', '首付款 发票33333333', '600.00'), jv('J2', '2025-03-20', '尾款 发票33333333', '400.00')], [inv('V1', '33333333', '2025-03-01', '1000.00')], rules);
    expect(tiers(split)).toEqual(['J1-V1:auto:invoice-number', 'J2-V1:auto:invoice-number']);
    expect(renderReason(split.links[0].explanation[1].reason, 'en')).toBe('voucher amount 1000.00 paid by 2 journal vouchers (J1: 600.00 + J2: 400.00)');
    expect(renderReason(split.links[0].explanation[1].reason)).toBe('票据金额 1000.00 由 2 张记账凭证分次支付（J1: 600.00 + J2: 400.00）');
  });

  it('a red invoice matches the red journal voucher by sign; the amount alone never links', () => {
    const r = matchAll([jv('J1', '2025-03-20', '冲销 红字发票44444444 原发票55555555', '-100.00')], [inv('V1', '44444444', '2025-03-18', '-100.00'), inv('V2', '55555555', '2025-03-01', '100.00')], rules);
    expect(tiers(r)).toEqual(['J1-V1:auto:invoice-number', 'J1-V2:suggest:invoice-number']);
  });

  it('a mistyped number with the exact amount is a suggestion, never automatic', () => {
    const r = matchAll([jv('J1', '2025-03-05', '报销 发票号12345687', '250.00')], [inv('V1', '12345678', '2025-03-01', '250.00')], rules);
    expect(tiers(r)).toEqual(['J1-V1:suggest:invoice-number-typo']);
    expect(r.links[0].notes).toEqual([{ code: 'note.maxTier', values: { rule: 'invoice-number-typo' } }]);
    expect(renderReason(r.links[0].notes[0])).toBe('规则 invoice-number-typo 只提出建议，从不自动关联');
    expect(renderReason(r.links[0].explanation[0].reason)).toBe('记账凭证发票号码 “12345687” 与票据发票号码 “12345678” 相差 1 个字符');
  });

  it('same amount on the same day without numbers: suggestions for a person, never auto', () => {
    const r = matchAll(
      [jv('J1', '2025-03-05', '支付服务费', '500.00', {}, '示例科技有限公司1'), jv('J2', '2025-03-05', '支付服务费', '500.00', {}, '示例咨询有限公司2')],
      [inv('V1', '90000001', '2025-03-03', '500.00', '示例科技有限公司1'), inv('V2', '90000002', '2025-03-03', '500.00', '示例咨询有限公司2')],
      rules,
    );
    expect(tiers(r)).toEqual(['J1-V1:suggest:amount-date-counterparty', 'J2-V2:suggest:amount-date-counterparty']);
  });

  it('a unique bank statement line with the same counterparty account is linked automatically; two equal ones are not', () => {
    const bank = (id: string, date: string, amount: string, account?: string) =>
      journalToMatch(id, {
        number: id,
        date,
        period: date.slice(0, 7),
        summary: '付款',
        entries: [
          { line: 1, accountCode: '2302', accountName: '应付账款', debit: amount, credit: '0.00' },
          { line: 2, accountCode: '100201', accountName: '银行存款', debit: '0.00', credit: amount, counterpartyAccount: account },
        ],
        attachmentCount: 0,
        references: { invoiceNumbers: [], reimbursementIds: [], paymentCodes: [], bankSerials: [], attachments: [] },
        totalDebit: amount,
        totalCredit: amount,
      });
    const line = (id: string, date: string, amount: bigint, account?: string) => ({ id, kind: 'bkrs-line', date, day: Math.floor(Date.parse(date) / 86_400_000), amount, keys: { counterpartyAccount: account ? [account] : [] }, names: [] });
    const one = matchAll([bank('J1', '2025-03-05', '80.00', '6222')], [line('L1', '2025-03-06', -8000n, '6222')], rules);
    expect(tiers(one)).toEqual(['J1-L1:auto:bank-statement-line']);
    const two = matchAll([bank('J1', '2025-03-05', '80.00', '6222')], [line('L1', '2025-03-06', -8000n, '6222'), line('L2', '2025-03-06', -8000n, '6222')], rules);
    expect(tiers(two)).toEqual(['J1-L1:suggest:bank-statement-line', 'J1-L2:suggest:bank-statement-line']);
    expect(renderReason(two.links[0].notes[0], 'en')).toMatch(/^ambiguous: 2 vouchers qualify/);
    expect(renderReason(two.links[0].notes[0])).toBe('有歧义：2 张票据都符合记账凭证 J1，需人工判断');
  });
});

describe('rules as data', () => {
  it('the default rules are valid and versioned', () => {
    expect(rules.rules.map((r) => `${r.id}@${r.version}`)).toEqual([
      'invoice-number@1',
      'invoice-number-typo@1',
      'payment-code@1',
      'bank-serial@1',
      'reimbursement-id@1',
      'amount-date-counterparty@1',
      'bank-statement-line@1',
    ]);
    expect(rules.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a bad rule with the file and path of each problem', () => {
    const r = checkRule(
      { id: 'x-1', version: 1, description: 'd', scope: {}, candidates: { by: 'amount' }, conditions: [{ id: 'a', match: 'regex', pattern: '(', weight: 10, journal: 'summary' }], tiers: { auto: 50, suggest: 90 } },
      'x.yaml',
    );
    expect(r.problems).toEqual([
      { file: 'x.yaml', path: '/conditions/0/pattern', problem: expect.stringMatching(/^not a valid regular expression/) },
      { file: 'x.yaml', path: '/tiers', problem: 'suggest threshold is above the auto threshold' },
      { file: 'x.yaml', path: '/candidates', problem: 'candidates by amount need a required amount condition' },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    writeFileSync(join(dir, 'a.yaml'), 'id: a\nversion: 1\ndescription: x\nscope: {}\ncandidates: { by: key, key: iban }\nconditions: []\ntiers: { auto: 1, suggest: 1 }\n');
    try {
      expect(() => loadRules(dir)).toThrow(RuleError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('text helpers', () => {
  it('edit distance counts a swap as one edit and stops early', () => {
    expect(editDistance('12345678', '12345687')).toBe(1);
    expect(editDistance('12345678', '1234568')).toBe(1);
    expect(editDistance('12345678', '87654321', 1)).toBe(2);
    expect(similarity('示例科技有限公司1', '示例科技股份有限公司1')).toBeGreaterThan(0.8);
  });
  it('finds cited numbers in summaries', () => {
    expect(numbersIn('报销 发票号12345678，缴款码20250000000000000777 流水HX202503120001')).toEqual(['12345678', '20250000000000000777', 'HX202503120001']);
  });
});

describe('explanation language', () => {
  it('takes the reader\'s language from Accept-Language, Chinese unless English is preferred', () => {
    expect(localeFrom(undefined)).toBe('zh-CN');
    expect(localeFrom('en-US,en;q=0.9')).toBe('en');
    expect(localeFrom('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh-CN');
    expect(localeFrom('fr-FR, en;q=0.5, zh;q=0.4')).toBe('en');
    expect(localeFrom('de-DE')).toBe('zh-CN');
    expect(localeFrom('en;q=0, zh-TW')).toBe('zh-CN');
  });
});

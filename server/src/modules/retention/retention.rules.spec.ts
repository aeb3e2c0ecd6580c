import { expiryDate, loadRetentionRules, parseRetentionRules, retentionFor } from './retention.rules';

describe('retention tables (令第79号 附表1/附表2)', () => {
  const rules = loadRetentionRules();

  it('encodes the enterprise table (附表1)', () => {
    const p = (k: string) => retentionFor(rules, 'enterprise', k).retention;
    expect(p('original_voucher')).toBe('30y');
    expect(p('journal_voucher')).toBe('30y');
    expect(p('general_ledger')).toBe('30y');
    expect(p('subsidiary_ledger')).toBe('30y');
    expect(p('journal_book')).toBe('30y');
    expect(p('fixed_asset_card')).toBe('disposal+5y');
    expect(p('auxiliary_book')).toBe('30y');
    expect(p('periodic_report')).toBe('10y');
    expect(p('annual_report')).toBe('permanent');
    expect(p('bank_reconciliation')).toBe('10y');
    expect(p('bank_statement')).toBe('10y');
    expect(p('tax_return')).toBe('10y');
    expect(p('handover_register')).toBe('30y');
    expect(p('custody_register')).toBe('permanent');
    expect(p('destruction_register')).toBe('permanent');
    expect(p('appraisal_opinion')).toBe('permanent');
    expect(rules.regimes.enterprise.rows).toHaveLength(16);
  });

  it('encodes the public-sector columns of 附表2', () => {
    const inst = (k: string) => retentionFor(rules, 'public_institution', k);
    expect(inst('journal_voucher')).toMatchObject({ retention: '30y', rowNo: 3, item: '行政单位和事业单位的各种会计凭证' });
    expect(inst('original_voucher').rowNo).toBe(3);
    expect(inst('annual_report')).toMatchObject({ retention: 'permanent', rowNo: 11, item: '部门财务报告' });
    expect(inst('final_accounts')).toMatchObject({ retention: 'permanent', rowNo: 13 });
    expect(inst('periodic_report')).toMatchObject({ retention: '10y', rowNo: 17 });
    expect(inst('fixed_asset_card').retention).toBe('disposal+5y');
    expect(inst('bank_statement').retention).toBe('10y');
    const budget = (k: string) => retentionFor(rules, 'general_budget', k);
    expect(budget('treasury_statement')).toMatchObject({ retention: '10y', rowNo: 1 });
    expect(budget('journal_voucher')).toMatchObject({ retention: '30y', rowNo: 4 });
    expect(budget('annual_report')).toMatchObject({ retention: 'permanent', item: '政府综合财务报告' });
    expect(budget('final_accounts')).toMatchObject({ retention: 'permanent', item: '财政总决算' });
    expect(budget('treasury_annual_report').retention).toBe('10y');
    expect(rules.defaultRegime).toBe('public_institution');
  });

  it('names the missing row instead of guessing', () => {
    // 附表2's 行政事业 column has no 纳税申报表 row.
    expect(() => retentionFor(rules, 'public_institution', 'tax_return')).toThrow(/no row for item kind "tax_return" in regime public_institution/);
    expect(() => retentionFor(rules, 'tax_office', 'journal_voucher')).toThrow(/regime "tax_office" is not defined/);
  });

  it('counts expiry from the end of the fiscal year', () => {
    expect(expiryDate(2024, 30)).toBe('2054-12-31');
    expect(expiryDate(2015, 10)).toBe('2025-12-31');
    expect(expiryDate(2024, 'permanent')).toBeNull();
    expect(expiryDate(2024, { afterDisposal: 5 })).toBeNull();
  });

  it('refuses a table that breaks the schema or maps an item twice', () => {
    expect(() => parseRetentionRules({ id: 'x', version: 1, source: 's', defaultRegime: 'a', regimes: { a: { name: 'a', table: 't', rows: [{ no: 1, category: 'voucher', item: '原始凭证', itemKeys: ['original_voucher'], period: 15 }] } } })).toThrow(/retention.schema.json/);
    const row = { no: 1, category: 'voucher', item: '原始凭证', itemKeys: ['original_voucher'], period: 30 };
    expect(() => parseRetentionRules({ id: 'x', version: 1, source: 's', defaultRegime: 'a', regimes: { a: { name: 'a', table: 't', rows: [row, { ...row, no: 2 }] } } })).toThrow(/appears in rows 1 and 2/);
    expect(() => parseRetentionRules({ id: 'x', version: 1, source: 's', defaultRegime: 'b', regimes: { a: { name: 'a', table: 't', rows: [row] } } })).toThrow(/defaultRegime "b"/);
  });
});

import { loadRetentionRules } from '../retention/retention.rules';
import { findNumberGaps, groupPeriod, planVolumes, renderVolume, type SourceItem } from './plan';
import { formatPattern, loadVolumeRules, parseVolumeRules } from './volumes.rules';

const rules = loadVolumeRules();
const retention = loadRetentionRules();
const ctx = { fondsCode: 'Q001', fondsName: '财政局全宗', unitCode: 'A01', unitName: '南通市财政局', year: 2024 };

function jv(n: number, day = 1, originals = 0): SourceItem {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    sourceType: 'journal_voucher',
    sourceId: id,
    itemKey: 'journal_voucher',
    period: '2024-03',
    number: `记-${String(n).padStart(4, '0')}`,
    date: `2024-03-${String(day).padStart(2, '0')}`,
    title: `凭证${n}`,
    originals: Array.from({ length: originals }, (_, i) => ({ sourceId: `${id}-o${i}`, title: `发票${n}-${i}` })),
  };
}

describe('volume rules', () => {
  it('fills patterns with zero-padded tokens', () => {
    expect(formatPattern(rules.codes.volume, { fonds: 'Q001', year: 2024, category: 'PZ', retention: 'D30', volume: 7 })).toBe('Q001-2024-PZ-D30-0007');
    expect(() => formatPattern('{fonds}-{volume:4}', { fonds: 'Q001' })).toThrow(/no value for \{volume\}/);
  });

  it('refuses patterns with unknown tokens or without their running number', () => {
    const bad = { ...rules, codes: { ...rules.codes, volume: '{fonds}-{year}-{colour}' } };
    expect(() => parseVolumeRules(bad)).toThrow(/unknown token \{colour\}.*must contain \{volume\}/);
  });

  it('groups by month, quarter, year or the item period', () => {
    expect(groupPeriod('month', '2024-03', null, 'x')).toBe('2024-03');
    expect(groupPeriod('quarter', '2024-08', null, 'x')).toBe('2024-Q3');
    expect(groupPeriod('year', '2024-08', null, 'x')).toBe('2024');
    expect(groupPeriod('source', '2024-H1', null, 'x')).toBe('2024-H1');
    expect(() => groupPeriod('month', '2024-13', null, 'jv 1')).toThrow(/jv 1: period "2024-13"/);
  });
});

describe('planVolumes', () => {
  it('orders by voucher number, splits at the maximum with consecutive ranges, and names every item', () => {
    const items = Array.from({ length: 230 }, (_, i) => jv(230 - i, 1 + (i % 28), i % 3 === 0 ? 1 : 0));
    const plan = planVolumes({ rules, retention, regime: 'public_institution', year: 2024, items });
    expect(plan.gaps).toEqual([]);
    expect(plan.volumes.map((v) => [v.part, v.items.length, v.firstNumber, v.lastNumber])).toEqual([
      [1, 100, '记-0001', '记-0100'],
      [2, 100, '记-0101', '记-0200'],
      [3, 30, '记-0201', '记-0230'],
    ]);
    expect(plan.volumes[0]).toMatchObject({ category: 'voucher', period: '2024-03', retentionCode: 'D30', expiresOn: '2054-12-31' });
    expect(plan.volumes[0].retention).toMatchObject({ retention: '30y', regime: 'public_institution', rowNo: 3, ruleId: 'retention', ruleVersion: 1 });
    const r = renderVolume(rules, ctx, plan.volumes[1], 2);
    expect(r.archivalCode).toBe('Q001-2024-PZ-D30-0002');
    expect(r.title).toBe('南通市财政局2024年3月凭证（记-0101至记-0200）');
    const top = r.items.filter((i) => i.parentSeq === null);
    expect(top.map((i) => i.itemNo)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(top[0]).toMatchObject({ number: '记-0101', archivalCode: 'Q001-2024-PZ-D30-0002-0001' });
    const subs = r.items.filter((i) => i.parentSeq !== null);
    expect(subs[0]).toMatchObject({ sourceType: 'original', archivalCode: expect.stringMatching(/^Q001-2024-PZ-D30-0002-\d{4}-01$/) });
  });

  it('gives the same plan for any input order', () => {
    const items = [jv(3), jv(1), jv(2, 5), jv(4)];
    const a = planVolumes({ rules, retention, regime: 'enterprise', year: 2024, items });
    const b = planVolumes({ rules, retention, regime: 'enterprise', year: 2024, items: [...items].reverse() });
    expect(renderVolume(rules, ctx, a.volumes[0], 1).fingerprint).toBe(renderVolume(rules, ctx, b.volumes[0], 1).fingerprint);
  });

  it('reports missing voucher numbers per 凭证字', () => {
    expect(findNumberGaps('voucher', '2024-03', ['记-0001', '记-0002', '记-0004', '记-0007', '收-01', '收-03'])).toEqual([
      { category: 'voucher', period: '2024-03', word: '收', missing: '收-02' },
      { category: 'voucher', period: '2024-03', word: '记', missing: '记-0003' },
      { category: 'voucher', period: '2024-03', word: '记', missing: '记-0005' },
      { category: 'voucher', period: '2024-03', word: '记', missing: '记-0006' },
    ]);
    const plan = planVolumes({ rules, retention, regime: 'enterprise', year: 2024, items: [jv(1), jv(2), jv(3), jv(4), jv(6)] });
    expect(plan.gaps).toEqual([{ category: 'voucher', period: '2024-03', word: '记', missing: '记-0005' }]);
  });

  it('refuses items of another year and items offered twice', () => {
    expect(() => planVolumes({ rules, retention, regime: 'enterprise', year: 2023, items: [jv(1)] })).toThrow(/not in fiscal year 2023/);
    expect(() => planVolumes({ rules, retention, regime: 'enterprise', year: 2024, items: [jv(1), jv(1)] })).toThrow(/offered twice/);
  });

  it('files reports per their own period with their own retention', () => {
    const rep = (id: string, itemKey: string, period: string): SourceItem => ({ sourceType: 'report', sourceId: id, itemKey, period, number: null, date: null, title: id, originals: [] });
    const plan = planVolumes({ rules, retention, regime: 'enterprise', year: 2024, items: [rep('a', 'annual_report', '2024'), rep('b', 'periodic_report', '2024-03'), rep('c', 'periodic_report', '2024-Q1')] });
    expect(plan.volumes.map((v) => [v.period, v.retentionCode, v.expiresOn])).toEqual([
      ['2024', 'Y', null],
      ['2024-03', 'D10', '2034-12-31'],
      ['2024-Q1', 'D10', '2034-12-31'],
    ]);
  });
});

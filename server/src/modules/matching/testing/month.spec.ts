import { journalToMatch, voucherToMatch } from '../adapters';
import { matchAll } from '../engine/engine';
import { loadRules } from '../engine/rules';
import { evaluateMatch } from './evaluate';
import { generateMonth } from './month-generator';

describe('a generated month against the default rules (ground truth)', () => {
  const month = generateMonth({ seed: 'ground-truth-1', period: '2025-03', journals: 5200 });
  const rules = loadRules();
  const result = matchAll(
    month.journals.map((j) => journalToMatch(j.id, j.voucher)),
    month.vouchers.map((v) => voucherToMatch(v.id, v.voucher, { reimbursementId: v.reimbursementId })),
    rules,
  );
  const ev = evaluateMatch(month, result);

  it('has the size and the hard cases a real month has', () => {
    expect(month.journals.length).toBeGreaterThanOrEqual(5000);
    for (const c of ['several-invoices', 'split-payment', 'red-invoice', 'typo-number', 'nothing-cited', 'same-amount-same-day', 'travel-reimbursement', 'non-tax-income', 'bank-receipt', 'no-original', 'unbooked-voucher'])
      expect(month.cases[c as keyof typeof month.cases] ?? 0).toBeGreaterThan(10);
  });

  it('auto links are ≥ 99% precise and auto + suggested links recall ≥ 95% of the truth', () => {
    // Printed so a rule change shows what it did to each case.
    console.log(JSON.stringify({ precisionAuto: ev.precisionAuto, recall: ev.recall, recallAuto: ev.recallAuto, auto: ev.auto, suggested: ev.suggested, suggestedCorrect: ev.suggestedCorrect, truth: ev.truth, ms: result.stats.ms }));
    expect(ev.precisionAuto).toBeGreaterThanOrEqual(0.99);
    expect(ev.recall).toBeGreaterThanOrEqual(0.95);
    // The queue should mostly hold real work: most suggestions are true links.
    expect(ev.suggestedCorrect / ev.suggested).toBeGreaterThan(0.6);
  });

  it('never links the ambiguous same-amount-same-day pairs automatically, and a typo is only a suggestion', () => {
    expect(ev.perCase['same-amount-same-day'].auto).toBe(0);
    expect(ev.perCase['same-amount-same-day'].missed).toBe(0);
    expect(ev.perCase['typo-number'].auto).toBe(0);
    expect(ev.perCase['typo-number'].suggested / ev.perCase['typo-number'].truth).toBeGreaterThan(0.9);
  });

  it('links split payments, several invoices per voucher and red invoices automatically', () => {
    for (const c of ['split-payment', 'several-invoices', 'red-invoice', 'travel-reimbursement', 'non-tax-income', 'bank-receipt'])
      expect(ev.perCase[c].auto / ev.perCase[c].truth).toBeGreaterThan(0.97);
  });

  it('every link explains itself by its conditions, with rule id and version', () => {
    // Collected, not asserted per link: ten thousand expect() calls cost seconds.
    const bad = result.links.filter(
      (l) =>
        !/^[a-z]/.test(l.ruleId) ||
        l.ruleVersion < 1 ||
        l.explanation.length === 0 ||
        l.explanation.some((o) => !o.condition || o.detail.length < 6) ||
        !l.explanation.some((o) => o.passed),
    );
    expect(bad).toEqual([]);
    const suggestion = result.links.find((l) => l.tier === 'suggest' && l.ruleId === 'invoice-number-typo')!;
    expect(suggestion.explanation.map((o) => o.condition)).toEqual(['number', 'amount', 'date']);
    expect(suggestion.explanation[0].detail).toMatch(/1 edit\(s\) from voucher invoiceNumber/);
    expect(suggestion.notes.join(' ')).toMatch(/never links automatically|approximately/);
  });

  it('leaves the journal vouchers without originals and the unbooked vouchers unmatched', () => {
    const noOriginal = new Set(month.journals.filter((j) => j.case === 'no-original').map((j) => j.id));
    const unmatched = new Set(result.unmatchedJournals);
    const stillUnmatched = [...noOriginal].filter((id) => unmatched.has(id)).length;
    expect(stillUnmatched / noOriginal.size).toBeGreaterThan(0.9);
    const unbooked = month.vouchers.filter((v) => v.case === 'unbooked-voucher').map((v) => v.id);
    const unmatchedV = new Set(result.unmatchedVouchers);
    expect(unbooked.filter((id) => unmatchedV.has(id)).length / unbooked.length).toBeGreaterThan(0.8);
  });

  it('is deterministic for a seed', () => {
    const again = generateMonth({ seed: 'ground-truth-1', period: '2025-03', journals: 200 });
    const first = generateMonth({ seed: 'ground-truth-1', period: '2025-03', journals: 200 });
    expect(again.journals.map((j) => j.voucher.summary)).toEqual(first.journals.map((j) => j.voucher.summary));
  });
});

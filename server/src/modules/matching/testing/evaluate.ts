/**
 * Scores a match result against ground truth: auto-link precision, recall of auto + suggested links, and the
 * same per hard case, so a rule change that trades one case for another shows.
 */
import { journalToMatch, statementLinesToMatch, voucherToMatch } from '../adapters';
import type { MatchJournal, MatchResult, MatchVoucher } from '../engine/types';
import type { GeneratedMonth } from './month-generator';

/** The month as the engine sees it, through the adapters the service uses (statements become their lines). */
export function toMatchInputs(month: Pick<GeneratedMonth, 'journals' | 'vouchers'>): { journals: MatchJournal[]; vouchers: MatchVoucher[] } {
  return {
    journals: month.journals.map((j) => journalToMatch(j.id, j.voucher)),
    vouchers: month.vouchers.flatMap((v) => (v.voucher.kind === 'bkrs' ? statementLinesToMatch(v.id, v.voucher) : [voucherToMatch(v.id, v.voucher, { reimbursementId: v.reimbursementId })])),
  };
}

export interface Evaluation {
  truth: number;
  auto: number;
  autoCorrect: number;
  suggested: number;
  suggestedCorrect: number;
  precisionAuto: number;
  recall: number;
  recallAuto: number;
  perCase: Record<string, { truth: number; auto: number; suggested: number; missed: number }>;
  wrongAuto: { journalId: string; voucherId: string; ruleId: string }[];
}

export function evaluateMatch(month: Pick<GeneratedMonth, 'truth'>, result: MatchResult): Evaluation {
  const truth = new Map(month.truth.map((t) => [`${t.journalId}|${t.voucherId}`, t.case]));
  const found = new Map(result.links.map((l) => [`${l.journalId}|${l.voucherId}`, l]));
  let auto = 0;
  let autoCorrect = 0;
  let suggested = 0;
  let suggestedCorrect = 0;
  const wrongAuto: Evaluation['wrongAuto'] = [];
  for (const l of result.links) {
    const ok = truth.has(`${l.journalId}|${l.voucherId}`);
    if (l.tier === 'auto') {
      auto++;
      if (ok) autoCorrect++;
      else wrongAuto.push({ journalId: l.journalId, voucherId: l.voucherId, ruleId: l.ruleId });
    } else {
      suggested++;
      if (ok) suggestedCorrect++;
    }
  }
  const perCase: Evaluation['perCase'] = {};
  for (const [key, c] of truth) {
    const pc = (perCase[c] ??= { truth: 0, auto: 0, suggested: 0, missed: 0 });
    pc.truth++;
    const l = found.get(key);
    if (!l) pc.missed++;
    else if (l.tier === 'auto') pc.auto++;
    else pc.suggested++;
  }
  return {
    truth: truth.size,
    auto,
    autoCorrect,
    suggested,
    suggestedCorrect,
    precisionAuto: auto ? autoCorrect / auto : 1,
    recall: truth.size ? (autoCorrect + suggestedCorrect) / truth.size : 1,
    recallAuto: truth.size ? autoCorrect / truth.size : 1,
    perCase,
    wrongAuto,
  };
}

/**
 * The one vocabulary of matching conditions and its one dispatcher. Every condition, whatever its kind, takes a
 * (journal voucher, voucher) pair in the context of the rule run and says whether it passed, whether exactly,
 * and with which values — that outcome is stored as the link's explanation.
 */
import { fromFen } from '../../../formats/kinds/money';
import type { Condition, JournalField, VoucherField } from './rules';
import { reason } from './explain';
import { editDistance, normaliseName, similarity } from './text';
import type { ConditionOutcome, MatchJournal, MatchVoucher } from './types';

/** What the dispatcher knows besides the pair: the journal amount under the rule's basis and the pair's groups. */
export interface PairContext {
  journalAmount: bigint | undefined;
  /** Vouchers the journal voucher cites on the rule's candidate key (split: several invoices in one voucher). */
  journalGroup?: MatchVoucher[];
  /** Journal vouchers citing this voucher on the rule's candidate key, with their amounts (split payments). */
  voucherGroup?: { journal: MatchJournal; amount: bigint | undefined }[];
}

type Evaluator<C extends Condition> = (c: C, j: MatchJournal, v: MatchVoucher, ctx: PairContext) => Omit<ConditionOutcome, 'condition' | 'match' | 'weight'>;

export function journalValues(j: MatchJournal, f: JournalField): string[] {
  if (f === 'summary') return [j.summary];
  if (f === 'counterparties') return j.counterparties;
  return j.refs[f] ?? [];
}

export function voucherValues(v: MatchVoucher, f: VoucherField): string[] {
  if (f === 'names') return v.names;
  if (f === 'text') return v.text ? [v.text] : [];
  if (f === 'kind') return [v.kind];
  return v.keys[f] ?? [];
}

const fmt = (xs: string[]) => (xs.length === 0 ? '—' : xs.length > 3 ? `${xs.slice(0, 3).join(', ')} …(+${xs.length - 3})` : xs.join(', '));
const money = (x: bigint | undefined) => (x === undefined ? '—' : fromFen(x));
const abs = (x: bigint) => (x < 0n ? -x : x);

function withinTolerance(a: bigint, b: bigint, tol: { fen?: number; percent?: number }): boolean {
  const d = abs(a - b);
  if (d === 0n) return true;
  if (tol.fen !== undefined && d <= BigInt(tol.fen)) return true;
  // Percent of the larger magnitude, in basis points of a fen so no float touches the money.
  if (tol.percent !== undefined) {
    const base = abs(a) > abs(b) ? abs(a) : abs(b);
    return d * 10_000n <= base * BigInt(Math.round(tol.percent * 100));
  }
  return false;
}

const join: Evaluator<Extract<Condition, { match: 'join' }>> = (c, j, v) => {
  const mine = j.refs[c.key] ?? [];
  const theirs = v.keys[c.key] ?? [];
  const hit = mine.find((x) => theirs.includes(x));
  return hit
    ? { passed: true, exact: true, reason: reason('join.hit', { key: c.key, value: hit }), journalValue: hit, voucherValue: hit }
    : { passed: false, exact: false, reason: reason('join.miss', { key: c.key, journal: fmt(mine), voucher: fmt(theirs) }), journalValue: fmt(mine), voucherValue: fmt(theirs) };
};

const exact: Evaluator<Extract<Condition, { match: 'exact' }>> = (c, j, v) => {
  const mine = journalValues(j, c.journal);
  const theirs = voucherValues(v, c.voucher);
  const norm = new Set(theirs.map(normaliseName));
  const hit = mine.find((x) => norm.has(normaliseName(x)));
  return hit
    ? { passed: true, exact: true, reason: reason('exact.hit', { journalField: c.journal, voucherField: c.voucher, value: hit }), journalValue: hit, voucherValue: hit }
    : { passed: false, exact: false, reason: reason('exact.miss', { journalField: c.journal, voucherField: c.voucher, journal: fmt(mine), voucher: fmt(theirs) }), journalValue: fmt(mine), voucherValue: fmt(theirs) };
};

const words: Evaluator<Extract<Condition, { match: 'any' | 'all' }>> = (c, j) => {
  const text = journalValues(j, c.journal).join(' ');
  const found = c.words.filter((w) => text.includes(w));
  const passed = c.match === 'any' ? found.length > 0 : found.length === c.words.length;
  return { passed, exact: true, reason: reason('words', { journalField: c.journal, mode: c.match, words: c.words.join(', '), found: found.join(', ') }), journalValue: text.slice(0, 80) };
};

const regexCache = new Map<string, RegExp>();
const regex: Evaluator<Extract<Condition, { match: 'regex' }>> = (c, j, v) => {
  let re = regexCache.get(c.pattern);
  if (!re) regexCache.set(c.pattern, (re = new RegExp(c.pattern, 'u')));
  const jv = c.journal ? journalValues(j, c.journal) : undefined;
  const vv = c.voucher ? voucherValues(v, c.voucher) : undefined;
  const jOk = jv === undefined || jv.some((x) => re.test(x));
  const vOk = vv === undefined || vv.some((x) => re.test(x));
  return { passed: jOk && vOk, exact: true, reason: reason(jOk && vOk ? 'regex.hit' : 'regex.miss', { pattern: c.pattern }), journalValue: jv && fmt(jv), voucherValue: vv && fmt(vv) };
};

const fuzzy: Evaluator<Extract<Condition, { match: 'fuzzy' }>> = (c, j, v) => {
  const mine = journalValues(j, c.journal);
  const theirs = voucherValues(v, c.voucher);
  if (c.maxEdits !== undefined) {
    let best = { d: Infinity, a: '', b: '' };
    for (const a of mine)
      for (const b of theirs) {
        const d = editDistance(a, b, c.maxEdits);
        if (d < best.d) best = { d, a, b };
      }
    if (best.d <= c.maxEdits)
      return { passed: true, exact: best.d === 0, reason: reason('fuzzy.edits', { journalField: c.journal, voucherField: c.voucher, journal: best.a, voucher: best.b, edits: best.d }), journalValue: best.a, voucherValue: best.b };
    return { passed: false, exact: false, reason: reason('fuzzy.tooFar', { journalField: c.journal, voucherField: c.voucher, maxEdits: c.maxEdits, voucher: fmt(theirs) }), journalValue: fmt(mine), voucherValue: fmt(theirs) };
  }
  let best = { s: 0, a: '', b: '' };
  for (const a of mine)
    for (const b of theirs) {
      const s = similarity(a, b);
      if (s > best.s) best = { s, a, b };
    }
  const passed = best.s >= (c.minSimilarity ?? 1);
  return {
    passed,
    exact: best.s === 1,
    reason: reason('fuzzy.similarity', { journalField: c.journal, voucherField: c.voucher, journal: best.a || fmt(mine), voucher: best.b || fmt(theirs), similarity: best.s.toFixed(2), min: c.minSimilarity ?? 1 }),
    journalValue: best.a || fmt(mine),
    voucherValue: best.b || fmt(theirs),
  };
};

const amount: Evaluator<Extract<Condition, { match: 'amount' }>> = (c, _j, v, ctx) => {
  const a = ctx.journalAmount;
  const b = v.amount;
  if (a === undefined || b === undefined) return { passed: false, exact: false, reason: reason('amount.missing'), journalValue: money(a), voucherValue: money(b) };
  if (a === b) return { passed: true, exact: true, reason: reason('amount.equal', { amount: money(a) }), journalValue: money(a), voucherValue: money(b) };
  if (withinTolerance(a, b, c.tolerance))
    return { passed: true, exact: false, reason: reason('amount.tolerance', { journal: money(a), voucher: money(b), difference: money(abs(a - b)) }), journalValue: money(a), voucherValue: money(b) };
  if (c.sumOfMany) {
    const g = ctx.journalGroup;
    if (g && g.length > 1) {
      const sum = g.reduce((s, x) => s + (x.amount ?? 0n), 0n);
      if (withinTolerance(a, sum, c.tolerance))
        return { passed: true, exact: a === sum, reason: reason('amount.sumOfVouchers', { journal: money(a), count: g.length, parts: g.map((x) => money(x.amount)).join(' + ') }), journalValue: money(a), voucherValue: `${money(b)} / ${money(sum)}` };
    }
    const h = ctx.voucherGroup;
    if (h && h.length > 1) {
      const sum = h.reduce((s, x) => s + (x.amount ?? 0n), 0n);
      if (withinTolerance(b, sum, c.tolerance))
        return { passed: true, exact: b === sum, reason: reason('amount.paidInParts', { voucher: money(b), count: h.length, parts: h.map((x) => `${x.journal.number}: ${money(x.amount)}`).join(' + ') }), journalValue: `${money(a)} / ${money(sum)}`, voucherValue: money(b) };
    }
  }
  return { passed: false, exact: false, reason: reason('amount.differ', { journal: money(a), voucher: money(b) }), journalValue: money(a), voucherValue: money(b) };
};

const date: Evaluator<Extract<Condition, { match: 'date' }>> = (c, j, v) => {
  if (v.day === undefined) return { passed: false, exact: false, reason: reason('date.none'), journalValue: j.date };
  const before = j.day - v.day;
  const passed = before >= -c.window.after && before <= c.window.before;
  const code = before === 0 ? 'date.sameDay' : before > 0 ? 'date.before' : 'date.after';
  return { passed, exact: true, reason: reason(code, { date: v.date ?? '', days: Math.abs(before), before: c.window.before, after: c.window.after }), journalValue: j.date, voucherValue: v.date };
};

const DISPATCH: { [M in Condition['match']]: Evaluator<Extract<Condition, { match: M }>> } = {
  join,
  exact,
  any: words,
  all: words,
  regex,
  fuzzy,
  amount,
  date,
};

/** The dispatcher: the only place that branches on a condition's kind. */
export function evaluate(c: Condition, j: MatchJournal, v: MatchVoucher, ctx: PairContext): ConditionOutcome {
  const r = (DISPATCH[c.match] as Evaluator<Condition>)(c, j, v, ctx);
  return { condition: c.id, match: c.match, weight: c.weight, ...r };
}

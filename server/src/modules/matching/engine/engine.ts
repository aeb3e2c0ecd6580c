/**
 * The matching engine: every enabled rule, over every journal voucher in its scope, against candidate vouchers
 * found through an index (business key, or amount + day), never by scanning all pairs — so a month of 10⁶
 * journal vouchers stays near-linear. The best outcome per pair wins across rules; ambiguity lowers auto links
 * to suggestions.
 */
import { evaluate, type PairContext } from './conditions';
import { reason, type Reason } from './explain';
import type { MatchingRule, RuleSet } from './rules';
import { JOIN_KEYS, type ConditionOutcome, type JoinKey, type Link, type MatchJournal, type MatchResult, type MatchVoucher } from './types';

/** Candidate lookup over the voucher side, built once per run. */
export class VoucherIndex {
  private readonly byKey = new Map<JoinKey, Map<string, MatchVoucher[]>>();
  /**
   * Per voucher kind: fen (as text: BigInt keys) → vouchers sorted by day, and the distinct amounts in order
   * (for tolerance ranges). Per kind, because common round amounts (100.00, 1000.00) are shared by hundreds of
   * vouchers of other kinds that a rule would only filter out again.
   */
  private readonly byAmount = new Map<string, { lists: Map<string, MatchVoucher[]>; sorted: bigint[] }>();

  constructor(readonly vouchers: MatchVoucher[]) {
    for (const k of JOIN_KEYS) this.byKey.set(k, new Map());
    for (const v of vouchers) {
      for (const k of JOIN_KEYS) {
        const m = this.byKey.get(k)!;
        for (const value of v.keys[k] ?? []) {
          const list = m.get(value);
          if (list) list.push(v);
          else m.set(value, [v]);
        }
      }
      if (v.amount !== undefined) {
        let k = this.byAmount.get(v.kind);
        if (!k) this.byAmount.set(v.kind, (k = { lists: new Map(), sorted: [] }));
        const key = v.amount.toString();
        const list = k.lists.get(key);
        if (list) list.push(v);
        else k.lists.set(key, [v]);
      }
    }
    for (const k of this.byAmount.values()) {
      for (const list of k.lists.values()) list.sort((a, b) => (a.day ?? 0) - (b.day ?? 0));
      k.sorted = [...k.lists.keys()].map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
  }

  get kinds(): string[] {
    return [...this.byAmount.keys()];
  }

  byJoinKey(key: JoinKey, values: string[]): MatchVoucher[] {
    const m = this.byKey.get(key)!;
    if (values.length === 1) return m.get(values[0]) ?? [];
    const out = new Set<MatchVoucher>();
    for (const value of values) for (const v of m.get(value) ?? []) out.add(v);
    return [...out];
  }

  /** Vouchers of `kinds` whose amount is within [lo, hi] and whose day is within [fromDay, toDay] (when given). */
  byAmountRange(kinds: readonly string[], lo: bigint, hi: bigint, fromDay?: number, toDay?: number): MatchVoucher[] {
    const out: MatchVoucher[] = [];
    for (const kind of kinds) {
      const k = this.byAmount.get(kind);
      if (k) this.rangeOfKind(k, lo, hi, out, fromDay, toDay);
    }
    return out;
  }

  private rangeOfKind(k: { lists: Map<string, MatchVoucher[]>; sorted: bigint[] }, lo: bigint, hi: bigint, out: MatchVoucher[], fromDay?: number, toDay?: number): void {
    const push = (list: MatchVoucher[]) => {
      if (fromDay === undefined || toDay === undefined) {
        out.push(...list);
        return;
      }
      // Lists are sorted by day: binary search the window's start.
      let a = 0;
      let b = list.length;
      while (a < b) {
        const m = (a + b) >> 1;
        if ((list[m].day ?? -Infinity) < fromDay) a = m + 1;
        else b = m;
      }
      for (let i = a; i < list.length && (list[i].day ?? Infinity) <= toDay; i++) out.push(list[i]);
    };
    if (lo === hi) {
      const list = k.lists.get(lo.toString());
      if (list) push(list);
      return;
    }
    let a = 0;
    let b = k.sorted.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (k.sorted[m] < lo) a = m + 1;
      else b = m;
    }
    for (let i = a; i < k.sorted.length && k.sorted[i] <= hi; i++) push(k.lists.get(k.sorted[i].toString())!);
  }
}

export function inJournalScope(rule: MatchingRule, j: MatchJournal): boolean {
  const p = rule.scope.accountPrefixes;
  return !p || j.entries.some((e) => p.some((x) => e.accountCode.startsWith(x)));
}

/** The journal voucher's amount under the rule's basis (signed; red journal vouchers are negative). */
export function journalAmount(rule: MatchingRule, j: MatchJournal): bigint | undefined {
  const basis = rule.amountBasis ?? 'total';
  if (basis === 'total') return j.entries.reduce((s, e) => s + e.debit, 0n);
  const p = rule.scope.accountPrefixes ?? [];
  let net = 0n;
  let any = false;
  for (const e of j.entries)
    if (p.some((x) => e.accountCode.startsWith(x))) {
      net += e.debit - e.credit;
      any = true;
    }
  if (!any) return undefined;
  return basis === 'scope-abs' && net < 0n ? -net : net;
}

interface Pair {
  journal: MatchJournal;
  voucher: MatchVoucher;
  score: number;
  tier: 'auto' | 'suggest';
  outcomes: ConditionOutcome[];
  notes: Reason[];
  rule: MatchingRule;
}

const TIER_RANK = { auto: 2, suggest: 1 } as const;

/** Runs one rule: candidate lookup, the dispatcher on every condition, score, tier, ambiguity. */
export function runRule(
  rule: MatchingRule,
  journals: MatchJournal[],
  index: VoucherIndex,
  counter = { pairs: 0 },
  linked?: { journals: Set<string>; vouchers: Set<string> },
): Pair[] {
  const skip = rule.fallback && linked ? linked : undefined;
  const kinds = rule.scope.voucherKinds ? new Set(rule.scope.voucherKinds) : undefined;
  const inKind = (v: MatchVoucher) => (!kinds || kinds.has(v.kind)) && !skip?.vouchers.has(v.id);
  const amountKinds = rule.scope.voucherKinds ?? index.kinds;
  const amountCond = rule.conditions.find((c) => c.match === 'amount') as Extract<MatchingRule['conditions'][number], { match: 'amount' }> | undefined;
  const dateCond = rule.conditions.find((c) => c.match === 'date' && c.required) as Extract<MatchingRule['conditions'][number], { match: 'date' }> | undefined;

  // Pass 1: candidates per journal voucher, and the reverse groups (journal vouchers citing each voucher).
  const scoped: { j: MatchJournal; amount: bigint | undefined; cands: MatchVoucher[] }[] = [];
  const citing = new Map<MatchVoucher, { journal: MatchJournal; amount: bigint | undefined }[]>();
  for (const j of journals) {
    if (!inJournalScope(rule, j) || skip?.journals.has(j.id)) continue;
    const amount = journalAmount(rule, j);
    let cands: MatchVoucher[];
    if (rule.candidates.by === 'key') {
      const refs = j.refs[rule.candidates.key];
      if (!refs || refs.length === 0) continue;
      cands = index.byJoinKey(rule.candidates.key, refs).filter(inKind);
    } else {
      if (amount === undefined || !amountCond) continue;
      const tol = amountCond.tolerance;
      let spread = BigInt(tol.fen ?? 0);
      if (tol.percent) {
        const a = amount < 0n ? -amount : amount;
        const p = (a * BigInt(Math.round(tol.percent * 100))) / 10_000n;
        if (p > spread) spread = p;
      }
      cands = index.byAmountRange(amountKinds, amount - spread, amount + spread, dateCond ? j.day - dateCond.window.before : undefined, dateCond ? j.day + dateCond.window.after : undefined);
      if (skip) cands = cands.filter(inKind);
    }
    if (cands.length === 0) continue;
    scoped.push({ j, amount, cands });
    if (rule.candidates.by === 'key')
      for (const v of cands) {
        const list = citing.get(v);
        if (list) list.push({ journal: j, amount });
        else citing.set(v, [{ journal: j, amount }]);
      }
  }

  // Pass 2: evaluate every condition of every candidate pair.
  const pairs: Pair[] = [];
  for (const { j, amount, cands } of scoped) {
    for (const v of cands) {
      counter.pairs++;
      const ctx: PairContext = { journalAmount: amount, journalGroup: cands, voucherGroup: citing.get(v) };
      const outcomes: ConditionOutcome[] = [];
      let score = 0;
      let failedRequired = false;
      let capped: Reason | undefined;
      for (const c of rule.conditions) {
        const o = evaluate(c, j, v, ctx);
        outcomes.push(o);
        if (o.passed) {
          score += c.weight;
          if (!o.exact && c.inexactTier) capped = reason('note.inexact', { condition: c.id });
        } else if (c.required) {
          failedRequired = true;
          break;
        }
      }
      if (failedRequired || score < rule.tiers.suggest) continue;
      const notes: Reason[] = [];
      let tier: 'auto' | 'suggest' = score >= rule.tiers.auto ? 'auto' : 'suggest';
      if (tier === 'auto' && rule.maxTier === 'suggest') {
        tier = 'suggest';
        notes.push(reason('note.maxTier', { rule: rule.id }));
      }
      if (tier === 'auto' && capped) {
        tier = 'suggest';
        notes.push(capped);
      }
      pairs.push({ journal: j, voucher: v, score, tier, outcomes, notes, rule });
    }
  }

  // Ambiguity: several candidates where the rule expects one. Same amount on the same day is the classic case.
  if (rule.unique?.perJournal || rule.unique?.perVoucher) {
    const perJ = new Map<MatchJournal, Pair[]>();
    const perV = new Map<MatchVoucher, Pair[]>();
    for (const p of pairs) {
      (perJ.get(p.journal) ?? perJ.set(p.journal, []).get(p.journal)!).push(p);
      (perV.get(p.voucher) ?? perV.set(p.voucher, []).get(p.voucher)!).push(p);
    }
    for (const p of pairs) {
      if (p.tier !== 'auto') continue;
      const nj = perJ.get(p.journal)!.length;
      const nv = perV.get(p.voucher)!.length;
      if (rule.unique.perJournal && nj > 1) {
        p.tier = 'suggest';
        p.notes.push(reason('note.ambiguousJournal', { count: nj, journal: p.journal.number }));
      } else if (rule.unique.perVoucher && nv > 1) {
        p.tier = 'suggest';
        p.notes.push(reason('note.ambiguousVoucher', { count: nv }));
      }
    }
  }
  return pairs;
}

export interface MatchOptions {
  /** Called after each rule (progress output in the CLI). */
  onRule?: (rule: MatchingRule, pairs: number) => void;
}

/** Every rule over both sides; returns the links (best per pair) and what stayed unmatched on each side. */
export function matchAll(journals: MatchJournal[], vouchers: MatchVoucher[], rules: RuleSet, opts: MatchOptions = {}): MatchResult {
  const started = performance.now();
  const index = new VoucherIndex(vouchers);
  const counter = { pairs: 0 };
  const best = new Map<string, Pair>();
  // Records with an automatic link so far, for fallback rules (rules run in file order).
  const linked = { journals: new Set<string>(), vouchers: new Set<string>() };
  for (const rule of rules.rules) {
    const pairs = runRule(rule, journals, index, counter, linked);
    opts.onRule?.(rule, pairs.length);
    for (const p of pairs) {
      if (p.tier === 'auto') {
        linked.journals.add(p.journal.id);
        linked.vouchers.add(p.voucher.id);
      }
      const key = `${p.journal.id}\u0000${p.voucher.id}`;
      const prev = best.get(key);
      if (!prev || TIER_RANK[p.tier] > TIER_RANK[prev.tier] || (p.tier === prev.tier && p.score > prev.score)) best.set(key, p);
    }
  }
  // A suggestion between two records that are both already explained by auto links is noise for the queue.
  const autoJ = new Set<string>();
  const autoV = new Set<string>();
  for (const p of best.values())
    if (p.tier === 'auto') {
      autoJ.add(p.journal.id);
      autoV.add(p.voucher.id);
    }
  const links: Link[] = [];
  for (const p of best.values()) {
    if (p.tier === 'suggest' && autoJ.has(p.journal.id) && autoV.has(p.voucher.id)) continue;
    links.push({
      journalId: p.journal.id,
      voucherId: p.voucher.id,
      score: p.score,
      tier: p.tier,
      ruleId: p.rule.id,
      ruleVersion: p.rule.version,
      explanation: p.outcomes,
      notes: p.notes,
    });
  }
  const linkedJ = new Set(links.map((l) => l.journalId));
  const linkedV = new Set(links.map((l) => l.voucherId));
  return {
    links,
    unmatchedJournals: journals.filter((j) => !linkedJ.has(j.id)).map((j) => j.id),
    unmatchedVouchers: vouchers.filter((v) => !linkedV.has(v.id)).map((v) => v.id),
    stats: { journals: journals.length, vouchers: vouchers.length, pairsEvaluated: counter.pairs, ms: Math.round(performance.now() - started) },
  };
}

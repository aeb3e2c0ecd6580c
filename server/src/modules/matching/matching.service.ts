/**
 * Matching as a service: load a unit's month (journal vouchers from the ledger, candidate vouchers from the
 * pool), run the engine, apply the links without touching what a person decided, record the run; back-test a
 * rule change; accept / reject suggestions; the evidence chain both ways; the bank reconciliation report.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { AuditService, type AuditActor } from '../../platform/audit/audit.service';
import type { Clock } from '../../platform/clock/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors/errors';
import { allowedUnitIds, assertUnit, type Principal } from '../../platform/identity';
import type { AnyRole } from '../../platform/identity/roles';
import { CLOCK } from '../../platform/tokens';
import { fromFen, toFen } from '../../formats/kinds/money';
import type { Voucher } from '../../formats/voucher';
import { LedgerService } from '../ledger/ledger.service';
import type { StoredJournal } from '../ledger/ledger.repository';
import { LinkBookingService, type LinkBookingReport } from '../pool/claims/link-booking.service';
import { journalToMatch, statementLinesToMatch, voucherToMatch, type StatementLineView } from './adapters';
import { journalAmount, matchAll } from './engine/engine';
import { DEFAULT_RULES_DIR, loadRules, type RuleSet } from './engine/rules';
import { notesWithText, withText, type ExplainLocale, type Reason } from './engine/explain';
import type { Link, MatchJournal, MatchVoucher } from './engine/types';
import { MatchingRepository, type LinkRow } from './matching.repository';
import { reconcile, type ReconciliationReport } from './reconciliation';

export const MATCH_READ_ROLES: readonly AnyRole[] = ['accountant', 'archivist', 'auditor', 'unit_admin'];
export const MATCH_DECIDE_ROLES: readonly AnyRole[] = ['accountant', 'archivist'];

export type MatchActor = { principal: Principal } | { operator: string };

/** How far around the period candidate vouchers are loaded: the widest rule window (invoices booked late). */
const LOOK_BACK_DAYS = 200;
const LOOK_AHEAD_DAYS = 31;

export interface RunSummary {
  period: string;
  rulesDigest: string;
  units: {
    unitId: string;
    unitCode: string;
    runId: string | null;
    journals: number;
    vouchers: number;
    auto: number;
    suggestions: number;
    kept: number;
    removed: number;
    unmatchedJournals: { id: string; number: string; summary: string }[];
    unmatchedVouchers: { id: string; kind: string; number?: string; amount?: string; date?: string }[];
    ms: number;
    /** What the pool did with the vouchers of the links in force (booked 入账, or why not). */
    booking?: LinkBookingReport;
  }[];
  totals: { journals: number; vouchers: number; auto: number; suggestions: number; unmatchedJournals: number; unmatchedVouchers: number };
}

export interface BacktestReport {
  period: string;
  rules: { source: string; digest: string; ids: string[] };
  added: { journal: string; voucher: string; tier: string; score: number; ruleId: string; ruleVersion: number }[];
  dropped: { journal: string; voucher: string; tier: string; ruleId: string; ruleVersion: number; decidedByPerson: boolean }[];
  changed: { journal: string; voucher: string; from: { tier: string; score: number; ruleId: string; ruleVersion: number }; to: { tier: string; score: number; ruleId: string; ruleVersion: number } }[];
  unchanged: number;
}

interface UnitMonth {
  unitId: string;
  unitCode: string;
  journals: StoredJournal[];
  matchJournals: MatchJournal[];
  vouchers: MatchVoucher[];
  voucherInfo: Map<string, { kind: string; number?: string; amount?: string; date?: string }>;
}

const pairKey = (journalId: string, voucherId: string, line: number | null) => `${journalId}|${voucherId}|${line ?? -1}`;
/** Engine ids of statement lines are `<voucher uuid>#<line>`. */
export function splitTarget(id: string): { voucherId: string; line: number | null } {
  const i = id.indexOf('#');
  return i < 0 ? { voucherId: id, line: null } : { voucherId: id.slice(0, i), line: Number(id.slice(i + 1)) };
}

function shiftDate(date: string, days: number): string {
  const t = Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}
function periodBounds(period: string): { first: string; last: string } {
  const [y, m] = period.split('-').map(Number);
  return { first: `${period}-01`, last: new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10) };
}
function checkPeriod(period: string): void {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) throw new ValidationError(`period must be YYYY-MM, not "${period}"`, { field: 'period' });
}
function auditActor(a: MatchActor): AuditActor {
  return 'principal' in a ? a.principal : { type: 'system', id: 'cli', name: a.operator };
}

@Injectable()
export class MatchingService {
  constructor(
    private readonly repo: MatchingRepository,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() private readonly booking?: LinkBookingService,
  ) {}

  rules(dir?: string): RuleSet {
    return loadRules(dir ?? DEFAULT_RULES_DIR);
  }

  private async units(period: string, unitCode?: string, actor?: MatchActor): Promise<{ id: string; code: string }[]> {
    let ids: string[];
    if (unitCode) {
      ids = [await this.ledger.unitId(unitCode)];
      if (actor && 'principal' in actor) assertUnit(actor.principal, ids[0], MATCH_DECIDE_ROLES);
    } else {
      ids = await this.repo.unitsWithJournals(period);
      // Without a unit, a person runs matching for the units they may work in, not for everyone's.
      if (actor && 'principal' in actor) {
        const allowed = allowedUnitIds(actor.principal, MATCH_DECIDE_ROLES);
        if (allowed !== 'all') ids = ids.filter((id) => allowed.includes(id));
      }
    }
    const out: { id: string; code: string }[] = [];
    for (const id of ids) out.push({ id, code: (await this.ledger.unitCode(id)) ?? id });
    return out;
  }

  private async loadMonth(unit: { id: string; code: string }, period: string): Promise<UnitMonth> {
    const journals = await this.ledger.loadPeriod([unit.id], period);
    const matchJournals = journals.map((j) => journalToMatch(j.id, j.voucher, unit.id));
    const { first, last } = periodBounds(period);
    const [from, to] = [shiftDate(first, -LOOK_BACK_DAYS), shiftDate(last, LOOK_AHEAD_DAYS)];
    // Vouchers dated around the period, and those its journal vouchers cite by invoice number whatever their date
    // (a late reimbursement); the rules' date conditions still weigh how far apart the two are.
    const cited = [...new Set(matchJournals.flatMap((j) => j.refs.invoiceNumber ?? []))];
    const rows = [...(await this.repo.poolVouchers(unit.id, from, to)), ...(await this.repo.poolVouchersCitedOutside(unit.id, cited, from, to))];
    const vouchers: MatchVoucher[] = [];
    const voucherInfo = new Map<string, { kind: string; number?: string; amount?: string; date?: string }>();
    for (const r of rows) {
      const v = r.data as Voucher;
      if (!v || typeof v !== 'object') continue;
      if (r.kind === 'bkrs') {
        for (const l of statementLinesToMatch(r.id, v, unit.id)) {
          vouchers.push(l);
          voucherInfo.set(l.id, { kind: 'bkrs-line', number: l.keys.bankSerial?.[0], amount: l.amount === undefined ? undefined : fromFen(l.amount), date: l.date });
        }
        continue;
      }
      const m = voucherToMatch(r.id, { ...v, lineItems: v.lineItems ?? [], extra: v.extra ?? {} }, { unitId: unit.id });
      vouchers.push(m);
      voucherInfo.set(r.id, { kind: r.kind, number: v.invoiceNumber ?? v.bankSerialNumber, amount: v.totalAmount, date: v.issueDate });
    }
    return { unitId: unit.id, unitCode: unit.code, journals, matchJournals, vouchers, voucherInfo };
  }

  /** Runs the rules over a period (one unit, or every unit with journal vouchers in it) and applies the links. */
  async run(actor: MatchActor, input: { period: string; unit?: string; rulesDir?: string }): Promise<RunSummary> {
    checkPeriod(input.period);
    const rules = this.rules(input.rulesDir);
    const units = await this.units(input.period, input.unit, actor);
    const summary: RunSummary = { period: input.period, rulesDigest: rules.digest, units: [], totals: { journals: 0, vouchers: 0, auto: 0, suggestions: 0, unmatchedJournals: 0, unmatchedVouchers: 0 } };
    for (const unit of units) {
      const month = await this.loadMonth(unit, input.period);
      const result = matchAll(month.matchJournals, month.vouchers, rules);
      const applied = await this.apply(actor, month, input.period, rules, result.links);
      const { first, last } = periodBounds(input.period);
      // Unmatched vouchers: dated in the period, with no link in force here or in another period's run.
      const candidates = result.unmatchedVouchers.filter((id) => {
        const d = month.voucherInfo.get(id)?.date;
        return d !== undefined && d >= first && d <= last;
      });
      const elsewhere = await this.repo.linkedVoucherIds([...new Set(candidates.map((id) => splitTarget(id).voucherId))]);
      const unmatchedV = candidates.filter((id) => !(splitTarget(id).line === null && elsewhere.has(id)));
      const byId = new Map(month.journals.map((j) => [j.id, j]));
      const u = {
        unitId: unit.id,
        unitCode: unit.code,
        runId: applied.runId,
        journals: month.journals.length,
        vouchers: month.vouchers.length,
        auto: applied.auto,
        suggestions: applied.suggestions,
        kept: applied.kept,
        removed: applied.removed,
        unmatchedJournals: result.unmatchedJournals.map((id) => ({ id, number: byId.get(id)!.voucher.number, summary: byId.get(id)!.voucher.summary })),
        unmatchedVouchers: unmatchedV.map((id) => ({ id, ...month.voucherInfo.get(id)! })),
        ms: result.stats.ms,
        booking: applied.booking,
      };
      summary.units.push(u);
      summary.totals.journals += u.journals;
      summary.totals.vouchers += u.vouchers;
      summary.totals.auto += u.auto;
      summary.totals.suggestions += u.suggestions;
      summary.totals.unmatchedJournals += u.unmatchedJournals.length;
      summary.totals.unmatchedVouchers += u.unmatchedVouchers.length;
    }
    return summary;
  }

  /**
   * Writes one unit's new links in one transaction: decided links (accepted / rejected) are never touched or
   * re-suggested; undecided ones are updated or, when the rules no longer produce them, removed.
   */
  private async apply(actor: MatchActor, month: UnitMonth, period: string, rules: RuleSet, links: Link[]) {
    const now = this.clock.now();
    const who = 'principal' in actor ? actor.principal : undefined;
    return this.repo.db.transaction().execute(async (trx) => {
      await this.repo.lockRun(trx, month.unitId, period);
      const existing = new Map((await this.repo.links({ unitId: month.unitId, period }, trx)).map((l) => [pairKey(l.journalVoucherId, l.voucherId, l.statementLine), l]));
      const counts = { auto: 0, suggestions: 0, kept: 0, removed: 0 };
      const runId = await this.repo.insertRun(trx, {
        unit_id: month.unitId,
        period,
        rules_digest: rules.digest,
        rules_source: rules.source,
        summary: JSON.stringify({}),
        actor_type: who ? who.kind : 'system',
        actor_id: who ? who.id : 'cli',
        created_at: now,
      });
      const inserts: any[] = [];
      const seen = new Set<string>();
      for (const l of links) {
        const t = splitTarget(l.voucherId);
        const key = pairKey(l.journalId, t.voucherId, t.line);
        seen.add(key);
        const ex = existing.get(key);
        const fields = {
          tier: l.tier,
          score: String(l.score),
          rule_id: l.ruleId,
          rule_version: l.ruleVersion,
          rules_digest: rules.digest,
          explanation: JSON.stringify(l.explanation),
          notes: JSON.stringify(l.notes),
          run_id: runId,
          updated_at: now,
        };
        if (ex && ex.status !== 'active') {
          counts.kept++;
          continue;
        }
        if (l.tier === 'auto') counts.auto++;
        else counts.suggestions++;
        if (ex) await this.repo.updateLink(trx, ex.id, fields);
        else inserts.push({ ...fields, unit_id: month.unitId, journal_voucher_id: l.journalId, voucher_id: t.voucherId, statement_line: t.line, period, status: 'active', created_at: now });
      }
      await this.repo.insertLinks(trx, inserts);
      const stale = [...existing.entries()].filter(([k, l]) => !seen.has(k) && l.status === 'active' && l.tier !== 'manual').map(([, l]) => l.id);
      await this.repo.deleteLinks(trx, stale);
      counts.removed = stale.length;
      // The pool books the vouchers of links in force and undoes its bookings of links that are gone.
      const booking = await this.booking?.sync(trx, { unitId: month.unitId, period }, auditActor(actor), month.journals);
      await trx.updateTable('match_run').set({ summary: JSON.stringify({ ...counts, journals: month.journals.length, vouchers: month.vouchers.length }) }).where('id', '=', runId).execute();
      await this.audit.record(
        { actor: auditActor(actor), action: 'matching.run', targetType: 'match_run', targetId: runId, unitId: month.unitId, details: { period, rulesDigest: rules.digest, rulesSource: rules.source, ...counts } },
        trx,
      );
      return { runId, ...counts, booking };
    });
  }

  /** What the rules in `rulesDir` would add, drop or change against the current links; nothing is written. */
  async backtest(input: { period: string; unit?: string; rulesDir: string }): Promise<BacktestReport> {
    checkPeriod(input.period);
    const rules = this.rules(input.rulesDir);
    const units = await this.units(input.period, input.unit);
    const report: BacktestReport = { period: input.period, rules: { source: rules.source, digest: rules.digest, ids: rules.rules.map((r) => `${r.id}@${r.version}`) }, added: [], dropped: [], changed: [], unchanged: 0 };
    for (const unit of units) {
      const month = await this.loadMonth(unit, input.period);
      const result = matchAll(month.matchJournals, month.vouchers, rules);
      const numbers = new Map(month.journals.map((j) => [j.id, j.voucher.number]));
      const current = new Map((await this.repo.links({ unitId: unit.id, period: input.period })).filter((l) => l.status !== 'rejected').map((l) => [pairKey(l.journalVoucherId, l.voucherId, l.statementLine), l]));
      const rejected = new Set((await this.repo.links({ unitId: unit.id, period: input.period, status: 'rejected' })).map((l) => pairKey(l.journalVoucherId, l.voucherId, l.statementLine)));
      const label = (voucherId: string, line: number | null) => (line === null ? voucherId : `${voucherId}#${line}`);
      const seen = new Set<string>();
      for (const l of result.links) {
        const t = splitTarget(l.voucherId);
        const key = pairKey(l.journalId, t.voucherId, t.line);
        if (rejected.has(key)) continue;
        seen.add(key);
        const c = current.get(key);
        const to = { tier: l.tier, score: l.score, ruleId: l.ruleId, ruleVersion: l.ruleVersion };
        if (!c) report.added.push({ journal: `${unit.code}/${input.period}/${numbers.get(l.journalId)}`, voucher: label(t.voucherId, t.line), ...to });
        else if (c.status === 'accepted' || (c.tier === l.tier && Number(c.score) === l.score && c.ruleId === l.ruleId && c.ruleVersion === l.ruleVersion)) report.unchanged++;
        else report.changed.push({ journal: `${unit.code}/${input.period}/${numbers.get(l.journalId)}`, voucher: label(t.voucherId, t.line), from: { tier: c.tier, score: Number(c.score), ruleId: c.ruleId, ruleVersion: c.ruleVersion }, to });
      }
      for (const [key, c] of current)
        if (!seen.has(key))
          report.dropped.push({ journal: `${unit.code}/${input.period}/${numbers.get(c.journalVoucherId)}`, voucher: label(c.voucherId, c.statementLine), tier: c.tier, ruleId: c.ruleId, ruleVersion: c.ruleVersion, decidedByPerson: c.status === 'accepted' });
    }
    return report;
  }

  /** Accepting a suggestion puts the link in force; rejecting it needs a reason and keeps it from coming back. */
  async decide(principal: Principal, linkId: string, decision: 'accept' | 'reject', reason: string | undefined, ip: string | null): Promise<LinkRow & { booking?: LinkBookingReport }> {
    if (!/^[0-9a-f-]{36}$/i.test(linkId)) throw new NotFoundError(`link ${linkId} not found`);
    const why = reason?.trim();
    if (decision === 'reject' && !why) throw new ValidationError('a rejection needs a reason', { field: 'reason' });
    return this.repo.db.transaction().execute(async (trx) => {
      const link = await this.repo.lockLink(trx, linkId);
      if (!link) throw new NotFoundError(`link ${linkId} not found`);
      assertUnit(principal, link.unitId, MATCH_DECIDE_ROLES);
      if (link.status !== 'active') throw new ConflictError(`link ${linkId} was already ${link.status}`, { status: link.status }, 'already_decided');
      if (link.tier === 'auto' && decision === 'accept') throw new ConflictError('an automatic link is already in force', {}, 'not_a_suggestion');
      const now = this.clock.now();
      const status = decision === 'accept' ? 'accepted' : 'rejected';
      const name = principal.kind === 'user' ? principal.username : principal.name;
      await this.repo.updateLink(trx, linkId, { status, decided_by: name, decided_at: now, decision_reason: why ?? null, updated_at: now });
      const booking = await this.booking?.sync(trx, { linkIds: [linkId] }, principal);
      await this.audit.record(
        {
          actor: principal,
          action: decision === 'accept' ? 'matching.link.accept' : 'matching.link.reject',
          targetType: 'match_link',
          targetId: linkId,
          unitId: link.unitId,
          details: { journalVoucherId: link.journalVoucherId, voucherId: link.voucherId, statementLine: link.statementLine, tier: link.tier, score: link.score, ruleId: link.ruleId, ruleVersion: link.ruleVersion, reason: why ?? null },
          ip,
        },
        trx,
      );
      return { ...link, status, decidedBy: name, decidedAt: now, decisionReason: why ?? null, booking };
    });
  }

  /** The suggestion queue of the caller's units, explanations in `locale`. */
  async suggestions(principal: Principal, filter: { period?: string; unitIds: 'all' | string[]; limit: number }, locale: ExplainLocale = 'zh-CN') {
    const links = await this.repo.links({ unitIds: filter.unitIds, period: filter.period, tier: 'suggest', status: 'active', limit: filter.limit });
    return this.describe(links, locale);
  }

  /** 联查: the journal voucher and everything linked to it, with tier, score and explanation. */
  async chain(principal: Principal | null, journalId: string, locale: ExplainLocale = 'zh-CN') {
    const j = await this.ledger.get(principal, journalId);
    const links = (await this.repo.links({ journalIds: [journalId] })).filter((l) => l.status !== 'rejected');
    const described = await this.describe(links, locale);
    return {
      journalVoucher: j,
      links: described,
      reimbursementIds: j.voucher.references.reimbursementIds,
      bankSerials: j.voucher.references.bankSerials,
      paymentCodes: j.voucher.references.paymentCodes,
      invoiceNumbers: j.voucher.references.invoiceNumbers,
    };
  }

  /** From a pool voucher back to the journal vouchers that book it. */
  async journalsOfVoucher(principal: Principal | null, voucherId: string, locale: ExplainLocale = 'zh-CN') {
    if (!/^[0-9a-f-]{36}$/i.test(voucherId)) throw new NotFoundError(`voucher ${voucherId} not found`);
    const [v] = await this.repo.poolVouchersById([voucherId]);
    if (!v) throw new NotFoundError(`voucher ${voucherId} not found`);
    if (principal) assertUnit(principal, v.unitId, MATCH_READ_ROLES);
    const links = (await this.repo.links({ voucherId })).filter((l) => l.status !== 'rejected');
    const heads = new Map((await this.repo.journalHeads([...new Set(links.map((l) => l.journalVoucherId))])).map((h) => [h.id, h]));
    return {
      voucher: { id: v.id, kind: v.kind, invoiceNumber: v.invoiceNumber, issueDate: v.issueDate, totalAmount: v.totalAmount, sellerName: v.sellerName, state: v.state },
      journalVouchers: links.map((l) => ({ link: publicLink(l, locale), journalVoucher: heads.get(l.journalVoucherId) })),
    };
  }

  private async describe(links: LinkRow[], locale: ExplainLocale) {
    const vouchers = new Map((await this.repo.poolVouchersById([...new Set(links.map((l) => l.voucherId))])).map((v) => [v.id, v]));
    const heads = new Map((await this.repo.journalHeads([...new Set(links.map((l) => l.journalVoucherId))])).map((h) => [h.id, h]));
    return links.map((l) => {
      const v = vouchers.get(l.voucherId);
      const line = v && l.statementLine !== null ? ((v.data as Voucher).extra?.statementLines as StatementLineView[] | undefined)?.[l.statementLine] : undefined;
      return {
        ...publicLink(l, locale),
        journalVoucher: heads.get(l.journalVoucherId),
        voucher: v && {
          id: v.id,
          kind: v.kind,
          invoiceNumber: v.invoiceNumber,
          issueDate: v.issueDate,
          totalAmount: v.totalAmount,
          sellerName: v.sellerName,
          payeeName: v.payeeName,
          bankSerial: v.bankSerial,
          state: v.state,
          statementLine: line,
        },
      };
    });
  }

  /** 银行存款余额调节表 of one unit and period from its bank statement(s) and its journal entries on `account`. */
  async reconciliation(principal: Principal | null, input: { period: string; unit: string; account?: string; bookOpening?: string }): Promise<ReconciliationReport & { unit: string }> {
    checkPeriod(input.period);
    const account = input.account ?? '1002';
    const unitId = await this.ledger.unitId(input.unit);
    if (principal) assertUnit(principal, unitId, MATCH_READ_ROLES);
    const { first, last } = periodBounds(input.period);
    const statements = (await this.repo.poolVouchers(unitId, shiftDate(first, -LOOK_BACK_DAYS), shiftDate(last, LOOK_AHEAD_DAYS))).filter((r) => r.kind === 'bkrs');
    const lines: { id: string; date?: string; amount: bigint; serial?: string; counterparty?: string }[] = [];
    let bankOpening: bigint | undefined;
    let bankClosing = 0n;
    for (const s of statements) {
      const v = s.data as Voucher;
      const raw = (v.extra?.statementLines as StatementLineView[] | undefined) ?? [];
      const mv = statementLinesToMatch(s.id, { ...v, lineItems: v.lineItems ?? [], extra: v.extra ?? {} }, unitId);
      let firstInPeriod = true;
      mv.forEach((l, i) => {
        if (!l.date || l.date < first || l.date > last || l.amount === undefined) return;
        lines.push({ id: l.id, date: l.date, amount: l.amount, serial: l.keys.bankSerial?.[0], counterparty: l.names[0] });
        const bal = raw[i].balance;
        if (firstInPeriod && bal) {
          bankOpening = (bankOpening ?? 0n) + toFen(bal) - l.amount;
          firstInPeriod = false;
        }
        if (bal) bankClosing = toFen(bal);
      });
    }
    if (lines.length === 0) throw new NotFoundError(`no bank statement lines of unit ${input.unit} in ${input.period}`);
    const journals = await this.ledger.loadPeriod([unitId], input.period);
    const rule = { id: 'x', version: 1, description: '', scope: { accountPrefixes: [account] }, amountBasis: 'scope-net', candidates: { by: 'amount' }, conditions: [], tiers: { auto: 0, suggest: 0 } } as const;
    const book = journals
      .map((j) => ({ j, amount: journalAmount(rule as any, journalToMatch(j.id, j.voucher)) }))
      .filter((x) => x.amount !== undefined)
      .map((x) => ({ id: x.j.id, number: x.j.voucher.number, date: x.j.voucher.date, summary: x.j.voucher.summary, amount: x.amount! }));
    const inForce = (await this.repo.links({ unitId, period: input.period })).filter((l) => l.statementLine !== null && ((l.tier === 'auto' && l.status === 'active') || l.status === 'accepted'));
    const report = reconcile({
      period: input.period,
      account,
      bookOpening: input.bookOpening !== undefined ? toFen(input.bookOpening) : undefined,
      bankOpening: bankOpening ?? 0n,
      bankClosing,
      lines,
      book,
      links: inForce.map((l) => ({ lineId: `${l.voucherId}#${l.statementLine}`, journalId: l.journalVoucherId })),
    });
    return { ...report, unit: input.unit };
  }
}

/**
 * A link as the API shows it: each explanation item and note keeps its structured form (condition id, message
 * code, values) and gets `text` in the reader's language; links stored before explanations were structured keep
 * their English sentence as text.
 */
function publicLink(l: LinkRow, locale: ExplainLocale = 'zh-CN') {
  return {
    id: l.id,
    journalVoucherId: l.journalVoucherId,
    voucherId: l.voucherId,
    statementLine: l.statementLine,
    period: l.period,
    tier: l.tier,
    status: l.status,
    score: Number(l.score),
    ruleId: l.ruleId,
    ruleVersion: l.ruleVersion,
    explanation: Array.isArray(l.explanation) ? (l.explanation as { reason?: Reason; detail?: string }[]).map((o) => withText(o, locale)) : [],
    notes: notesWithText(l.notes, locale),
    decidedBy: l.decidedBy,
    decidedAt: l.decidedAt,
    decisionReason: l.decisionReason,
  };
}

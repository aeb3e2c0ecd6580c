import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { sql, type Transaction } from 'kysely';
import { AuditService, type AuditActor } from '../../../platform/audit/audit.service';
import { systemClock, type Clock } from '../../../platform/clock/clock';
import type { Db } from '../../../platform/database/database';
import type { Database } from '../../../platform/database/schema';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../../platform/errors/errors';
import { impossibleDate } from '../../../platform/http/dates';
import { allowedUnitIds, type Principal } from '../../../platform/identity/principal';
import type { AnyRole } from '../../../platform/identity/roles';
import { Job } from '../../../platform/jobs/job.decorator';
import type { ObjectStore } from '../../../platform/storage/object-store';
import { CLOCK, DB, STORAGE } from '../../../platform/tokens';
import type { Voucher } from '../../../formats/voucher';
import type { PoolArchiver } from '../../archive/archive.service';
import { SearchIndexer } from '../../search/indexer.service';
import { indexPoolVoucher } from '../pipeline/steps';
import { voucherSummary } from '../pool.service';
import type { VoucherState } from '../pool.tables';
import { receiverFiles } from '../receiver/receiver-files';
import type { BookingEntry, PoolBDb, PoolBTables, PoolBTrx } from './pool-b.tables';

/** Machine clients that may move vouchers through the reimbursement states (用票端接口). */
export const CLAIM_CLIENT_ROLES: readonly AnyRole[] = ['receiver', 'accounting_system', 'reimbursement_system'];
/** People who may claim, release and mark reimbursed. */
export const CLAIM_USER_ROLES: readonly AnyRole[] = ['reimbursement_clerk', 'accountant'];
/** Booking (入账) is the accountant's or the accounting system's. */
export const BOOK_ROLES: readonly AnyRole[] = ['accountant', 'receiver', 'accounting_system'];
/** Who may read the write-back of a voucher. */
export const WRITEBACK_READ_ROLES: readonly AnyRole[] = [...CLAIM_CLIENT_ROLES, ...CLAIM_USER_ROLES, 'archivist', 'unit_admin', 'auditor'];

/** A claim without an explicit expiry is released after this long (a forgotten draft must not hold a voucher forever). */
export const DEFAULT_CLAIM_DAYS = 30;
const MAX_CLAIM_DAYS = 366;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MONEY = /^\d{1,16}(\.\d{1,2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** ISO 8601 as the API documents it: a date, or a date and time with an optional zone (no other spellings). */
const ISO_DATE_TIME = /^(\d{4})-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Milliseconds of an ISO date-time between the years 1900 and 2999, else NaN (Date.parse alone reads "1" or "March 3"). */
export function isoTime(raw: unknown): number {
  if (typeof raw !== 'string') return NaN;
  const m = ISO_DATE_TIME.exec(raw.trim());
  if (!m || Number(m[1]) < 1900 || Number(m[1]) > 2999 || impossibleDate(raw.trim())) return NaN;
  return Date.parse(raw.trim());
}
const PERIOD = /^(\d{4})-?(0[1-9]|1[0-2])$/;

type Actor = { actor_type: string; actor_id: string | null; actor_name: string | null };

/** The actor columns of voucher_event / voucher_booking for a person, a machine client, the system or a CLI operator. */
export function actorOf(p: AuditActor): Actor {
  if (p === 'system') return { actor_type: 'system', actor_id: null, actor_name: 'system' };
  if ('kind' in p) return p.kind === 'user' ? { actor_type: 'user', actor_id: p.id, actor_name: p.username } : { actor_type: 'client', actor_id: p.id, actor_name: p.name };
  return { actor_type: p.type, actor_id: p.id ?? null, actor_name: p.name ?? null };
}

function auditActor(p: AuditActor): AuditActor {
  return p;
}

/** A text field of `b`; `label` names it in errors when it is nested (e.g. entries[0].accountCode). */
function str(b: Record<string, unknown>, name: string, opts: { required?: boolean; max?: number; label?: string } = {}): string | undefined {
  const field = opts.label ?? name;
  const v = b[name];
  if (v === undefined || v === null || v === '') {
    if (opts.required) throw new ValidationError(`${field}: required`, { field });
    return undefined;
  }
  if (typeof v !== 'string' || !v.trim()) throw new ValidationError(`${field}: expected text`, { field });
  const t = v.trim();
  if (t.length > (opts.max ?? 200)) throw new ValidationError(`${field}: at most ${opts.max ?? 200} characters`, { field });
  // PostgreSQL text cannot hold U+0000.
  if (t.includes('\u0000')) throw new ValidationError(`${field}: contains a NUL (0x00) character`, { field });
  return t;
}

/** Money as integer fen, from a two-decimal string (never through a float). */
export function toFen(s: string): bigint {
  const [i, f = ''] = s.split('.');
  return BigInt(i) * 100n + BigInt((f + '00').slice(0, 2));
}

export function fromFen(n: bigint): string {
  const neg = n < 0n;
  const a = neg ? -n : n;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

function money(v: unknown, field: string): string {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !MONEY.test(s.trim())) throw new ValidationError(`${field}: expected an amount such as 100 or 1234.50 (at most two decimals, not negative)`, { field });
  return fromFen(toFen(s.trim()));
}

export interface BookingInput {
  journalVoucherNumber: string;
  period: string;
  bookedAt: string;
  summary: string | null;
  entries: BookingEntry[];
  debitTotal: string;
  creditTotal: string;
}

/** Validates a booking body; entries as `{accountCode, accountName, debit|credit}` or `{direction, amount}`. */
export function parseBooking(body: unknown): BookingInput {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const journalVoucherNumber = str(b, 'journalVoucherNumber', { required: true, max: 64 })!;
  const periodRaw = str(b, 'period', { required: true, max: 7 })!;
  const pm = PERIOD.exec(periodRaw);
  if (!pm) throw new ValidationError(`period: expected the accounting period as YYYY-MM, got "${periodRaw}"`, { field: 'period' });
  const period = `${pm[1]}-${pm[2]}`;
  const bookedRaw = str(b, 'bookedAt', { required: true, max: 40 })!;
  const bookedAt = bookedRaw.slice(0, 10);
  if (!DATE.test(bookedAt) || Number.isNaN(isoTime(bookedRaw))) throw new ValidationError(`bookedAt: expected the posting date as YYYY-MM-DD, got "${b.bookedAt}"`, { field: 'bookedAt' });
  const summary = str(b, 'summary', { max: 500 }) ?? null;
  if (!Array.isArray(b.entries) || b.entries.length === 0) throw new ValidationError('entries: at least one debit/credit entry {accountCode, accountName, debit|credit}', { field: 'entries' });
  if (b.entries.length > 500) throw new ValidationError('entries: at most 500', { field: 'entries' });
  let debit = 0n;
  let credit = 0n;
  const entries: BookingEntry[] = b.entries.map((raw, i) => {
    const e = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const f = (n: string) => `entries[${i}].${n}`;
    const accountCode = str(e, 'accountCode', { max: 64, label: f('accountCode') });
    const accountName = str(e, 'accountName', { max: 200, label: f('accountName') });
    if (!accountCode && !accountName) throw new ValidationError(`${f('accountCode')}: an account code or name is required`, { field: f('accountCode') });
    let direction: 'debit' | 'credit';
    let amount: string;
    const hasDebit = e.debit !== undefined && e.debit !== null && e.debit !== '';
    const hasCredit = e.credit !== undefined && e.credit !== null && e.credit !== '';
    if (hasDebit && hasCredit) throw new ValidationError(`${f('debit')}: give debit or credit, not both`, { field: f('debit') });
    if (hasDebit) [direction, amount] = ['debit', money(e.debit, f('debit'))];
    else if (hasCredit) [direction, amount] = ['credit', money(e.credit, f('credit'))];
    else {
      const d = e.direction;
      const dir = d === 'debit' || d === '借' || d === '借方' ? 'debit' : d === 'credit' || d === '贷' || d === '贷方' ? 'credit' : null;
      if (!dir) throw new ValidationError(`${f('debit')}: expected debit or credit (an amount), or direction debit|credit with amount`, { field: f('debit') });
      [direction, amount] = [dir, money(e.amount, f('amount'))];
    }
    if (direction === 'debit') debit += toFen(amount);
    else credit += toFen(amount);
    const subsidiaryCode = str(e, 'subsidiaryCode', { max: 64, label: f('subsidiaryCode') });
    const subsidiaryName = str(e, 'subsidiaryName', { max: 200, label: f('subsidiaryName') });
    return { direction, accountCode: accountCode ?? '', accountName: accountName ?? '', ...(subsidiaryCode ? { subsidiaryCode } : {}), ...(subsidiaryName ? { subsidiaryName } : {}), amount };
  });
  // The totals are stored as numeric(18,2): 16 integer digits.
  if (debit > 9_999_999_999_999_999n || credit > 9_999_999_999_999_999n) throw new ValidationError('entries: the debit or credit total exceeds 9999999999999999.99', { field: 'entries' });
  // A journal voucher (记账凭证) balances; entries that do not were mistyped somewhere.
  if (debit !== credit) throw new ValidationError(`entries: debits ${fromFen(debit)} ≠ credits ${fromFen(credit)}`, { field: 'entries', debit: fromFen(debit), credit: fromFen(credit) }, 'unbalanced_entries');
  return { journalVoucherNumber, period, bookedAt, summary, entries, debitTotal: fromFen(debit), creditTotal: fromFen(credit) };
}

type LockedVoucher = { id: string; unit_id: string | null; state: VoucherState; kind: string; data: unknown; invoice_number: string | null };

/** What a booking reads of the voucher and its unit to write the receiver files. */
export type BookingSubject = { id: string; unit_id: string | null; state: VoucherState; data: unknown; invoice_number: string | null; bank_serial: string | null; code: string | null; name: string | null; credit_code: string | null };

/** The receiver files of one booking, already in the object store (content-addressed). */
export interface PreparedBooking {
  files: ReturnType<typeof receiverFiles>;
  stored: { xbrl: Awaited<ReturnType<ObjectStore['put']>>; json: Awaited<ReturnType<ObjectStore['put']>> } | null;
  base: string;
  kind: string;
}

/** Where a booking comes from: the receiver API, or matching (a journal voucher linked to the voucher). */
export type BookingOrigin = { source: 'receiver_api' } | { source: 'matching'; linkId: string; journalVoucherId: string };

/**
 * States a booking may start from, on either path: what was reimbursed, or what never entered a reimbursement (bank
 * receipts, non-tax forms, invoices paid directly are booked without a claim). A claimed voucher is not booked behind
 * its reimbursement document's back.
 */
export const BOOKABLE_FROM: VoucherState[] = ['available', 'reimbursed'];

/**
 * The reimbursement state machine of a pool voucher: available → claimed → reimbursed → booked → archived, and back
 * to available when a claim is released (rejected) or expires. Every transition is one transaction: the guarded
 * state change, the claim/booking row, the voucher_event and the audit entry; booking also writes the receiver
 * (入账) files and links them. The claim itself is a conditional UPDATE (`state = 'available'`), so of any number of
 * concurrent claimants exactly one wins; a partial unique index on live claims is the second guard.
 */
@Injectable()
export class ClaimsService {
  private readonly log = new Logger('pool.claims');
  private readonly db: PoolBDb;

  constructor(
    @Inject(DB) db: Db,
    @Inject(STORAGE) private readonly storage: ObjectStore,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
    // Every state change re-projects the voucher into the archive search index in its own transaction.
    @Optional() private readonly indexer?: SearchIndexer,
  ) {
    this.db = db.withTables<PoolBTables>() as unknown as PoolBDb;
  }

  /** The voucher's search document follows its state (same transaction, so a rolled-back move is never indexed). */
  private async reindex(trx: PoolBTrx, voucherId: string) {
    if (this.indexer) await indexPoolVoucher(trx as unknown as Transaction<Database>, this.indexer, voucherId);
  }

  /** Units where `p` may act with `roles` (clients by their client role, people by theirs). */
  private units(p: Principal, roles: readonly AnyRole[]): 'all' | string[] {
    return allowedUnitIds(p, roles);
  }

  private inScope(units: 'all' | string[], unitId: string | null): boolean {
    if (!unitId) return false; // personal folders (个人票夹) are not claimable: move the voucher into a unit first
    return units === 'all' || units.includes(unitId);
  }

  private checkId(id: string) {
    if (!UUID.test(id)) throw new ValidationError(`id: not a voucher id: "${id}"`, { field: 'id' });
  }

  /** The voucher row locked for the transition; not found when out of the caller's scope (reveals nothing). */
  private async lock(trx: PoolBTrx, id: string, units: 'all' | string[]): Promise<LockedVoucher> {
    const v = await trx.selectFrom('voucher').select(['id', 'unit_id', 'state', 'kind', 'data', 'invoice_number']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!v || !this.inScope(units, v.unit_id)) throw new NotFoundError(`voucher not found: ${id}`, { id });
    return v as LockedVoucher;
  }

  /** The claim holding the voucher (active or reimbursed), if any. */
  async liveClaim(trx: PoolBTrx | PoolBDb, voucherId: string) {
    return trx.selectFrom('voucher_claim').selectAll().where('voucher_id', '=', voucherId).where('status', 'in', ['active', 'reimbursed']).executeTakeFirst();
  }

  private illegal(id: string, state: string, action: string, from: VoucherState[]): AppError {
    return new ConflictError(`voucher ${id} is ${state}: ${action} needs it ${from.join(' or ')}`, { id, state, action, allowedFrom: from }, 'illegal_transition');
  }

  private async event(trx: PoolBTrx, voucherId: string, action: string, from: string, to: string, actor: Actor, details: Record<string, unknown>, now: Date) {
    await trx.updateTable('voucher').set({ state: to as VoucherState, updated_at: now }).where('id', '=', voucherId).execute();
    await trx.insertInto('voucher_event').values({ voucher_id: voucherId, at: now, action, from_state: from, to_state: to, ...actor, details: JSON.stringify(details) }).execute();
    await this.reindex(trx, voucherId);
  }

  /** A voucher_event that changes no state (e.g. why matching did not book the voucher). */
  async recordEvent(trx: PoolBTrx, voucherId: string, action: string, who: AuditActor, details: Record<string, unknown>) {
    await trx.insertInto('voucher_event').values({ voucher_id: voucherId, at: this.clock.now(), action, from_state: null, to_state: null, ...actorOf(who), details: JSON.stringify(details) }).execute();
  }

  /** 占用: available → claimed by a reimbursement document. The same document claiming again gets its claim back. */
  async claim(p: Principal, id: string, body: unknown, ip: string | null) {
    this.checkId(id);
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const docId = str(b, 'reimbursementDocId', { required: true, max: 128 })!;
    const claimantUser = str(b, 'claimantUser', { max: 200 }) ?? null;
    const now = this.clock.now();
    let expiresAt: Date;
    if (b.expiresAt !== undefined && b.expiresAt !== null && b.expiresAt !== '') {
      const t = isoTime(b.expiresAt);
      if (Number.isNaN(t)) throw new ValidationError(`expiresAt: expected an ISO date-time, got ${JSON.stringify(b.expiresAt)}`, { field: 'expiresAt' });
      if (t <= now.getTime()) throw new ValidationError('expiresAt: must be in the future', { field: 'expiresAt' });
      if (t > now.getTime() + MAX_CLAIM_DAYS * 86400_000) throw new ValidationError(`expiresAt: at most ${MAX_CLAIM_DAYS} days ahead`, { field: 'expiresAt' });
      expiresAt = new Date(t);
    } else expiresAt = new Date(now.getTime() + DEFAULT_CLAIM_DAYS * 86400_000);
    const units = this.units(p, [...CLAIM_CLIENT_ROLES, ...CLAIM_USER_ROLES]);
    const actor = actorOf(p);
    return this.db.transaction().execute(async (trx) => {
      // The guarded transition: only one transaction can find the row still available.
      const won = await trx
        .updateTable('voucher')
        .set({ state: 'claimed', updated_at: now })
        .where('id', '=', id)
        .where('state', '=', 'available')
        .where('unit_id', 'is not', null)
        .$if(units !== 'all', (q) => q.where('unit_id', 'in', units === 'all' ? [] : units.length ? units : ['00000000-0000-0000-0000-000000000000']))
        .returning(['id', 'unit_id'])
        .executeTakeFirst();
      if (!won) {
        const v = await trx.selectFrom('voucher').select(['id', 'unit_id', 'state']).where('id', '=', id).executeTakeFirst();
        if (!v || !this.inScope(units, v.unit_id)) throw new NotFoundError(`voucher not found: ${id}`, { id });
        const holder = await this.liveClaim(trx, id);
        if (holder && v.state === 'claimed') {
          if (holder.reimbursement_doc_id === docId && holder.claimant_id === actor.actor_id) return { ...this.claimView(holder), voucherId: id, state: v.state, repeated: true };
          throw new ConflictError(
            `voucher ${id} is already claimed by reimbursement document ${holder.reimbursement_doc_id} (${holder.claimant_name ?? holder.claimant_type})`,
            { id, state: v.state, holder: this.claimView(holder) },
            'already_claimed',
          );
        }
        throw this.illegal(id, v.state, 'claim', ['available']);
      }
      const c = await trx
        .insertInto('voucher_claim')
        .values({ voucher_id: id, reimbursement_doc_id: docId, claimant_type: actor.actor_type, claimant_id: actor.actor_id, claimant_name: actor.actor_name, claimant_user: claimantUser, claimed_at: now, expires_at: expiresAt })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx.insertInto('voucher_event').values({ voucher_id: id, at: now, action: 'claimed', from_state: 'available', to_state: 'claimed', ...actor, details: JSON.stringify({ claimId: c.id, reimbursementDocId: docId, claimantUser, expiresAt }) }).execute();
      await this.reindex(trx, id);
      await this.audit.record({ actor: auditActor(p), action: 'pool.voucher.claim', targetType: 'voucher', targetId: id, unitId: won.unit_id, ip, details: { claimId: c.id, reimbursementDocId: docId, claimantUser, expiresAt: expiresAt.toISOString() } }, trx as never);
      return { ...this.claimView(c), voucherId: id, state: 'claimed' as VoucherState, repeated: false };
    });
  }

  /** The live claim must be the caller's document when one is named (machine clients must name it, unless booking). */
  private checkHolder(p: Principal, id: string, claim: { reimbursement_doc_id: string } | undefined, docId: string | undefined, docRequired = true) {
    if (!claim) {
      // Naming a document for a voucher nobody claimed would be dropped without a word: say so instead.
      if (docId) throw new ConflictError(`voucher ${id} is not claimed: reimbursement document ${docId} does not hold it (leave reimbursementDocId out when no document claimed it)`, { id, holderDocId: null }, 'not_claim_holder');
      return;
    }
    if (docRequired && p.kind === 'client' && !docId) throw new ValidationError('reimbursementDocId: required (the document that holds the claim)', { field: 'reimbursementDocId' });
    if (docId && docId !== claim.reimbursement_doc_id) {
      throw new ConflictError(`voucher ${id} is held by reimbursement document ${claim.reimbursement_doc_id}, not ${docId}`, { id, holderDocId: claim.reimbursement_doc_id }, 'not_claim_holder');
    }
  }

  /** 释放: claimed or reimbursed (not yet booked) → available, e.g. when the reimbursement is rejected. */
  async release(p: Principal, id: string, body: unknown, ip: string | null) {
    this.checkId(id);
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const docId = str(b, 'reimbursementDocId', { max: 128 });
    const reason = str(b, 'reason', { max: 32 }) ?? 'released';
    if (!['released', 'rejected', 'cancelled'].includes(reason)) throw new ValidationError(`reason: expected released, rejected or cancelled, got "${reason}"`, { field: 'reason' });
    const note = str(b, 'note', { max: 1000 }) ?? null;
    const now = this.clock.now();
    const actor = actorOf(p);
    return this.db.transaction().execute(async (trx) => {
      const v = await this.lock(trx, id, this.units(p, [...CLAIM_CLIENT_ROLES, ...CLAIM_USER_ROLES]));
      if (v.state !== 'claimed' && v.state !== 'reimbursed') throw this.illegal(id, v.state, 'release', ['claimed', 'reimbursed']);
      const claim = await this.liveClaim(trx, id);
      this.checkHolder(p, id, claim, docId);
      if (claim) await trx.updateTable('voucher_claim').set({ status: 'released', ended_at: now, end_reason: reason }).where('id', '=', claim.id).execute();
      const details = { claimId: claim?.id ?? null, reimbursementDocId: claim?.reimbursement_doc_id ?? null, reason, note };
      await this.event(trx, id, 'released', v.state, 'available', actor, details, now);
      await this.audit.record({ actor: auditActor(p), action: 'pool.voucher.release', targetType: 'voucher', targetId: id, unitId: v.unit_id, ip, details: { ...details, fromState: v.state } }, trx as never);
      return { voucherId: id, state: 'available' as VoucherState, released: details };
    });
  }

  /** 已报销: claimed → reimbursed by the holding document. */
  async reimbursed(p: Principal, id: string, body: unknown, ip: string | null) {
    this.checkId(id);
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const docId = str(b, 'reimbursementDocId', { max: 128 });
    const amount = b.amount === undefined || b.amount === null || b.amount === '' ? null : money(b.amount, 'amount');
    const atRaw = str(b, 'reimbursedAt', { max: 40 });
    const at = atRaw ? new Date(isoTime(atRaw)) : this.clock.now();
    if (Number.isNaN(at.getTime())) throw new ValidationError(`reimbursedAt: expected an ISO date-time, got "${atRaw}"`, { field: 'reimbursedAt' });
    const now = this.clock.now();
    const actor = actorOf(p);
    return this.db.transaction().execute(async (trx) => {
      const v = await this.lock(trx, id, this.units(p, [...CLAIM_CLIENT_ROLES, ...CLAIM_USER_ROLES]));
      if (v.state !== 'claimed') throw this.illegal(id, v.state, 'reimbursed', ['claimed']);
      const total = (v.data as Partial<Voucher> | null)?.totalAmount;
      if (amount !== null && typeof total === 'string' && /^\d+(\.\d{1,2})?$/.test(total) && toFen(amount) > toFen(total)) {
        throw new ValidationError(`amount: ${amount} is more than the voucher's total ${total}`, { field: 'amount', total }, 'amount_exceeds_total');
      }
      const claim = await this.liveClaim(trx, id);
      if (!claim) throw new AppError('claim_missing', `voucher ${id} is claimed but has no live claim record`, 500, { id });
      this.checkHolder(p, id, claim, docId);
      await trx.updateTable('voucher_claim').set({ status: 'reimbursed', reimbursed_at: at, reimbursed_amount: amount }).where('id', '=', claim.id).execute();
      const details = { claimId: claim.id, reimbursementDocId: claim.reimbursement_doc_id, reimbursedAt: at, amount };
      await this.event(trx, id, 'reimbursed', 'claimed', 'reimbursed', actor, details, now);
      await this.audit.record({ actor: auditActor(p), action: 'pool.voucher.reimbursed', targetType: 'voucher', targetId: id, unitId: v.unit_id, ip, details }, trx as never);
      return { voucherId: id, state: 'reimbursed' as VoucherState, ...details };
    });
  }

  /**
   * 已入账: reimbursed (or available: never claimed) → booked with the journal voucher (记账凭证号, period, entries). The receiver files are written
   * to the object store first (content-addressed: a rolled-back booking leaves only an unreferenced object that
   * the same booking would write again) and linked in the same transaction as the state change.
   */
  async booked(p: Principal, id: string, body: unknown, ip: string | null) {
    this.checkId(id);
    const input = parseBooking(body);
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const docId = str(b, 'reimbursementDocId', { max: 128 });
    const units = this.units(p, BOOK_ROLES);
    // Read first (outside the transaction) to build the files; the transaction re-checks state under the lock.
    const pre = await this.bookingSubject(this.db, id);
    if (!pre || !this.inScope(units, pre.unit_id)) throw new NotFoundError(`voucher not found: ${id}`, { id });
    if (!BOOKABLE_FROM.includes(pre.state)) throw this.illegal(id, pre.state, 'booked', BOOKABLE_FROM);
    const prepared = await this.prepareBooking(pre, input);
    return this.db.transaction().execute(async (trx) => {
      const v = await this.lock(trx, id, units);
      if (!BOOKABLE_FROM.includes(v.state)) throw this.illegal(id, v.state, 'booked', BOOKABLE_FROM);
      const claim = await this.liveClaim(trx, id);
      // The accounting system books what the reimbursement system settled: naming the document is optional here.
      this.checkHolder(p, id, claim, docId, false);
      return this.writeBooking(trx, v, claim, input, prepared, p, ip, { source: 'receiver_api' });
    });
  }

  /**
   * Matching's booking of one voucher of `unitId`, inside the caller's transaction: locked, state re-checked
   * (available or reimbursed; a claimed voucher is not booked behind its reimbursement's back), then `writeBooking`.
   */
  async bookInTrx(trx: PoolBTrx, id: string, unitId: string, input: BookingInput, prepared: PreparedBooking, who: AuditActor, origin: BookingOrigin) {
    const v = await trx.selectFrom('voucher').select(['id', 'unit_id', 'state']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!v || v.unit_id !== unitId) throw new NotFoundError(`voucher not found in the link's unit: ${id}`, { id });
    if (!BOOKABLE_FROM.includes(v.state)) throw this.illegal(id, v.state, 'booked', BOOKABLE_FROM);
    const claim = v.state === 'reimbursed' ? await this.liveClaim(trx, id) : undefined;
    return this.writeBooking(trx, v, claim, input, prepared, who, null, origin);
  }

  /** The voucher and its unit as a booking needs them (entity of the receiver file). */
  async bookingSubject(db: PoolBDb | PoolBTrx, id: string): Promise<BookingSubject | undefined> {
    return db
      .selectFrom('voucher as v')
      .leftJoin('unit as u', 'u.id', 'v.unit_id')
      .select(['v.id', 'v.unit_id', 'v.state', 'v.data', 'v.invoice_number', 'v.bank_serial', 'u.code', 'u.name', 'u.credit_code'])
      .where('v.id', '=', id)
      .executeTakeFirst() as Promise<BookingSubject | undefined>;
  }

  /** Builds the receiver (入账) files of a booking and writes them to the object store, before any transaction. */
  async prepareBooking(pre: BookingSubject, input: BookingInput): Promise<PreparedBooking> {
    const files = receiverFiles(pre.data as Voucher, input, { taxId: pre.credit_code, name: pre.name ?? '', code: pre.code ?? '' });
    const base = `${files?.configId ?? 'receiver'}_${(pre.invoice_number ?? pre.bank_serial ?? pre.id).replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const stored = files
      ? {
          xbrl: await this.storage.put(new TextEncoder().encode(files.xbrl), { mediaType: 'application/xml', filename: `${base}.xml` }),
          json: await this.storage.put(new TextEncoder().encode(files.json), { mediaType: 'application/json', filename: `${base}.json` }),
        }
      : null;
    return { files, stored, base, kind: (pre.data as Voucher).kind };
  }

  /**
   * The booking inside `trx`, with the voucher locked and its state checked by the caller (the one path both the
   * receiver API and matching use): receiver files linked as `voucher_file` rows, the `voucher_booking` row, the live
   * claim closed, state → booked with its event, the audit entry and the search document.
   */
  async writeBooking(
    trx: PoolBTrx,
    v: { id: string; unit_id: string | null; state: VoucherState },
    claim: { id: string; reimbursement_doc_id: string } | undefined,
    input: BookingInput,
    prepared: PreparedBooking,
    who: AuditActor,
    ip: string | null,
    origin: BookingOrigin,
  ) {
    const id = v.id;
    const now = this.clock.now();
    const actor = actorOf(who);
    const { files, stored, base } = prepared;
    let xbrlId: string | null = null;
    let jsonId: string | null = null;
    if (stored && files) {
      const ref = `booking:${input.period}:${input.journalVoucherNumber}`;
      const insert = async (s: (typeof stored)['xbrl'], role: 'receiver_xbrl' | 'receiver_json', format: string, mediaType: string, filename: string) => {
        // Identical bytes already recorded (voucher_file.sha256 is unique) are the same file: link to it.
        const existing = await trx.selectFrom('voucher_file').select(['id', 'voucher_id']).where('sha256', '=', s.sha256).executeTakeFirst();
        if (existing) {
          if (existing.voucher_id !== id) throw new ConflictError(`the receiver file is already recorded for voucher ${existing.voucher_id}`, { fileId: existing.id }, 'receiver_file_conflict');
          return existing.id;
        }
        const r = await trx
          .insertInto('voucher_file')
          .values({ voucher_id: id, object_key: s.key, sha256: s.sha256, sm3: s.sm3, size: s.size, media_type: mediaType, filename, format, role, signature_verdict: null, received_at: now, channel: 'receiver', source_ref: ref, batch_id: null })
          .returning('id')
          .executeTakeFirstOrThrow();
        return r.id;
      };
      xbrlId = await insert(stored.xbrl, 'receiver_xbrl', 'xbrl', 'application/xml', `${base}.xml`);
      jsonId = await insert(stored.json, 'receiver_json', 'json', 'application/json', `${base}.json`);
    }
    const booking = await trx
      .insertInto('voucher_booking')
      .values({
        voucher_id: id,
        claim_id: claim?.id ?? null,
        journal_voucher_number: input.journalVoucherNumber,
        period: input.period,
        booked_at: input.bookedAt,
        summary: input.summary,
        entries: JSON.stringify(input.entries),
        debit_total: input.debitTotal,
        credit_total: input.creditTotal,
        config_id: files?.configId ?? null,
        receiver_xbrl_file_id: xbrlId,
        receiver_json_file_id: jsonId,
        ...actor,
        created_at: now,
        source: origin.source,
        match_link_id: origin.source === 'matching' ? origin.linkId : null,
        journal_voucher_id: origin.source === 'matching' ? origin.journalVoucherId : null,
        from_state: v.state,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (claim) await trx.updateTable('voucher_claim').set({ status: 'booked', ended_at: now, end_reason: 'booked' }).where('id', '=', claim.id).execute();
    const details = {
      bookingId: booking.id,
      reimbursementDocId: claim?.reimbursement_doc_id ?? null,
      journalVoucherNumber: input.journalVoucherNumber,
      period: input.period,
      bookedAt: input.bookedAt,
      summary: input.summary,
      debitTotal: input.debitTotal,
      creditTotal: input.creditTotal,
      entries: input.entries,
      receiverFiles: files ? { configId: files.configId, xbrlFileId: xbrlId, jsonFileId: jsonId } : null,
      ...(files ? {} : { note: `no receiver view for kind ${prepared.kind}: booked without a receiver file` }),
      ...(origin.source === 'matching' ? { source: 'matching' as const, linkId: origin.linkId, journalVoucherId: origin.journalVoucherId } : {}),
    };
    await this.event(trx, id, 'booked', v.state, 'booked', actor, details, now);
    await this.audit.record(
      {
        actor: auditActor(who),
        action: 'pool.voucher.booked',
        targetType: 'voucher',
        targetId: id,
        unitId: v.unit_id,
        ip,
        details,
        ...(stored ? { digests: { receiverXbrl: `sha256:${stored.xbrl.sha256}`, receiverJson: `sha256:${stored.json.sha256}` } } : {}),
      },
      trx as never,
    );
    return { voucherId: id, state: 'booked' as VoucherState, ...details };
  }

  /**
   * Undoes a booking that matching made, when its link is no longer in force (a person rejected it, or the rules
   * no longer produce it) — only if nothing else happened since: the voucher is still `booked` by that very link.
   * Returns it to the state it was booked from (a reimbursed claim is live again); the receiver files of that
   * booking are unlinked (the objects stay in the store, the booked event and the audit entry keep every detail).
   * Answers why not when it keeps the booking.
   */
  async unbookLink(trx: PoolBTrx, voucherId: string, linkId: string, who: AuditActor, reason: string): Promise<{ outcome: 'unbooked'; toState: VoucherState } | { outcome: 'kept_booked'; code: string; reason: string }> {
    const v = await trx.selectFrom('voucher').select(['id', 'unit_id', 'state']).where('id', '=', voucherId).forUpdate().executeTakeFirst();
    const b = await trx.selectFrom('voucher_booking').selectAll().where('voucher_id', '=', voucherId).executeTakeFirst();
    if (!v || !b || b.source !== 'matching' || b.match_link_id !== linkId) return { outcome: 'kept_booked', code: 'not_booked_by_link', reason: `voucher ${voucherId} was not booked by link ${linkId}` };
    if (v.state !== 'booked') return { outcome: 'kept_booked', code: 'moved_on', reason: `voucher ${voucherId} is ${v.state} since it was booked by journal voucher ${b.journal_voucher_number} (${b.period}): the booking is kept` };
    const toState = (b.from_state === 'reimbursed' ? 'reimbursed' : 'available') as VoucherState;
    const now = this.clock.now();
    await trx.deleteFrom('voucher_booking').where('id', '=', b.id).execute();
    const fileIds = [b.receiver_xbrl_file_id, b.receiver_json_file_id].filter((x): x is string => !!x);
    if (fileIds.length) await trx.deleteFrom('voucher_file').where('id', 'in', fileIds).where('channel', '=', 'receiver').execute();
    if (b.claim_id) await trx.updateTable('voucher_claim').set({ status: 'reimbursed', ended_at: null, end_reason: null }).where('id', '=', b.claim_id).where('status', '=', 'booked').execute();
    const details = { bookingId: b.id, linkId, journalVoucherNumber: b.journal_voucher_number, period: b.period, reason, receiverFileIds: fileIds };
    await this.event(trx, voucherId, 'unbooked', 'booked', toState, actorOf(who), details, now);
    await this.audit.record({ actor: auditActor(who), action: 'pool.voucher.unbooked', targetType: 'voucher', targetId: voucherId, unitId: v.unit_id, details }, trx as never);
    return { outcome: 'unbooked', toState };
  }

  /**
   * Vouchers a volume files that cannot be archived: in a reimbursement (claimed, reimbursed) or never booked.
   * A bank statement (bkrs) is evidence of many journal vouchers, linked line by line and never booked as one
   * document: it may be archived from `available`. Called by the archive before it writes the package.
   */
  async unarchivable(voucherIds: string[], db: PoolBDb | PoolBTrx = this.db) {
    if (!voucherIds.length) return [];
    const rows = await db.selectFrom('voucher').select(['id', 'kind', 'state', 'invoice_number', 'bank_serial']).where('id', 'in', voucherIds).execute();
    return rows
      .filter((r) => !(r.state === 'booked' || r.state === 'archived' || (r.kind === 'bkrs' && r.state === 'available')))
      .map((r) => ({ voucherId: r.id, kind: r.kind, number: r.invoice_number ?? r.bank_serial, state: r.state }));
  }

  /** Refuses archiving while any of the volume's pool vouchers is not booked (see `unarchivable`). */
  async assertArchivable(voucherIds: string[], db: PoolBDb | PoolBTrx = this.db): Promise<void> {
    const bad = await this.unarchivable(voucherIds, db);
    if (!bad.length) return;
    const list = bad.slice(0, 10).map((b) => `${b.kind} ${b.number ?? b.voucherId} is ${b.state}`).join('; ');
    throw new ConflictError(
      `${bad.length} pool voucher(s) of the volume are not booked: ${list}${bad.length > 10 ? '; …' : ''} — book them (receiver API, or a link to their journal voucher) or settle the reimbursement first`,
      { vouchers: bad },
      'pool_vouchers_not_booked',
    );
  }

  /**
   * The archive's lock before it writes a package (its POOL_ARCHIVER port): the vouchers' rows, in id order, so no
   * original changes places (`PoolRepository.originalSwap` locks the row too) until the archive commits; refused when
   * a voucher's original is not among the files the package was built from — it changed after they were read.
   */
  async lockOriginals(voucherIds: string[], packagedFileIds: ReadonlySet<string>, trx: Transaction<Database>): Promise<void> {
    const t = trx as unknown as PoolBTrx;
    const ids = [...new Set(voucherIds)].sort();
    if (!ids.length) return;
    await t.selectFrom('voucher').select('id').where('id', 'in', ids).orderBy('id').forUpdate().execute();
    const originals = await t.selectFrom('voucher_file').select(['id', 'voucher_id', 'filename']).where('voucher_id', 'in', ids).where('role', '=', 'original').execute();
    const changed = originals.filter((f) => !packagedFileIds.has(f.id));
    if (changed.length) {
      throw new ConflictError(
        `the original of ${changed.length} voucher(s) changed while the volume was being archived (${changed.slice(0, 3).map((f) => `${f.filename ?? f.id} of voucher ${f.voucher_id}`).join('; ')}): archive it again`,
        { vouchers: changed.map((f) => ({ voucherId: f.voucher_id, fileId: f.id })) },
        'originals_changed',
      );
    }
  }

  /**
   * booked → archived for every pool voucher of an archived volume, inside the archive's transaction (its
   * POOL_ARCHIVER port): if archiving fails afterwards, no voucher is left archived. Already archived vouchers
   * (filed by an earlier volume too) are left as they are; a bank statement moves from available.
   */
  async markArchived(voucherIds: string[], trx: Transaction<Database>, actor: AuditActor): Promise<void> {
    const t = trx as unknown as PoolBTrx;
    const ids = [...new Set(voucherIds)].sort();
    if (!ids.length) return;
    // Locked in id order: two volumes archived at once never deadlock on shared vouchers.
    const rows = await t.selectFrom('voucher').select(['id', 'state', 'kind', 'unit_id']).where('id', 'in', ids).orderBy('id').forUpdate().execute();
    await this.assertArchivable(ids, t);
    const now = this.clock.now();
    for (const v of rows) {
      if (v.state === 'archived') continue;
      const details = { reason: 'volume archived' };
      await this.event(t, v.id, 'archived', v.state, 'archived', actorOf(actor), details, now);
      await this.audit.record({ actor: auditActor(actor), action: 'pool.voucher.archived', targetType: 'voucher', targetId: v.id, unitId: v.unit_id, details }, trx);
    }
  }

  /** Releases every active claim whose expiry has passed; each in its own short transaction (SKIP LOCKED). */
  async expireClaims(limit = 500): Promise<number> {
    let n = 0;
    for (;;) {
      const done = await this.db.transaction().execute(async (trx) => {
        const now = this.clock.now();
        const c = await trx
          .selectFrom('voucher_claim')
          .selectAll()
          .where('status', '=', 'active')
          .where('expires_at', '<=', now)
          .orderBy('expires_at')
          .limit(1)
          .forUpdate()
          .skipLocked()
          .executeTakeFirst();
        if (!c) return false;
        const v = await trx.selectFrom('voucher').select(['state', 'unit_id']).where('id', '=', c.voucher_id).forUpdate().executeTakeFirstOrThrow();
        await trx.updateTable('voucher_claim').set({ status: 'expired', ended_at: now, end_reason: 'expired' }).where('id', '=', c.id).execute();
        if (v.state === 'claimed') {
          const details = { claimId: c.id, reimbursementDocId: c.reimbursement_doc_id, reason: 'expired', expiresAt: c.expires_at };
          await this.event(trx, c.voucher_id, 'claim_expired', 'claimed', 'available', actorOf('system'), details, now);
          await this.audit.record({ actor: 'system', action: 'pool.voucher.claim_expired', targetType: 'voucher', targetId: c.voucher_id, unitId: v.unit_id, details }, trx as never);
        }
        return true;
      });
      if (!done) break;
      if (++n >= limit) break;
    }
    return n;
  }

  @Job({ name: 'pool.claims.expire', cron: '* * * * *', policy: 'singleton', expireInSeconds: 600 })
  async expireJob(): Promise<{ released: number }> {
    const released = await this.expireClaims(10_000);
    if (released) this.log.log(`released ${released} expired claim(s)`);
    return { released };
  }

  claimView(c: { id: string; reimbursement_doc_id: string; claimant_type: string; claimant_id: string | null; claimant_name: string | null; claimant_user: string | null; claimed_at: Date; expires_at: Date | null; status: string; ended_at?: Date | null; end_reason?: string | null; reimbursed_at?: Date | null; reimbursed_amount?: string | null }) {
    return {
      claimId: c.id,
      reimbursementDocId: c.reimbursement_doc_id,
      claimant: { type: c.claimant_type, id: c.claimant_id, name: c.claimant_name, user: c.claimant_user },
      claimedAt: c.claimed_at,
      expiresAt: c.expires_at,
      status: c.status,
      endedAt: c.ended_at ?? null,
      endReason: c.end_reason ?? null,
      reimbursedAt: c.reimbursed_at ?? null,
      reimbursedAmount: c.reimbursed_amount ?? null,
    };
  }

  /** The voucher's state, live claim, claims history, booking and receiver files, and history. */
  async writeback(p: Principal, id: string) {
    this.checkId(id);
    const units = this.units(p, WRITEBACK_READ_ROLES);
    const v = await this.db
      .selectFrom('voucher as v')
      .leftJoin('unit as u', 'u.id', 'v.unit_id')
      .select(['v.id', 'v.unit_id', 'u.code as unit_code', 'u.name as unit_name', 'v.sub_pool', 'v.owner_user_id', 'v.kind', 'v.identity_key', 'v.invoice_code', 'v.invoice_number', 'v.issue_date', 'v.amount_ex_tax', 'v.tax_amount', 'v.total_amount', 'v.currency', 'v.seller_name', 'v.seller_tax_id', 'v.buyer_name', 'v.buyer_tax_id', 'v.payer_name', 'v.payee_name', 'v.bank_serial', 'v.signature_verdict', 'v.warnings', 'v.carrier', 'v.state', 'v.created_at', 'v.updated_at'])
      .where('v.id', '=', id)
      .executeTakeFirst();
    if (!v || !this.inScope(units, v.unit_id)) throw new NotFoundError(`voucher not found: ${id}`, { id });
    const [claims, booking, files, events] = await Promise.all([
      this.db.selectFrom('voucher_claim').selectAll().where('voucher_id', '=', id).orderBy('claimed_at').orderBy(sql`case when status in ('released', 'expired') then 0 else 1 end`).orderBy('id').execute(),
      this.db.selectFrom('voucher_booking').selectAll().where('voucher_id', '=', id).executeTakeFirst(),
      this.db.selectFrom('voucher_file').select(['id', 'role', 'filename', 'format', 'media_type', 'size', 'sha256', 'sm3', 'received_at']).where('voucher_id', '=', id).where('role', 'in', ['receiver_xbrl', 'receiver_json']).orderBy('received_at').execute(),
      this.db.selectFrom('voucher_event').selectAll().where('voucher_id', '=', id).orderBy('id').execute(),
    ]);
    const live = claims.find((c) => c.status === 'active' || c.status === 'reimbursed');
    return {
      ...voucherSummary(v as never),
      claim: live ? this.claimView(live) : null,
      claims: claims.map((c) => this.claimView(c)),
      booking: booking
        ? {
            id: booking.id,
            journalVoucherNumber: booking.journal_voucher_number,
            period: booking.period,
            bookedAt: booking.booked_at,
            summary: booking.summary,
            entries: booking.entries as BookingEntry[],
            debitTotal: booking.debit_total,
            creditTotal: booking.credit_total,
            configId: booking.config_id,
            receiverXbrlFileId: booking.receiver_xbrl_file_id,
            receiverJsonFileId: booking.receiver_json_file_id,
            by: { type: booking.actor_type, id: booking.actor_id, name: booking.actor_name },
            recordedAt: booking.created_at,
          }
        : null,
      receiverFiles: files.map((f) => ({ id: f.id, role: f.role, filename: f.filename, format: f.format, mediaType: f.media_type, size: Number(f.size), sha256: f.sha256, sm3: f.sm3, createdAt: f.received_at })),
      history: events.map((e) => ({ at: e.at, action: e.action, fromState: e.from_state, toState: e.to_state, actor: { type: e.actor_type, id: e.actor_id, name: e.actor_name }, details: e.details })),
    };
  }

  /** Lookup by business identity (invoice number/code, bank serial, identity key) inside the caller's units. */
  async lookup(p: Principal, q: Record<string, unknown>) {
    const s = (n: string) => (typeof q[n] === 'string' && (q[n] as string).trim() ? (q[n] as string).trim().slice(0, 128) : undefined);
    const invoiceNumber = s('invoiceNumber');
    const invoiceCode = s('invoiceCode');
    const bankSerial = s('bankSerialNumber') ?? s('bankSerial');
    const identityKey = s('identityKey');
    const state = s('state');
    if (!invoiceNumber && !bankSerial && !identityKey) throw new ValidationError('give invoiceNumber (with invoiceCode for 10/12-digit invoices), bankSerialNumber or identityKey', { field: 'invoiceNumber' });
    if (state && !['available', 'claimed', 'reimbursed', 'booked', 'archived'].includes(state)) throw new ValidationError(`state: expected available, claimed, reimbursed, booked or archived, got "${state}"`, { field: 'state' });
    const units = this.units(p, WRITEBACK_READ_ROLES);
    if (units !== 'all' && units.length === 0) return { items: [] };
    let query = this.db
      .selectFrom('voucher as v')
      .leftJoin('unit as u', 'u.id', 'v.unit_id')
      .leftJoin('voucher_claim as c', (j) => j.onRef('c.voucher_id', '=', 'v.id').on('c.status', 'in', ['active', 'reimbursed']))
      .select(['v.id', 'v.unit_id', 'u.code as unit_code', 'u.name as unit_name', 'v.kind', 'v.identity_key', 'v.invoice_code', 'v.invoice_number', 'v.issue_date', 'v.total_amount', 'v.seller_name', 'v.buyer_name', 'v.bank_serial', 'v.signature_verdict', 'v.state', 'c.reimbursement_doc_id', 'c.expires_at', 'c.claimant_name'])
      .where('v.unit_id', 'is not', null);
    if (units !== 'all') query = query.where('v.unit_id', 'in', units);
    if (invoiceNumber) query = query.where('v.invoice_number', '=', invoiceNumber);
    if (invoiceCode) query = query.where('v.invoice_code', '=', invoiceCode);
    if (bankSerial) query = query.where('v.bank_serial', '=', bankSerial);
    if (identityKey) query = query.where('v.identity_key', '=', identityKey);
    if (state) query = query.where('v.state', '=', state as VoucherState);
    const rows = await query.orderBy('v.created_at', 'desc').limit(50).execute();
    return {
      items: rows.map((r) => ({
        id: r.id,
        unit: { id: r.unit_id, code: r.unit_code, name: r.unit_name },
        kind: r.kind,
        identityKey: r.identity_key,
        invoiceCode: r.invoice_code,
        invoiceNumber: r.invoice_number,
        issueDate: r.issue_date,
        totalAmount: r.total_amount,
        sellerName: r.seller_name,
        buyerName: r.buyer_name,
        bankSerialNumber: r.bank_serial,
        signatureVerdict: r.signature_verdict,
        state: r.state,
        claim: r.reimbursement_doc_id ? { reimbursementDocId: r.reimbursement_doc_id, claimantName: r.claimant_name, expiresAt: r.expires_at } : null,
      })),
    };
  }

  /** Count of vouchers per state in the caller's scope (dashboards, CLI summaries). */
  async stateCounts(units: 'all' | string[]): Promise<Record<VoucherState, number>> {
    let q = this.db.selectFrom('voucher').select(['state', sql<string>`count(*)`.as('n')]).groupBy('state');
    if (units !== 'all') q = q.where('unit_id', 'in', units.length ? units : ['00000000-0000-0000-0000-000000000000']);
    const out: Record<VoucherState, number> = { available: 0, claimed: 0, reimbursed: 0, booked: 0, archived: 0 };
    for (const r of await q.execute()) out[r.state as VoucherState] = Number(r.n);
    return out;
  }
}

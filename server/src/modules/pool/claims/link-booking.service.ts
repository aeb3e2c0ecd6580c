import { Injectable, Optional } from '@nestjs/common';
import { sql, type Transaction } from 'kysely';
import type { AuditActor } from '../../../platform/audit/audit.service';
import type { Database } from '../../../platform/database/schema';
import { toFen } from '../../../formats/kinds/money';
import type { JournalVoucher } from '../../ledger/journal';
import type { StoredJournal } from '../../ledger/ledger.repository';
import { LedgerService } from '../../ledger/ledger.service';
import { ClaimsService, parseBooking, type BookingInput, type PreparedBooking } from './claims.service';
import type { PoolBTrx } from './pool-b.tables';

/** Which links to look at: a unit's period after a matching run, or the links a person just decided. */
export type LinkScope = { unitId: string; period: string } | { linkIds: string[] };

export interface LinkBookingProblem {
  linkId: string;
  voucherId: string;
  journalVoucherId: string;
  journalVoucherNumber: string;
  code: string;
  reason: string;
}

/** What the pool did with the vouchers of the links in scope. */
export interface LinkBookingReport {
  booked: number;
  unbooked: number;
  /** Links in force whose voucher was not booked, with the reason (claimed, booked by another journal voucher, …). */
  notBooked: LinkBookingProblem[];
  /** Links no longer in force whose voucher keeps its booking, with the reason. */
  keptBooked: LinkBookingProblem[];
}

/** A link is in force when it is automatic (or manual) and undecided, or a person accepted it — as volumes read it. */
const IN_FORCE = sql`(l.status = 'accepted' or (l.status = 'active' and l.tier in ('auto', 'manual')))`;

type Candidate = {
  link_id: string;
  unit_id: string;
  journal_voucher_id: string;
  voucher_id: string;
  jv_number: string;
  jv_period: string;
  state: string;
  b_number: string | null;
  b_period: string | null;
  refs: unknown;
};

type Removed = { voucher_id: string; link_id: string; jv_number: string; status: string | null; tier: string | null; decided_by: string | null; decision_reason: string | null };

/** The booking (记账凭证号, period, posting date, entries) a journal voucher gives every voucher it is linked to. */
export function journalBooking(j: JournalVoucher): BookingInput {
  const entries = j.entries
    .filter((e) => toFen(e.debit || '0') !== 0n || toFen(e.credit || '0') !== 0n)
    .map((e) => (toFen(e.debit || '0') !== 0n ? { accountCode: e.accountCode, accountName: e.accountName, debit: e.debit } : { accountCode: e.accountCode, accountName: e.accountName, credit: e.credit }));
  return parseBooking({ journalVoucherNumber: j.number, period: j.period, bookedAt: j.date, summary: j.summary || undefined, entries });
}

/**
 * Booking through matching (the pool's side of the link between a journal voucher and its evidence). Matching
 * calls `sync` inside the transaction that writes or decides links; the pool then
 * - books (入账) the voucher of every link in force that is `available` or `reimbursed`, through the same
 *   `ClaimsService.writeBooking` the receiver API uses (write-back, receiver XBRL + JSON stored and linked, event,
 *   audit, search document), each in a savepoint so one voucher that cannot be booked does not undo the others;
 * - does not book a `claimed` voucher (a reimbursement is in progress: booking it would bypass the claim) nor one
 *   already booked by another journal voucher, and says why (`notBooked`, plus a `booking_refused` event on the
 *   voucher, written once per link and reason);
 * - undoes a booking it made when that link is no longer in force (rejected by a person, or dropped by the rules),
 *   if nothing else happened to the voucher since (`ClaimsService.unbookLink`), then books the voucher through
 *   another link still in force, if any.
 * Bank statement lines (statement_line set) never book the statement: it is evidence for many journal vouchers.
 */
@Injectable()
export class LinkBookingService {
  constructor(
    private readonly claims: ClaimsService,
    @Optional() private readonly ledger?: LedgerService,
  ) {}

  async sync(trx: Transaction<Database>, scope: LinkScope, actor: AuditActor, journals: StoredJournal[] = []): Promise<LinkBookingReport> {
    const report: LinkBookingReport = { booked: 0, unbooked: 0, notBooked: [], keptBooked: [] };
    const t = trx as unknown as PoolBTrx;
    if ('linkIds' in scope && !scope.linkIds.length) return report;

    // 1. Bookings whose link is no longer in force.
    const removed = await sql<Removed>`
      select b.voucher_id, b.match_link_id as link_id, b.journal_voucher_number as jv_number, l.status, l.tier, l.decided_by, l.decision_reason
      from voucher_booking b
      join voucher v on v.id = b.voucher_id
      left join match_link l on l.id = b.match_link_id
      where b.source = 'matching'
        and ${'linkIds' in scope ? sql`b.match_link_id = any(${scope.linkIds}::uuid[])` : sql`v.unit_id = ${scope.unitId}::uuid and b.period = ${scope.period} and v.state = 'booked'`}
        and (l.id is null or not ${IN_FORCE})
      order by b.voucher_id`.execute(trx);
    const reopened: string[] = [];
    for (const r of removed.rows) {
      const why =
        r.status === 'rejected'
          ? `link rejected by ${r.decided_by ?? 'a person'}${r.decision_reason ? `: ${r.decision_reason}` : ''}`
          : r.status === null
            ? 'the matching rules no longer link it'
            : 'the link is only a suggestion now';
      const out = await this.claims.unbookLink(t, r.voucher_id, r.link_id, actor, why);
      if (out.outcome === 'unbooked') {
        report.unbooked++;
        reopened.push(r.voucher_id);
      } else report.keptBooked.push({ linkId: r.link_id, voucherId: r.voucher_id, journalVoucherId: '', journalVoucherNumber: r.jv_number, code: out.code, reason: out.reason });
    }

    // 2. Links in force whose voucher is not booked yet (or booked by another journal voucher).
    const where =
      'linkIds' in scope
        ? sql`(l.id = any(${scope.linkIds}::uuid[]) or l.voucher_id = any(${reopened}::uuid[]))`
        : sql`l.unit_id = ${scope.unitId}::uuid and l.period = ${scope.period}`;
    const candidates = await sql<Candidate>`
      select l.id as link_id, l.unit_id, l.journal_voucher_id, l.voucher_id, j.number as jv_number, j.period as jv_period, v.state,
             b.journal_voucher_number as b_number, b.period as b_period, j.refs
      from match_link l
      join voucher v on v.id = l.voucher_id
      join journal_voucher j on j.id = l.journal_voucher_id
      left join voucher_booking b on b.voucher_id = v.id
      where ${where} and l.statement_line is null and ${IN_FORCE}
        and (v.state in ('available', 'reimbursed', 'claimed')
             or (v.state = 'booked' and b.match_link_id is distinct from l.id and (b.journal_voucher_number, b.period) is distinct from (j.number, j.period)))
      order by l.voucher_id, j.voucher_date, j.number, l.id`.execute(trx);
    if (!candidates.rows.length) return report;

    const byId = new Map(journals.map((j) => [j.id, j.voucher]));
    const problem = (c: Candidate, code: string, reason: string) => report.notBooked.push({ linkId: c.link_id, voucherId: c.voucher_id, journalVoucherId: c.journal_voucher_id, journalVoucherNumber: c.jv_number, code, reason });
    const bookedBy = new Map<string, string>();
    const todo: { c: Candidate; input: BookingInput }[] = [];
    for (const c of candidates.rows) {
      const first = bookedBy.get(c.voucher_id);
      if (first !== undefined || c.state === 'booked') {
        problem(c, 'booked_elsewhere', `already booked${first ? ` by journal voucher ${first}` : c.b_number ? ` by journal voucher ${c.b_number} (${c.b_period})` : ''}: not booked again by journal voucher ${c.jv_number} (${c.jv_period})`);
        continue;
      }
      if (c.state === 'claimed') {
        const claim = await this.claims.liveClaim(t, c.voucher_id);
        const doc = claim?.reimbursement_doc_id ?? '?';
        const cited = ((c.refs as { reimbursementIds?: string[] } | null)?.reimbursementIds ?? []).includes(doc);
        const reason = cited
          ? `claimed by reimbursement document ${doc}, which journal voucher ${c.jv_number} cites, but not marked reimbursed yet: mark it reimbursed, then run matching again to book it`
          : `claimed by reimbursement document ${doc} (${claim?.claimant_name ?? claim?.claimant_type ?? 'unknown'}), which journal voucher ${c.jv_number} does not cite: not booked — settle or release that claim first`;
        problem(c, 'claimed', reason);
        await this.refusedEvent(t, c, 'claimed', reason, actor);
        continue;
      }
      bookedBy.set(c.voucher_id, `${c.jv_number} (${c.jv_period})`);
      let j = byId.get(c.journal_voucher_id);
      if (!j && this.ledger) j = (await this.ledger.get(null, c.journal_voucher_id)).voucher;
      if (!j) {
        problem(c, 'journal_unavailable', `journal voucher ${c.jv_number} could not be read`);
        continue;
      }
      try {
        todo.push({ c, input: journalBooking(j) });
      } catch (e) {
        bookedBy.delete(c.voucher_id);
        problem(c, 'journal_entries', `journal voucher ${c.jv_number}: ${(e as Error).message}`);
      }
    }

    // Receiver files are built and stored a few at a time (object writes overlap), then booked one by one.
    const prepared = new Map<string, PreparedBooking | Error>();
    for (let i = 0; i < todo.length; i += 8) {
      await Promise.all(
        todo.slice(i, i + 8).map(async ({ c, input }) => {
          const subject = await this.claims.bookingSubject(t, c.voucher_id);
          prepared.set(c.link_id, subject ? await this.claims.prepareBooking(subject, input).catch((e: Error) => e) : new Error('voucher not found'));
        }),
      );
    }
    for (const { c, input } of todo) {
      const p = prepared.get(c.link_id)!;
      if (p instanceof Error) {
        problem(c, 'receiver_file_failed', `the receiver file could not be written: ${p.message}`);
        continue;
      }
      await sql`savepoint link_booking`.execute(trx);
      try {
        await this.claims.bookInTrx(t, c.voucher_id, c.unit_id, input, p, actor, { source: 'matching', linkId: c.link_id, journalVoucherId: c.journal_voucher_id });
        await sql`release savepoint link_booking`.execute(trx);
        report.booked++;
      } catch (e) {
        await sql`rollback to savepoint link_booking`.execute(trx);
        problem(c, (e as { code?: string }).code ?? 'booking_failed', (e as Error).message);
      }
    }
    return report;
  }

  /** The reason goes into the voucher's history once per link and reason, not again on every matching run. */
  private async refusedEvent(t: PoolBTrx, c: Candidate, code: string, reason: string, actor: AuditActor) {
    const last = await t.selectFrom('voucher_event').select(['action', 'details']).where('voucher_id', '=', c.voucher_id).orderBy('id', 'desc').limit(1).executeTakeFirst();
    const d = last?.details as { linkId?: string; code?: string } | undefined;
    if (last?.action === 'booking_refused' && d?.linkId === c.link_id && d?.code === code) return;
    await this.claims.recordEvent(t, c.voucher_id, 'booking_refused', actor, { linkId: c.link_id, journalVoucherId: c.journal_voucher_id, journalVoucherNumber: c.jv_number, period: c.jv_period, code, reason });
  }
}

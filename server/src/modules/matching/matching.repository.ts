/** Every SQL statement of matching: candidate vouchers from the pool, links, runs, the evidence chain. */
import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Db } from '../../platform/database/database';
import type { Database } from '../../platform/database/schema';
import { DB } from '../../platform/tokens';

export type Executor = Kysely<Database> | Transaction<Database>;

export interface PoolVoucherRow {
  id: string;
  unitId: string;
  kind: string;
  data: unknown;
  issueDate: string | null;
}

export interface LinkRow {
  id: string;
  unitId: string;
  journalVoucherId: string;
  voucherId: string;
  statementLine: number | null;
  period: string;
  tier: 'auto' | 'suggest' | 'manual';
  status: 'active' | 'accepted' | 'rejected';
  score: string;
  ruleId: string;
  ruleVersion: number;
  rulesDigest: string;
  explanation: unknown;
  notes: unknown;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  createdAt: Date;
}

const CHUNK = 500;

function toLink(r: any): LinkRow {
  return {
    id: r.id,
    unitId: r.unit_id,
    journalVoucherId: r.journal_voucher_id,
    voucherId: r.voucher_id,
    statementLine: r.statement_line,
    period: r.period,
    tier: r.tier,
    status: r.status,
    score: r.score,
    ruleId: r.rule_id,
    ruleVersion: r.rule_version,
    rulesDigest: r.rules_digest,
    explanation: r.explanation,
    notes: r.notes,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionReason: r.decision_reason,
    createdAt: r.created_at,
  };
}

@Injectable()
export class MatchingRepository {
  constructor(@Inject(DB) readonly db: Db) {}

  /** Pool vouchers of a unit dated within [from, to] (the widest window any rule looks at). */
  async poolVouchers(unitId: string, from: string, to: string): Promise<PoolVoucherRow[]> {
    const rows = await this.db
      .selectFrom('voucher')
      .select(['id', 'unit_id', 'kind', 'data', sql<string | null>`to_char(issue_date, 'YYYY-MM-DD')`.as('issue_date')])
      .where('unit_id', '=', unitId)
      .where('issue_date', '>=', from)
      .where('issue_date', '<=', to)
      .execute();
    return rows.map((r) => ({ id: r.id, unitId: r.unit_id!, kind: r.kind, data: r.data, issueDate: r.issue_date }));
  }

  /**
   * The unit's vouchers with one of these invoice numbers dated outside [from, to] (or undated): an invoice
   * booked long after it was issued is still found by the number its journal voucher cites.
   */
  async poolVouchersCitedOutside(unitId: string, invoiceNumbers: string[], from: string, to: string): Promise<PoolVoucherRow[]> {
    if (!invoiceNumbers.length) return [];
    const rows = await this.db
      .selectFrom('voucher')
      .select(['id', 'unit_id', 'kind', 'data', sql<string | null>`to_char(issue_date, 'YYYY-MM-DD')`.as('issue_date')])
      .where('unit_id', '=', unitId)
      .where(sql<boolean>`invoice_number = any(${invoiceNumbers}::text[])`)
      .where((eb) => eb.or([eb('issue_date', 'is', null), eb('issue_date', '<', from), eb('issue_date', '>', to)]))
      .execute();
    return rows.map((r) => ({ id: r.id, unitId: r.unit_id!, kind: r.kind, data: r.data, issueDate: r.issue_date }));
  }

  async poolVouchersById(ids: string[]): Promise<(PoolVoucherRow & { invoiceNumber: string | null; totalAmount: string | null; sellerName: string | null; payeeName: string | null; bankSerial: string | null; state: string })[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('voucher')
      .select(['id', 'unit_id', 'kind', 'data', 'invoice_number', 'total_amount', 'seller_name', 'payee_name', 'bank_serial', 'state', sql<string | null>`to_char(issue_date, 'YYYY-MM-DD')`.as('issue_date')])
      .where('id', 'in', ids)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      unitId: r.unit_id!,
      kind: r.kind,
      data: r.data,
      issueDate: r.issue_date,
      invoiceNumber: r.invoice_number,
      totalAmount: r.total_amount,
      sellerName: r.seller_name,
      payeeName: r.payee_name,
      bankSerial: r.bank_serial,
      state: r.state,
    }));
  }

  async unitsWithJournals(period: string): Promise<string[]> {
    const rows = await this.db.selectFrom('journal_voucher').select('unit_id').distinct().where('period', '=', period).execute();
    return rows.map((r) => r.unit_id);
  }

  async links(where: { unitId?: string; period?: string; journalIds?: string[]; voucherId?: string; ids?: string[]; tier?: string; status?: string; unitIds?: 'all' | string[]; limit?: number }, trx: Executor = this.db): Promise<LinkRow[]> {
    let q = trx.selectFrom('match_link').selectAll();
    if (where.unitId) q = q.where('unit_id', '=', where.unitId);
    if (where.unitIds && where.unitIds !== 'all') {
      if (where.unitIds.length === 0) return [];
      q = q.where('unit_id', 'in', where.unitIds);
    }
    if (where.period) q = q.where('period', '=', where.period);
    if (where.journalIds) {
      if (where.journalIds.length === 0) return [];
      q = q.where('journal_voucher_id', 'in', where.journalIds);
    }
    if (where.voucherId) q = q.where('voucher_id', '=', where.voucherId);
    if (where.ids) q = q.where('id', 'in', where.ids);
    if (where.tier) q = q.where('tier', '=', where.tier as any);
    if (where.status) q = q.where('status', '=', where.status as any);
    q = q.orderBy('period').orderBy('journal_voucher_id').orderBy('score', 'desc').orderBy('id');
    if (where.limit) q = q.limit(where.limit);
    return (await q.execute()).map(toLink);
  }

  /** Vouchers (of these) that have a link in force anywhere: auto, or accepted. */
  async linkedVoucherIds(ids: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < ids.length; i += CHUNK * 4) {
      const part = ids.slice(i, i + CHUNK * 4);
      const rows = await this.db
        .selectFrom('match_link')
        .select('voucher_id')
        .distinct()
        .where('voucher_id', 'in', part)
        .where((eb) => eb.or([eb.and([eb('tier', '=', 'auto'), eb('status', '=', 'active')]), eb('status', '=', 'accepted')]))
        .execute();
      for (const r of rows) out.add(r.voucher_id);
    }
    return out;
  }

  async insertRun(trx: Executor, row: Omit<Database['match_run'], 'id'> | any): Promise<string> {
    return (await trx.insertInto('match_run').values(row).returning('id').executeTakeFirstOrThrow()).id;
  }

  async insertLinks(trx: Executor, rows: any[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) await trx.insertInto('match_link').values(rows.slice(i, i + CHUNK)).execute();
  }

  async updateLink(trx: Executor, id: string, set: Record<string, unknown>): Promise<void> {
    await trx.updateTable('match_link').set(set as any).where('id', '=', id).execute();
  }

  async deleteLinks(trx: Executor, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) await trx.deleteFrom('match_link').where('id', 'in', ids.slice(i, i + CHUNK)).execute();
  }

  async lockLink(trx: Executor, id: string): Promise<LinkRow | undefined> {
    const r = await trx.selectFrom('match_link').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    return r ? toLink(r) : undefined;
  }

  /** Serialises runs of one unit + period so two runs never interleave their writes. */
  async lockRun(trx: Executor, unitId: string, period: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtext(${`match:${unitId}:${period}`}))`.execute(trx);
  }

  async journalHeads(ids: string[]): Promise<{ id: string; unitId: string; period: string; number: string; date: string; summary: string; totalDebit: string }[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('journal_voucher')
      .select(['id', 'unit_id', 'period', 'number', sql<string>`to_char(voucher_date, 'YYYY-MM-DD')`.as('date'), 'summary', 'total_debit'])
      .where('id', 'in', ids)
      .execute();
    return rows.map((r) => ({ id: r.id, unitId: r.unit_id, period: r.period, number: r.number, date: r.date, summary: r.summary, totalDebit: r.total_debit }));
  }
}

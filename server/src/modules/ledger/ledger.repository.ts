/** Every SQL statement of the ledger: journal vouchers, their entries and versions, imports, records. */
import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Db } from '../../platform/database/database';
import type { Database } from '../../platform/database/schema';
import { DB } from '../../platform/tokens';
import type { JournalEntry, JournalReferences, JournalVoucher } from './journal';

export type Executor = Kysely<Database> | Transaction<Database>;

export interface StoredJournal {
  id: string;
  unitId: string;
  unitCode: string;
  fondsId: string | null;
  version: number;
  voucher: JournalVoucher;
  createdAt: Date;
  updatedAt: Date;
}

export interface JournalFilter {
  unitIds: 'all' | string[];
  period?: string;
  number?: string;
  accountCode?: string;
  minAmount?: string;
  maxAmount?: string;
  q?: string;
  limit: number;
  /** Keyset: the last (period, number, id) of the previous page. */
  after?: { period: string; number: string; id: string };
}

const CHUNK = 500;

@Injectable()
export class LedgerRepository {
  constructor(@Inject(DB) readonly db: Db) {}

  async unitsByCode(codes: string[]): Promise<Map<string, string>> {
    if (codes.length === 0) return new Map();
    const rows = await this.db.selectFrom('unit').select(['id', 'code']).where('code', 'in', codes).execute();
    return new Map(rows.map((r) => [r.code, r.id]));
  }

  async unitCode(id: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('unit').select('code').where('id', '=', id).executeTakeFirst();
    return r?.code;
  }

  async fondsByCode(codes: string[]): Promise<Map<string, { id: string; unitId: string }>> {
    if (codes.length === 0) return new Map();
    const rows = await this.db.selectFrom('fonds').select(['id', 'code', 'unit_id']).where('code', 'in', codes).execute();
    return new Map(rows.map((r) => [r.code, { id: r.id, unitId: r.unit_id }]));
  }

  async insertImport(trx: Executor, row: Omit<Database['ledger_import'], 'id'>): Promise<string> {
    const r = await trx.insertInto('ledger_import').values(row).returning('id').executeTakeFirstOrThrow();
    return r.id;
  }

  async finishImport(trx: Executor, id: string, counts: { created: number; updated: number; unchanged: number; records: number }): Promise<void> {
    await trx.updateTable('ledger_import').set(counts).where('id', '=', id).execute();
  }

  /** Current version and digest of each (unit, period, number) that already exists. */
  async existing(trx: Executor, keys: { unitId: string; period: string; number: string }[]): Promise<Map<string, { id: string; version: number; digest: string }>> {
    const out = new Map<string, { id: string; version: number; digest: string }>();
    for (let i = 0; i < keys.length; i += CHUNK) {
      const part = keys.slice(i, i + CHUNK);
      const rows = await trx
        .selectFrom('journal_voucher')
        .select(['id', 'unit_id', 'period', 'number', 'version', 'digest'])
        .where(sql<boolean>`(unit_id, period, number) in (${sql.join(part.map((k) => sql`(${k.unitId}::uuid, ${k.period}, ${k.number})`))})`)
        .forUpdate()
        .execute();
      for (const r of rows) out.set(`${r.unit_id}|${r.period}|${r.number}`, { id: r.id, version: r.version, digest: r.digest });
    }
    return out;
  }

  async insertJournals(
    trx: Executor,
    items: { unitId: string; fondsId: string | null; voucher: JournalVoucher; digest: string; reason: string | null }[],
    importId: string,
    now: Date,
  ): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < items.length; i += CHUNK) {
      const part = items.slice(i, i + CHUNK);
      const rows = await trx
        .insertInto('journal_voucher')
        .values(part.map((x) => ({ ...journalRow(x.voucher), unit_id: x.unitId, fonds_id: x.fondsId, version: 1, digest: x.digest, import_id: importId, created_at: now, updated_at: now })))
        .returning('id')
        .execute();
      const partIds = rows.map((r) => r.id);
      ids.push(...partIds);
      await this.insertEntries(trx, part.map((x, k) => ({ id: partIds[k], entries: x.voucher.entries })));
      await trx
        .insertInto('journal_voucher_version')
        .values(part.map((x, k) => ({ journal_voucher_id: partIds[k], version: 1, digest: x.digest, data: JSON.stringify(x.voucher), reason: x.reason, import_id: importId, created_at: now })))
        .execute();
    }
    return ids;
  }

  async updateJournal(trx: Executor, id: string, version: number, voucher: JournalVoucher, digest: string, reason: string, importId: string, fondsId: string | null, now: Date): Promise<void> {
    await trx
      .updateTable('journal_voucher')
      .set({ ...journalRow(voucher), fonds_id: fondsId, version, digest, import_id: importId, updated_at: now })
      .where('id', '=', id)
      .execute();
    await trx.deleteFrom('journal_entry').where('journal_voucher_id', '=', id).execute();
    await this.insertEntries(trx, [{ id, entries: voucher.entries }]);
    await trx
      .insertInto('journal_voucher_version')
      .values({ journal_voucher_id: id, version, digest, data: JSON.stringify(voucher), reason, import_id: importId, created_at: now })
      .execute();
  }

  private async insertEntries(trx: Executor, items: { id: string; entries: JournalEntry[] }[]): Promise<void> {
    const rows = items.flatMap((x) =>
      x.entries.map((e) => ({
        journal_voucher_id: x.id,
        line: e.line,
        summary: e.summary ?? null,
        account_code: e.accountCode,
        account_name: e.accountName,
        debit: e.debit,
        credit: e.credit,
        counterparty: e.counterparty ?? null,
        counterparty_account: e.counterpartyAccount ?? null,
        project: e.project ?? null,
        department: e.department ?? null,
      })),
    );
    for (let i = 0; i < rows.length; i += CHUNK * 2) await trx.insertInto('journal_entry').values(rows.slice(i, i + CHUNK * 2)).execute();
  }

  async previousVersion(trx: Executor, id: string): Promise<JournalVoucher | undefined> {
    const r = await trx.selectFrom('journal_voucher_version').select('data').where('journal_voucher_id', '=', id).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return r?.data as JournalVoucher | undefined;
  }

  async versions(id: string): Promise<{ version: number; digest: string; reason: string | null; createdAt: Date; importId: string | null }[]> {
    const rows = await this.db.selectFrom('journal_voucher_version').select(['version', 'digest', 'reason', 'created_at', 'import_id']).where('journal_voucher_id', '=', id).orderBy('version').execute();
    return rows.map((r) => ({ version: r.version, digest: r.digest, reason: r.reason, createdAt: r.created_at, importId: r.import_id }));
  }

  async list(f: JournalFilter): Promise<{ id: string; unitId: string; unitCode: string; period: string; number: string; date: string; summary: string; totalDebit: string; attachmentCount: number; version: number }[]> {
    if (f.unitIds !== 'all' && f.unitIds.length === 0) return [];
    let q = this.db
      .selectFrom('journal_voucher as j')
      .innerJoin('unit as u', 'u.id', 'j.unit_id')
      .select(['j.id', 'j.unit_id', 'u.code as unit_code', 'j.period', 'j.number', sql<string>`to_char(j.voucher_date, 'YYYY-MM-DD')`.as('date'), 'j.summary', 'j.total_debit', 'j.attachment_count', 'j.version']);
    if (f.unitIds !== 'all') q = q.where('j.unit_id', 'in', f.unitIds);
    if (f.period) q = q.where('j.period', '=', f.period);
    if (f.number) q = q.where('j.number', '=', f.number);
    if (f.accountCode) q = q.where(({ exists, selectFrom }) => exists(selectFrom('journal_entry as e').select('e.id').whereRef('e.journal_voucher_id', '=', 'j.id').where('e.account_code', 'like', `${f.accountCode!.replace(/[%_\\]/g, '\\$&')}%`)));
    if (f.minAmount) q = q.where('j.total_debit', '>=', f.minAmount);
    if (f.maxAmount) q = q.where('j.total_debit', '<=', f.maxAmount);
    if (f.q) q = q.where('j.summary', 'like', `%${f.q.replace(/[%_\\]/g, '\\$&')}%`);
    if (f.after) q = q.where(sql<boolean>`(j.period, j.number, j.id) > (${f.after.period}, ${f.after.number}, ${f.after.id}::uuid)`);
    const rows = await q.orderBy('j.period').orderBy('j.number').orderBy('j.id').limit(f.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      unitId: r.unit_id,
      unitCode: r.unit_code,
      period: r.period,
      number: r.number,
      date: r.date,
      summary: r.summary,
      totalDebit: r.total_debit,
      attachmentCount: r.attachment_count,
      version: r.version,
    }));
  }

  /** Ids of journal vouchers after `after` in id order (keyset pages for re-indexing). */
  async journalIdsAfter(after: string, limit: number, unitId?: string): Promise<string[]> {
    let q = this.db.selectFrom('journal_voucher').select('id').where('id', '>', after);
    if (unitId) q = q.where('unit_id', '=', unitId);
    return (await q.orderBy('id').limit(limit).execute()).map((r) => r.id);
  }

  /** Journal vouchers with entries, by id or by (units, period). */
  async load(where: { ids?: string[]; unitIds?: 'all' | string[]; period?: string }): Promise<StoredJournal[]> {
    let q = this.db.selectFrom('journal_voucher as j').innerJoin('unit as u', 'u.id', 'j.unit_id').selectAll('j').select(['u.code as unit_code', sql<string>`to_char(j.voucher_date, 'YYYY-MM-DD')`.as('date')]);
    if (where.ids) {
      if (where.ids.length === 0) return [];
      q = q.where('j.id', 'in', where.ids);
    }
    if (where.unitIds && where.unitIds !== 'all') {
      if (where.unitIds.length === 0) return [];
      q = q.where('j.unit_id', 'in', where.unitIds);
    }
    if (where.period) q = q.where('j.period', '=', where.period);
    const heads = await q.orderBy('j.period').orderBy('j.number').execute();
    const entries = new Map<string, JournalEntry[]>();
    for (let i = 0; i < heads.length; i += CHUNK * 4) {
      const ids = heads.slice(i, i + CHUNK * 4).map((h) => h.id);
      const rows = await this.db.selectFrom('journal_entry').selectAll().where('journal_voucher_id', 'in', ids).orderBy('journal_voucher_id').orderBy('line').execute();
      for (const e of rows) {
        const list = entries.get(e.journal_voucher_id) ?? [];
        list.push({
          line: e.line,
          summary: e.summary ?? undefined,
          accountCode: e.account_code,
          accountName: e.account_name,
          debit: e.debit,
          credit: e.credit,
          counterparty: e.counterparty ?? undefined,
          counterpartyAccount: e.counterparty_account ?? undefined,
          project: e.project ?? undefined,
          department: e.department ?? undefined,
        });
        entries.set(e.journal_voucher_id, list);
      }
    }
    return heads.map((h) => ({
      id: h.id,
      unitId: h.unit_id,
      unitCode: h.unit_code,
      fondsId: h.fonds_id,
      version: h.version,
      createdAt: h.created_at,
      updatedAt: h.updated_at,
      voucher: {
        unit: h.unit_code,
        number: h.number,
        voucherType: h.voucher_type ?? undefined,
        date: h.date,
        period: h.period,
        summary: h.summary,
        entries: entries.get(h.id) ?? [],
        attachmentCount: h.attachment_count,
        maker: h.maker ?? undefined,
        checker: h.checker ?? undefined,
        poster: h.poster ?? undefined,
        references: h.refs as JournalReferences,
        totalDebit: h.total_debit,
        totalCredit: h.total_credit,
      },
    }));
  }

  async insertRecord(trx: Executor, row: any): Promise<{ id: string; created: boolean }> {
    const r = await trx
      .insertInto('ledger_record')
      .values(row)
      .onConflict((oc) => oc.constraint('ledger_record_identity').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (r) return { id: r.id, created: true };
    const ex = await trx
      .selectFrom('ledger_record')
      .select('id')
      .where('unit_id', '=', row.unit_id)
      .where('category', '=', row.category)
      .where('record_type', '=', row.record_type)
      .where('period', '=', row.period)
      .where('sha256', '=', row.sha256)
      .executeTakeFirstOrThrow();
    return { id: ex.id, created: false };
  }

  async listRecords(unitIds: 'all' | string[], filter: { category?: string; period?: string }): Promise<any[]> {
    if (unitIds !== 'all' && unitIds.length === 0) return [];
    let q = this.db.selectFrom('ledger_record').select(['id', 'unit_id', 'category', 'record_type', 'period', 'title', 'filename', 'media_type', 'size', 'sha256', 'created_at']);
    if (unitIds !== 'all') q = q.where('unit_id', 'in', unitIds);
    if (filter.category) q = q.where('category', '=', filter.category as any);
    if (filter.period) q = q.where('period', 'like', `${filter.period}%`);
    return q.orderBy('period').orderBy('category').orderBy('record_type').limit(1000).execute();
  }
}

function journalRow(v: JournalVoucher) {
  return {
    period: v.period,
    number: v.number,
    voucher_type: v.voucherType ?? null,
    voucher_date: v.date,
    summary: v.summary,
    attachment_count: v.attachmentCount,
    maker: v.maker ?? null,
    checker: v.checker ?? null,
    poster: v.poster ?? null,
    total_debit: v.totalDebit,
    total_credit: v.totalCredit,
    refs: JSON.stringify(v.references),
  };
}

/**
 * Where assembly gets its items: a small port so volume assembly does not depend on how the ledger and the
 * matching module store things. The built-in source reads the ledger's tables (journal_voucher, ledger_record)
 * and the matching module's accepted links (match_link) when those tables exist, and contributes nothing
 * when they do not (an installation without the ledger module). More sources can be registered.
 */
import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Db } from '../../platform/database/database';
import type { Database } from '../../platform/database/schema';
import { DB } from '../../platform/tokens';
import type { SourceItem } from './plan';

export interface VolumeSourceQuery {
  unitId: string;
  fondsId: string;
  /** True when the fonds is the unit's only one: items recorded without a fonds then belong to it. */
  soleFonds: boolean;
  year: number;
}

export interface VolumeSource {
  readonly name: string;
  load(q: VolumeSourceQuery, trx: Transaction<Database>): Promise<SourceItem[]>;
}

/** ledger_record types (ledger/records.ts) → retention item kinds (archive-rules/retention.yaml). */
export const RECORD_ITEM_KEYS: Record<string, string> = {
  general_ledger: 'general_ledger',
  subsidiary_ledger: 'subsidiary_ledger',
  cash_journal: 'journal_book',
  bank_journal: 'journal_book',
  fixed_asset_card: 'fixed_asset_card',
  other_book: 'auxiliary_book',
  monthly: 'periodic_report',
  quarterly: 'periodic_report',
  half_yearly: 'periodic_report',
  annual: 'annual_report',
  bank_reconciliation: 'bank_reconciliation',
  bank_statement: 'bank_statement',
  tax_return: 'tax_return',
  transfer_list: 'handover_register',
  custody_list: 'custody_register',
  destruction_list: 'destruction_register',
  appraisal_opinion: 'appraisal_opinion',
  other_material: 'other_material',
};

const SOURCE_TYPE_OF_RECORD = { book: 'account_book', report: 'report', other: 'other' } as const;

async function tableExists(trx: Kysely<any>, name: string): Promise<boolean> {
  const r = await sql<{ t: string | null }>`select to_regclass(${name})::text as t`.execute(trx);
  return !!r.rows[0]?.t;
}

/** The ledger module's journal vouchers (with their linked originals) and books, reports, other materials. */
export class LedgerTablesSource implements VolumeSource {
  readonly name = 'ledger';

  async load(q: VolumeSourceQuery, trx: Transaction<Database>): Promise<SourceItem[]> {
    const db = trx as unknown as Kysely<any>;
    const items: SourceItem[] = [];
    const fondsFilter = q.soleFonds ? sql`(fonds_id = ${q.fondsId} or fonds_id is null)` : sql`fonds_id = ${q.fondsId}`;
    const yearPattern = `${q.year}%`;
    if (await tableExists(db, 'journal_voucher')) {
      const jvs = await sql<{ id: string; period: string; number: string; voucher_date: string; summary: string }>`
        select id, period, number, voucher_date::text as voucher_date, summary from journal_voucher
        where unit_id = ${q.unitId} and ${fondsFilter} and period like ${yearPattern}`.execute(db);
      const originals = new Map<string, { sourceId: string; title: string }[]>();
      if (jvs.rows.length && (await tableExists(db, 'match_link')) && (await tableExists(db, 'voucher'))) {
        // A suggestion nobody accepted is not a link; automatic and manual links, and accepted ones, are.
        const links = await sql<{ journal_voucher_id: string; voucher_id: string; kind: string; invoice_number: string | null; seller_name: string | null; total_amount: string | null }>`
          select distinct l.journal_voucher_id, l.voucher_id, v.kind, v.invoice_number, v.seller_name, v.total_amount::text as total_amount
          from match_link l join voucher v on v.id = l.voucher_id
          join journal_voucher j on j.id = l.journal_voucher_id
          where j.unit_id = ${q.unitId} and j.period like ${yearPattern}
            and (l.status = 'accepted' or (l.status = 'active' and l.tier in ('auto', 'manual')))`.execute(db);
        for (const l of links.rows) {
          const title = [l.kind, l.invoice_number, l.seller_name, l.total_amount].filter(Boolean).join(' ');
          const list = originals.get(l.journal_voucher_id) ?? [];
          list.push({ sourceId: l.voucher_id, title });
          originals.set(l.journal_voucher_id, list);
        }
      }
      for (const j of jvs.rows) {
        items.push({ sourceType: 'journal_voucher', sourceId: j.id, itemKey: 'journal_voucher', period: j.period, number: j.number, date: j.voucher_date, title: j.summary, originals: originals.get(j.id) ?? [] });
      }
    }
    if (await tableExists(db, 'ledger_record')) {
      const recs = await sql<{ id: string; category: 'book' | 'report' | 'other'; record_type: string; period: string; title: string; created_at: Date }>`
        select id, category, record_type, period, title, created_at from ledger_record
        where unit_id = ${q.unitId} and ${fondsFilter} and period like ${yearPattern}`.execute(db);
      for (const r of recs.rows) {
        items.push({ sourceType: SOURCE_TYPE_OF_RECORD[r.category], sourceId: r.id, itemKey: RECORD_ITEM_KEYS[r.record_type] ?? r.record_type, period: r.period, number: null, date: null, title: r.title, originals: [] });
      }
    }
    return items;
  }
}

/** The registered sources; assembly asks all of them. */
@Injectable()
export class VolumeSources {
  private readonly sources: VolumeSource[] = [new LedgerTablesSource()];

  constructor(@Inject(DB) readonly db: Db) {}

  register(source: VolumeSource): void {
    if (this.sources.some((s) => s.name === source.name)) throw new Error(`volume source "${source.name}" is already registered`);
    this.sources.push(source);
  }

  async load(q: VolumeSourceQuery, trx: Transaction<Database>): Promise<SourceItem[]> {
    const all: SourceItem[] = [];
    for (const s of this.sources) all.push(...(await s.load(q, trx)));
    return all;
  }
}

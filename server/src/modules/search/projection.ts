/**
 * Projections: how another module's row becomes a search document. The pool's voucher (migration 0400_pool)
 * is the first; the pool wires its index step to SearchIndexer with `projectVoucher(row)`.
 */
import { sql } from 'kysely';
import type { Db } from '../../platform/database/database';
import { VOUCHER_KIND_NAMES, type Voucher, type VoucherKind } from '../../formats/voucher';
import type { SearchIndexer } from './indexer.service';
import type { SearchDocumentInput } from './search.types';

/** The columns of the pool's `voucher` table the projection reads (a subset; others are ignored). */
export interface PoolVoucherRow {
  id: string;
  unit_id: string | null;
  kind: string;
  invoice_code: string | null;
  invoice_number: string | null;
  issue_date: string | Date | null;
  total_amount: string | null;
  seller_name: string | null;
  buyer_name: string | null;
  payer_name: string | null;
  payee_name: string | null;
  bank_serial: string | null;
  state: string;
  /** The normalised Voucher (formats/voucher.ts). */
  data: unknown;
}

function isoDate(d: string | Date | null): string | null {
  if (!d) return null;
  if (d instanceof Date) return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  return d.slice(0, 10);
}

/**
 * A pool voucher as a search document; null for a voucher in someone's personal folder (no unit yet: nobody
 * but its owner may see it, and search is scoped by unit).
 */
export function projectVoucher(row: PoolVoucherRow): SearchDocumentInput | null {
  if (!row.unit_id) return null;
  const v = (row.data && typeof row.data === 'object' ? row.data : {}) as Partial<Voucher>;
  const date = isoDate(row.issue_date) ?? v.issueDate ?? null;
  const parties = [row.seller_name, row.buyer_name, row.payer_name, row.payee_name].filter((p): p is string => !!p && !!p.trim());
  const numbers = [row.invoice_code, row.bank_serial].filter((n): n is string => !!n);
  const accounts = [v.payerAccount, v.payeeAccount].filter((a): a is string => !!a);
  const lines = (v.lineItems ?? []).map((l) => [l.name, l.specification].filter(Boolean).join(' ')).filter(Boolean);
  const extra = v.extra && typeof v.extra === 'object' ? Object.values(v.extra).filter((x) => typeof x === 'string') : [];
  return {
    docType: 'voucher',
    sourceId: row.id,
    unitId: row.unit_id,
    kind: row.kind,
    category: 'voucher',
    year: date ? Number(date.slice(0, 4)) : null,
    period: date ? Number(date.slice(5, 7)) : null,
    number: row.invoice_number,
    numbers,
    title: v.title || VOUCHER_KIND_NAMES[row.kind as VoucherKind] || row.kind,
    amount: row.total_amount,
    date,
    parties: [...new Set(parties)],
    accounts,
    state: row.state,
    body: [...lines, ...(extra as string[]), v.payerBank, v.payeeBank].filter(Boolean).join('\n'),
  };
}

/** True when the pool's voucher table exists in this database. */
export async function poolAvailable(db: Db): Promise<boolean> {
  const r = await sql<{ t: string | null }>`select to_regclass('public.voucher')::text as t`.execute(db);
  return r.rows[0].t !== null;
}

/** Re-projects every pool voucher into search_document (keyset over voucher.id, one transaction per batch). */
export async function reindexFromPool(
  db: Db,
  indexer: SearchIndexer,
  opts: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ done: number; total: number; skipped: number }> {
  if (!(await poolAvailable(db))) {
    throw new Error('the pool has no voucher table in this database (migration 0400_pool not applied)');
  }
  const batch = opts.batchSize ?? 1000;
  const total = Number((await sql<{ n: string }>`select count(*) as n from voucher`.execute(db)).rows[0].n);
  let done = 0;
  let skipped = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  opts.onProgress?.(0, total);
  for (;;) {
    const rows = (
      await sql<PoolVoucherRow>`
        select id, unit_id, kind, invoice_code, invoice_number, issue_date::text as issue_date, total_amount::text as total_amount,
               seller_name, buyer_name, payer_name, payee_name, bank_serial, state, data
        from voucher where id > ${after}::uuid order by id limit ${batch}`.execute(db)
    ).rows;
    if (!rows.length) break;
    const docs = rows.map(projectVoucher);
    const kept = docs.filter((d): d is SearchDocumentInput => d !== null);
    await indexer.upsert(kept);
    // A voucher moved back into a personal folder must not stay findable by its former unit.
    const gone = rows.filter((_, i) => docs[i] === null).map((r) => `voucher:${r.id}`);
    if (gone.length) await indexer.remove(gone);
    skipped += gone.length;
    done += rows.length;
    after = rows[rows.length - 1].id;
    opts.onProgress?.(done, total);
  }
  return { done, total, skipped };
}

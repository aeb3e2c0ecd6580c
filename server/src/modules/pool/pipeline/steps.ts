/**
 * The steps of the ingest pipeline, in order: identify → unpack safely → parse → verify (`read-steps.ts`: pure,
 * run in worker threads) → normalise → store
 * original (content not yet recorded) → dedupe → record → index. Each is small and idempotent: re-running an item after a crash repeats the
 * read steps on the same bytes and finds in the database whatever an earlier attempt committed.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/database/schema';
import { SearchIndexer } from '../../search/indexer.service';
import { projectVoucher, type PoolVoucherRow } from '../../search/projection';
import type { Voucher } from '../../../formats/voucher';
import type { ObjectStore } from '../../../platform/storage/object-store';
import { businessIdentity, differences, searchText } from '../identity';
import type { PoolRepository } from '../pool.repository';
import { StopItem, type IngestContext, type IngestStep } from './pipeline';
import { readSteps } from './read-steps';

/** 5. Business identity, the file's role, the unit (or personal folder) it belongs to. */
export class NormaliseStep implements IngestStep {
  readonly name = 'normalise';
  readonly version = 1;
  readonly phase = 'read';
  constructor(private readonly repo: PoolRepository) {}

  async run(ctx: IngestContext): Promise<string> {
    const v = ctx.voucher!;
    ctx.identity = businessIdentity(v, ctx.item.sha256);
    if (!ctx.identity.business) v.warnings = [...(v.warnings ?? []), `no business identity found for kind ${v.kind}: deduplicated by content only`];
    const ocrFields = Object.entries(v.sources ?? {}).filter(([, s]) => s === 'ocr').map(([f]) => f);
    if (ocrFields.length) v.warnings = [...(v.warnings ?? []), `read by OCR (check against the paper): ${ocrFields.join(', ')}`];
    const receiver = typeof v.extra === 'object' && v.extra !== null && 'accounting' in v.extra;
    ctx.role =
      ctx.format === 'jpeg' || ctx.format === 'png'
        ? 'paper_photo'
        : receiver && ctx.format === 'json'
          ? 'receiver_json'
          : receiver && (ctx.format === 'xbrl' || ctx.format === 'xml')
            ? 'receiver_xbrl'
            : 'original';
    await this.route(ctx, v);
    const where = ctx.unitId ? `unit ${ctx.unitId}` : `personal folder of ${ctx.ownerUserId}`;
    return `${ctx.identity.key}; ${ctx.role}; ${where}${ocrFields.length ? '; OCR fallback' : ''}`;
  }

  /** The unit holding this content, else this business identity, if any. */
  private async knownUnit(ctx: IngestContext): Promise<string | null> {
    const file = await this.repo.fileBySha(this.repo.db, ctx.item.sha256);
    if (file) return this.repo.voucherUnit(this.repo.db, file.voucherId);
    if (!ctx.identity?.business) return null;
    return (await this.repo.voucherByIdentity(this.repo.db, ctx.identity.key))?.unitId ?? null;
  }

  private async route(ctx: IngestContext, v: Voucher): Promise<void> {
    const r = ctx.routing;
    if (r.personalOnly && r.personalOwnerId) {
      ctx.unitId = null;
      ctx.ownerUserId = r.personalOwnerId;
      return;
    }
    if (r.unitId) {
      ctx.unitId = r.unitId;
      return;
    }
    // The buyer (or, for fiscal bills, the payer) is the unit the voucher was issued to.
    const taxIds = [v.buyerTaxId, (v.extra as Record<string, unknown>)?.payerCode].filter((t): t is string => typeof t === 'string' && t.trim() !== '');
    const unit = taxIds.length ? await this.repo.unitByCreditCode(taxIds.map((t) => t.trim().toUpperCase())) : undefined;
    if (unit && (r.routableUnitIds === 'all' || r.routableUnitIds.includes(unit.id))) {
      ctx.unitId = unit.id;
      return;
    }
    if (r.personalOwnerId) {
      ctx.unitId = null;
      ctx.ownerUserId = r.personalOwnerId;
      return;
    }
    // Already in the pool of a unit this channel delivers to (the same bytes, or the same voucher): it goes there,
    // and the dedupe step answers duplicate or linked — a re-run of a folder without --unit is not refused.
    const known = await this.knownUnit(ctx);
    if (known && (r.routableUnitIds === 'all' || r.routableUnitIds.includes(known))) {
      ctx.unitId = known;
      return;
    }
    const why = !taxIds.length
      ? 'the voucher names no buyer tax ID'
      : unit
        ? `buyer tax ID ${taxIds[0]} belongs to unit ${unit.code}, which this channel may not deliver to`
        : `no unit has the buyer tax ID ${taxIds[0]} as its credit code`;
    throw new StopItem('rejected', 'unroutable', `${ctx.item.filename}: cannot tell which unit it belongs to: ${why}; name the unit (e.g. --unit CODE)`);
  }
}

/**
 * 7. Same bytes → duplicate (nothing new). Same identity → linked (consistent) or conflict (amounts or parties
 * differ). Runs under transaction-scoped advisory locks on the digest and the identity, so two items carrying
 * the same voucher at the same moment cannot both create it.
 */
export class DedupeStep implements IngestStep {
  readonly name = 'dedupe';
  readonly version = 1;
  readonly phase = 'commit';
  constructor(private readonly repo: PoolRepository) {}

  async run(ctx: IngestContext): Promise<string> {
    const trx = ctx.trx!;
    await this.repo.lockKeys(trx, [`sha256:${ctx.item.sha256}`, ctx.identity!.key]);
    const file = await this.repo.fileBySha(trx, ctx.item.sha256);
    if (file) {
      if (otherUnit(ctx.unitId, await this.repo.voucherUnit(trx, file.voucherId))) throw heldByOtherUnit(ctx);
      throw new StopItem('duplicate', 'duplicate', `same content as file ${file.id} of voucher ${file.voucherId}`, file.voucherId, file.id);
    }
    const existing = await this.repo.voucherByIdentity(trx, ctx.identity!.key);
    if (existing && otherUnit(ctx.unitId, existing.unitId)) throw heldByOtherUnit(ctx);
    if (!existing) {
      ctx.outcome = 'created';
      return 'new identity';
    }
    ctx.existing = existing;
    ctx.voucherId = existing.voucherId;
    ctx.differences = differences(existing.data, ctx.voucher!);
    ctx.outcome = ctx.differences.length ? 'conflict' : 'linked';
    return ctx.differences.length ? `differs in ${ctx.differences.map((d) => d.field).join(', ')}` : `same voucher ${existing.voucherId}`;
  }
}

/** Both vouchers belong to units, and not the same one. */
function otherUnit(incoming: string | null | undefined, existing: string | null): boolean {
  return !!incoming && !!existing && incoming !== existing;
}

/**
 * A voucher is reimbursed once, whichever unit presents it; another unit's record is neither shown nor changed
 * (its id stays hidden from a caller who may not see that unit), so the item is refused with a neutral reason.
 */
function heldByOtherUnit(ctx: IngestContext): StopItem {
  return new StopItem('rejected', 'held_by_other_unit', `${ctx.item.filename}: this voucher is already in another unit's pool; it cannot be added here (ask an administrator if it was sent to the wrong unit)`);
}

/**
 * 6. Keep the received bytes as they are, content-addressed, before the commit: a stored object without a record
 * is harmless (and reused by the next attempt). Runs once per chunk: content already recorded is looked up in one
 * query and not stored again (the commit's dedupe then names the duplicate); the rest goes to the store in one
 * `putMany`, whose fsyncs are shared by the chunk and done before the commit that records the keys.
 */
export class StoreOriginalStep implements IngestStep {
  readonly name = 'store';
  // v3: once per chunk (one look-up, one batch of fsyncs) instead of once per item.
  // v4: in the reader thread, right after the read, when the store is a local folder (see read-steps.ts).
  readonly version = 4;
  readonly phase = 'store';
  constructor(
    private readonly storage: ObjectStore,
    private readonly repo: PoolRepository,
  ) {}

  run(): never {
    throw new Error('the store step runs per chunk (runMany)');
  }

  async runMany(ctxs: IngestContext[]): Promise<(string | Error)[]> {
    const shas = [...new Set(ctxs.map((c) => c.item.sha256))];
    const known = new Map((await this.repo.db.selectFrom('voucher_file').select(['id', 'sha256']).where('sha256', 'in', shas).execute()).map((r) => [r.sha256, r.id]));
    const todo = ctxs.filter((c) => !known.has(c.item.sha256));
    const stored = await this.storage.putMany(todo.map((c) => ({ content: c.item.bytes, options: { mediaType: c.mediaType ?? 'application/octet-stream', filename: safeFilename(c.item.filename) } })));
    const byCtx = new Map(todo.map((c, i) => [c, stored[i]]));
    return ctxs.map((ctx) => {
      const fileId = known.get(ctx.item.sha256);
      if (fileId) return `content already recorded as file ${fileId}: not stored again`;
      const r = byCtx.get(ctx)!;
      if (r.sha256 !== ctx.item.sha256) return new Error(`stored digest ${r.sha256} differs from the recorded ${ctx.item.sha256}`);
      ctx.stored = { key: r.key, sha256: r.sha256, sm3: r.sm3, size: r.size };
      return `${r.created ? r.key : `${r.key} (already stored)`}; one of ${todo.length} stored together`;
    });
  }
}

/** 8. The pool record: a new voucher, or the file attached to the existing one (with a conflict when they differ). */
export class RecordStep implements IngestStep {
  readonly name = 'record';
  readonly version = 1;
  readonly phase = 'commit';
  constructor(private readonly repo: PoolRepository) {}

  async run(ctx: IngestContext): Promise<string> {
    if (!ctx.stored) throw new Error(`the original ${ctx.item.sha256} was not stored before recording`);
    return this.repo.recordIngest(ctx.trx!, ctx);
  }
}

/** 9. The text the party/number search looks in, over every reading of the voucher. */
export class IndexStep implements IngestStep {
  readonly name = 'index';
  // v2: the archive search index (search_document) is updated in the item's transaction as well.
  readonly version = 2;
  readonly phase = 'commit';
  constructor(
    private readonly repo: PoolRepository,
    private readonly indexer?: SearchIndexer,
  ) {}

  async run(ctx: IngestContext): Promise<string> {
    let text: string;
    if (ctx.outcome === 'created') {
      text = ctx.searchText = searchText(ctx.voucher!);
    } else {
      // A linked version or a photo may carry numbers or names the first file lacked.
      text = [...new Set(`${searchText(ctx.existing!.data)} ${searchText(ctx.voucher!)}`.split(' ').filter(Boolean))].join(' ');
    }
    await this.repo.setSearchText(ctx.trx!, ctx.voucherId!, text);
    if (this.indexer) await indexPoolVoucher(ctx.trx!, this.indexer, ctx.voucherId!);
    return `${text.length} characters`;
  }
}

/**
 * Projects the pool record into the archive search index inside the caller's transaction, so a committed
 * voucher is findable and a rolled-back one never is. A voucher in a personal folder (no unit) is removed.
 */
export async function indexPoolVoucher(trx: Transaction<Database>, indexer: SearchIndexer, voucherId: string): Promise<void> {
  await indexPoolVouchers(trx, indexer, [voucherId]);
}

/** `indexPoolVoucher` for many vouchers with one read and one write (the ingest chunk's fast path). */
export async function indexPoolVouchers(trx: Transaction<Database>, indexer: SearchIndexer, voucherIds: string[]): Promise<void> {
  if (!voucherIds.length) return;
  const r = await sql<PoolVoucherRow>`
    select id, unit_id, kind, invoice_code, invoice_number, issue_date::text as issue_date, total_amount::text as total_amount,
           seller_name, buyer_name, payer_name, payee_name, bank_serial, state, data
    from voucher where id = any(${voucherIds}::uuid[])`.execute(trx);
  const docs = [];
  const gone = [];
  for (const row of r.rows) {
    const doc = projectVoucher(row);
    if (doc) docs.push(doc);
    else gone.push(SearchIndexer.id('voucher', row.id));
  }
  await indexer.upsert(docs, { trx });
  await indexer.remove(gone, { trx });
}

/** File names are hints for downloads only; keep them printable and short. */
export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (clean || 'voucher').slice(0, 255);
}

export function ingestSteps(repo: PoolRepository, storage: ObjectStore, indexer?: SearchIndexer): IngestStep[] {
  return [
    ...readSteps(),
    new NormaliseStep(repo),
    new StoreOriginalStep(storage, repo),
    new DedupeStep(repo),
    new RecordStep(repo),
    new IndexStep(repo, indexer),
  ];
}


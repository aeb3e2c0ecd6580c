import { Inject, Injectable } from '@nestjs/common';
import { sql, type Expression, type SqlBool, type Transaction } from 'kysely';
import type { Db } from '../../platform/database/database';
import type { Database } from '../../platform/database/schema';
import { DB } from '../../platform/tokens';
import type { Voucher } from '../../formats/voucher';
import type { IngestContext } from './pipeline/pipeline';
import { copyNotVerifiedWarning, eventInsertRow, fileInsertRow, originalReplacedWarning, voucherInsertRow } from './pipeline/records';
import type { FileRole, IngestChannel, IngestOutcome, StepRecord } from './pool.tables';

type Executor = Db | Transaction<Database>;

export interface BatchRow {
  id: string;
  channel: IngestChannel;
  unitId: string | null;
  subPool: string | null;
  ownerUserId: string | null;
  status: 'open' | 'complete';
  total: number;
  createdAt: Date;
  finishedAt: Date | null;
  actorId: string | null;
}

export interface BatchListRow {
  id: string;
  channel: IngestChannel;
  status: 'open' | 'complete';
  unitCode: string | null;
  total: number;
  pending: number;
  createdAt: Date;
  finishedAt: Date | null;
  /** When an item of the batch last finished (null: none yet). */
  lastFinishedAt: Date | null;
  actorName: string | null;
  sourceKey: string | null;
  /** The first item's source (path, upload field): which folder the batch came from. */
  firstSource: string | null;
}

export interface NewItem {
  seq: number;
  filename: string;
  sourceRef: string | null;
  sha256: string;
  size: number;
}

export interface PendingItem extends NewItem {
  id: string;
}

export interface ItemResult {
  outcome: IngestOutcome;
  voucherId: string | null;
  fileId: string | null;
  steps: StepRecord[];
  errorCode: string | null;
  errorMessage: string | null;
}

/** Filters of the pool list and its Excel export (already validated by the service). */
export interface VoucherFilter {
  unitId?: string;
  subPool?: string;
  kind?: string;
  state?: string;
  verdict?: string;
  issueFrom?: string;
  issueTo?: string;
  amountMin?: string;
  amountMax?: string;
  party?: string;
  number?: string;
  personal?: boolean;
}

export type VoucherSort = 'created_desc' | 'created_asc' | 'issue_date_desc' | 'issue_date_asc' | 'amount_desc' | 'amount_asc';

/** Who may see what: 'all', or these units plus the caller's own personal folder. */
export interface VoucherScope {
  unitIds: 'all' | string[];
  userId: string | null;
}

const LIST_COLUMNS = [
  'v.id',
  'v.unit_id',
  'u.code as unit_code',
  'u.name as unit_name',
  'v.sub_pool',
  'v.owner_user_id',
  'v.kind',
  'v.identity_key',
  'v.invoice_code',
  'v.invoice_number',
  'v.issue_date',
  'v.amount_ex_tax',
  'v.tax_amount',
  'v.total_amount',
  'v.currency',
  'v.seller_name',
  'v.seller_tax_id',
  'v.buyer_name',
  'v.buyer_tax_id',
  'v.payer_name',
  'v.payee_name',
  'v.bank_serial',
  'v.signature_verdict',
  'v.warnings',
  'v.carrier',
  'v.state',
  'v.created_at',
  'v.updated_at',
] as const;

/** Sort key expression and direction; nulls sort as the lowest value so keyset comparisons stay total. */
const SORTS: Record<VoucherSort, { expr: string; dir: 'asc' | 'desc'; cast: string }> = {
  created_desc: { expr: 'v.created_at', dir: 'desc', cast: 'timestamptz' },
  created_asc: { expr: 'v.created_at', dir: 'asc', cast: 'timestamptz' },
  issue_date_desc: { expr: "coalesce(v.issue_date, date '0001-01-01')", dir: 'desc', cast: 'date' },
  issue_date_asc: { expr: "coalesce(v.issue_date, date '0001-01-01')", dir: 'asc', cast: 'date' },
  amount_desc: { expr: 'coalesce(v.total_amount, -9999999999999999.99)', dir: 'desc', cast: 'numeric' },
  amount_asc: { expr: 'coalesce(v.total_amount, -9999999999999999.99)', dir: 'asc', cast: 'numeric' },
};

/** All SQL of the voucher pool. */
@Injectable()
export class PoolRepository {
  constructor(@Inject(DB) readonly db: Db) {}

  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  // ---- organisation look-ups -------------------------------------------------------------------------------

  async unitByCreditCode(codes: string[]): Promise<{ id: string; code: string } | undefined> {
    if (!codes.length) return undefined;
    return this.db.selectFrom('unit').select(['id', 'code']).where('credit_code', 'in', codes).executeTakeFirst();
  }

  async unitByCode(code: string): Promise<{ id: string; code: string; name: string } | undefined> {
    return this.db.selectFrom('unit').select(['id', 'code', 'name']).where('code', '=', code).executeTakeFirst();
  }

  async unitById(id: string): Promise<{ id: string; code: string; name: string } | undefined> {
    return this.db.selectFrom('unit').select(['id', 'code', 'name']).where('id', '=', id).executeTakeFirst();
  }

  // ---- dedupe and record (inside the item's transaction) ----------------------------------------------------

  /** Transaction-scoped locks, taken in a fixed order so two items never wait on each other in a cycle. */
  async lockKeys(trx: Transaction<Database>, keys: string[]): Promise<void> {
    for (const k of [...new Set(keys)].sort()) await sql`select pg_advisory_xact_lock(hashtextextended(${k}, 4400))`.execute(trx);
  }

  /** lockKeys in one statement (the same keys, the same sorted order), for a whole chunk. */
  async lockKeysAtOnce(trx: Transaction<Database>, keys: string[]): Promise<void> {
    const sorted = [...new Set(keys)].sort();
    if (!sorted.length) return;
    await sql`select pg_advisory_xact_lock(hashtextextended(k, 4400)) from unnest(${sorted}::text[]) with ordinality as t(k, n) order by n`.execute(trx);
  }

  async fileBySha(trx: Executor, sha256: string): Promise<{ id: string; voucherId: string } | undefined> {
    const r = await trx.selectFrom('voucher_file').select(['id', 'voucher_id']).where('sha256', '=', sha256).executeTakeFirst();
    return r && { id: r.id, voucherId: r.voucher_id };
  }

  async voucherUnit(trx: Executor, voucherId: string): Promise<string | null> {
    const r = await trx.selectFrom('voucher').select('unit_id').where('id', '=', voucherId).executeTakeFirst();
    return r?.unit_id ?? null;
  }

  async voucherByIdentity(trx: Executor, key: string): Promise<IngestContext['existing']> {
    const r = await trx.selectFrom('voucher').select(['id', 'unit_id', 'data', 'carrier', 'owner_user_id', 'state']).where('identity_key', '=', key).executeTakeFirst();
    return r && { voucherId: r.id, unitId: r.unit_id, data: r.data as Partial<Voucher>, carrier: r.carrier, ownerUserId: r.owner_user_id, state: r.state };
  }

  /** Writes what the dedupe decided: voucher (created), file, conflict, event. Returns the step note. */
  async recordIngest(trx: Transaction<Database>, ctx: IngestContext): Promise<string> {
    const v = ctx.voucher!;
    const now = ctx.now;
    if (ctx.outcome === 'created') {
      const row = await trx
        .insertInto('voucher')
        .values(voucherInsertRow(ctx))
        .returning('id')
        .executeTakeFirstOrThrow();
      ctx.voucherId = row.id;
    }
    // The electronic original of a voucher known so far only from a photo: its reading becomes the record — unless
    // the record is archived by now (read under the row lock an archive holds), which never changes.
    const completesPaper =
      ctx.outcome === 'linked' && ctx.existing!.carrier === 'paper' && ctx.role === 'original' &&
      (await trx.selectFrom('voucher').select('state').where('id', '=', ctx.voucherId!).forUpdate().executeTakeFirst())?.state !== 'archived';
    if (completesPaper) {
      await trx
        .updateTable('voucher')
        .set({ ...voucherColumns(v), carrier: 'electronic', updated_at: now })
        .where('id', '=', ctx.voucherId!)
        .execute();
    }
    // A known voucher's further electronic files are versions; only a linked one completing a paper record (above)
    // becomes its original — a conflicting one stays a version until a person takes its reading.
    let role: FileRole = ctx.outcome !== 'created' && ctx.role === 'original' && !completesPaper ? 'version' : ctx.role!;
    // The record's original is the copy that verifies: see `originalSwap`.
    const swap = role === 'version' && ctx.outcome === 'linked' ? await this.originalSwap(trx, ctx) : undefined;
    if (swap?.replace) role = 'original';
    const file = await trx
      .insertInto('voucher_file')
      .values(fileInsertRow(ctx, ctx.voucherId!, role))
      .returning('id')
      .executeTakeFirstOrThrow();
    ctx.fileId = file.id;
    if (swap?.replace) {
      // The reading of the original that verifies becomes the record (same identity, amounts and parties: linked).
      const cols = voucherColumns(v);
      const note = originalReplacedWarning(swap.current.filename, swap.current.id, swap.current.signature_verdict ?? 'unsigned');
      await trx.updateTable('voucher').set({ ...cols, warnings: JSON.stringify([...(v.warnings ?? []), note]), updated_at: now }).where('id', '=', ctx.voucherId!).execute();
    } else if (swap) {
      // The original stays; the record says that a copy which does not verify came in.
      const note = copyNotVerifiedWarning(ctx.item.filename, file.id, v.signatureVerdict ?? 'unsigned');
      await sql`update voucher set warnings = warnings || ${JSON.stringify([note])}::jsonb, updated_at = ${now} where id = ${ctx.voucherId!}`.execute(trx);
    } else if (ctx.outcome !== 'created' && !completesPaper) {
      await trx.updateTable('voucher').set({ updated_at: now }).where('id', '=', ctx.voucherId!).execute();
    }
    if (ctx.outcome === 'conflict') {
      const c = await trx
        .insertInto('voucher_conflict')
        .values({
          voucher_id: ctx.voucherId!,
          file_id: file.id,
          unit_id: ctx.existing!.unitId,
          identity_key: ctx.identity!.key,
          differences: JSON.stringify(ctx.differences),
          incoming: JSON.stringify(v),
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ctx.conflictId = c.id;
    }
    const action = ctx.outcome === 'created' ? 'created' : ctx.outcome === 'conflict' ? 'conflict' : role === 'paper_photo' ? 'paper_linked' : swap?.replace ? 'original_replaced' : 'linked';
    await trx.insertInto('voucher_event').values(eventInsertRow(ctx, ctx.voucherId!, file.id, action, role)).execute();
    return `${action} voucher ${ctx.voucherId} file ${file.id} (${role})`;
  }

  /**
   * An electronic copy of a known voucher (same identity, same amounts and parties) against the record's original,
   * by signature verdict, for a record not archived yet (an archived original stays what the archive holds):
   * - the new copy verifies and the original does not (a tampered or damaged copy came first): the new copy becomes
   *   the original and the old one a version (`replace`) — the authenticity check and the archive take the
   *   original, which must be the genuine one;
   * - the original verifies and the new copy's signature fails: the original stays and the record is warned
   *   (someone sent a copy that fails verification; an unsigned print of a signed voucher is ordinary);
   * - otherwise undefined: nothing to say.
   */
  private async originalSwap(trx: Transaction<Database>, ctx: IngestContext): Promise<{ replace: boolean; current: { id: string; filename: string | null; signature_verdict: string | null } } | undefined> {
    // The row lock an archive holds from before it writes its package until it commits (ClaimsService.lockOriginals):
    // the state read under it is the one that counts, not the one dedupe saw.
    const row = await trx.selectFrom('voucher').select('state').where('id', '=', ctx.voucherId!).forUpdate().executeTakeFirst();
    if (!row || row.state === 'archived') return undefined;
    const incoming = ctx.voucher!.signatureVerdict ?? 'unsigned';
    const current = await trx
      .selectFrom('voucher_file')
      .select(['id', 'filename', 'signature_verdict'])
      .where('voucher_id', '=', ctx.voucherId!)
      .where('role', '=', 'original')
      .forUpdate()
      .executeTakeFirst();
    if (!current) return undefined;
    if (incoming === 'valid' && current.signature_verdict !== 'valid') {
      await trx.updateTable('voucher_file').set({ role: 'version' }).where('id', '=', current.id).execute();
      return { replace: true, current };
    }
    // Only a signature that fails is worth saying: an unsigned print of a signed invoice is ordinary.
    if (incoming === 'invalid' && current.signature_verdict === 'valid') return { replace: false, current };
    return undefined;
  }

  async setSearchText(trx: Executor, voucherId: string, text: string): Promise<void> {
    await trx.updateTable('voucher').set({ search_text: text }).where('id', '=', voucherId).execute();
  }

  // ---- batches -----------------------------------------------------------------------------------------------

  async createBatch(
    trx: Executor,
    b: { channel: IngestChannel; unitId: string | null; subPool: string | null; ownerUserId: string | null; actor: { type: string; id: string | null; name: string | null }; sourceKey: string | null; now: Date },
  ): Promise<string> {
    const r = await trx
      .insertInto('ingest_batch')
      .values({
        channel: b.channel,
        unit_id: b.unitId,
        sub_pool: b.subPool,
        owner_user_id: b.ownerUserId,
        actor_type: b.actor.type,
        actor_id: b.actor.id,
        actor_name: b.actor.name,
        source_key: b.sourceKey,
        created_at: b.now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  }

  async openBatchBySource(sourceKey: string, trx: Executor = this.db): Promise<string | undefined> {
    const r = await trx
      .selectFrom('ingest_batch')
      .select('id')
      .where('source_key', '=', sourceKey)
      .where('status', '=', 'open')
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return r?.id;
  }

  /** Records items before any is processed (digest included), in chunks, and the batch's total. */
  async addItems(trx: Executor, batchId: string, items: NewItem[]): Promise<void> {
    for (let i = 0; i < items.length; i += 1000) {
      const chunk = items.slice(i, i + 1000);
      await trx
        .insertInto('ingest_item')
        .values(chunk.map((it) => ({ batch_id: batchId, seq: it.seq, filename: it.filename.slice(0, 1000), source_ref: it.sourceRef, sha256: it.sha256, size: it.size })))
        .execute();
    }
    await trx
      .updateTable('ingest_batch')
      .set({ total: sql`(select count(*) from ingest_item where batch_id = ${batchId})::int` })
      .where('id', '=', batchId)
      .execute();
  }

  /**
   * Adds to an open batch the items it does not hold yet, the same source (path) with the same digest counting as
   * held, numbered after its last item; returns how many were added.
   */
  async addMissingItems(trx: Executor, batchId: string, items: Omit<NewItem, 'seq'>[]): Promise<number> {
    const held = await trx.selectFrom('ingest_item').select(['seq', 'source_ref', 'sha256']).where('batch_id', '=', batchId).execute();
    const key = (sourceRef: string | null, sha256: string) => `${sourceRef ?? ''}\t${sha256}`;
    const have = new Set(held.map((r) => key(r.source_ref, r.sha256)));
    const fresh: Omit<NewItem, 'seq'>[] = [];
    for (const it of items) {
      const k = key(it.sourceRef, it.sha256);
      if (have.has(k)) continue;
      have.add(k);
      fresh.push(it);
    }
    if (!fresh.length) return 0;
    const last = held.reduce((m, r) => Math.max(m, r.seq), 0);
    await this.addItems(trx, batchId, fresh.map((it, i) => ({ ...it, seq: last + i + 1 })));
    return fresh.length;
  }

  /** Moves the open batch of a source to another key (a re-run that names the source differently now). */
  async rekeyOpenBatch(trx: Executor, from: string, to: string): Promise<string | undefined> {
    const r = await trx.updateTable('ingest_batch').set({ source_key: to }).where('source_key', '=', from).where('status', '=', 'open').returning('id').executeTakeFirst();
    return r?.id;
  }

  async items(batchId: string, status?: 'pending' | 'done'): Promise<(PendingItem & { status: string; outcome: IngestOutcome | null; voucherId: string | null; errorCode: string | null; errorMessage: string | null; steps: StepRecord[]; fileId: string | null })[]> {
    let q = this.db
      .selectFrom('ingest_item')
      .select(['id', 'seq', 'filename', 'source_ref', 'sha256', 'size', 'status', 'outcome', 'voucher_id', 'file_id', 'error_code', 'error_message', 'steps'])
      .where('batch_id', '=', batchId);
    if (status) q = q.where('status', '=', status);
    const rows = await q.orderBy('seq').execute();
    return rows.map((r) => ({
      id: r.id,
      seq: r.seq,
      filename: r.filename,
      sourceRef: r.source_ref,
      sha256: r.sha256,
      size: Number(r.size),
      status: r.status,
      outcome: r.outcome,
      voucherId: r.voucher_id,
      fileId: r.file_id,
      errorCode: r.error_code,
      errorMessage: r.error_message,
      steps: r.steps as StepRecord[],
    }));
  }

  /** Items by id with what their run recorded (inside the transaction that locked them). */
  async itemsById(trx: Executor, ids: string[]) {
    const rows = await trx
      .selectFrom('ingest_item')
      .select(['id', 'seq', 'filename', 'source_ref', 'outcome', 'voucher_id', 'file_id', 'error_code', 'error_message', 'steps'])
      .where('id', 'in', ids)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({ id: r.id, seq: r.seq, filename: r.filename, sourceRef: r.source_ref, outcome: r.outcome, voucherId: r.voucher_id, fileId: r.file_id, errorCode: r.error_code, errorMessage: r.error_message, steps: r.steps as StepRecord[] }));
  }

  async finishItem(trx: Executor, itemId: string, r: ItemResult, now: Date): Promise<void> {
    await trx
      .updateTable('ingest_item')
      .set({
        status: 'done',
        outcome: r.outcome,
        voucher_id: r.voucherId,
        file_id: r.fileId,
        steps: JSON.stringify(r.steps),
        error_code: r.errorCode,
        error_message: r.errorMessage?.slice(0, 2000) ?? null,
        finished_at: now,
      })
      .where('id', '=', itemId)
      .where('status', '=', 'pending')
      .execute();
  }

  /** Marks the batch complete when no item is pending; returns whether it is. */
  async completeBatchIfDone(batchId: string, now: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('ingest_batch')
      .set({ status: 'complete', finished_at: now })
      .where('id', '=', batchId)
      .where('status', '=', 'open')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('ingest_item').select('id').where('batch_id', '=', batchId).where('status', '=', 'pending'))),
      )
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) return true;
    const b = await this.db.selectFrom('ingest_batch').select('status').where('id', '=', batchId).executeTakeFirst();
    return b?.status === 'complete';
  }

  async batch(batchId: string): Promise<BatchRow | undefined> {
    const r = await this.db.selectFrom('ingest_batch').selectAll().where('id', '=', batchId).executeTakeFirst();
    return (
      r && {
        id: r.id,
        channel: r.channel,
        unitId: r.unit_id,
        subPool: r.sub_pool,
        ownerUserId: r.owner_user_id,
        status: r.status,
        total: r.total,
        createdAt: r.created_at,
        finishedAt: r.finished_at,
        actorId: r.actor_id,
      }
    );
  }

  async batchActor(batchId: string): Promise<{ actorType: string; actorId: string | null } | undefined> {
    const r = await this.db.selectFrom('ingest_batch').select(['actor_type', 'actor_id']).where('id', '=', batchId).executeTakeFirst();
    return r && { actorType: r.actor_type, actorId: r.actor_id };
  }

  /**
   * Batches newest first, for operators (`evarchive batches list`): with their unit, how many items are still
   * pending, the first item's source (which folder) and when an item last finished (how stale an open batch is).
   */
  async listBatches(f: { status?: 'open' | 'complete'; unitId?: string; limit: number }): Promise<BatchListRow[]> {
    let q = this.db
      .selectFrom('ingest_batch as b')
      .leftJoin('unit as u', 'u.id', 'b.unit_id')
      .select([
        'b.id',
        'b.channel',
        'b.status',
        'b.total',
        'b.created_at',
        'b.finished_at',
        'b.actor_name',
        'b.source_key',
        'u.code as unit_code',
        sql<string>`(select count(*) from ingest_item i where i.batch_id = b.id and i.status = 'pending')`.as('pending'),
        sql<string | null>`(select i.source_ref from ingest_item i where i.batch_id = b.id order by i.seq limit 1)`.as('first_source'),
        sql<Date | null>`(select max(i.finished_at) from ingest_item i where i.batch_id = b.id)`.as('last_finished_at'),
      ]);
    if (f.status) q = q.where('b.status', '=', f.status);
    if (f.unitId) q = q.where('b.unit_id', '=', f.unitId);
    const rows = await q.orderBy('b.created_at', 'desc').orderBy('b.id', 'desc').limit(f.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      status: r.status,
      unitCode: r.unit_code,
      total: r.total,
      pending: Number(r.pending),
      createdAt: r.created_at,
      finishedAt: r.finished_at,
      lastFinishedAt: r.last_finished_at ? new Date(r.last_finished_at) : null,
      actorName: r.actor_name,
      sourceKey: r.source_key,
      firstSource: r.first_source,
    }));
  }

  /** The batch row locked for this transaction (closing it must not race a run that finishes it). */
  async batchForUpdate(trx: Transaction<Database>, batchId: string) {
    return trx.selectFrom('ingest_batch').select(['id', 'status', 'unit_id', 'channel', 'total', 'source_key']).where('id', '=', batchId).forUpdate().executeTakeFirst();
  }

  /**
   * Ends an open batch without processing the rest: every item still pending is finished as rejected
   * (`batch_closed`, the reason in its message and a `close` step record), and the batch is complete. An item a
   * running ingest is committing right now is waited for and keeps that run's outcome. Returns the closed items.
   */
  async closeBatch(trx: Transaction<Database>, batchId: string, reason: string, now: Date): Promise<{ id: string; seq: number; filename: string }[]> {
    const note = `not ingested: the batch was closed by an operator: ${reason}`;
    const closed = await trx
      .updateTable('ingest_item')
      .set({
        status: 'done',
        outcome: 'rejected',
        error_code: 'batch_closed',
        error_message: sql<string>`left(filename || ': ' || ${note}, 2000)`,
        steps: sql`steps || jsonb_build_array(jsonb_build_object('step', 'close', 'version', 1, 'outcome', 'stopped', 'message', ${note}::text))`,
        finished_at: now,
      })
      .where('batch_id', '=', batchId)
      .where('status', '=', 'pending')
      .returning(['id', 'seq', 'filename'])
      .execute();
    await trx.updateTable('ingest_batch').set({ status: 'complete', finished_at: now }).where('id', '=', batchId).execute();
    return closed.sort((a, b) => a.seq - b.seq);
  }

  /** Counts by outcome (progress): computed from the items, so no counter row becomes a hot spot. */
  async batchCounts(batchId: string): Promise<Record<IngestOutcome | 'pending', number>> {
    const rows = await this.db
      .selectFrom('ingest_item')
      .select(['status', 'outcome', sql<string>`count(*)`.as('n')])
      .where('batch_id', '=', batchId)
      .groupBy(['status', 'outcome'])
      .execute();
    const out = { created: 0, duplicate: 0, linked: 0, conflict: 0, rejected: 0, pending: 0 };
    for (const r of rows) {
      if (r.status === 'pending') out.pending += Number(r.n);
      else if (r.outcome) out[r.outcome] += Number(r.n);
    }
    return out;
  }

  // ---- queries -----------------------------------------------------------------------------------------------

  private scoped(scope: VoucherScope) {
    let q = this.db.selectFrom('voucher as v').leftJoin('unit as u', 'u.id', 'v.unit_id');
    if (scope.unitIds !== 'all') {
      const ids = scope.unitIds;
      q = q.where((eb) => {
        const ors: Expression<SqlBool>[] = [];
        if (ids.length) ors.push(eb('v.unit_id', 'in', ids));
        if (scope.userId) ors.push(eb('v.owner_user_id', '=', scope.userId));
        return ors.length ? eb.or(ors) : sql<SqlBool>`false`;
      });
    }
    return q;
  }

  async listVouchers(scope: VoucherScope, f: VoucherFilter, sort: VoucherSort, limit: number, after?: [string, string]) {
    let q = this.scoped(scope).select(LIST_COLUMNS);
    if (f.unitId) q = q.where('v.unit_id', '=', f.unitId);
    if (f.personal) q = q.where('v.unit_id', 'is', null);
    if (f.subPool) q = q.where('v.sub_pool', '=', f.subPool);
    if (f.kind) q = q.where('v.kind', '=', f.kind);
    if (f.state) q = q.where('v.state', '=', f.state as never);
    if (f.verdict) q = q.where('v.signature_verdict', '=', f.verdict);
    if (f.issueFrom) q = q.where('v.issue_date', '>=', f.issueFrom);
    if (f.issueTo) q = q.where('v.issue_date', '<=', f.issueTo);
    if (f.amountMin) q = q.where('v.total_amount', '>=', f.amountMin);
    if (f.amountMax) q = q.where('v.total_amount', '<=', f.amountMax);
    if (f.number) {
      const n = f.number;
      q = q.where((eb) => eb.or([eb('v.invoice_number', '=', n), eb('v.invoice_code', '=', n), eb('v.bank_serial', '=', n), eb('v.identity_key', 'like', `%:${escapeLike(n)}%`)]));
    }
    if (f.party) {
      const like = `%${escapeLike(f.party)}%`;
      q = q.where((eb) =>
        eb.or([eb('v.seller_name', 'like', like), eb('v.buyer_name', 'like', like), eb('v.payer_name', 'like', like), eb('v.payee_name', 'like', like), eb('v.search_text', 'like', like)]),
      );
    }
    const s = SORTS[sort];
    const key = sql.raw(s.expr);
    if (after) {
      const cmp = sql.raw(s.dir === 'desc' ? '<' : '>');
      q = q.where(sql<SqlBool>`(${key}, v.id) ${cmp} (${after[0]}::${sql.raw(s.cast)}, ${after[1]}::uuid)`);
    }
    const rows = await q
      .select(sql<string>`(${key})::text`.as('sort_key'))
      .orderBy(key, s.dir)
      .orderBy('v.id', s.dir)
      .limit(limit + 1)
      .execute();
    return rows;
  }

  async voucherRow(id: string) {
    return this.db.selectFrom('voucher as v').leftJoin('unit as u', 'u.id', 'v.unit_id').select([...LIST_COLUMNS, 'v.data']).where('v.id', '=', id).executeTakeFirst();
  }

  async filesOf(voucherId: string) {
    return this.db.selectFrom('voucher_file').selectAll().where('voucher_id', '=', voucherId).orderBy('received_at').orderBy('id').execute();
  }

  async eventsOf(voucherId: string) {
    return this.db.selectFrom('voucher_event').selectAll().where('voucher_id', '=', voucherId).orderBy('id').execute();
  }

  async conflictsOfVoucher(voucherId: string) {
    return this.db.selectFrom('voucher_conflict').selectAll().where('voucher_id', '=', voucherId).orderBy('created_at').execute();
  }

  async fileRow(id: string) {
    return this.db
      .selectFrom('voucher_file as f')
      .innerJoin('voucher as v', 'v.id', 'f.voucher_id')
      .select(['f.id', 'f.voucher_id', 'f.object_key', 'f.sha256', 'f.sm3', 'f.size', 'f.media_type', 'f.filename', 'f.role', 'v.unit_id', 'v.owner_user_id'])
      .where('f.id', '=', id)
      .executeTakeFirst();
  }

  async listConflicts(scope: VoucherScope, status: 'open' | 'resolved' | undefined, limit: number) {
    let q = this.scoped(scope)
      .innerJoin('voucher_conflict as c', 'c.voucher_id', 'v.id')
      .innerJoin('voucher_file as f', 'f.id', 'c.file_id')
      .select([
        'c.id',
        'c.voucher_id',
        'c.identity_key',
        'c.differences',
        'c.status',
        'c.resolution',
        'c.resolution_note',
        'c.resolved_by',
        'c.resolved_at',
        'c.created_at',
        'f.filename',
        'f.id as file_id',
        'v.kind',
        'v.unit_id',
        'u.code as unit_code',
      ]);
    if (status) q = q.where('c.status', '=', status);
    return q.orderBy('c.created_at', 'desc').orderBy('c.id').limit(limit).execute();
  }

  async conflictForUpdate(trx: Transaction<Database>, id: string) {
    return trx
      .selectFrom('voucher_conflict as c')
      .innerJoin('voucher as v', 'v.id', 'c.voucher_id')
      .select(['c.id', 'c.voucher_id', 'c.status', 'c.incoming', 'c.differences', 'c.file_id', 'v.unit_id', 'v.owner_user_id', 'v.state', 'v.carrier'])
      .where('c.id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  async fileRole(trx: Executor, fileId: string): Promise<FileRole | undefined> {
    return (await trx.selectFrom('voucher_file').select('role').where('id', '=', fileId).executeTakeFirst())?.role;
  }

  async resolveConflict(
    trx: Transaction<Database>,
    c: { id: string; voucherId: string; fileId: string | null; resolution: 'keep_existing' | 'take_incoming'; note: string | null; incoming: Voucher | null; by: string; now: Date; actor: { actor_type: string; actor_id: string | null; actor_name: string | null } },
  ): Promise<void> {
    await trx
      .updateTable('voucher_conflict')
      .set({ status: 'resolved', resolution: c.resolution, resolution_note: c.note, resolved_by: c.by, resolved_at: c.now })
      .where('id', '=', c.id)
      .execute();
    let originalFileId: string | undefined;
    if (c.incoming) {
      // The reading a person took is the record's, so its file is the original (the one the checks and the archive
      // take): an electronic file comes in as a version and changes places with the original, if any.
      const f = c.fileId ? await trx.selectFrom('voucher_file').select(['id', 'role']).where('id', '=', c.fileId).where('voucher_id', '=', c.voucherId).executeTakeFirst() : undefined;
      const electronic = f?.role === 'version' || f?.role === 'original';
      if (f && electronic && f.role !== 'original') {
        await trx.updateTable('voucher_file').set({ role: 'version' }).where('voucher_id', '=', c.voucherId).where('role', '=', 'original').execute();
        await trx.updateTable('voucher_file').set({ role: 'original' }).where('id', '=', f.id).execute();
        originalFileId = f.id;
      }
      await trx.updateTable('voucher').set({ ...voucherColumns(c.incoming), ...(electronic ? { carrier: 'electronic' } : {}), updated_at: c.now }).where('id', '=', c.voucherId).execute();
    }
    await trx
      .insertInto('voucher_event')
      .values({ voucher_id: c.voucherId, at: c.now, action: 'conflict_resolved', from_state: null, to_state: null, ...c.actor, details: JSON.stringify({ conflictId: c.id, resolution: c.resolution, note: c.note, ...(originalFileId ? { originalFileId } : {}) }) })
      .execute();
  }

  async countVouchers(): Promise<number> {
    const r = await this.db.selectFrom('voucher').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The queryable columns of a voucher, from its normalised reading. */
export function voucherColumns(v: Voucher) {
  const str = (s: unknown, max = 500) => (typeof s === 'string' && s.trim() !== '' ? s.trim().slice(0, max) : null);
  return {
    kind: v.kind,
    invoice_code: str(v.invoiceCode, 64),
    invoice_number: str(v.invoiceNumber, 64),
    issue_date: /^\d{4}-\d{2}-\d{2}$/.test(v.issueDate ?? '') ? v.issueDate! : null,
    amount_ex_tax: money(v.amountExTax),
    tax_amount: money(v.taxAmount),
    total_amount: money(v.totalAmount),
    currency: str(v.currency, 3) ?? 'CNY',
    seller_name: str(v.sellerName),
    seller_tax_id: str(v.sellerTaxId, 64),
    buyer_name: str(v.buyerName),
    buyer_tax_id: str(v.buyerTaxId, 64),
    payer_name: str(v.payerName),
    payee_name: str(v.payeeName),
    bank_serial: str(v.bankSerialNumber, 128),
    data: JSON.stringify(v),
    signature_verdict: v.signatureVerdict ?? 'unsigned',
    warnings: JSON.stringify(v.warnings ?? []),
  };
}

/** numeric(18,2) takes up to 16 integer digits; anything else is left out of the column (kept in data). */
function money(m: string | undefined): string | null {
  return typeof m === 'string' && /^-?\d{1,16}\.\d{2}$/.test(m) ? m : null;
}

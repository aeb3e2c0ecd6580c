import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuditService, type AuditActor } from '../../platform/audit/audit.service';
import { systemClock, type Clock } from '../../platform/clock/clock';
import { NotFoundError } from '../../platform/errors/errors';
import type { ObjectStore } from '../../platform/storage/object-store';
import { CLOCK, STORAGE } from '../../platform/tokens';
import { runPhase, StopItem, type IngestContext, type IngestRouting, type IngestStep } from './pipeline/pipeline';
import { ingestSteps } from './pipeline/steps';
import { PoolRepository, type NewItem, type PendingItem } from './pool.repository';
import type { IngestChannel, IngestOutcome } from './pool.tables';

export interface IngestFile {
  filename: string;
  /** Where it came from (path, upload field, client reference); kept on the file record. */
  sourceRef?: string | null;
  bytes: Uint8Array;
}

/** One item's final answer, as the CLI, the upload table and the issuer API show it. */
export interface ItemOutcome {
  itemId: string;
  seq: number;
  filename: string;
  sourceRef: string | null;
  outcome: IngestOutcome;
  voucherId: string | null;
  fileId: string | null;
  kind: string | null;
  verdict: string | null;
  errorCode: string | null;
  message: string | null;
}

export interface BatchSummary {
  received: number;
  created: number;
  duplicates: number;
  linked: number;
  conflicts: number;
  rejected: number;
}

export interface BatchOptions {
  channel: IngestChannel;
  routing: IngestRouting;
  actor: AuditActor;
  ip?: string | null;
  /** Same key and still open → the earlier batch is resumed instead of a new one created (CLI re-runs). */
  sourceKey?: string | null;
}

export interface RunOptions {
  /** Items in flight at once: reading overlaps with the database and storage round trips. */
  concurrency?: number;
  onItem?: (r: ItemOutcome) => void;
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function summarise(outcomes: { outcome: IngestOutcome | null }[]): BatchSummary {
  const s: BatchSummary = { received: outcomes.length, created: 0, duplicates: 0, linked: 0, conflicts: 0, rejected: 0 };
  for (const o of outcomes) {
    if (o.outcome === 'created') s.created++;
    else if (o.outcome === 'duplicate') s.duplicates++;
    else if (o.outcome === 'linked') s.linked++;
    else if (o.outcome === 'conflict') s.conflicts++;
    else if (o.outcome === 'rejected') s.rejected++;
  }
  return s;
}

/**
 * Runs the ingest pipeline for every channel. A batch's items are recorded (name, size, SHA-256) before any is
 * processed; each item then commits in its own transaction together with its audit entry, so a batch cut off by
 * a crash is completed by running it again: done items are skipped, pending ones are processed, and content and
 * identity dedupe make a repeated attempt harmless.
 */
@Injectable()
export class IngestService {
  readonly steps: IngestStep[];

  constructor(
    private readonly repo: PoolRepository,
    @Inject(STORAGE) private readonly storage: ObjectStore,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.steps = ingestSteps(repo, storage);
  }

  /** Records a batch and its items (or finds the open batch of the same source and adds nothing). */
  async openBatch(opts: BatchOptions, items: Omit<NewItem, 'seq'>[]): Promise<{ batchId: string; resumed: boolean }> {
    if (opts.sourceKey) {
      const open = await this.repo.openBatchBySource(opts.sourceKey);
      if (open) return { batchId: open, resumed: true };
    }
    const actor = actorOf(opts.actor);
    const batchId = await this.repo.transaction(async (trx) => {
      const id = await this.repo.createBatch(trx, {
        channel: opts.channel,
        unitId: opts.routing.unitId ?? null,
        subPool: opts.routing.subPool ?? null,
        ownerUserId: opts.routing.personalOwnerId ?? null,
        actor,
        sourceKey: opts.sourceKey ?? null,
        now: this.clock.now(),
      });
      await this.repo.addItems(
        trx,
        id,
        items.map((it, i) => ({ ...it, seq: i + 1 })),
      );
      return id;
    });
    return { batchId, resumed: false };
  }

  /**
   * Processes the batch's pending items. `load` gives an item's bytes (from memory, a path, the object store);
   * bytes that no longer match the recorded digest are rejected as changed.
   */
  async runBatch(batchId: string, opts: BatchOptions, load: (item: PendingItem) => Promise<Uint8Array>, run: RunOptions = {}): Promise<{ outcomes: ItemOutcome[]; complete: boolean }> {
    const pending = await this.repo.items(batchId, 'pending');
    const outcomes: ItemOutcome[] = [];
    let next = 0;
    const worker = async () => {
      while (next < pending.length) {
        const item = pending[next++];
        let bytes: Uint8Array | undefined;
        let loadError: string | undefined;
        try {
          bytes = await load(item);
        } catch (e) {
          loadError = (e as Error).message;
        }
        const r = await this.processItem(batchId, item, bytes, loadError, opts);
        outcomes.push(r);
        run.onItem?.(r);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(run.concurrency ?? 4, pending.length)) }, worker));
    outcomes.sort((a, b) => a.seq - b.seq);
    const complete = await this.repo.completeBatchIfDone(batchId, this.clock.now());
    return { outcomes, complete };
  }

  /** One file through a one-item batch (issuer API). */
  async ingestOne(file: IngestFile, opts: BatchOptions): Promise<ItemOutcome & { batchId: string }> {
    const sha256 = sha256Of(file.bytes);
    const { batchId } = await this.openBatch(opts, [{ filename: file.filename, sourceRef: file.sourceRef ?? null, sha256, size: file.bytes.length }]);
    const { outcomes } = await this.runBatch(batchId, opts, async () => file.bytes, { concurrency: 1 });
    return { ...outcomes[0], batchId };
  }

  /** All outcomes of a batch (done items), for re-runs that resume and for the batch endpoint. */
  async batchOutcomes(batchId: string): Promise<ItemOutcome[]> {
    const items = await this.repo.items(batchId);
    if (!items.length && !(await this.repo.batch(batchId))) throw new NotFoundError(`ingest batch not found: ${batchId}`, { batchId });
    return items.map((it) => ({
      itemId: it.id,
      seq: it.seq,
      filename: it.filename,
      sourceRef: it.sourceRef,
      outcome: (it.outcome ?? null) as IngestOutcome,
      voucherId: it.voucherId,
      fileId: it.fileId,
      kind: kindFromSteps(it.steps),
      verdict: verdictFromSteps(it.steps),
      errorCode: it.errorCode,
      message: it.errorMessage,
    }));
  }

  private async processItem(batchId: string, item: PendingItem, bytes: Uint8Array | undefined, loadError: string | undefined, opts: BatchOptions): Promise<ItemOutcome> {
    const ctx: IngestContext = {
      item: { itemId: item.id, batchId, filename: item.filename, sourceRef: item.sourceRef, bytes: bytes ?? new Uint8Array(), sha256: item.sha256 },
      channel: opts.channel,
      routing: opts.routing,
      actor: opts.actor,
      ip: opts.ip ?? null,
      now: this.clock.now(),
      steps: [],
    };
    let stop: StopItem | undefined;
    if (!bytes) stop = new StopItem('rejected', 'unreadable_source', `${item.filename}: cannot read it: ${loadError ?? 'no bytes'}`);
    else if (sha256Of(bytes) !== item.sha256) stop = new StopItem('rejected', 'changed', `${item.filename}: the file changed since the batch recorded it (SHA-256 ${item.sha256})`);
    if (!stop) {
      try {
        await runPhase(this.steps, 'read', ctx);
      } catch (e) {
        // A reader's own failure (a bug or an input it cannot handle) rejects the file with the reason, like a
        // format error would; nothing has been stored yet.
        stop = e instanceof StopItem ? e : new StopItem('rejected', 'unreadable', `${item.filename}: ${(e as Error).message}`);
      }
    }
    // Commit phase: dedupe, store, record, index, the item's outcome and the audit entry, all or nothing. An
    // outage (database connection, storage) leaves the item pending for the next run of the batch; any other
    // failure rolls the item back and records it as rejected with the reason, so one bad file cannot block a batch.
    try {
      return await this.commit(batchId, item, ctx, stop, opts);
    } catch (e) {
      if (isOutage(e)) throw e;
      ctx.steps.push({ step: 'commit', version: 1, outcome: 'failed', message: (e as Error).message });
      const failed = new StopItem('rejected', 'record_failed', `${item.filename}: could not be recorded: ${(e as Error).message}`);
      return this.commit(batchId, item, { ...ctx, voucher: undefined, identity: undefined, stored: undefined, conflictId: undefined, outcome: undefined }, failed, opts);
    }
  }

  private commit(batchId: string, item: PendingItem, ctx: IngestContext, stop: StopItem | undefined, opts: BatchOptions): Promise<ItemOutcome> {
    return this.repo.transaction(async (trx) => {
      if (!stop) {
        ctx.trx = trx;
        try {
          await runPhase(this.steps, 'commit', ctx);
        } catch (e) {
          if (!(e instanceof StopItem)) throw e;
          stop = e;
        } finally {
          ctx.trx = undefined;
        }
      }
      const outcome: IngestOutcome = stop ? stop.outcome : ctx.outcome!;
      const voucherId = stop ? (stop.voucherId ?? null) : ctx.voucherId!;
      const fileId = stop ? (stop.fileId ?? null) : ctx.fileId!;
      const errorCode = stop?.outcome === 'rejected' ? stop.code : ctx.outcome === 'conflict' ? 'conflict' : null;
      const message =
        stop?.message ??
        (ctx.outcome === 'conflict' ? `same identity ${ctx.identity!.key} as voucher ${ctx.voucherId}, but ${ctx.differences!.map((d) => `${d.field} ${d.existing} ≠ ${d.incoming}`).join(', ')}` : null);
      await this.repo.finishItem(trx, item.id, { outcome, voucherId, fileId, steps: ctx.steps, errorCode, errorMessage: message }, ctx.now);
      await this.audit.record(
        {
          actor: opts.actor,
          action: `pool.ingest.${outcome}`,
          targetType: voucherId ? 'voucher' : 'ingest_item',
          targetId: voucherId ?? item.id,
          unitId: ctx.unitId ?? ctx.existing?.unitId ?? opts.routing.unitId ?? null,
          ip: opts.ip ?? null,
          details: {
            batchId,
            itemId: item.id,
            channel: opts.channel,
            filename: item.filename,
            ...(ctx.voucher ? { kind: ctx.voucher.kind, verdict: ctx.voucher.signatureVerdict } : {}),
            ...(ctx.identity ? { identity: ctx.identity.key } : {}),
            ...(fileId ? { fileId } : {}),
            ...(ctx.conflictId ? { conflictId: ctx.conflictId } : {}),
            ...(errorCode ? { errorCode, message } : {}),
          },
          digests: { sha256: item.sha256, ...(ctx.stored ? { sm3: ctx.stored.sm3 } : {}) },
        },
        trx,
      );
      return {
        itemId: item.id,
        seq: item.seq,
        filename: item.filename,
        sourceRef: item.sourceRef,
        outcome,
        voucherId,
        fileId,
        kind: ctx.voucher?.kind ?? null,
        verdict: ctx.voucher?.signatureVerdict ?? null,
        errorCode,
        message,
      };
    });
  }
}

/** Failures worth retrying later rather than rejecting the file: the database or the object store is unreachable. */
function isOutage(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  if (code === 'storage_failed') return true;
  // PostgreSQL SQLSTATE classes 08 (connection), 53 (resources), 57 (operator intervention), 58 (system).
  if (typeof code === 'string' && /^(08|53|57|58)/.test(code)) return true;
  return ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOSPC'].includes(String(code)) || /Connection terminated|timeout exceeded when trying to connect/i.test((e as Error)?.message ?? '');
}

function actorOf(a: AuditActor): { type: string; id: string | null; name: string | null } {
  if (a === 'system') return { type: 'system', id: null, name: 'system' };
  if ('kind' in a) return a.kind === 'user' ? { type: 'user', id: a.id, name: a.username } : { type: 'client', id: a.id, name: a.name };
  return { type: a.type, id: a.id ?? null, name: a.name ?? null };
}

function kindFromSteps(steps: { step: string; outcome: string; message?: string }[]): string | null {
  return steps.find((s) => s.step === 'parse' && s.outcome === 'ok')?.message ?? null;
}

function verdictFromSteps(steps: { step: string; outcome: string; message?: string }[]): string | null {
  const m = steps.find((s) => s.step === 'verify' && s.outcome === 'ok')?.message;
  return m ? m.split(' ')[0] : null;
}

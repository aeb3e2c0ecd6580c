import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/database/schema';
import { AuditService, type AuditActor, type AuditInput } from '../../platform/audit/audit.service';
import { systemClock, type Clock } from '../../platform/clock/clock';
import { AppError, NotFoundError, ValidationError } from '../../platform/errors/errors';
import { StorageError, type ObjectStore } from '../../platform/storage/object-store';
import { CLOCK, STORAGE } from '../../platform/tokens';
import { Job } from '../../platform/jobs/job.decorator';
import { runChunkPhase, runPhase, StopItem, type IngestContext, type IngestRouting, type IngestStep } from './pipeline/pipeline';
import { ingestSteps, safeFilename, StoreOriginalStep } from './pipeline/steps';
import { commitFresh } from './pipeline/commit-fresh';
import { finishItems } from './pipeline/records';
import { defaultReaders, ReadersClosedError, ReadPool } from './pipeline/read-pool';
import { runReadSteps, sha256Of, storable, type ReadAnswer, type ReadStep } from './pipeline/read-steps';
import { SearchIndexer } from '../search/indexer.service';
import { PoolRepository, type NewItem, type PendingItem } from './pool.repository';
import type { IngestChannel, IngestOutcome, StepRecord } from './pool.tables';

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
  /** Items in flight at once: reading overlaps with the database and storage round trips (default: 4, at least twice the reader threads). */
  concurrency?: number;
  onItem?: (r: ItemOutcome) => void;
  /** Items committed per transaction (default 32). */
  chunkSize?: number;
  /** A chunk is closed early once its files reach this many bytes (default 64 MB): they are held until stored. */
  chunkBytes?: number;
}

export { sha256Of };

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
export class IngestService implements OnModuleDestroy {
  readonly steps: IngestStep[];
  /** The read steps that need only the bytes (run in the reader threads), and the rest of the read phase. */
  private readonly pureSteps: ReadStep[];
  private readonly mainSteps: IngestStep[];
  /** Reader threads for parse + verify; 0 = on the main thread. */
  private readers = defaultReaders();
  private pool?: ReadPool;

  constructor(
    private readonly repo: PoolRepository,
    @Inject(STORAGE) private readonly storage: ObjectStore,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
    @Optional() private readonly indexer?: SearchIndexer,
  ) {
    this.steps = ingestSteps(repo, storage, indexer);
    this.pureSteps = this.steps.filter((s): s is ReadStep => 'offThread' in s);
    this.mainSteps = this.steps.filter((s) => !('offThread' in s));
    const root = storage.localFolder?.();
    const store = this.steps.find((s) => s instanceof StoreOriginalStep);
    this.threadStore = root && store ? { root, step: { name: store.name, version: store.version } } : undefined;
  }

  /** Where the reader threads store originals themselves (a local folder store), or undefined (the store phase does). */
  private readonly threadStore?: { root: string; step: { name: string; version: number } };

  /** How many reader threads parse and verify (default: the cores available); 0 reads on the main thread. */
  useReaders(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new Error(`reader threads: expected a whole number of at least 0, got ${n}`);
    if (n === this.readers) return;
    void this.pool?.close();
    this.pool = undefined;
    this.readers = n;
  }

  get readerThreads(): number {
    return this.readers;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
  }

  /**
   * Records a batch and its items, or finds the open batch of the same source (`opts.sourceKey`) and resumes it.
   * A resumed batch gains nothing, unless `addNew`: then the items it does not hold yet (by source and digest: a
   * file new in the folder, or one whose content changed since) are added to it, after its own items, so one run
   * finishes what was cut off and takes in what came since. Look-up and additions hold a lock on the source key:
   * two runs of one folder at once share one batch and add each new file once.
   */
  async openBatch(opts: BatchOptions, items: Omit<NewItem, 'seq'>[], o: { addNew?: boolean } = {}): Promise<{ batchId: string; resumed: boolean; added: number }> {
    const actor = actorOf(opts.actor);
    return this.repo.transaction(async (trx) => {
      if (opts.sourceKey) {
        await this.repo.lockKeys(trx, [`ingest_batch.source:${opts.sourceKey}`]);
        const open = await this.repo.openBatchBySource(opts.sourceKey, trx);
        if (open) return { batchId: open, resumed: true, added: o.addNew ? await this.repo.addMissingItems(trx, open, items) : 0 };
      }
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
      return { batchId: id, resumed: false, added: items.length };
    });
  }

  /**
   * Processes the batch's pending items. `load` gives an item's bytes (from memory, a path, the object store);
   * bytes that no longer match the recorded digest are rejected as changed.
   *
   * Items go in chunks, in three overlapping stages: a chunk is read (parse, verify; `concurrency` at once)
   * while the previous ones store their originals and commit in ONE transaction (dedupe, records, item outcomes,
   * audit entries), so the database's commit and the audit chain's lock are paid once per chunk, not once per
   * file. With a local folder store and a unit known in advance, each reader thread stores the original it has
   * just read (durable before the answer comes back), so the main thread does no file-system work; otherwise the
   * store stage puts the chunk's originals together (one round of fsyncs). Chunks commit in order, each only after
   * its own originals are durable; a chunk's store overlaps the previous chunk's commit, and at most one chunk is
   * behind the one being read. A chunk that fails for any reason but an outage is committed again item by item,
   * so one bad file cannot take others down with it; an outage stops the run (after the chunks before it commit)
   * and leaves the unfinished items pending.
   */
  async runBatch(batchId: string, opts: BatchOptions, load: (item: PendingItem) => Promise<Uint8Array>, run: RunOptions = {}): Promise<{ outcomes: ItemOutcome[]; complete: boolean }> {
    const pending = await this.repo.items(batchId, 'pending');
    const outcomes: ItemOutcome[] = [];
    let committing: Promise<void> = Promise.resolve();
    const behind: Promise<void>[] = [];
    for (const chunk of chunks(pending, Math.max(1, run.chunkSize ?? 32), run.chunkBytes ?? 64 * 1024 * 1024)) {
      let prepared: Prepared[];
      try {
        prepared = await this.prepareChunk(batchId, chunk, load, opts, run.concurrency ?? Math.max(4, 2 * this.readers));
      } catch (e) {
        // An outage while reading (the reader threads store originals): the chunks before this one still commit,
        // so the run stops with everything before the failure recorded and the rest pending.
        await committing.catch(() => undefined);
        throw e;
      }
      // Stored at once (beside the previous chunk's commit), committed after its own originals are durable and
      // after the previous chunk's commit; a failure of either stops every later commit.
      const stored = this.storeChunk(prepared);
      stored.catch(() => undefined);
      committing = Promise.all([stored, committing])
        .then(() => this.commitChunk(batchId, prepared, opts))
        .then((rs) => {
          for (const r of rs) {
            outcomes.push(r);
            run.onItem?.(r);
          }
        });
      // Awaited below; this only keeps a failure from being reported as unhandled meanwhile.
      committing.catch(() => undefined);
      // The previous chunk is done before the next is read: one chunk behind (its bytes stay in memory until stored).
      behind.push(committing);
      if (behind.length >= 2) await behind.shift();
    }
    await committing;
    outcomes.sort((a, b) => a.seq - b.seq);
    const complete = await this.repo.completeBatchIfDone(batchId, this.clock.now());
    return { outcomes, complete };
  }

  /**
   * One file (issuer API, SFTP pulls), answered with its own outcome. Files that arrive for the same channel,
   * routing, actor and address while an earlier group is being processed wait and then go together as one batch
   * (group commit: one batch record, one transaction per 32 files instead of several per file); a file that finds
   * nothing in progress starts at once, alone. Each caller still gets exactly its item's outcome; callers of one
   * group share its batch id. An outage fails every file of the group, which stays pending in its batch (the
   * issuer's retry is idempotent by digest and identity).
   */
  async ingestOne(file: IngestFile, opts: BatchOptions): Promise<ItemOutcome & { batchId: string }> {
    // Refused before it joins a group, so that it fails alone (PostgreSQL text cannot hold U+0000).
    if (file.filename.includes('\u0000')) throw new ValidationError('filename: contains a NUL (0x00) character', { field: 'filename' });
    if (file.sourceRef?.includes('\u0000')) throw new ValidationError('reference: contains a NUL (0x00) character', { field: 'reference' });
    const key = laneKey(opts);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { waiting: [] };
      this.lanes.set(key, lane);
    }
    const answer = new Promise<ItemOutcome & { batchId: string }>((resolve, reject) => lane.waiting.push({ file, resolve, reject }));
    if (lane.waiting.length === 1 && !lane.busy) void this.drainLane(key, lane, opts);
    return answer;
  }

  /** Files pushed one by one, waiting for the group in progress of their lane (see `ingestOne`). */
  private readonly lanes = new Map<string, Lane>();

  private async drainLane(key: string, lane: Lane, lanesOpts: BatchOptions): Promise<void> {
    // A group is always a new batch (never a resumed one: its items are numbered by the group).
    const opts: BatchOptions = { ...lanesOpts, sourceKey: null };
    lane.busy = true;
    try {
      while (lane.waiting.length) {
        // A file set apart after its group failed goes alone (see below).
        const group = lane.waiting.splice(0, lane.waiting[0].alone ? 1 : GROUP_MAX);
        await this.settleGroup(lane, group, opts);
      }
    } finally {
      lane.busy = false;
      if (this.lanes.get(key) === lane && !lane.waiting.length) this.lanes.delete(key);
    }
  }

  /**
   * One group of pushed files as one batch, each caller answered with its own item. A failure must only reach the
   * files it concerns: when the group cannot even be recorded, its files go again one by one; when a chunk fails
   * for anything but an outage, the batch's remaining items are run one at a time (a file that still fails is
   * recorded as rejected with the reason); items committed before any failure answer what they recorded, and only
   * the items still pending get the error (an outage: 503, they stay pending and the sender retries).
   */
  private async settleGroup(lane: Lane, group: Lane['waiting'], opts: BatchOptions): Promise<void> {
    let batchId: string | undefined;
    let failure: unknown;
    const load = async (item: PendingItem) => group[item.seq - 1].file.bytes;
    try {
      ({ batchId } = await this.openBatch(
        opts,
        group.map((g) => ({ filename: g.file.filename, sourceRef: g.file.sourceRef ?? null, sha256: sha256Of(g.file.bytes), size: g.file.bytes.length })),
      ));
      // Items are numbered in the order of the group (seq 1…n).
      const { outcomes } = await this.runBatch(batchId, opts, load, { concurrency: group.length === 1 ? 1 : undefined });
      const bySeq = new Map(outcomes.map((o) => [o.seq, o]));
      group.forEach((g, i) => {
        const o = bySeq.get(i + 1);
        if (o) g.resolve({ ...o, batchId: batchId! });
        else g.reject(new Error(`ingest batch ${batchId}: item ${i + 1} (${g.file.filename}) has no outcome`));
      });
      return;
    } catch (e) {
      failure = e;
    }
    if (!isOutage(failure) && group.length > 1) {
      if (!batchId) {
        lane.waiting.unshift(...group.map((g) => ({ ...g, alone: true })));
        return;
      }
      try {
        await this.runBatch(batchId, opts, load, { chunkSize: 1, concurrency: 1 });
      } catch (e) {
        failure = e;
      }
    }
    let recorded = new Map<number, ItemOutcome>();
    try {
      if (batchId) recorded = new Map((await this.batchOutcomes(batchId)).filter((o) => o.outcome !== null).map((o) => [o.seq, o]));
    } catch {
      // The database is gone too: every caller gets the failure.
    }
    group.forEach((g, i) => {
      const o = recorded.get(i + 1);
      if (o) g.resolve({ ...o, batchId: batchId! });
      else g.reject(failure as Error);
    });
  }

  /**
   * Batches of single-file pushes (issuer API, SFTP connectors) that an outage or a stop left open: their senders
   * were answered 503 and send again (a connector takes its files from the store at the next pull), which makes a
   * new batch, so nothing will ever resume these. After an hour without any item finishing they are closed: their
   * pending items become rejected (batch_closed) with the reason, audited as pool.batch.close. Folder and upload
   * batches are never closed this way (they are resumed by running them again).
   */
  @Job({ name: 'pool.batches.close-stale', cron: '23 * * * *', policy: 'singleton' })
  async closeStalePushBatches(): Promise<{ closed: number }> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - STALE_PUSH_BATCH_MS);
    const stale = await sql<{ id: string }>`
      select b.id from ingest_batch b
      where b.status = 'open' and b.channel in ('issuer', 'connector') and b.created_at < ${cutoff}
        and not exists (select 1 from ingest_item i where i.batch_id = b.id and i.finished_at >= ${cutoff})
      order by b.created_at limit 1000`.execute(this.repo.db);
    const reason = 'no item finished for an hour: the sender was answered that the service was unavailable and sends the file again as a new batch';
    let closed = 0;
    for (const { id } of stale.rows) {
      await this.repo.transaction(async (trx) => {
        const b = await this.repo.batchForUpdate(trx, id);
        if (!b || b.status !== 'open') return;
        const items = await this.repo.closeBatch(trx, id, reason, now);
        await this.audit.record(
          {
            actor: { type: 'system', id: null, name: 'pool.batches.close-stale' },
            action: 'pool.batch.close',
            targetType: 'ingest_batch',
            targetId: id,
            unitId: b.unit_id,
            details: { channel: b.channel, reason, total: b.total, closed: items.length, itemIds: items.map((i) => i.id) },
          },
          trx,
        );
        closed++;
      });
    }
    return { closed };
  }

  /** All outcomes of a batch (done items), for re-runs that resume and for the batch endpoint. */
  async batchOutcomes(batchId: string): Promise<ItemOutcome[]> {
    const items = await this.repo.items(batchId);
    if (!items.length && !(await this.repo.batch(batchId))) throw new NotFoundError(`ingest batch not found: ${batchId}`, { batchId });
    return items.map(outcomeOfItem);
  }

  private async prepareChunk(batchId: string, items: PendingItem[], load: (item: PendingItem) => Promise<Uint8Array>, opts: BatchOptions, concurrency: number): Promise<Prepared[]> {
    const out: Prepared[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const idx = next++;
        const item = items[idx];
        let bytes: Uint8Array | undefined;
        let loadError: string | undefined;
        try {
          bytes = await load(item);
        } catch (e) {
          loadError = (e as Error).message;
        }
        out[idx] = await this.prepare(batchId, item, bytes, loadError, opts);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
    return out;
  }

  /** The read phase of one item: nothing in the database yet (the original may already be in the object store). */
  private async prepare(batchId: string, item: PendingItem, bytes: Uint8Array | undefined, loadError: string | undefined, opts: BatchOptions): Promise<Prepared> {
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
    let storeStep: StepRecord | undefined;
    if (!bytes) stop = new StopItem('rejected', 'unreadable_source', `${item.filename}: cannot read it: ${loadError ?? 'no bytes'}`);
    else {
      // Digest check, identify, unpack, parse, verify: in a reader thread when there are any.
      // The reader thread also stores the original (local folder store) when routing cannot refuse the item (a
      // unit or personal folder named in advance); otherwise the store stage stores it once routing took it. An
      // item that its commit refuses (held_by_other_unit) keeps its stored original unrecorded either way — as the
      // store stage always did: harmless, never served, reused if the same content comes again.
      const storeHere = this.threadStore && (opts.routing.unitId || opts.routing.personalOwnerId);
      const read = await this.read({ filename: item.filename, sha256: item.sha256, bytes, ...(storeHere ? { store: { ...this.threadStore!, filename: safeFilename(item.filename) } } : {}) });
      // The disk failed, not the file: stop the run, the item stays pending (like a failed store phase).
      if (read.storeFailed) throw new StorageError(read.storeFailed, { item: item.id });
      ctx.steps.push(...read.steps);
      ctx.format = read.format;
      ctx.mediaType = read.mediaType;
      ctx.voucher = read.voucher;
      if (read.stored) {
        ctx.stored = { key: read.stored.key, sha256: read.stored.sha256, sm3: read.stored.sm3, size: read.stored.size };
        storeStep = read.storeStep;
      }
      if (read.stop) stop = new StopItem(read.stop.outcome, read.stop.code, read.stop.message);
    }
    if (!stop) {
      try {
        await runPhase(this.mainSteps, 'read', ctx);
      } catch (e) {
        if (isOutage(e)) throw e;
        // A step's own failure (a bug or an input it cannot handle) rejects the file with the reason, like a
        // format error would; nothing is recorded for it.
        stop = e instanceof StopItem ? e : new StopItem('rejected', 'unreadable', `${item.filename}: ${(e as Error).message}`);
      }
    }
    // Filed in pipeline order, after the rest of the read phase: where the store step stands.
    if (storeStep) ctx.steps.push(storeStep);
    return { item, ctx, stop, readSteps: ctx.steps.length };
  }

  private async read(task: { filename: string; sha256: string; bytes: Uint8Array }): Promise<ReadAnswer> {
    // On the main thread the store phase stores (its syncs must not block the event loop).
    if (this.readers === 0) return runReadSteps({ ...task, store: undefined }, this.pureSteps);
    this.pool ??= new ReadPool(this.readers);
    try {
      return await this.pool.run(task);
    } catch (e) {
      // Stopping is not the file's fault: an outage, the item stays pending (HTTP 503, the issuer retries).
      if (e instanceof ReadersClosedError) throw new AppError('shutting_down', `${task.filename}: not read, the server is stopping; send it again`, 503);
      return { steps: [], stop: { outcome: 'rejected', code: 'unreadable', message: `${task.filename}: the reader thread failed on it: ${(e as Error).message}` } };
    }
  }

  /**
   * The store phase of a chunk: the originals of the items still going, together (one look-up, one round of
   * fsyncs), durable before the commit that records them. An outage (or any failure of the whole store) is
   * thrown: the chunk's items stay pending for the next run.
   */
  private async storeChunk(chunk: Prepared[]): Promise<void> {
    const going = chunk.filter((p) => !p.stop);
    const failed = going.length ? await runChunkPhase(this.steps, going.map((p) => p.ctx)) : new Map();
    for (const p of chunk) {
      const e = failed.get(p.ctx);
      if (e) p.stop = e instanceof StopItem ? e : new StopItem('rejected', 'store_failed', `${p.item.filename}: ${e.message}`);
      p.readSteps = p.ctx.steps.length;
      // The bytes are not needed any more: a large batch should not hold every file in memory until commit.
      (p.ctx as { item: IngestContext['item'] }).item = { ...p.ctx.item, bytes: new Uint8Array() };
    }
  }

  /**
   * A chunk in one transaction: its fresh items (nothing recorded yet with their content or identity) in a few
   * multi-row statements, the rest through the commit steps one by one, then every item's outcome and audit entry
   * in one statement each. Any failure but an outage rolls the chunk back and commits it again item by item.
   */
  private async commitChunk(batchId: string, chunk: Prepared[], opts: BatchOptions): Promise<ItemOutcome[]> {
    if (chunk.length > 1) {
      try {
        return await this.repo.transaction(async (trx) => {
          const { mine, theirs } = await this.claim(trx, chunk);
          const fresh = await commitFresh(trx, mine.filter((p) => !p.stop).map((p) => p.ctx), this.steps, this.indexer);
          const decided: Decided[] = [];
          for (const p of mine) decided.push(fresh.has(p.ctx) ? this.conclude(batchId, p, undefined, opts) : await this.decide(trx, batchId, p, p.stop, opts));
          return [...theirs, ...(await this.finish(trx, decided))].sort((a, b) => a.seq - b.seq);
        });
      } catch (e) {
        if (isOutage(e)) throw e;
        for (const p of chunk) reset(p);
      }
    }
    const out: ItemOutcome[] = [];
    for (const p of chunk) out.push(await this.commitAlone(batchId, p, opts));
    return out;
  }

  /**
   * One item in its own transaction. An outage leaves it pending for the next run of the batch; any other failure
   * rolls it back and records it as rejected with the reason.
   */
  private async commitAlone(batchId: string, p: Prepared, opts: BatchOptions): Promise<ItemOutcome> {
    const alone = async (stop: StopItem | undefined) =>
      this.repo.transaction(async (trx) => {
        const { theirs } = await this.claim(trx, [p]);
        return theirs[0] ?? (await this.finish(trx, [await this.decide(trx, batchId, p, stop, opts)]))[0];
      });
    try {
      return await alone(p.stop);
    } catch (e) {
      if (isOutage(e)) throw e;
      reset(p);
      p.ctx.steps.push({ step: 'commit', version: 1, outcome: 'failed', message: (e as Error).message });
      const failed = new StopItem('rejected', 'record_failed', `${p.item.filename}: could not be recorded: ${(e as Error).message}`);
      p.ctx.voucher = undefined;
      p.ctx.identity = undefined;
      return alone(failed);
    }
  }

  /**
   * The chunk's items, locked for this transaction: those still pending are this run's to commit; those another
   * run of the same batch finished meanwhile (two `evarchive ingest` of one folder resume one batch) keep the
   * outcome that run recorded, and are reported as it, with no second audit entry. Then the advisory locks of
   * every content digest and identity this transaction may record, in one sorted statement, so that the
   * dedupe step of each item only takes locks already held (no two chunks can wait on each other).
   */
  private async claim(trx: Transaction<Database>, chunk: Prepared[]): Promise<{ mine: Prepared[]; theirs: ItemOutcome[] }> {
    const rows = await sql<{ id: string; status: string }>`
      select id, status from ingest_item where id = any(${chunk.map((p) => p.item.id)}::uuid[]) order by id for update`.execute(trx);
    const pending = new Set(rows.rows.filter((r) => r.status === 'pending').map((r) => r.id));
    const mine = chunk.filter((p) => pending.has(p.item.id));
    const done = chunk.filter((p) => !pending.has(p.item.id)).map((p) => p.item.id);
    const theirs = done.length ? (await this.repo.itemsById(trx, done)).map(outcomeOfItem) : [];
    const keys = mine.filter((p) => !p.stop).flatMap((p) => [`sha256:${p.item.sha256}`, ...(p.ctx.identity ? [p.ctx.identity.key] : [])]);
    await this.repo.lockKeysAtOnce(trx, keys);
    return { mine, theirs };
  }

  /** Commit phase of one item inside `trx`: dedupe, record, index (unless the item already stopped). */
  private async decide(trx: Transaction<Database>, batchId: string, p: Prepared, stop: StopItem | undefined, opts: BatchOptions): Promise<Decided> {
    const { ctx } = p;
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
    return this.conclude(batchId, p, stop, opts);
  }

  /** The item's outcome, the row that finishes it and its audit entry, from what its steps decided. */
  private conclude(batchId: string, p: Prepared, stop: StopItem | undefined, opts: BatchOptions): Decided {
    const { item, ctx } = p;
    const outcome: IngestOutcome = stop ? stop.outcome : ctx.outcome!;
    const voucherId = stop ? (stop.voucherId ?? null) : ctx.voucherId!;
    const fileId = stop ? (stop.fileId ?? null) : ctx.fileId!;
    const errorCode = stop?.outcome === 'rejected' ? stop.code : ctx.outcome === 'conflict' ? 'conflict' : null;
    const message =
      stop?.message ??
      (ctx.outcome === 'conflict' ? `same identity ${ctx.identity!.key} as voucher ${ctx.voucherId}, but ${ctx.differences!.map((d) => `${d.field} ${d.existing} ≠ ${d.incoming}`).join(', ')}` : null);
    // What PostgreSQL text and jsonb cannot hold (U+0000, lone surrogates) is cleaned from what is written: a
    // reader's message may quote the file (a NUL in a broken JSON voucher), and one such item must not fail its chunk.
    return {
      finished: { itemId: item.id, outcome, voucherId, fileId, steps: storable(ctx.steps), errorCode, errorMessage: storable(message), at: ctx.now },
      audit: {
        actor: opts.actor,
        action: `pool.ingest.${outcome}`,
        targetType: voucherId ? 'voucher' : 'ingest_item',
        targetId: voucherId ?? item.id,
        unitId: ctx.unitId ?? ctx.existing?.unitId ?? opts.routing.unitId ?? null,
        ip: opts.ip ?? null,
        details: storable({
          batchId,
          itemId: item.id,
          channel: opts.channel,
          filename: item.filename,
          ...(ctx.voucher ? { kind: ctx.voucher.kind, verdict: ctx.voucher.signatureVerdict } : {}),
          ...(ctx.identity ? { identity: ctx.identity.key } : {}),
          ...(fileId ? { fileId } : {}),
          ...(ctx.conflictId ? { conflictId: ctx.conflictId } : {}),
          ...(errorCode ? { errorCode, message } : {}),
        }),
        digests: { sha256: item.sha256, ...(ctx.stored ? { sm3: ctx.stored.sm3 } : {}) },
      },
      outcome: {
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
        message: storable(message),
      },
    };
  }

  /** Every item's outcome (one statement) and audit entry (one append, in item order), inside `trx`. */
  private async finish(trx: Transaction<Database>, decided: Decided[]): Promise<ItemOutcome[]> {
    await finishItems(trx, decided.map((d) => d.finished));
    await this.audit.recordMany(decided.map((d) => d.audit), trx);
    return decided.map((d) => d.outcome);
  }
}

/** Files of one lane that wait for the group in progress (`ingestOne`). */
interface Lane {
  waiting: { file: IngestFile; alone?: boolean; resolve: (o: ItemOutcome & { batchId: string }) => void; reject: (e: Error) => void }[];
  busy?: boolean;
}

/** How long a batch of single-file pushes may stay open with nothing finishing before it is closed. */
const STALE_PUSH_BATCH_MS = 60 * 60 * 1000;

/** At most this many waiting files go as one group (two commit chunks). */
const GROUP_MAX = 64;

/** Files are grouped only with others that would make the same batch record and audit entries. */
function laneKey(o: BatchOptions): string {
  return JSON.stringify([o.channel, o.routing, actorOf(o.actor), o.ip ?? null]);
}

interface Decided {
  finished: Parameters<typeof finishItems>[1][number];
  audit: AuditInput;
  outcome: ItemOutcome;
}

interface Prepared {
  item: PendingItem;
  ctx: IngestContext;
  /** Set when the read phase already decided (rejected). */
  stop?: StopItem;
  /** Step records of the read phase; a retried commit drops what a rolled-back attempt added. */
  readSteps: number;
}

/** Consecutive items, at most `count` of them and (but for a single large one) at most `bytes` together. */
function* chunks(items: PendingItem[], count: number, bytes: number): Generator<PendingItem[]> {
  let cur: PendingItem[] = [];
  let size = 0;
  for (const it of items) {
    if (cur.length && (cur.length >= count || size + it.size > bytes)) {
      yield cur;
      cur = [];
      size = 0;
    }
    cur.push(it);
    size += it.size;
  }
  if (cur.length) yield cur;
}

/** Forgets what a rolled-back commit attempt wrote into the context. */
function reset(p: Prepared): void {
  const c = p.ctx;
  c.steps.length = p.readSteps;
  c.outcome = undefined;
  c.existing = undefined;
  c.differences = undefined;
  c.voucherId = undefined;
  c.fileId = undefined;
  c.conflictId = undefined;
  c.searchText = undefined;
  c.trx = undefined;
}

/** Failures worth retrying later rather than rejecting the file: the database or the object store is unreachable. */
function isOutage(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  if (code === 'storage_failed' || code === 'shutting_down') return true;
  // PostgreSQL SQLSTATE classes 08 (connection), 53 (resources), 57 (operator intervention), 58 (system).
  if (typeof code === 'string' && /^(08|53|57|58)/.test(code)) return true;
  return ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOSPC'].includes(String(code)) || /Connection terminated|timeout exceeded when trying to connect/i.test((e as Error)?.message ?? '');
}

function actorOf(a: AuditActor): { type: string; id: string | null; name: string | null } {
  if (a === 'system') return { type: 'system', id: null, name: 'system' };
  if ('kind' in a) return a.kind === 'user' ? { type: 'user', id: a.id, name: a.username } : { type: 'client', id: a.id, name: a.name };
  return { type: a.type, id: a.id ?? null, name: a.name ?? null };
}

/** The outcome a finished item row records, as a run reports it. */
function outcomeOfItem(it: { id: string; seq: number; filename: string; sourceRef: string | null; outcome: IngestOutcome | null; voucherId: string | null; fileId: string | null; errorCode: string | null; errorMessage: string | null; steps: StepRecord[] }): ItemOutcome {
  return {
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
  };
}

function kindFromSteps(steps: { step: string; outcome: string; message?: string }[]): string | null {
  return steps.find((s) => s.step === 'parse' && s.outcome === 'ok')?.message ?? null;
}

function verdictFromSteps(steps: { step: string; outcome: string; message?: string }[]): string | null {
  const m = steps.find((s) => s.step === 'verify' && s.outcome === 'ok')?.message;
  return m ? m.split(' ')[0] : null;
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, NotFoundError, ValidationError } from '../../platform/errors/errors';
import { allowedUnitIds, assertUnit, hasRole, isSystemAdmin, type ClientPrincipal, type Principal, type UserPrincipal } from '../../platform/identity/principal';
import { contentKey, type ObjectStore } from '../../platform/storage/object-store';
import { STORAGE } from '../../platform/tokens';
import { IngestService, sha256Of, summarise, type BatchOptions, type IngestFile } from './ingest.service';
import type { IngestRouting } from './pipeline/pipeline';
import { safeFilename } from './pipeline/steps';
import { PoolRepository } from './pool.repository';
import { POOL_READ_ROLES, POOL_WRITE_ROLES } from './pool.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SUB_POOL = /^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9\u4e00-\u9fff._-]{0,63}$/;

export interface UploadOptions {
  unitId?: string;
  subPool?: string;
  /** Into the uploader's personal folder (个人票夹) whatever the buyer. */
  personal?: boolean;
}

/**
 * The HTTP channels in front of the one pipeline: the issuer push API (machine clients, signed requests) and
 * the collection upload (people, many files, processed in the background with progress).
 */
@Injectable()
export class ChannelsService {
  private readonly log = new Logger('pool');
  /** Background runs of upload batches in this process, so tests and shutdown can wait for them. */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(
    private readonly ingest: IngestService,
    private readonly repo: PoolRepository,
    @Inject(STORAGE) private readonly storage: ObjectStore,
  ) {}

  /** 开票端接口: one voucher file from an issuer; idempotent by content digest and business identity. */
  async issuerPush(client: ClientPrincipal, file: IngestFile, ip: string | null) {
    const unitIds = allowedUnitIds(client, ['issuer']);
    const routing: IngestRouting =
      unitIds !== 'all' && unitIds.length === 1 ? { unitId: unitIds[0], routableUnitIds: unitIds } : { routableUnitIds: unitIds };
    const r = await this.ingest.ingestOne(file, { channel: 'issuer', routing, actor: client, ip });
    if (r.outcome === 'rejected') {
      throw new AppError(r.errorCode ?? 'rejected', r.message ?? `${file.filename}: rejected`, 422, { outcome: 'rejected', batchId: r.batchId, itemId: r.itemId, filename: file.filename });
    }
    return { voucherId: r.voucherId, outcome: r.outcome, verdict: r.verdict, kind: r.kind, fileId: r.fileId, batchId: r.batchId, itemId: r.itemId, ...(r.outcome === 'conflict' ? { message: r.message } : {}) };
  }

  /**
   * Collection upload: the files are stored (content-addressed) and recorded as a batch at once, then processed
   * in the background; `wait` processes before answering. The stored bytes let a batch cut off by a restart be
   * resumed (`resume`).
   */
  async upload(p: UserPrincipal, files: IngestFile[], opts: UploadOptions, ip: string | null, wait: boolean) {
    if (!files.length) throw new ValidationError('no files in the upload (multipart field "files")', { field: 'files' });
    if (opts.unitId !== undefined && !UUID.test(opts.unitId)) throw new ValidationError(`unitId: not a unit id: "${opts.unitId}"`, { field: 'unitId' });
    if (opts.subPool !== undefined && !SUB_POOL.test(opts.subPool)) throw new ValidationError(`subPool: letters, digits, Chinese characters, "." "_" "-" (at most 64), got "${opts.subPool}"`, { field: 'subPool' });
    if (opts.unitId) assertUnit(p, opts.unitId, POOL_WRITE_ROLES);
    const routing: IngestRouting = {
      unitId: opts.personal ? null : (opts.unitId ?? null),
      routableUnitIds: allowedUnitIds(p, POOL_WRITE_ROLES),
      subPool: opts.subPool ?? null,
      personalOwnerId: p.id,
      personalOnly: !!opts.personal,
    };
    // One batch of fsyncs for the whole upload, durable before the batch that points at it is recorded.
    await this.storage.putMany(files.map((f) => ({ content: f.bytes, options: { mediaType: 'application/octet-stream', filename: safeFilename(f.filename) } })));
    const batchOpts: BatchOptions = { channel: 'upload', routing, actor: p, ip };
    const shas = files.map((f) => sha256Of(f.bytes));
    const { batchId } = await this.ingest.openBatch(
      batchOpts,
      files.map((f, i) => ({ filename: safeFilename(f.filename), sourceRef: f.sourceRef ?? null, sha256: shas[i], size: f.bytes.length })),
    );
    const bySha = new Map(files.map((f, i) => [shas[i], f.bytes]));
    const run = this.ingest
      .runBatch(batchId, batchOpts, async (item) => bySha.get(item.sha256) ?? (await this.storage.get(contentKey(item.sha256))))
      .catch((e) => this.log.error(`upload batch ${batchId} stopped: ${(e as Error).message}; resume it with POST /api/pool/batches/${batchId}/resume`))
      .finally(() => this.running.delete(batchId));
    this.running.set(batchId, run);
    if (wait) await run;
    return this.batch(p, batchId);
  }

  /** Processes what is still pending of an upload batch, from the stored originals. */
  async resume(p: Principal, batchId: string, ip: string | null) {
    const b = await this.visibleBatch(p, batchId);
    if (b.status === 'complete') return this.batch(p, batchId);
    const running = this.running.get(batchId);
    if (running) await running;
    else {
      const routing: IngestRouting = {
        unitId: b.unitId,
        routableUnitIds: p.kind === 'user' ? allowedUnitIds(p, POOL_WRITE_ROLES) : [],
        subPool: b.subPool,
        personalOwnerId: b.ownerUserId,
      };
      await this.ingest.runBatch(batchId, { channel: b.channel, routing, actor: p, ip }, (item) => this.storage.get(contentKey(item.sha256)));
    }
    return this.batch(p, batchId);
  }

  /** Progress and per-file outcomes of a batch. */
  async batch(p: Principal, batchId: string) {
    const b = await this.visibleBatch(p, batchId);
    const [counts, outcomes] = await Promise.all([this.repo.batchCounts(batchId), this.ingest.batchOutcomes(batchId)]);
    const done = b.total - counts.pending;
    return {
      id: b.id,
      channel: b.channel,
      status: b.status,
      total: b.total,
      done,
      progress: b.total ? Math.round((done / b.total) * 1000) / 10 : 100,
      summary: summarise(outcomes.filter((o) => o.outcome)),
      counts,
      createdAt: b.createdAt,
      finishedAt: b.finishedAt,
      items: outcomes.map((o) => ({ seq: o.seq, filename: o.filename, outcome: o.outcome, voucherId: o.voucherId, fileId: o.fileId, kind: o.kind, verdict: o.verdict, errorCode: o.errorCode, message: o.message })),
    };
  }

  /** Waits for the background runs of this process (tests, orderly shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }

  private async visibleBatch(p: Principal, batchId: string) {
    if (!UUID.test(batchId)) throw new ValidationError(`id: not a batch id: "${batchId}"`, { field: 'id' });
    const b = await this.repo.batch(batchId);
    const mine = b && b.actorId === p.id;
    if (!b || !(mine || isSystemAdmin(p) || (b.unitId && hasRole(p, POOL_READ_ROLES, b.unitId)))) throw new NotFoundError(`ingest batch not found: ${batchId}`, { batchId });
    return b;
  }
}

import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Transaction } from 'kysely';
import { AuditService, type AuditActor } from '../../platform/audit/audit.service';
import { systemClock, type Clock } from '../../platform/clock/clock';
import type { AppConfig } from '../../platform/config/config';
import type { Db } from '../../platform/database/database';
import type { Database } from '../../platform/database/schema';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors/errors';
import type { ObjectStore } from '../../platform/storage';
import { CLOCK, CONFIG, DB, STORAGE } from '../../platform/tokens';
import { ChecksService, type StoredRun } from '../checks/checks.service';
import { findVolume, loadVolumeSubject } from '../checks/loader';
import type { SubjectFile } from '../checks/subject';
import { rsaSigningKey, sm2SigningKey } from './keys';
import { buildPackage, type PackageItemInput } from './package';
import { verifyPackage, type PackageVerdict } from './package-verify';
import type { XmlSignatureAlgorithm } from './xmlsig';

export const ARCHIVE_ROLES = ['archivist', 'unit_admin'] as const;
export const PACKAGE_READ_ROLES = ['archivist', 'auditor', 'unit_admin'] as const;

/** What archiving needs from the volumes module (VolumesService implements it). */
export interface VolumeArchiver {
  markArchived(volumeId: string, trx: Transaction<Database>): Promise<void>;
}
/** What archiving uses of the pool (the pool's ClaimsService implements it). */
export interface PoolArchiver {
  /** Refuses (before the package is written) while a voucher of the volume cannot be archived. */
  assertArchivable?(voucherIds: string[]): Promise<void>;
  /**
   * In the archive's transaction, before the package is written: locks the vouchers (so their originals cannot
   * change until it commits) and refuses when an original is no longer one of the files the package was built from.
   */
  lockOriginals?(voucherIds: string[], packagedFileIds: ReadonlySet<string>, trx: Transaction<Database>): Promise<void>;
  markArchived(voucherIds: string[], trx: Transaction<Database>, actor: AuditActor): Promise<void>;
}

export const VOLUME_ARCHIVER = Symbol('evarchive.volumeArchiver');
export const POOL_ARCHIVER = Symbol('evarchive.poolArchiver');

export class ArchiveRefusedError extends ConflictError {
  constructor(archivalCode: string, run: StoredRun) {
    const v = run.run.summary.vetoFailures;
    super(
      `volume ${archivalCode} cannot be archived: ${v.length} veto check(s) failed — ${v.slice(0, 5).map((x) => `${x.code} (${x.message || x.itemId})`).join('; ')}${v.length > 5 ? '; …' : ''}`,
      { runId: run.id, vetoFailures: v, report: run.reportPdfKey },
      'archive_refused',
    );
  }
}

export interface ArchiveOptions {
  signatureAlgorithm?: XmlSignatureAlgorithm;
  /** 重要程度; default: high for permanent retention, normal otherwise. */
  importance?: 'high' | 'normal';
}

export interface ArchiveOutcome {
  volumeId: string;
  archivalCode: string;
  runId: string;
  packageId: string;
  packageKey: string;
  sha256: string;
  sm3: string;
  size: number;
  items: number;
  files: number;
  poolVouchersArchived: number | null;
  reportKey: string;
}

const RETENTION_LABEL: Record<string, string> = { Y: '永久', D30: '30年', D10: '10年', D5: '5年' };

/**
 * 归档: archiving-stage checks (refusing on any veto failure), the signed package written write-once, the
 * volume marked archived by the volumes module, an append-only snapshot of every item (read-only from then on:
 * changes are new versions with a reason), retention and importance set, all in the audit chain.
 */
@Injectable()
export class ArchiveService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(STORAGE) private readonly store: ObjectStore,
    private readonly audit: AuditService,
    private readonly checks: ChecksService,
    @Inject(CONFIG) private readonly config: Pick<AppConfig, 'dataDir'>,
    @Optional() @Inject(VOLUME_ARCHIVER) private readonly volumes?: VolumeArchiver,
    @Optional() @Inject(POOL_ARCHIVER) private readonly pool?: PoolArchiver,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async archive(ref: string, actor: AuditActor, opts: ArchiveOptions = {}): Promise<ArchiveOutcome> {
    if (!this.volumes) throw new ConflictError('archiving needs the volumes module (markArchived), which is not loaded', undefined, 'volumes_unavailable');
    const vol = await findVolume(this.db, ref);
    if (vol.state === 'archived') throw new ConflictError(`volume ${vol.archival_code} is already archived`, { volumeId: vol.id }, 'already_archived');
    if (vol.state !== 'approved') throw new ConflictError(`volume ${vol.archival_code} is ${vol.state}; only an approved volume can be archived`, { state: vol.state }, 'invalid_state');

    const run = await this.checks.checkVolume(vol.id, 'GD', actor);
    if (run.run.summary.vetoFailures.length) {
      await this.audit.record({ actor, action: 'archive.refused', targetType: 'volume', targetId: vol.id, unitId: vol.unit_id, details: { archivalCode: vol.archival_code, runId: run.id, vetoFailures: run.run.summary.vetoFailures.slice(0, 50) } });
      throw new ArchiveRefusedError(vol.archival_code, run);
    }

    const { subject } = await loadVolumeSubject(this.db, vol.id);
    const algorithm = opts.signatureAlgorithm ?? 'rsa-sha256';
    const signer =
      algorithm === 'sm2-sm3'
        ? (() => {
            const k = sm2SigningKey(this.config.dataDir);
            return { algorithm, privateKey: Buffer.from(k.privateKey).toString('hex'), certificatePem: k.certificatePem };
          })()
        : (() => {
            const k = rsaSigningKey(this.config.dataDir);
            return { algorithm, privateKey: k.privateKeyPem, certificatePem: k.certificatePem };
          })();
    // Originals are read with verification: a byte changed since the check must not go into the package.
    const items: PackageItemInput[] = [];
    for (const it of subject.items) {
      const files = [];
      for (const f of it.files) files.push({ role: f.role, bytes: new Uint8Array(await this.store.get(f.objectKey, { verify: true })), mediaType: f.mediaType, filename: f.filename, format: f.format });
      items.push({
        seq: it.seq ?? items.length + 1,
        id: it.id,
        archivalCode: it.archivalCode ?? '',
        title: it.title ?? '',
        identityKey: it.identityKey,
        metadata: Object.fromEntries(Object.entries(it.metadata).filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object').map(([k, v]) => [k, String(v)])),
        files,
      });
    }
    const importance = opts.importance ?? (vol.retention_code === 'Y' ? 'high' : 'normal');
    const now = this.clock.now();
    const version = 1 + Number((await this.db.selectFrom('archive_package').select((eb) => eb.fn.countAll().as('n')).where('volume_id', '=', vol.id).executeTakeFirst())?.n ?? 0);
    const built = buildPackage({
      createdAt: now.toISOString(),
      creator: 'evarchive 电子会计档案系统',
      volume: { id: vol.id, fonds: vol.fonds_code ?? '', archivalCode: vol.archival_code, title: vol.title, year: String(vol.year), retention: RETENTION_LABEL[vol.retention_code] ?? vol.retention_code, unitId: vol.unit_id, importance },
      check: { schemeId: run.run.schemeId, schemeVersion: run.run.schemeVersion, stage: 'GD', runId: run.id, verdict: run.run.summary.verdict },
      items,
      extras: [
        { path: 'report/check-report.pdf', role: 'check_report', bytes: run.reportPdf, mediaType: 'application/pdf' },
        { path: 'report/check-report.pdf.sig', role: 'check_report_signature', bytes: Buffer.from(run.reportSig), mediaType: 'application/json' },
        { path: 'report/check-report.xml', role: 'check_report_xml', bytes: Buffer.from(run.reportXml), mediaType: 'application/xml' },
      ],
      signer,
    });
    const voucherIds = [...new Set(subject.items.flatMap((i) => ((i.metadata.originalVoucherIds as string[] | undefined) ?? [])))];
    await this.pool?.assertArchivable?.(voucherIds);
    const key = `packages/${vol.id}/v${version}/package.zip`;
    const packagedFileIds = new Set(subject.items.flatMap((i) => i.files.map((f) => f.id)));

    let written = false;
    const commit = () => this.db.transaction().execute(async (trx) => {
      // The vouchers stay as packaged until this commits (a copy that verifies may otherwise become a voucher's
      // original meanwhile); checked before the write-once package exists, so a refusal can simply be retried.
      if (voucherIds.length) await this.pool?.lockOriginals?.(voucherIds, packagedFileIds, trx);
      const put = await this.store.putNamed(key, built.zip, { mediaType: 'application/zip', filename: `${vol.archival_code}.zip` });
      written = true;
      const pkg = await trx
        .insertInto('archive_package')
        .values({ volume_id: vol.id, unit_id: vol.unit_id, archival_code: vol.archival_code, version, object_key: key, sha256: put.sha256, sm3: put.sm3, size: put.size, signature_algorithm: algorithm, check_run_id: run.id, file_count: built.files.length, created_at: now, created_by: actorName(actor), reason: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      const volumeMeta = { fonds: vol.fonds_code, archivalCode: vol.archival_code, title: vol.title, year: String(vol.year), period: vol.period, retention: vol.retention_code, category: subject.metadata.category, expectedArchivalCode: subject.metadata.expectedArchivalCode };
      for (const it of subject.items) {
        await trx
          .insertInto('archived_item')
          .values({
            volume_id: vol.id,
            unit_id: vol.unit_id,
            item_id: it.id,
            version: 1,
            seq: it.seq,
            archival_code: it.archivalCode ?? null,
            title: it.title ?? null,
            identity_key: it.identityKey ?? null,
            importance,
            retention: vol.retention_code,
            expires_on: vol.expires_on,
            metadata: JSON.stringify({ item: it.metadata, volume: volumeMeta, expectedAttachments: it.expectedAttachments ?? null, linkedOriginals: it.linkedOriginals ?? null }),
            files: JSON.stringify(it.files satisfies SubjectFile[]),
            package_id: pkg.id,
            reason: null,
            created_at: now,
            created_by: actorName(actor),
          })
          .execute();
      }
      await this.volumes!.markArchived(vol.id, trx);
      let poolVouchersArchived: number | null = null;
      if (this.pool && voucherIds.length) {
        await this.pool.markArchived(voucherIds, trx, actor);
        poolVouchersArchived = voucherIds.length;
      }
      await this.audit.record(
        {
          actor,
          action: 'archive.volume',
          targetType: 'volume',
          targetId: vol.id,
          unitId: vol.unit_id,
          details: { archivalCode: vol.archival_code, runId: run.id, packageKey: key, version, items: subject.items.length, files: built.files.length, retention: vol.retention_code, expiresOn: vol.expires_on, importance, signatureAlgorithm: algorithm, poolVouchersArchived },
          digests: { package: `sm3:${put.sm3}`, packageSha256: `sha256:${put.sha256}` },
        },
        trx,
      );
      return { packageId: pkg.id, poolVouchersArchived, put };
    });
    // An ingest committing copies of these vouchers may lock them in another order: PostgreSQL then ends one of the
    // two (40P01). Before the package exists the transaction is simply run again.
    let outcome: Awaited<ReturnType<typeof commit>>;
    for (let attempt = 1; ; attempt++) {
      try {
        outcome = await commit();
        break;
      } catch (e) {
        if (written || attempt >= 3 || (e as { code?: unknown }).code !== '40P01') throw e;
      }
    }
    const { put } = outcome;
    return {
      volumeId: vol.id,
      archivalCode: vol.archival_code,
      runId: run.id,
      packageId: outcome.packageId,
      packageKey: key,
      sha256: put.sha256,
      sm3: put.sm3,
      size: put.size,
      items: subject.items.length,
      files: built.files.length,
      poolVouchersArchived: outcome.poolVouchersArchived,
      reportKey: run.reportPdfKey,
    };
  }

  /**
   * Archived items never change in place: a correction is a new version with a reason, recorded in the audit
   * chain. The trigger on archived_item refuses UPDATE and DELETE even to this service.
   */
  async amendItem(volumeId: string, itemId: string, change: { title?: string; metadata?: Record<string, unknown> }, reason: string, actor: AuditActor) {
    if (typeof reason !== 'string' || reason.trim().length < 2) throw new ValidationError('a change to an archived item needs a reason', { field: 'reason' }, 'reason_required');
    return this.db.transaction().execute(async (trx) => {
      const cur = await trx.selectFrom('archived_item').selectAll().where('volume_id', '=', volumeId).where('item_id', '=', itemId).orderBy('version', 'desc').limit(1).forUpdate().executeTakeFirst();
      if (!cur) throw new NotFoundError(`no archived item ${itemId} in volume ${volumeId}`, { volumeId, itemId });
      const md = (cur.metadata ?? {}) as Record<string, any>;
      const next = {
        volume_id: cur.volume_id,
        unit_id: cur.unit_id,
        item_id: cur.item_id,
        version: cur.version + 1,
        seq: cur.seq,
        archival_code: cur.archival_code,
        title: change.title ?? cur.title,
        identity_key: cur.identity_key,
        importance: cur.importance,
        retention: cur.retention,
        expires_on: cur.expires_on,
        metadata: JSON.stringify({ ...md, item: { ...(md.item ?? {}), ...(change.metadata ?? {}) } }),
        files: JSON.stringify(cur.files),
        package_id: cur.package_id,
        reason: reason.trim(),
        created_at: this.clock.now(),
        created_by: actorName(actor),
      };
      await trx.insertInto('archived_item').values(next).execute();
      await this.audit.record({ actor, action: 'archive.item.version', targetType: 'archived_item', targetId: itemId, unitId: cur.unit_id, details: { volumeId, version: next.version, reason: next.reason, title: change.title, metadata: change.metadata } }, trx);
      return { volumeId, itemId, version: next.version };
    });
  }

  async listPackages(q: { unitIds: 'all' | string[]; volumeId?: string; limit: number }) {
    let query = this.db.selectFrom('archive_package').selectAll();
    if (q.unitIds !== 'all') {
      if (!q.unitIds.length) return [];
      query = query.where('unit_id', 'in', q.unitIds);
    }
    if (q.volumeId) query = query.where('volume_id', '=', q.volumeId);
    const rows = await query.orderBy('created_at', 'desc').limit(q.limit).execute();
    return rows.map((p) => ({ id: p.id, volumeId: p.volume_id, unitId: p.unit_id, archivalCode: p.archival_code, version: p.version, key: p.object_key, sha256: p.sha256, sm3: p.sm3, size: Number(p.size), signatureAlgorithm: p.signature_algorithm, checkRunId: p.check_run_id, files: p.file_count, createdAt: p.created_at, createdBy: p.created_by }));
  }

  async getPackage(id: string) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new ValidationError('package id: expected a UUID', { field: 'id' });
    const p = await this.db.selectFrom('archive_package').selectAll().where('id', '=', id).executeTakeFirst();
    if (!p) throw new NotFoundError(`no package ${id}`, { id });
    return p;
  }

  async packageBytes(id: string): Promise<{ bytes: Buffer; filename: string; unitId: string | null }> {
    const p = await this.getPackage(id);
    return { bytes: await this.store.get(p.object_key), filename: `${p.archival_code}-v${p.version}.zip`, unitId: p.unit_id };
  }

  /** Recomputes the stored package's digests against the recorded ones and verifies its content and signature. */
  async verifyStoredPackage(id: string, actor: AuditActor): Promise<PackageVerdict & { stored: { ok: boolean; sha256: string; sm3: string; recordedSha256: string; recordedSm3: string } }> {
    const p = await this.getPackage(id);
    const v = await this.store.verify(p.object_key);
    const verdict = await verifyPackage(await this.store.get(p.object_key, { verify: false }));
    const storedOk = v.ok && v.sha256 === p.sha256 && v.sm3 === p.sm3;
    await this.audit.record({ actor, action: 'archive.package.verify', targetType: 'archive_package', targetId: p.id, unitId: p.unit_id, details: { ok: verdict.ok && storedOk, problems: verdict.problems.slice(0, 20) } });
    return { ...verdict, ok: verdict.ok && storedOk, stored: { ok: storedOk, sha256: v.sha256, sm3: v.sm3, recordedSha256: p.sha256, recordedSm3: p.sm3 } };
  }
}

function actorName(actor: AuditActor): string {
  if (actor === 'system') return 'system';
  if ('kind' in actor) return actor.kind === 'user' ? actor.username : actor.name;
  return actor.name ?? actor.type;
}

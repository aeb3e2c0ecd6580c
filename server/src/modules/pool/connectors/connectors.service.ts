import { Inject, Injectable, Logger } from '@nestjs/common';
import { parseExpression } from 'cron-parser';
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { AuditService, type AuditActor } from '../../../platform/audit/audit.service';
import { systemClock, type Clock } from '../../../platform/clock/clock';
import type { AppConfig } from '../../../platform/config/config';
import type { Db } from '../../../platform/database/database';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../../platform/errors/errors';
import { allowedUnitIds, assertUnit, type Principal } from '../../../platform/identity/principal';
import type { Role } from '../../../platform/identity/roles';
import { resolveSessionSecret, secretBox, type SecretBox } from '../../../platform/identity/secrets';
import { Job } from '../../../platform/jobs/job.decorator';
import { CRON_TIMEZONE } from '../../../platform/jobs/job.types';
import { JobsService } from '../../../platform/jobs/jobs.service';
import { contentKey, type ObjectStore } from '../../../platform/storage/object-store';
import { CLOCK, CONFIG, DB, STORAGE } from '../../../platform/tokens';
import { IngestService } from '../ingest.service';
import type { PoolBDb, PoolBTables } from '../claims/pool-b.tables';

/** Who manages a unit's bank connectors (system_admin everywhere). */
export const CONNECTOR_ROLES: readonly Role[] = ['unit_admin'];
/** Who may see a connector's settings (masked) and its runs. */
export const CONNECTOR_READ_ROLES: readonly Role[] = ['unit_admin', 'accountant', 'archivist'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$|^\[?[0-9A-Fa-f:.]+\]?$/;
/** A run still marked running after this long was cut off (process killed): a new run may start. */
const STALE_RUN_MS = 2 * 3600_000;
/** Largest file a pull takes (bank receipts and statements are far smaller; a runaway file must not fill memory). */
const MAX_FILE_BYTES = 64 << 20;
export const MASK = '********';

type ConnectorRow = PoolBTables['pool_connector'] extends infer T ? { [K in keyof T]: T[K] extends import('kysely').Generated<infer U> ? U : T[K] } : never;

export interface RunSummary {
  runId: string;
  connectorId: string;
  status: 'ok' | 'failed';
  listed: number;
  fetched: number;
  skipped: number;
  failed: number;
  outcomes: Record<string, number>;
  files: { remotePath: string; size: number; outcome: string; voucherId: string | null; message?: string | null }[];
  error: string | null;
  startedAt: Date;
  finishedAt: Date;
}

/** Test and CLI hooks into a run (progress; tests cut the connection at a chosen byte). */
export interface RunHooks {
  onBytes?(remotePath: string, received: number, size: number): void;
  onFile?(file: { remotePath: string; outcome: string }): void;
}

/** `*.ofd, HZ_*.xml` → one regex; only `*` and `?` are special. */
export function patternRegex(pattern: string): RegExp {
  const parts = pattern
    .split(/[,;]/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.'));
  if (!parts.length) throw new ValidationError('filePattern: at least one pattern, e.g. *.ofd,*.xml', { field: 'filePattern' });
  return new RegExp(`^(?:${parts.join('|')})$`, 'i');
}

export function nextRun(cron: string, after: Date): Date {
  return parseExpression(cron, { currentDate: after, tz: CRON_TIMEZONE }).next().toDate();
}

/**
 * Bank SFTP pulls (银企直连回单/对账单): per-unit connector settings with sealed secrets, scheduled and manual runs.
 * A run lists the remote folder, fetches every matching file not fetched before (remote path + size + mtime), keeps
 * the bytes in the object store and records the file BEFORE handing it to the ingest pipeline (channel
 * `connector`): a run cut off after the download resumes from the stored bytes and never downloads the file
 * again; a download cut off midway is discarded (nothing recorded) and fetched whole by the next run.
 */
@Injectable()
export class ConnectorsService {
  private readonly log = new Logger('pool.connectors');
  private readonly db: PoolBDb;
  private readonly box: SecretBox;

  constructor(
    @Inject(DB) db: Db,
    @Inject(CONFIG) config: AppConfig,
    @Inject(STORAGE) private readonly storage: ObjectStore,
    private readonly ingest: IngestService,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.db = db.withTables<PoolBTables>() as unknown as PoolBDb;
    // The same sealing as API-client secrets (AES-256-GCM, key derived from the session secret).
    this.box = secretBox(resolveSessionSecret(config));
  }

  // ---- settings ------------------------------------------------------------------------------------------------

  private parse(body: unknown, existing?: ConnectorRow) {
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const text = (name: string, opts: { required?: boolean; max?: number; re?: RegExp; hint?: string } = {}): string | null | undefined => {
      const v = b[name];
      if (v === undefined) {
        if (opts.required && !existing) throw new ValidationError(`${name}: required`, { field: name });
        return undefined;
      }
      if (v === null || v === '') {
        if (opts.required) throw new ValidationError(`${name}: required`, { field: name });
        return null;
      }
      if (typeof v !== 'string') throw new ValidationError(`${name}: expected text`, { field: name });
      const s = v.trim();
      if (s.length > (opts.max ?? 200)) throw new ValidationError(`${name}: at most ${opts.max ?? 200} characters`, { field: name });
      if (opts.re && !opts.re.test(s)) throw new ValidationError(`${name}: ${opts.hint}, got "${s}"`, { field: name });
      return s;
    };
    const name = text('name', { required: true, max: 100 });
    const host = text('host', { required: true, max: 253, re: HOST, hint: 'expected a host name or IP address' });
    let port: number | undefined;
    if (b.port !== undefined) {
      port = Number(b.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ValidationError('port: expected 1–65535', { field: 'port' });
    }
    const username = text('username', { required: true, max: 100 });
    const authMethod = b.authMethod === undefined ? undefined : b.authMethod;
    if (authMethod !== undefined && authMethod !== 'password' && authMethod !== 'key') throw new ValidationError('authMethod: expected password or key', { field: 'authMethod' });
    const password = typeof b.password === 'string' && b.password !== MASK ? b.password : undefined;
    const privateKey = typeof b.privateKey === 'string' && b.privateKey !== MASK ? b.privateKey : undefined;
    const passphrase = typeof b.passphrase === 'string' && b.passphrase !== MASK ? b.passphrase : undefined;
    const method = (authMethod ?? existing?.auth_method ?? (privateKey ? 'key' : 'password')) as 'password' | 'key';
    let secret: string | undefined;
    if (method === 'password') secret = password;
    else {
      if (privateKey !== undefined && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) throw new ValidationError('privateKey: expected a private key in OpenSSH or PEM form (-----BEGIN … PRIVATE KEY-----)', { field: 'privateKey' });
      secret = privateKey;
    }
    const methodChanged = existing && existing.auth_method !== method;
    if (!secret && (!existing || methodChanged)) throw new ValidationError(method === 'password' ? 'password: required for password authentication' : 'privateKey: required for key authentication', { field: method === 'password' ? 'password' : 'privateKey' });
    const remoteDir = text('remoteDir', { required: true, max: 500, re: /^[^\0]+$/, hint: 'expected a folder path' });
    const filePattern = text('filePattern', { max: 200 });
    if (filePattern) patternRegex(filePattern);
    const scheduleCron = text('scheduleCron', { max: 100 });
    if (scheduleCron) {
      try {
        parseExpression(scheduleCron, { tz: CRON_TIMEZONE });
      } catch (e) {
        throw new ValidationError(`scheduleCron: not a cron expression (five fields, e.g. "0 7 * * *"): ${(e as Error).message}`, { field: 'scheduleCron' });
      }
      if (scheduleCron.split(/\s+/).length !== 5) throw new ValidationError('scheduleCron: five fields (minute hour day month weekday), e.g. "0 7 * * *"', { field: 'scheduleCron' });
    }
    if (b.enabled !== undefined && typeof b.enabled !== 'boolean') throw new ValidationError('enabled: expected true or false', { field: 'enabled' });
    return {
      name,
      host,
      port,
      appId: text('appId', { max: 100 }),
      username,
      authMethod: method,
      secret,
      passphrase: method === 'key' ? passphrase : undefined,
      agreementNo: text('agreementNo', { max: 100 }),
      remoteDir,
      filePattern,
      scheduleCron,
      enabled: b.enabled as boolean | undefined,
      hostKeySha256: text('hostKeySha256', { max: 100, re: /^(SHA256:)?[A-Za-z0-9+/=]{20,}$/, hint: 'expected the host key fingerprint as SHA256:… (ssh-keygen -lf)' }),
    };
  }

  view(r: ConnectorRow, lastRun?: Record<string, unknown> | null) {
    return {
      id: r.id,
      unitId: r.unit_id,
      name: r.name,
      protocol: r.protocol,
      host: r.host,
      port: r.port,
      appId: r.app_id,
      username: r.username,
      authMethod: r.auth_method,
      // Secrets never leave the server: only whether one is set.
      password: r.auth_method === 'password' ? MASK : null,
      privateKey: r.auth_method === 'key' ? MASK : null,
      passphrase: r.passphrase_enc ? MASK : null,
      hostKeySha256: r.host_key_sha256,
      agreementNo: r.agreement_no,
      remoteDir: r.remote_dir,
      filePattern: r.file_pattern,
      scheduleCron: r.schedule_cron,
      enabled: r.enabled,
      nextRunAt: r.next_run_at,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      lastRun: lastRun ?? null,
    };
  }

  private runView(r: PoolBTables['pool_connector_run'] extends unknown ? Record<string, any> : never) {
    return { id: r.id, trigger: r.trigger, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at, listed: r.listed, fetched: r.fetched, skipped: r.skipped, failed: r.failed, outcomes: r.outcomes, error: r.error };
  }

  private async row(id: string): Promise<ConnectorRow> {
    if (!UUID.test(id)) throw new ValidationError(`id: not a connector id: "${id}"`, { field: 'id' });
    const r = await this.db.selectFrom('pool_connector').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new NotFoundError(`connector not found: ${id}`, { id });
    return r as ConnectorRow;
  }

  private async visible(p: Principal, id: string, roles: readonly Role[]): Promise<ConnectorRow> {
    const r = await this.row(id);
    const units = allowedUnitIds(p, roles);
    if (units !== 'all' && !units.includes(r.unit_id)) throw new NotFoundError(`connector not found: ${id}`, { id });
    return r;
  }

  private async lastRun(connectorId: string) {
    const r = await this.db.selectFrom('pool_connector_run').selectAll().where('connector_id', '=', connectorId).orderBy('started_at', 'desc').limit(1).executeTakeFirst();
    return r ? this.runView(r) : null;
  }

  async list(p: Principal, unitId?: string) {
    const units = allowedUnitIds(p, CONNECTOR_READ_ROLES);
    if (unitId !== undefined && !UUID.test(unitId)) throw new ValidationError(`unitId: not a unit id: "${unitId}"`, { field: 'unitId' });
    let q = this.db.selectFrom('pool_connector').selectAll();
    if (units !== 'all') q = q.where('unit_id', 'in', units.length ? units : ['00000000-0000-0000-0000-000000000000']);
    if (unitId) q = q.where('unit_id', '=', unitId);
    const rows = (await q.orderBy('name').execute()) as ConnectorRow[];
    return { items: await Promise.all(rows.map(async (r) => this.view(r, await this.lastRun(r.id)))) };
  }

  async get(p: Principal, id: string) {
    const r = await this.visible(p, id, CONNECTOR_READ_ROLES);
    const runs = await this.db.selectFrom('pool_connector_run').selectAll().where('connector_id', '=', id).orderBy('started_at', 'desc').limit(20).execute();
    return { ...this.view(r, runs[0] ? this.runView(runs[0]) : null), runs: runs.map((x) => this.runView(x)) };
  }

  async create(p: Principal, body: unknown, ip: string | null) {
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    if (typeof b.unitId !== 'string' || !UUID.test(b.unitId)) throw new ValidationError('unitId: required, the unit whose bank files this connector pulls', { field: 'unitId' });
    assertUnit(p, b.unitId, CONNECTOR_ROLES);
    const v = this.parse(body);
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const dup = await trx.selectFrom('pool_connector').select('id').where('unit_id', '=', b.unitId as string).where('name', '=', v.name!).executeTakeFirst();
      if (dup) throw new ConflictError(`the unit already has a connector named "${v.name}"`, { field: 'name', id: dup.id }, 'duplicate_name');
      const r = await trx
        .insertInto('pool_connector')
        .values({
          unit_id: b.unitId as string,
          name: v.name!,
          host: v.host!,
          port: v.port ?? 22,
          app_id: v.appId ?? null,
          username: v.username!,
          auth_method: v.authMethod,
          secret_enc: this.box.seal(v.secret!),
          passphrase_enc: v.passphrase ? this.box.seal(v.passphrase) : null,
          host_key_sha256: v.hostKeySha256 ?? null,
          agreement_no: v.agreementNo ?? null,
          remote_dir: v.remoteDir!,
          file_pattern: v.filePattern ?? '*',
          schedule_cron: v.scheduleCron ?? null,
          enabled: v.enabled ?? true,
          next_run_at: v.scheduleCron ? nextRun(v.scheduleCron, now) : null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.audit.record({ actor: p, action: 'pool.connector.create', targetType: 'pool_connector', targetId: r.id, unitId: r.unit_id, ip, details: this.auditDetails(r as ConnectorRow) }, trx as never);
      return this.view(r as ConnectorRow);
    });
  }

  private auditDetails(r: ConnectorRow) {
    // Settings without secrets.
    return { name: r.name, host: r.host, port: r.port, username: r.username, authMethod: r.auth_method, appId: r.app_id, agreementNo: r.agreement_no, remoteDir: r.remote_dir, filePattern: r.file_pattern, scheduleCron: r.schedule_cron, enabled: r.enabled };
  }

  async update(p: Principal, id: string, body: unknown, ip: string | null) {
    const existing = await this.visible(p, id, CONNECTOR_ROLES);
    const v = this.parse(body, existing);
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const set: Record<string, unknown> = { updated_at: now };
      if (v.name !== undefined) set.name = v.name;
      if (v.host !== undefined) set.host = v.host;
      if (v.port !== undefined) set.port = v.port;
      if (v.appId !== undefined) set.app_id = v.appId;
      if (v.username !== undefined) set.username = v.username;
      set.auth_method = v.authMethod;
      if (v.secret) set.secret_enc = this.box.seal(v.secret);
      if (v.authMethod === 'password') set.passphrase_enc = null;
      else if (v.passphrase !== undefined) set.passphrase_enc = v.passphrase ? this.box.seal(v.passphrase) : null;
      if (v.hostKeySha256 !== undefined) set.host_key_sha256 = v.hostKeySha256;
      if (v.agreementNo !== undefined) set.agreement_no = v.agreementNo;
      if (v.remoteDir !== undefined) set.remote_dir = v.remoteDir;
      if (v.filePattern !== undefined) set.file_pattern = v.filePattern ?? '*';
      if (v.scheduleCron !== undefined) {
        set.schedule_cron = v.scheduleCron;
        set.next_run_at = v.scheduleCron ? nextRun(v.scheduleCron, now) : null;
      }
      if (v.enabled !== undefined) set.enabled = v.enabled;
      const r = await trx.updateTable('pool_connector').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      await this.audit.record({ actor: p, action: 'pool.connector.update', targetType: 'pool_connector', targetId: id, unitId: r.unit_id, ip, details: { ...this.auditDetails(r as ConnectorRow), secretChanged: !!v.secret } }, trx as never);
      return this.view(r as ConnectorRow, await this.lastRun(id));
    });
  }

  /** Removes the connector with its run and fetch records (the vouchers it brought stay in the pool). */
  async remove(p: Principal, id: string, ip: string | null) {
    const r = await this.visible(p, id, CONNECTOR_ROLES);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('pool_connector_file').where('connector_id', '=', id).execute();
      await trx.deleteFrom('pool_connector_run').where('connector_id', '=', id).execute();
      await trx.deleteFrom('pool_connector').where('id', '=', id).execute();
      await this.audit.record({ actor: p, action: 'pool.connector.delete', targetType: 'pool_connector', targetId: id, unitId: r.unit_id, ip, details: this.auditDetails(r) }, trx as never);
    });
    return { id, deleted: true };
  }

  /** "Run now" from the web: checked against the caller's units, then run while the request waits. */
  async runNow(p: Principal, id: string, ip: string | null): Promise<RunSummary> {
    await this.visible(p, id, CONNECTOR_ROLES);
    return this.run(id, 'manual', p, {}, ip);
  }

  // ---- runs ----------------------------------------------------------------------------------------------------

  /** Starts a run unless one is going (a stale one older than STALE_RUN_MS counts as cut off). */
  private async startRun(connectorId: string, trigger: string): Promise<string> {
    return this.db.transaction().execute(async (trx) => {
      await trx.selectFrom('pool_connector').select('id').where('id', '=', connectorId).forUpdate().executeTakeFirstOrThrow();
      const now = this.clock.now();
      const running = await trx.selectFrom('pool_connector_run').select(['id', 'started_at']).where('connector_id', '=', connectorId).where('status', '=', 'running').execute();
      for (const r of running) {
        if (now.getTime() - r.started_at.getTime() < STALE_RUN_MS) throw new ConflictError(`connector ${connectorId} is already pulling (run ${r.id} since ${r.started_at.toISOString()})`, { runId: r.id }, 'run_in_progress');
        await trx.updateTable('pool_connector_run').set({ status: 'failed', finished_at: now, error: 'cut off (the process ended during the run)' }).where('id', '=', r.id).execute();
      }
      const r = await trx.insertInto('pool_connector_run').values({ connector_id: connectorId, trigger, started_at: now }).returning('id').executeTakeFirstOrThrow();
      return r.id;
    });
  }

  /**
   * ssh2 options for the connector. With a pinned host key, `pin.presented` receives the fingerprint the server
   * showed when it does not match, so the run can name both instead of ssh2's bare "verification failed".
   */
  private connectOptions(c: ConnectorRow, pin: { presented?: string } = {}) {
    const secret = this.box.open(c.secret_enc);
    const expected = c.host_key_sha256?.replace(/^SHA256:/, '').replace(/=+$/, '');
    return {
      host: c.host,
      port: c.port,
      username: c.username,
      ...(c.auth_method === 'password' ? { password: secret } : { privateKey: secret, ...(c.passphrase_enc ? { passphrase: this.box.open(c.passphrase_enc) } : {}) }),
      readyTimeout: 20_000,
      // ssh2-sftp-client retries a failed connect; a pull is retried by the next schedule instead.
      retries: 0,
      // Pinning the host key when one is recorded: a bank server that changes its key is refused, not trusted.
      ...(expected
        ? {
            hostVerifier: (key: Buffer) => {
              const seen = createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
              if (seen !== expected) pin.presented = seen;
              return seen === expected;
            },
          }
        : {}),
    };
  }

  /**
   * One pull. Files already fetched (same path, size, mtime) are skipped; files fetched but not yet ingested (a run
   * cut off between the two) are ingested from the stored bytes. A connection lost midway ends the run as failed
   * with what was completed recorded; the next run carries on.
   */
  async run(connectorId: string, trigger: string, actor: Principal | 'system' = 'system', hooks: RunHooks = {}, ip: string | null = null): Promise<RunSummary> {
    const c = await this.row(connectorId);
    const runId = await this.startRun(connectorId, trigger);
    const startedAt = this.clock.now();
    const files: RunSummary['files'] = [];
    const outcomes: Record<string, number> = {};
    let listed = 0;
    let skipped = 0;
    let failed = 0;
    let error: string | null = null;
    // The library's default global listeners print to the console; a dropped connection is reported by the
    // pending operation's rejection instead (and ends up in the run's error).
    let dropped: string | null = null;
    const sftp = new SftpClient(`evarchive-connector-${connectorId}`, {
      error: (e: Error) => (dropped ??= e.message),
      end: () => undefined,
      close: () => undefined,
    } as never);
    const pin: { presented?: string } = {};
    const ingestAuditActor: AuditActor = actor === 'system' ? { type: 'system', id: connectorId, name: `connector ${c.name}` } : actor;
    const ingestOne = async (rec: { id: string; remote_path: string; size: string | number; sha256: string }, bytes: Uint8Array) => {
      const r = await this.ingest.ingestOne(
        { filename: posix.basename(rec.remote_path), sourceRef: `sftp://${c.host}:${c.port}${rec.remote_path}`, bytes },
        { channel: 'connector', routing: { unitId: c.unit_id, routableUnitIds: [c.unit_id] }, actor: ingestAuditActor, ip },
      );
      await this.db.updateTable('pool_connector_file').set({ outcome: r.outcome, voucher_id: r.voucherId, batch_id: r.batchId }).where('id', '=', rec.id).execute();
      outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      files.push({ remotePath: rec.remote_path, size: Number(rec.size), outcome: r.outcome, voucherId: r.voucherId, message: r.message });
      hooks.onFile?.({ remotePath: rec.remote_path, outcome: r.outcome });
    };
    try {
      // First what an earlier run downloaded but did not hand over.
      const pending = await this.db.selectFrom('pool_connector_file').select(['id', 'remote_path', 'size', 'sha256']).where('connector_id', '=', connectorId).where('outcome', 'is', null).execute();
      for (const rec of pending) await ingestOne(rec, await this.storage.get(contentKey(rec.sha256)));

      await sftp.connect(this.connectOptions(c, pin));
      const re = patternRegex(c.file_pattern);
      const entries = (await sftp.list(c.remote_dir)).filter((e) => e.type === '-' && re.test(e.name)).sort((a, b) => a.name.localeCompare(b.name));
      listed = entries.length;
      for (const e of entries) {
        const remotePath = posix.join(c.remote_dir, e.name);
        const mtime = Math.floor(e.modifyTime / 1000);
        const seen = await this.db.selectFrom('pool_connector_file').select('id').where('connector_id', '=', connectorId).where('remote_path', '=', remotePath).where('size', '=', String(e.size)).where('mtime', '=', String(mtime)).executeTakeFirst();
        if (seen) {
          skipped++;
          continue;
        }
        if (e.size > MAX_FILE_BYTES) {
          failed++;
          files.push({ remotePath, size: e.size, outcome: 'too_large', voucherId: null, message: `${e.size} bytes is over the ${MAX_FILE_BYTES}-byte limit` });
          continue;
        }
        const bytes = await this.download(sftp, remotePath, e.size, hooks);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        // Stored first (content-addressed, idempotent), then recorded: from here on the file is never downloaded again.
        await this.storage.put(bytes, { mediaType: 'application/octet-stream', filename: e.name });
        const sameContent = await this.db.selectFrom('pool_connector_file').select(['id', 'voucher_id']).where('connector_id', '=', connectorId).where('sha256', '=', sha256).where('outcome', 'is not', null).executeTakeFirst();
        const rec = await this.db
          .insertInto('pool_connector_file')
          .values({ connector_id: connectorId, remote_path: remotePath, size: e.size, mtime, sha256, run_id: runId, fetched_at: this.clock.now(), ...(sameContent ? { outcome: 'same_content', voucher_id: sameContent.voucher_id } : {}) })
          .returning(['id', 'remote_path', 'size', 'sha256'])
          .executeTakeFirstOrThrow();
        if (sameContent) {
          // The bank re-published a file already taken (renamed or touched): nothing new for the pool.
          outcomes.same_content = (outcomes.same_content ?? 0) + 1;
          files.push({ remotePath, size: e.size, outcome: 'same_content', voucherId: sameContent.voucher_id });
          continue;
        }
        await ingestOne(rec, bytes);
      }
    } catch (e) {
      error = pin.presented
        ? `host key mismatch: ${c.host}:${c.port} presented SHA256:${pin.presented}, the connector pins SHA256:${c.host_key_sha256!.replace(/^SHA256:/, '').replace(/=+$/, '')} — refused before logging in, nothing fetched (if the bank changed its key, check the new fingerprint with the bank and update the connector)`
        : (e as Error).message + (dropped && !(e as Error).message.includes(dropped) ? ` (${dropped})` : '');
      failed++;
    } finally {
      await sftp.end().catch(() => undefined);
      // After a failed connect end() has nothing to close, but ssh2's socket may still be open: drop it.
      (sftp as unknown as { client?: { destroy?(): void } }).client?.destroy?.();
    }
    const finishedAt = this.clock.now();
    const fetched = files.filter((f) => f.outcome !== 'too_large').length;
    const status: 'ok' | 'failed' = error ? 'failed' : 'ok';
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('pool_connector_run').set({ status, finished_at: finishedAt, listed, fetched, skipped, failed, outcomes: JSON.stringify(outcomes), error }).where('id', '=', runId).execute();
      await this.audit.record(
        { actor: actor === 'system' ? 'system' : actor, action: 'pool.connector.run', targetType: 'pool_connector', targetId: connectorId, unitId: c.unit_id, ip, details: { runId, trigger, status, listed, fetched, skipped, failed, outcomes, error } },
        trx as never,
      );
    });
    if (error) this.log.warn(`connector ${c.name} (${connectorId}) run ${runId} failed: ${error}`);
    return { runId, connectorId, status, listed, fetched, skipped, failed, outcomes, files, error, startedAt, finishedAt };
  }

  /** Downloads one file whole into memory; a short or broken transfer throws and nothing of it is kept. */
  private async download(sftp: SftpClient, remotePath: string, size: number, hooks: RunHooks): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const stream = sftp.createReadStream(remotePath, {}) as NodeJS.ReadableStream & { destroy(e?: Error): void };
      stream.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_FILE_BYTES) stream.destroy(new Error(`${remotePath}: larger than ${MAX_FILE_BYTES} bytes`));
        chunks.push(chunk);
        hooks.onBytes?.(remotePath, received, size);
      });
      stream.on('error', reject);
      stream.on('close', () => resolve());
      stream.on('end', () => resolve());
    });
    if (received !== size) throw new AppError('transfer_incomplete', `${remotePath}: received ${received} of ${size} bytes (connection lost?); it will be fetched again`, 502, { remotePath, received, size });
    return new Uint8Array(Buffer.concat(chunks));
  }

  // ---- schedule ------------------------------------------------------------------------------------------------

  /** Every minute: queue a pull for each enabled connector whose schedule is due, and set its next time. */
  @Job({ name: 'pool.connectors.tick', cron: '* * * * *', policy: 'singleton' })
  async tick(): Promise<{ queued: number }> {
    const now = this.clock.now();
    const due = await this.db.selectFrom('pool_connector').select(['id', 'schedule_cron']).where('enabled', '=', true).where('schedule_cron', 'is not', null).where('next_run_at', '<=', now).execute();
    let queued = 0;
    for (const c of due) {
      await this.db.transaction().execute(async (trx) => {
        await trx.updateTable('pool_connector').set({ next_run_at: nextRun(c.schedule_cron!, now) }).where('id', '=', c.id).execute();
        if (await this.jobs.send('pool.connectors.pull', { connectorId: c.id }, { trx: trx as never, singletonKey: c.id })) queued++;
      });
    }
    return { queued };
  }

  @Job({ name: 'pool.connectors.pull', policy: 'stately', concurrency: 2, expireInSeconds: 3600 })
  async pullJob(data: { connectorId: string }): Promise<Omit<RunSummary, 'files'> & { files: number }> {
    const r = await this.run(data.connectorId, 'schedule');
    return { ...r, files: r.files.length };
  }
}

import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client, RETENTION_MODES } from 'minio';
import { systemClock, type Clock } from '../clock/clock';
import { NotFoundError, ValidationError } from '../errors/errors';
import { DigestAccumulator, digestingStream, digestsOf, type Digests } from './digests';
import {
  contentKey,
  IntegrityError,
  putEach,
  sha256OfKey,
  StorageError,
  validateKey,
  validateNamedKey,
  validatePrefix,
  validatePutOptions,
  writeOnceConflict,
  type GetOptions,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
  type StoreCapabilities,
  type VerifyResult,
} from './object-store';

export interface S3ObjectStoreOptions {
  endPoint: string;
  port: number;
  useSSL: boolean;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
  pathStyle: boolean;
  /** COMPLIANCE retention set on every new object when the bucket has object lock; 0 = none. */
  retentionDays: number;
  verifyOnRead: boolean;
  clock?: Clock;
  /** Where streamed uploads are spooled while their digest (and so their key) is computed; default os.tmpdir(). */
  spoolDir?: string;
}

/** Keys under this prefix are the adapter's own (the start-up probe); `validateKey` forbids dot-segments to users. */
const INTERNAL_PREFIX = '.evarchive/';
const PROBE_KEY = `${INTERNAL_PREFIX}conditional-put-probe`;

/** S3's limit for one PUT; the adapter never uses multipart (see the class comment). */
const MAX_SINGLE_PUT = 5 * 1024 ** 3;

const META_SHA256 = 'sha256';
const META_SM3 = 'sm3';
const META_FILENAME = 'filename';

type Body = { bytes: Uint8Array } | { file: string };

/**
 * Objects in one S3 bucket through the minio client (any S3-compatible server: AWS, MinIO, Ceph, S3Proxy).
 *
 * Uploads are one PUT each, never multipart: the SHA-256 we computed is what the request signs
 * (x-amz-content-sha256), so the server itself checks that it received exactly those bytes, and `If-None-Match: *`
 * (conditional put) applies to a single PUT everywhere it is supported. A stream is first spooled to a temp
 * file because its key is its digest, which is known only at the end; memory stays flat at any size
 * (the minio client's own putObject would buffer up to a 64 MiB part in memory).
 *
 * Write-once is enforced in three layers, as strong as the server allows: a HEAD before writing, a conditional
 * PUT where the server honours it, and object lock (COMPLIANCE retention) where the bucket has it, which stops
 * even an administrator from changing or deleting an original until the retention ends.
 */
export class S3ObjectStore implements ObjectStore {
  private conditionalPut: boolean | null = null;
  private objectLock = false;
  private readonly notes: string[] = [];
  private readonly clock: Clock;

  private constructor(
    private readonly client: Client,
    private readonly opts: S3ObjectStoreOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  /** Connects, creates the bucket when missing (with object lock where the server supports it) and probes. */
  static async open(opts: S3ObjectStoreOptions): Promise<S3ObjectStore> {
    const client = new Client({
      endPoint: opts.endPoint,
      port: opts.port,
      useSSL: opts.useSSL,
      accessKey: opts.accessKey,
      secretKey: opts.secretKey,
      region: opts.region,
      pathStyle: opts.pathStyle,
      // A retried PUT would resend an already consumed stream; failures surface and the caller retries put().
      retryOptions: { disableRetry: true },
    });
    const store = new S3ObjectStore(client, opts);
    await store.init();
    return store;
  }

  private where(): string {
    return `${this.opts.useSSL ? 'https' : 'http'}://${this.opts.endPoint}:${this.opts.port}/${this.opts.bucket}`;
  }

  private async init(): Promise<void> {
    const { bucket, region } = this.opts;
    try {
      if (!(await this.client.bucketExists(bucket))) {
        try {
          await this.client.makeBucket(bucket, region, { ObjectLocking: true });
        } catch (e) {
          if (s3code(e) === 'BucketAlreadyOwnedByYou') {
            // another process created it between our check and our request
          } else if (isUnsupported(e)) {
            this.notes.push(`the server refused to create bucket ${bucket} with object lock (${s3code(e)}); created it without`);
            await this.client.makeBucket(bucket, region).catch((e2) => {
              if (s3code(e2) !== 'BucketAlreadyOwnedByYou') throw e2;
            });
          } else throw e;
        }
      }
    } catch (e) {
      if (e instanceof StorageError) throw e;
      throw new StorageError(`cannot open bucket ${this.where()}: ${describe(e)}`, { bucket });
    }

    try {
      const cfg = await this.client.getObjectLockConfig(bucket);
      this.objectLock = (cfg as unknown as { objectLockEnabled?: string } | undefined)?.objectLockEnabled === 'Enabled';
      if (!this.objectLock) this.notes.push(`bucket ${bucket} has no object lock: originals are protected by write-once checks only`);
    } catch (e) {
      const code = s3code(e);
      // AWS answers ObjectLockConfigurationNotFoundError for a bucket without lock, some servers InvalidRequest;
      // only NotImplemented means the server has no object lock at all.
      if (code === 'NotImplemented') this.notes.push(`the server does not implement S3 object lock (${code}): no retention, originals are protected by write-once checks only`);
      else if (code === 'ObjectLockConfigurationNotFoundError' || code === 'InvalidRequest')
        this.notes.push(`bucket ${bucket} has no object lock (S3 enables it only when a bucket is created): originals are protected by write-once checks only`);
      else throw new StorageError(`cannot read the object-lock configuration of ${this.where()}: ${describe(e)}`, { bucket });
    }
    if (this.objectLock && this.opts.retentionDays === 0) this.notes.push('object lock is on but retentionDays is 0: objects get no retention of their own (the bucket default, if any, applies)');

    await this.probeConditionalPut();
  }

  /**
   * Two conditional PUTs of a tiny probe object: a server that honours `If-None-Match: *` refuses the second.
   * Knowing this at start lets `capabilities()` tell the admin whether concurrent named writes are race-free.
   */
  private async probeConditionalPut(): Promise<void> {
    const body = { bytes: Buffer.from('probe') };
    const d = digestsOf(body.bytes);
    const attempt = async () => {
      try {
        await this.rawPut(PROBE_KEY, body, d, { 'Content-Type': 'text/plain', 'If-None-Match': '*' });
        return 'written';
      } catch (e) {
        if (isPreconditionFailed(e)) return 'refused';
        if (isUnsupported(e)) return 'unsupported';
        throw new StorageError(`cannot write to ${this.where()}: ${describe(e)}`, { bucket: this.opts.bucket });
      }
    };
    await attempt();
    const second = await attempt();
    this.conditionalPut = second === 'refused';
    if (!this.conditionalPut) this.notes.push('the server ignores If-None-Match on PUT: two processes writing the same named object at the same moment cannot be told apart');
  }

  capabilities(): StoreCapabilities {
    return {
      driver: 's3',
      objectLock: this.objectLock,
      retentionDays: this.objectLock ? this.opts.retentionDays : 0,
      conditionalPut: this.conditionalPut,
      notes: [...this.notes],
    };
  }

  async put(content: Uint8Array | Readable, options: PutOptions): Promise<PutResult> {
    validatePutOptions(options);
    return this.store(undefined, content, options);
  }

  /** Each S3 PUT is durable when it returns; there is nothing to share across a batch but the round trips. */
  putMany(items: readonly { content: Uint8Array; options: PutOptions }[]): Promise<PutResult[]> {
    return putEach(this, items);
  }

  async putNamed(key: string, content: Uint8Array | Readable, options: PutOptions): Promise<PutResult> {
    validateNamedKey(key);
    validatePutOptions(options);
    return this.store(key, content, options);
  }

  private async store(named: string | undefined, content: Uint8Array | Readable, options: PutOptions): Promise<PutResult> {
    let spool: string | undefined;
    try {
      let body: Body;
      let d: Digests;
      if (content instanceof Uint8Array) {
        body = { bytes: content };
        d = digestsOf(content);
      } else {
        spool = await mkdtemp(join(this.opts.spoolDir ?? tmpdir(), 'evarchive-s3-spool-'));
        const file = join(spool, 'body');
        d = await spoolTo(file, content);
        body = { file };
      }
      if (d.size > MAX_SINGLE_PUT) {
        throw new ValidationError(`object of ${d.size} bytes exceeds the 5 GiB an S3 single PUT can take`, { size: d.size }, 'object_too_large');
      }
      const key = named ?? contentKey(d.sha256);
      const result = (created: boolean): PutResult => ({ key, sha256: d.sha256, sm3: d.sm3, size: d.size, created });

      const existing = await this.head(key);
      if (existing) {
        if (named && recordedSha256(existing) !== d.sha256) throw writeOnceConflict(key);
        // A retry after a put whose retention step failed completes it here.
        await this.ensureRetention(key, existing);
        return result(false);
      }

      const headers: Record<string, string> = {
        'Content-Type': options.mediaType,
        [`x-amz-meta-${META_SHA256}`]: d.sha256,
        [`x-amz-meta-${META_SM3}`]: d.sm3,
      };
      // Header values must be ASCII; Chinese file names are percent-encoded and decoded on stat().
      if (options.filename !== undefined) headers[`x-amz-meta-${META_FILENAME}`] = encodeURIComponent(options.filename);
      if (this.conditionalPut !== false) headers['If-None-Match'] = '*';
      const until = this.retainUntil();
      if (until) {
        headers['x-amz-object-lock-mode'] = 'COMPLIANCE';
        headers['x-amz-object-lock-retain-until-date'] = until.toISOString();
      }
      try {
        await this.rawPut(key, body, d, headers);
      } catch (e) {
        if (!isPreconditionFailed(e)) throw e;
        // Lost a race with another writer of the same key after our HEAD.
        const now = await this.head(key);
        if (named && (!now || recordedSha256(now) !== d.sha256)) throw writeOnceConflict(key);
        return result(false);
      }
      if (until) await this.ensureRetention(key, await this.head(key));
      return result(true);
    } catch (e) {
      if (e instanceof Error && 'code' in e && !(e as { status?: unknown }).status) {
        throw new StorageError(`storing to ${this.where()} failed: ${describe(e)}`, { bucket: this.opts.bucket });
      }
      throw e;
    } finally {
      if (spool) await rm(spool, { recursive: true, force: true });
    }
  }

  private async rawPut(key: string, body: Body, d: Digests, headers: Record<string, string>): Promise<void> {
    const res = await this.client.makeRequestStreamAsync(
      {
        method: 'PUT',
        bucketName: this.opts.bucket,
        objectName: key,
        headers: { ...headers, 'Content-Length': String(d.size), 'Content-MD5': d.md5 },
      },
      'bytes' in body ? Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength) : createReadStream(body.file, { highWaterMark: 1 << 20 }),
      // Signed payload hash over plain HTTP; over TLS the minio client signs UNSIGNED-PAYLOAD and wants ''.
      this.opts.useSSL ? '' : d.sha256,
      [200],
      this.opts.region,
    );
    res.resume();
  }

  /** When new objects' retention ends; undefined when the bucket has no object lock or none is configured. */
  private retainUntil(): Date | undefined {
    if (!this.objectLock || this.opts.retentionDays <= 0) return undefined;
    return new Date(this.clock.now().getTime() + this.opts.retentionDays * 86_400_000);
  }

  /**
   * Some servers accept an object-lock bucket but ignore the retention headers of a PUT (S3Mock does); the HEAD
   * after the PUT shows it, and PutObjectRetention sets it instead. Without this, such a server would leave
   * originals unprotected while capabilities() claimed retention.
   */
  private async ensureRetention(key: string, headers: IncomingHttpHeaders | undefined): Promise<void> {
    const until = this.retainUntil();
    if (!until || !headers) return;
    // An existing retention is never touched: re-putting an original must not extend (or shorten) its term.
    if (await this.retentionOf(key, headers)) return;
    try {
      await this.client.putObjectRetention(this.opts.bucket, key, {
        mode: RETENTION_MODES.COMPLIANCE,
        retainUntilDate: until.toISOString(),
        // The version just written (the HEAD's); '' on an unversioned server makes minio omit it.
        versionId: header(headers['x-amz-version-id']) ?? '',
      });
    } catch (e) {
      throw new StorageError(
        `object ${key} is stored but the server refused its COMPLIANCE retention (${describe(e)}); putting it again retries the retention`,
        { key },
      );
    }
  }

  /** The retention end of an object: from its HEAD headers, else asked for (some servers omit it from HEAD). */
  private async retentionOf(key: string, headers: IncomingHttpHeaders): Promise<Date | undefined> {
    const fromHead = header(headers['x-amz-object-lock-retain-until-date']);
    if (fromHead) return new Date(fromHead);
    if (!this.objectLock) return undefined;
    try {
      const r = (await this.client.getObjectRetention(this.opts.bucket, key, { versionId: header(headers['x-amz-version-id']) ?? '' })) as
        | { retainUntilDate?: string }
        | undefined;
      return r?.retainUntilDate ? new Date(r.retainUntilDate) : undefined;
    } catch (e) {
      // "No retention on this object": AWS says NoSuchObjectLockConfiguration, S3Mock a 404.
      if (s3code(e) === 'NoSuchObjectLockConfiguration' || isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** The object's raw response headers (minio's statObject drops the object-lock ones), undefined when absent. */
  private async head(key: string): Promise<IncomingHttpHeaders | undefined> {
    try {
      const res = await this.client.makeRequestAsync({ method: 'HEAD', bucketName: this.opts.bucket, objectName: key }, '', [200], this.opts.region);
      res.resume();
      return res.headers;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async open(key: string): Promise<IncomingMessage> {
    try {
      return await this.client.makeRequestAsync({ method: 'GET', bucketName: this.opts.bucket, objectName: key }, '', [200], this.opts.region);
    } catch (e) {
      if (isNotFound(e)) throw new NotFoundError(`object ${key} not found`, { key });
      throw new StorageError(`cannot read ${key} from ${this.where()}: ${describe(e)}`, { key });
    }
  }

  /** What the stored bytes must hash to: a content key names its SHA-256; SM3 comes from the metadata. */
  private expected(key: string, res: IncomingMessage): { sha256?: string; sm3?: string } {
    const h = res.headers;
    const recorded = header(h[`x-amz-meta-${META_SHA256}`]);
    return { sha256: sha256OfKey(key) ?? recorded, sm3: header(h[`x-amz-meta-${META_SM3}`]) };
  }

  private check(key: string, exp: { sha256?: string; sm3?: string }, d: Digests): IntegrityError | undefined {
    const actual = { sha256: d.sha256, sm3: d.sm3 };
    if (!exp.sha256) return new IntegrityError(key, { sha256: '(none recorded)' }, actual, `stored object ${key} has no recorded digest (written or replaced outside evarchive)`);
    if (exp.sha256 !== d.sha256 || (exp.sm3 !== undefined && exp.sm3 !== d.sm3)) return new IntegrityError(key, { sha256: exp.sha256, sm3: exp.sm3 }, actual);
    return undefined;
  }

  async get(key: string, options?: GetOptions): Promise<Buffer> {
    validateKey(key);
    const res = await this.open(key);
    const verify = options?.verify ?? this.opts.verifyOnRead;
    const chunks: Buffer[] = [];
    const acc = new DigestAccumulator();
    try {
      for await (const c of res) {
        chunks.push(c as Buffer);
        if (verify) acc.update(c as Buffer);
      }
    } catch (e) {
      throw new StorageError(`reading ${key} from ${this.where()} failed: ${describe(e)}`, { key });
    }
    if (verify) {
      const err = this.check(key, this.expected(key, res), acc.digest());
      if (err) throw err;
    }
    return Buffer.concat(chunks);
  }

  async getStream(key: string, options?: GetOptions): Promise<Readable> {
    validateKey(key);
    const res = await this.open(key);
    if (!(options?.verify ?? this.opts.verifyOnRead)) return res;
    const exp = this.expected(key, res);
    const out = digestingStream((d) => this.check(key, exp, d));
    res.once('error', (e) => out.destroy(e));
    return res.pipe(out);
  }

  async stat(key: string): Promise<ObjectInfo> {
    validateKey(key);
    let h: IncomingHttpHeaders | undefined;
    try {
      h = await this.head(key);
    } catch (e) {
      throw new StorageError(`cannot stat ${key} on ${this.where()}: ${describe(e)}`, { key });
    }
    if (!h) throw new NotFoundError(`object ${key} not found`, { key });
    const info: ObjectInfo = {
      key,
      size: Number(header(h['content-length']) ?? 0),
      mediaType: header(h['content-type']) ?? 'application/octet-stream',
      sha256: recordedSha256(h),
      sm3: header(h[`x-amz-meta-${META_SM3}`]) ?? '',
      storedAt: new Date(header(h['last-modified']) ?? 0),
    };
    const filename = header(h[`x-amz-meta-${META_FILENAME}`]);
    if (filename !== undefined) info.filename = decodeURIComponent(filename);
    if (this.objectLock) {
      try {
        const until = await this.retentionOf(key, h);
        if (until) info.retainUntil = until;
      } catch (e) {
        throw new StorageError(`cannot read the retention of ${key} on ${this.where()}: ${describe(e)}`, { key });
      }
    }
    return info;
  }

  async exists(key: string): Promise<boolean> {
    validateKey(key);
    try {
      return (await this.head(key)) !== undefined;
    } catch (e) {
      throw new StorageError(`cannot check ${key} on ${this.where()}: ${describe(e)}`, { key });
    }
  }

  async *list(prefix = ''): AsyncIterable<string> {
    validatePrefix(prefix);
    const stream = this.client.listObjectsV2(this.opts.bucket, prefix, true);
    const items = (stream as AsyncIterable<{ name?: string }>)[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<{ name?: string }>;
      try {
        next = await items.next();
      } catch (e) {
        throw new StorageError(`cannot list ${prefix || '(all)'} in ${this.where()}: ${describe(e)}`, { prefix });
      }
      if (next.done) return;
      const name = next.value.name;
      if (name && !name.startsWith(INTERNAL_PREFIX)) yield name;
    }
  }

  async verify(key: string): Promise<VerifyResult> {
    validateKey(key);
    const res = await this.open(key);
    const acc = new DigestAccumulator();
    try {
      for await (const c of res) acc.update(c as Buffer);
    } catch (e) {
      throw new StorageError(`reading ${key} from ${this.where()} failed: ${describe(e)}`, { key });
    }
    const d = acc.digest();
    const out: VerifyResult = { key, ok: true, sha256: d.sha256, sm3: d.sm3, size: d.size };
    const err = this.check(key, this.expected(key, res), d);
    return err ? { ...out, ok: false, problem: err.message } : out;
  }

  async close(): Promise<void> {
    // The minio client keeps only an HTTP agent; idle sockets close by themselves.
  }

  /** The minio client, for tests that must reach behind the store's back (tampering, retention checks). */
  get rawClient(): Client {
    return this.client;
  }
}

async function spoolTo(file: string, content: Readable): Promise<Digests> {
  const acc = new DigestAccumulator();
  const fh = await open(file, 'wx', 0o600);
  try {
    for await (const chunk of content) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
      acc.update(buf);
      let off = 0;
      while (off < buf.byteLength) off += (await fh.write(buf, off, buf.byteLength - off)).bytesWritten;
    }
  } finally {
    await fh.close();
  }
  return acc.digest();
}

function recordedSha256(h: IncomingHttpHeaders): string {
  return header(h[`x-amz-meta-${META_SHA256}`]) ?? '';
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function s3code(e: unknown): string {
  return String((e as { code?: unknown })?.code ?? '');
}

function isNotFound(e: unknown): boolean {
  const c = s3code(e);
  return c === 'NotFound' || c === 'NoSuchKey';
}

function isPreconditionFailed(e: unknown): boolean {
  const c = s3code(e);
  // 409 ConditionalRequestConflict: AWS's answer when a concurrent conditional write is still in flight.
  return c === 'PreconditionFailed' || c === 'ConditionalRequestConflict';
}

function isUnsupported(e: unknown): boolean {
  const c = s3code(e);
  return c === 'NotImplemented' || c === 'InvalidRequest' || c === 'InvalidArgument' || c === 'MalformedXML';
}

function describe(e: unknown): string {
  const code = s3code(e);
  const msg = (e as Error)?.message ?? String(e);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

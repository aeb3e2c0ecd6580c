/**
 * The object storage port: where the received originals (byte for byte, they carry the seals) and the derived
 * write-once artefacts (archive packages, reports) are kept. Two adapters: a local folder and S3.
 *
 * Originals are content-addressed: the key is derived from the SHA-256 of the bytes, so storing the same file
 * twice is a no-op and a key can never point at other bytes. SM3 is recorded beside SHA-256 because the
 * national archive rules (DA/T 70, GB/T 39784) ask for the SM3 fixity value; SHA-256 names the object because it
 * is what every S3 server can check on upload.
 */
import type { Readable } from 'node:stream';
import { AppError, ConflictError, ValidationError } from '../errors/errors';

export interface PutOptions {
  /** IANA media type as received, e.g. `application/pdf`, `application/ofd`. */
  mediaType: string;
  /** The name the file arrived under; kept as a hint for downloads, never used to build a path. */
  filename?: string;
}

export interface PutResult {
  key: string;
  /** Lower-case hex. */
  sha256: string;
  /** Lower-case hex. */
  sm3: string;
  size: number;
  /** false when the object was already there (same content, or the same named object): nothing was written. */
  created: boolean;
}

export interface ObjectInfo {
  key: string;
  size: number;
  mediaType: string;
  filename?: string;
  /** Digests recorded when the object was stored (not recomputed; `verify` does that). */
  sha256: string;
  sm3: string;
  /** When the object was written (file mtime / S3 Last-Modified). */
  storedAt: Date;
  /** S3 with object lock: the COMPLIANCE retention end; absent when the store has no retention. */
  retainUntil?: Date;
}

export interface GetOptions {
  /** Recompute the digests and refuse mismatching bytes; defaults to the store's `verifyOnRead` setting. */
  verify?: boolean;
}

export interface VerifyResult {
  key: string;
  /** true when the recomputed digests equal the recorded ones (and, for content keys, the key itself). */
  ok: boolean;
  /** Recomputed from the stored bytes. */
  sha256: string;
  sm3: string;
  size: number;
  /** Why `ok` is false, in words for the fixity report. */
  problem?: string;
}

export interface StoreCapabilities {
  driver: 'local' | 's3';
  /** Objects cannot be changed or deleted by anyone until their retention ends (S3 object lock, COMPLIANCE). */
  objectLock: boolean;
  /** Days of retention set on each new object; 0 when there is no object lock or none is configured. */
  retentionDays: number;
  /**
   * The server refuses a PUT over an existing key (`If-None-Match: *`), closing the race between two writers of
   * a named object. null: not learned yet (S3 learns it on the first write). Local: always true (link(2)).
   */
  conditionalPut: boolean | null;
  /** Human-readable notes on what is missing and what that means, for the start-up log and the admin page. */
  notes: string[];
}

export interface ObjectStore {
  /** Store an original under its content key. Idempotent: the same bytes again return `created: false`. */
  put(content: Uint8Array | Readable, options: PutOptions): Promise<PutResult>;
  /**
   * Store a derived object under a chosen key (e.g. `packages/<volume>/<name>.zip`). Write-once: an existing key
   * with other content throws `ConflictError` (code `write_once`); the same content returns `created: false`, so
   * a caller that crashed after storing can safely retry.
   */
  putNamed(key: string, content: Uint8Array | Readable, options: PutOptions): Promise<PutResult>;
  /**
   * Store several originals under their content keys; the results are in the order given. Every object is
   * durable when the promise resolves (a caller may then record the keys), but the store may share the cost of
   * that across the batch (the local folder fsyncs all files, then all folders, once per batch, instead of one
   * file after the other). On failure nothing may be recorded: some objects may be stored, which is harmless.
   */
  putMany(items: readonly { content: Uint8Array; options: PutOptions }[]): Promise<PutResult[]>;
  /** The whole object in memory; use `getStream` for anything large. */
  get(key: string, options?: GetOptions): Promise<Buffer>;
  /**
   * The object as a stream. With verification on, a digest mismatch surfaces as an `IntegrityError` emitted
   * by the stream after the last byte: consumers must treat what they read as untrusted until the stream ends.
   */
  getStream(key: string, options?: GetOptions): Promise<Readable>;
  /** @throws NotFoundError */
  stat(key: string): Promise<ObjectInfo>;
  exists(key: string): Promise<boolean>;
  /** Keys under a prefix (`''` = all), in no particular order. */
  list(prefix?: string): AsyncIterable<string>;
  /** Recompute both digests from the stored bytes, for the scheduled fixity sweep. Never throws on mismatch. */
  verify(key: string): Promise<VerifyResult>;
  capabilities(): StoreCapabilities;
  /**
   * A folder of this machine that other threads of the process may store originals into directly with
   * `putOriginalDirect` (local-direct-write.ts), with the same guarantees as `putMany`; absent for remote stores.
   */
  localFolder?(): string;
  /** Release connections / temp files; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** The stored bytes no longer match their recorded digests (bit rot, tampering). */
export class IntegrityError extends AppError {
  constructor(
    readonly key: string,
    readonly expected: { sha256: string; sm3?: string },
    readonly actual: { sha256: string; sm3: string },
    reason?: string,
  ) {
    super(
      'digest_mismatch',
      reason ?? `stored object ${key} is corrupt: recorded SHA-256 ${expected.sha256}${expected.sm3 ? ` / SM3 ${expected.sm3}` : ''}, the bytes hash to ${actual.sha256} / ${actual.sm3}`,
      500,
      { key, expected, actual },
    );
  }
}

/** The storage backend failed (disk full, server unreachable, permission); nothing was stored. */
export class StorageError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('storage_failed', message, 503, details);
  }
}

/** `putMany` for stores whose single PUT is already as cheap as it gets: a few at a time, in order. */
export function putEach(store: ObjectStore, items: readonly { content: Uint8Array; options: PutOptions }[], inFlight = 4): Promise<PutResult[]> {
  return mapLimit(items, inFlight, (it) => store.put(it.content, it.options));
}

/** `fn` over `items`, at most `limit` at once; results in the order of `items`. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export function writeOnceConflict(key: string): ConflictError {
  return new ConflictError(`object ${key} already exists with other content and is write-once`, { key }, 'write_once');
}

/** Content keys: `sha256/ab/cd/<64 hex>`; two levels of fan-out keep folders small at millions of files. */
const CONTENT_KEY = /^sha256\/([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{64})$/;

export function contentKey(sha256: string): string {
  return `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

/** The SHA-256 a content key promises, or undefined for a named key. */
export function sha256OfKey(key: string): string | undefined {
  const m = CONTENT_KEY.exec(key);
  return m && m[3].startsWith(m[1] + m[2]) ? m[3] : undefined;
}

const SEGMENT = /^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9\u4e00-\u9fff._+=@-]*$/;

/**
 * Keys are `/`-separated relative paths whose segments are plain names. Rejected: empty keys, absolute paths,
 * `.`/`..`, backslashes, control characters, segments starting with a dot (the local store keeps its own
 * bookkeeping in dot-folders) and anything over 512 bytes (S3 allows 1024; we leave room for prefixes).
 */
export function validateKey(key: unknown, what = 'key'): string {
  if (typeof key !== 'string' || key.length === 0) throw new ValidationError(`${what} must be a non-empty string`, { key }, 'invalid_key');
  if (Buffer.byteLength(key) > 512) throw new ValidationError(`${what} is longer than 512 bytes`, { key }, 'invalid_key');
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) throw new ValidationError(`${what} "${key}" must be relative, not absolute`, { key }, 'invalid_key');
  for (const seg of key.split('/')) {
    if (!SEGMENT.test(seg)) throw new ValidationError(`${what} "${key}" has an invalid path segment "${seg}"`, { key }, 'invalid_key');
  }
  return key;
}

/** Prefixes follow the key rules but may be empty or end with `/`. */
export function validatePrefix(prefix: string): string {
  if (prefix === '') return prefix;
  validateKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix, 'prefix');
  return prefix;
}

/** Named keys must not pretend to be content keys: `sha256/…` is reserved for `put`. */
export function validateNamedKey(key: string): string {
  validateKey(key);
  if (key === 'sha256' || key.startsWith('sha256/')) {
    throw new ValidationError(`key "${key}" is reserved for content-addressed originals; use put()`, { key }, 'invalid_key');
  }
  return key;
}

export function validatePutOptions(options: PutOptions): void {
  if (!options || typeof options.mediaType !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(options.mediaType)) {
    throw new ValidationError(`mediaType must be a media type such as application/pdf, got ${JSON.stringify(options?.mediaType)}`);
  }
  if (options.filename !== undefined && (typeof options.filename !== 'string' || options.filename.length > 255)) {
    throw new ValidationError('filename must be a string of at most 255 characters');
  }
}

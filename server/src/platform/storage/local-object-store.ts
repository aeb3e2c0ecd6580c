import { randomBytes } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import { link, mkdir, open, opendir, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { NotFoundError } from '../errors/errors';
import { DigestAccumulator, digestingStream, type Digests } from './digests';
import { contentPath, META_DIR, metaPath, parentsToSync, TMP_DIR, TMP_SUFFIX } from './local-direct-write';
import {
  contentKey,
  mapLimit,
  IntegrityError,
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

export interface LocalObjectStoreOptions {
  /** Folder that holds the objects; created when missing. */
  root: string;
  verifyOnRead?: boolean;
}

/** Recorded beside each object in `.meta/`, because a plain file has nowhere else to keep SM3 and the media type. */
interface MetaRecord {
  v: 1;
  sha256: string;
  sm3: string;
  size: number;
  mediaType: string;
  filename?: string;
}


/**
 * Objects as files under one folder: `<root>/<key>` holds the bytes, `<root>/.meta/<key>.json` the digests and
 * media type, `<root>/.tmp/` the files being written (same filesystem, so the final step is atomic).
 *
 * A write goes to a temp file, is fsynced and made read-only, then hard-linked to its final name. link(2) fails
 * when the name exists instead of replacing it (rename(2) would silently overwrite), which gives write-once
 * and lets concurrent writers of the same content race safely: one link wins, the rest see EEXIST. The folder is
 * fsynced so the new name survives a power cut. A crash leaves at most a `.part` file in `.tmp/`, which readers
 * never look at and `cleanupTemp()` removes.
 */
export class LocalObjectStore implements ObjectStore {
  private readonly root: string;
  private readonly verifyOnRead: boolean;

  private constructor(opts: LocalObjectStoreOptions) {
    this.root = opts.root;
    this.verifyOnRead = opts.verifyOnRead ?? false;
  }

  static async open(opts: LocalObjectStoreOptions): Promise<LocalObjectStore> {
    try {
      await mkdir(join(opts.root, TMP_DIR), { recursive: true });
      await mkdir(join(opts.root, META_DIR), { recursive: true });
    } catch (e) {
      throw new StorageError(`cannot create the object folder ${opts.root}: ${(e as Error).message}`, { root: opts.root });
    }
    return new LocalObjectStore(opts);
  }

  capabilities(): StoreCapabilities {
    return {
      driver: 'local',
      objectLock: false,
      retentionDays: 0,
      conditionalPut: true,
      notes: [
        'local folder: files are read-only (0444) and never overwritten by evarchive, but anyone with write access to the folder can still change or delete them; the fixity sweep (verify) detects changes',
      ],
    };
  }

  async put(content: Uint8Array | Readable, options: PutOptions): Promise<PutResult> {
    validatePutOptions(options);
    return this.store(undefined, content, options);
  }

  async putNamed(key: string, content: Uint8Array | Readable, options: PutOptions): Promise<PutResult> {
    validateNamedKey(key);
    validatePutOptions(options);
    return this.store(key, content, options);
  }

  /**
   * A batch of originals with the fsyncs shared instead of paid one file after the other: every temp file (bytes
   * and metadata) is written, then all are fsynced together (concurrent fsyncs on one filesystem share its
   * journal commits), made read-only and linked to their names, and each folder that got a new name is fsynced
   * once. As in `put`, a name only ever appears after its bytes are durable, and everything is durable when the
   * promise resolves.
   */
  async putMany(items: readonly { content: Uint8Array; options: PutOptions }[]): Promise<PutResult[]> {
    for (const it of items) validatePutOptions(it.options);
    const temps: string[] = [];
    const tempOf = (suffix: string) => {
      const t = join(this.root, TMP_DIR, `${randomBytes(12).toString('hex')}${suffix}`);
      temps.push(t);
      return t;
    };
    try {
      // 1. Bytes to temp files, digested on the way, not yet synced.
      const staged = await mapLimit(items, 8, async ({ content, options }) => {
        const tmp = tempOf(TMP_SUFFIX);
        const d = await this.writeTemp(tmp, content, false);
        const key = contentKey(d.sha256);
        const meta: MetaRecord = { v: 1, sha256: d.sha256, sm3: d.sm3, size: d.size, mediaType: options.mediaType };
        if (options.filename !== undefined) meta.filename = options.filename;
        return { tmp, d, key, path: this.pathOf(key), meta };
      });
      // 2. Metadata temp files for the keys that have none yet (one per key, however often the batch repeats it).
      const metas = new Map<string, { tmp: string; path: string }>();
      for (const s of staged) {
        if (metas.has(s.key) || (await fileExists(this.metaPathOf(s.key)))) continue;
        const tmp = tempOf(`.meta${TMP_SUFFIX}`);
        metas.set(s.key, { tmp, path: this.metaPathOf(s.key) });
        await writeFileOnce(tmp, Buffer.from(JSON.stringify(s.meta)), 0o444);
      }
      // 3. One round of fsyncs over every temp file, and the folders the names go into.
      await mapLimit([...staged.map((s) => s.tmp), ...[...metas.values()].map((m) => m.tmp)], 32, fsyncPath);
      const parents = new Set<string>();
      for (const dir of new Set([...staged.map((s) => dirname(s.path)), ...[...metas.values()].map((m) => dirname(m.path))])) {
        for (const p of await this.createDirs(dir)) parents.add(p);
      }
      // 4. The names (write-once: an existing name is the same content, by its key), then their folders, synced.
      const synced = new Set(parents);
      const created = new Set<string>();
      for (const s of staged) {
        if (await linkOnce(s.tmp, s.path)) {
          created.add(s.path);
          synced.add(dirname(s.path));
        }
      }
      for (const m of metas.values()) if (await linkOnce(m.tmp, m.path)) synced.add(dirname(m.path));
      await mapLimit([...synced], 32, fsyncPath);
      return staged.map((s) => {
        const mine = created.delete(s.path);
        return { key: s.key, sha256: s.d.sha256, sm3: s.d.sm3, size: s.d.size, created: mine };
      });
    } catch (e) {
      if (e instanceof Error && 'code' in e && typeof (e as NodeJS.ErrnoException).errno === 'number') {
        throw new StorageError(`storing to ${this.root} failed: ${e.message}`, { root: this.root });
      }
      throw e;
    } finally {
      await mapLimit(temps, 32, (t) => unlink(t).catch(() => undefined));
    }
  }

  private async store(named: string | undefined, content: Uint8Array | Readable, options: PutOptions): Promise<PutResult> {
    const tmp = join(this.root, TMP_DIR, `${randomBytes(12).toString('hex')}${TMP_SUFFIX}`);
    try {
      const d = await this.writeTemp(tmp, content);
      const key = named ?? contentKey(d.sha256);
      const path = this.pathOf(key);
      const meta: MetaRecord = { v: 1, sha256: d.sha256, sm3: d.sm3, size: d.size, mediaType: options.mediaType };
      if (options.filename !== undefined) meta.filename = options.filename;

      await this.mkdirs(dirname(path));
      let created: boolean;
      try {
        await link(tmp, path);
        created = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        created = false;
      }
      if (created) {
        await fsyncPath(dirname(path));
      } else if (named) {
        const existing = await this.readMeta(key);
        const existingSha = existing?.sha256 ?? (await this.digestFile(key)).sha256;
        if (existingSha !== d.sha256) throw writeOnceConflict(key);
      }
      // Also when created is false: the winner of a race may not have recorded the metadata yet, or a crash
      // may have struck between the two links. Whoever links the metadata first wins; the digests agree.
      await this.ensureMeta(key, meta);
      return { key, sha256: d.sha256, sm3: d.sm3, size: d.size, created };
    } catch (e) {
      if (e instanceof Error && 'code' in e && typeof (e as NodeJS.ErrnoException).errno === 'number') {
        throw new StorageError(`storing to ${this.root} failed: ${e.message}`, { root: this.root });
      }
      throw e;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  /**
   * Writes and digests in one pass, fsyncs (unless the caller syncs a whole batch later) and makes the file
   * read-only before it can get a public name.
   */
  private async writeTemp(tmp: string, content: Uint8Array | Readable, sync = true): Promise<Digests> {
    const acc = new DigestAccumulator();
    const fh = await open(tmp, 'wx', 0o600);
    try {
      if (content instanceof Uint8Array) {
        acc.update(content);
        await writeAll(fh, content);
      } else {
        for await (const chunk of content) {
          const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
          acc.update(buf);
          await writeAll(fh, buf);
        }
      }
      if (sync) await fh.sync();
      await fh.chmod(0o444);
    } finally {
      await fh.close();
    }
    return acc.digest();
  }

  private async ensureMeta(key: string, meta: MetaRecord): Promise<void> {
    const metaPath = this.metaPathOf(key);
    if (await fileExists(metaPath)) return;
    await this.mkdirs(dirname(metaPath));
    const tmp = join(this.root, TMP_DIR, `${randomBytes(12).toString('hex')}.meta${TMP_SUFFIX}`);
    try {
      const fh = await open(tmp, 'wx', 0o444);
      try {
        await writeAll(fh, Buffer.from(JSON.stringify(meta)));
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await link(tmp, metaPath);
        await fsyncPath(dirname(metaPath));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  private async readMeta(key: string): Promise<MetaRecord | undefined> {
    let text: string;
    try {
      text = await readFile(this.metaPathOf(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StorageError(`metadata of ${key} is unreadable: ${(e as Error).message}`, { key });
    }
    try {
      return JSON.parse(text) as MetaRecord;
    } catch (e) {
      // An original's sidecar is a cache (written without a sync of its own, see local-direct-write.ts): torn by
      // a crash, it is as good as missing, and the key still vouches for the bytes.
      if (sha256OfKey(key)) return undefined;
      throw new StorageError(`metadata of ${key} is unreadable: ${(e as Error).message}`, { key });
    }
  }

  /**
   * Recorded digests. Metadata missing (a crash between the two links) is rebuilt for content keys whose bytes
   * still match the key, since the key itself vouches for them; a named object without metadata has nothing
   * to vouch for it and gets none (reads with verification then refuse it, as S3 does).
   */
  private async metaOf(key: string): Promise<MetaRecord | undefined> {
    const existing = await this.readMeta(key);
    if (existing) return existing;
    const keySha = sha256OfKey(key);
    if (!keySha) return undefined;
    const d = await this.digestFile(key);
    if (d.sha256 !== keySha) return undefined;
    const rebuilt: MetaRecord = { v: 1, sha256: d.sha256, sm3: d.sm3, size: d.size, mediaType: 'application/octet-stream' };
    await this.ensureMeta(key, rebuilt);
    // A torn sidecar stays (write-once); the digests just computed stand in for it.
    return (await this.readMeta(key)) ?? rebuilt;
  }

  private expected(key: string, meta: MetaRecord | undefined): { sha256?: string; sm3?: string } {
    return { sha256: sha256OfKey(key) ?? meta?.sha256, sm3: meta?.sm3 };
  }

  private check(key: string, exp: { sha256?: string; sm3?: string }, d: Digests): IntegrityError | undefined {
    const actual = { sha256: d.sha256, sm3: d.sm3 };
    if (!exp.sha256) return new IntegrityError(key, { sha256: '(none recorded)' }, actual, `stored object ${key} has no recorded digest (interrupted write?)`);
    if (exp.sha256 !== d.sha256 || (exp.sm3 !== undefined && exp.sm3 !== d.sm3)) return new IntegrityError(key, { sha256: exp.sha256, sm3: exp.sm3 }, actual);
    return undefined;
  }

  async get(key: string, options?: GetOptions): Promise<Buffer> {
    validateKey(key);
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(key));
    } catch (e) {
      throw this.readError(key, e);
    }
    if (options?.verify ?? this.verifyOnRead) {
      const acc = new DigestAccumulator();
      acc.update(bytes);
      const err = this.check(key, this.expected(key, await this.metaOf(key)), acc.digest());
      if (err) throw err;
    }
    return bytes;
  }

  async getStream(key: string, options?: GetOptions): Promise<Readable> {
    validateKey(key);
    let fh: FileHandle;
    try {
      // Opening first turns a missing object into NotFoundError here rather than a stream error later.
      fh = await open(this.pathOf(key), 'r');
    } catch (e) {
      throw this.readError(key, e);
    }
    if (!(options?.verify ?? this.verifyOnRead)) return fh.createReadStream({ highWaterMark: 1 << 20 });
    let exp: { sha256?: string; sm3?: string };
    try {
      exp = this.expected(key, await this.metaOf(key));
    } catch (e) {
      await fh.close();
      throw e;
    }
    const raw = fh.createReadStream({ highWaterMark: 1 << 20 });
    const check = digestingStream((d) => this.check(key, exp, d));
    raw.once('error', (e) => check.destroy(e));
    return raw.pipe(check);
  }

  async stat(key: string): Promise<ObjectInfo> {
    validateKey(key);
    let st;
    try {
      st = await stat(this.pathOf(key));
    } catch (e) {
      throw this.readError(key, e);
    }
    if (!st.isFile()) throw new NotFoundError(`object ${key} not found`, { key });
    const meta = await this.metaOf(key);
    const info: ObjectInfo = {
      key,
      size: st.size,
      mediaType: meta?.mediaType ?? 'application/octet-stream',
      sha256: meta?.sha256 ?? '',
      sm3: meta?.sm3 ?? '',
      storedAt: st.mtime,
    };
    if (meta?.filename !== undefined) info.filename = meta.filename;
    return info;
  }

  async exists(key: string): Promise<boolean> {
    validateKey(key);
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
      throw new StorageError(`cannot check ${key}: ${(e as Error).message}`, { key });
    }
  }

  async *list(prefix = ''): AsyncIterable<string> {
    validatePrefix(prefix);
    // Start the walk at the deepest folder the prefix names completely; filter the rest by string prefix.
    const cut = prefix.lastIndexOf('/');
    const base = cut < 0 ? '' : prefix.slice(0, cut);
    const start = base ? join(this.root, ...base.split('/')) : this.root;
    for await (const path of walk(start, start === this.root)) {
      const key = relative(this.root, path).split(sep).join('/');
      if (key.startsWith(prefix)) yield key;
    }
  }

  async verify(key: string): Promise<VerifyResult> {
    validateKey(key);
    const d = await this.digestFile(key);
    const meta = await this.readMeta(key);
    const res: VerifyResult = { key, ok: true, sha256: d.sha256, sm3: d.sm3, size: d.size };
    const keySha = sha256OfKey(key);
    if (keySha && keySha !== d.sha256) return { ...res, ok: false, problem: `bytes hash to SHA-256 ${d.sha256}, the key promises ${keySha}` };
    if (!meta) {
      if (keySha) return res;
      return { ...res, ok: false, problem: 'no digests were recorded for this object (interrupted write?); cannot tell whether it changed' };
    }
    if (meta.sha256 !== d.sha256) return { ...res, ok: false, problem: `recorded SHA-256 ${meta.sha256}, bytes hash to ${d.sha256}` };
    if (meta.sm3 !== d.sm3) return { ...res, ok: false, problem: `recorded SM3 ${meta.sm3}, bytes hash to ${d.sm3}` };
    if (meta.size !== d.size) return { ...res, ok: false, problem: `recorded size ${meta.size}, found ${d.size} bytes` };
    return res;
  }

  /**
   * Removes temp files left by crashed writers. Only files older than `olderThanMs` go, so writes in flight in
   * other processes sharing the folder are left alone. Returns how many were removed.
   */
  async cleanupTemp(olderThanMs = 60 * 60 * 1000): Promise<number> {
    const dir = join(this.root, TMP_DIR);
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for await (const ent of await opendir(dir)) {
      if (!ent.isFile() || !ent.name.endsWith(TMP_SUFFIX)) continue;
      const p = join(dir, ent.name);
      try {
        if ((await stat(p)).mtimeMs <= cutoff) {
          await unlink(p);
          removed++;
        }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }

  /** Absolute path of an object. Validation already ruled out `..` and absolute keys; this is a second fence. */
  pathOf(key: string): string {
    const p = contentPath(this.root, key);
    if (!p.startsWith(this.root + sep)) throw new StorageError(`key ${key} escapes the object folder`, { key });
    return p;
  }

  private metaPathOf(key: string): string {
    return metaPath(this.root, key);
  }

  /** The folder, for threads of this process that store originals with `putOriginalDirect` (same protocol). */
  localFolder(): string {
    return this.root;
  }

  private async digestFile(key: string): Promise<Digests> {
    const acc = new DigestAccumulator();
    try {
      for await (const chunk of createReadStream(this.pathOf(key), { highWaterMark: 1 << 20 })) acc.update(chunk as Buffer);
    } catch (e) {
      throw this.readError(key, e);
    }
    return acc.digest();
  }

  /** A new folder is durable only once the entry in its parent is: fsync each parent of the folders created. */
  private async mkdirs(dir: string): Promise<void> {
    for (const p of await this.createDirs(dir)) await fsyncPath(p);
  }

  /** Creates `dir` and any missing parents; returns the folders whose entries changed (to be fsynced). */
  private async createDirs(dir: string): Promise<string[]> {
    return parentsToSync(dir, await mkdir(dir, { recursive: true }));
  }

  private readError(key: string, e: unknown): Error {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return new NotFoundError(`object ${key} not found`, { key });
    return new StorageError(`cannot read ${key}: ${(e as Error).message}`, { key });
  }
}

async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.byteLength) {
    const { bytesWritten } = await fh.write(bytes, off, bytes.byteLength - off);
    off += bytesWritten;
  }
}

/** link(2) that reports whether this call made the name (false: it existed, write-once). */
async function linkOnce(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return false;
  }
}

async function writeFileOnce(path: string, bytes: Uint8Array, mode: number): Promise<void> {
  const fh = await open(path, 'wx', mode);
  try {
    await writeAll(fh, bytes);
  } finally {
    await fh.close();
  }
}

/** fsync by name: of a folder, or of a file written and closed earlier (its page cache is the file's, not the descriptor's). */
async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function fileExists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Files below `dir`; at the root, the store's own dot-folders are skipped. */
async function* walk(dir: string, isRoot: boolean): AsyncGenerator<string> {
  let entries: Dirent[];
  try {
    const d = await opendir(dir);
    entries = [];
    for await (const e of d) entries.push(e);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw e;
  }
  for (const e of entries) {
    if (isRoot && e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p, false);
    else if (e.isFile()) yield p;
  }
}

/**
 * The local object store's write protocol for originals (content keys), for any thread of the process: the
 * ingest pipeline's reader threads store each original right after reading it, so the main thread does no
 * file-system work per voucher. Every call is asynchronous (libuv's thread pool): on a journalling file system even
 * an open or a mkdir can wait for the journal while other writers sync, and the calling thread goes on parsing
 * the next file meanwhile.
 *
 * The same guarantees as `LocalObjectStore.put`: the bytes go to a temp file in `.tmp/`, are synced, then
 * hard-linked to their content key (link(2) never replaces a name, so concurrent writers of the same content
 * race safely) and the folder that got the name is synced, so a name only appears once its bytes are durable and
 * the name itself survives a power cut. A content key that already exists is the same content and is not
 * written again.
 *
 * The metadata sidecar (`.meta/<key>.json`: SHA-256, SM3, size, media type) is a cache for content keys — the
 * key vouches for the bytes and the digests can be recomputed from them, which `LocalObjectStore` does when a
 * sidecar is missing or torn — so it is written once, in place, without a sync of its own.
 */
import { closeSync, fdatasync, fsync, linkSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { digestsOf } from './digests';
import { contentKey, StorageError, validatePutOptions, type PutOptions, type PutResult } from './object-store';

export const TMP_DIR = '.tmp';
export const META_DIR = '.meta';
export const TMP_SUFFIX = '.part';

export function contentPath(root: string, key: string): string {
  return join(root, ...key.split('/'));
}

export function metaPath(root: string, key: string): string {
  return join(root, META_DIR, ...key.split('/')) + '.json';
}

const fdatasyncP = promisify(fdatasync);
const fsyncP = promisify(fsync);

export async function putOriginalDirect(root: string, bytes: Uint8Array, options: PutOptions): Promise<PutResult> {
  validatePutOptions(options);
  const d = digestsOf(bytes);
  const key = contentKey(d.sha256);
  const path = contentPath(root, key);
  const tmp = join(root, TMP_DIR, `${randomBytes(12).toString('hex')}${TMP_SUFFIX}`);
  let created = false;
  let staged = false;
  try {
    if (!isFile(path)) {
      const fd = openSync(tmp, 'wx', 0o444);
      staged = true;
      try {
        for (let off = 0; off < bytes.byteLength; ) off += writeSync(fd, bytes, off, bytes.byteLength - off);
        await fdatasyncP(fd);
      } finally {
        closeSync(fd);
      }
      await Promise.all(makeDirs(dirname(path)).map(syncPath));
      try {
        linkSync(tmp, path);
        created = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      if (created) await syncPath(dirname(path));
    }
    writeMetaOnce(root, key, { v: 1, sha256: d.sha256, sm3: d.sm3, size: d.size, mediaType: options.mediaType, ...(options.filename !== undefined ? { filename: options.filename } : {}) });
  } catch (e) {
    if (e instanceof Error && typeof (e as NodeJS.ErrnoException).errno === 'number') {
      throw new StorageError(`storing to ${root} failed: ${e.message}`, { root });
    }
    throw e;
  } finally {
    if (staged) tryUnlink(tmp);
  }
  return { key, sha256: d.sha256, sm3: d.sm3, size: d.size, created };
}

function writeMetaOnce(root: string, key: string, meta: object): void {
  const p = metaPath(root, key);
  if (isFile(p)) return;
  makeDirs(dirname(p));
  let fd: number;
  try {
    fd = openSync(p, 'wx', 0o444);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw e;
  }
  try {
    const b = Buffer.from(JSON.stringify(meta));
    for (let off = 0; off < b.byteLength; ) off += writeSync(fd, b, off, b.byteLength - off);
  } finally {
    closeSync(fd);
  }
}

function makeDirs(dir: string): string[] {
  return parentsToSync(dir, mkdirSync(dir, { recursive: true }));
}

/**
 * After `mkdir -p dir` created `first` (the topmost new folder; undefined when nothing was created): the folders
 * whose entries changed — the parent of each new folder — which must be synced for the new folders to survive a
 * power cut.
 */
export function parentsToSync(dir: string, first: string | undefined): string[] {
  if (!first) return [];
  const stop = dirname(first);
  const out: string[] = [];
  for (let p = dir; ; p = dirname(p)) {
    out.push(dirname(p));
    if (dirname(p) === stop || p === dirname(p)) break;
  }
  return out;
}

async function syncPath(p: string): Promise<void> {
  const fd = openSync(p, 'r');
  try {
    await fsyncP(fd);
  } finally {
    closeSync(fd);
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

function tryUnlink(p: string): void {
  try {
    unlinkSync(p);
  } catch {
  }
}

/**
 * The files named on a command line: files as given, folders walked recursively in name order. Symbolic links
 * are followed, but every real folder is walked once and every real file listed once, so a link back to a
 * parent (`ln -s .. up`) cannot make the walk endless or list a file twice. Paths that cannot be read are
 * collected with the reason in words, for the command to report.
 *
 * Names are read as bytes: a folder copied from an old Windows share or zip holds names in GBK, which a string
 * readdir turns into U+FFFD (the file can then not be opened at all). Each file is found by its exact byte path
 * (`path`, for opening it) and shown by a name decoded per path component (`name`): UTF-8 when the bytes are
 * valid UTF-8, else GB18030 (a superset of GBK and GB2312), else UTF-8 with U+FFFD for what neither reads.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export interface CollectOptions {
  /** Leave out names starting with "." inside folders (editor and OS droppings); a path named outright is kept. */
  skipHidden?: boolean;
}

export interface FoundFile {
  /** The exact bytes of the path: open the file with this. */
  path: Buffer;
  /** The path for people (logs, outcome lines, the recorded file name); unique within one walk. */
  name: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const gb18030 = new TextDecoder('gb18030', { fatal: true });
const lossy = new TextDecoder('utf-8');
const SEP = Buffer.from(path.sep);

/** One name's bytes in words: UTF-8 if valid, else GB18030 (GBK), else UTF-8 with U+FFFD. */
export function decodeName(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    try {
      return gb18030.decode(bytes);
    } catch {
      return lossy.decode(bytes);
    }
  }
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** A whole path for people, each component decoded on its own (a UTF-8 parent folder may hold GBK names). */
export function displayPath(p: Buffer): string {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= p.length; i++) {
    if (i === p.length || p[i] === SEP[0]) {
      parts.push(decodeName(p.subarray(start, i)));
      start = i + 1;
    }
  }
  return parts.join(path.sep);
}

/** Bytes outside ASCII as %XX: a lossless spelling for a name whose decoding another name in its folder already has. */
function escapedName(bytes: Buffer): string {
  let s = '';
  for (const b of bytes) s += b < 0x80 && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return s;
}

export function collectFiles(paths: string[], opts: CollectOptions = {}): { files: FoundFile[]; unreadable: string[] } {
  const files: FoundFile[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();
  const walk = (p: Buffer, name: string) => {
    let st;
    let real: Buffer;
    try {
      st = statSync(p);
      // The native realpath: the JavaScript one turns the path into a string on the way (GBK bytes lost: ENOENT).
      real = realpathSync.native(p, { encoding: 'buffer' });
    } catch (e) {
      unreadable.push(`${name}: ${readError(e)}`);
      return;
    }
    const key = real.toString('latin1');
    if (seen.has(key)) return;
    seen.add(key);
    if (!st.isDirectory()) {
      if (st.isFile()) files.push({ path: p, name });
      return;
    }
    let entries: Buffer[];
    try {
      entries = readdirSync(p, { encoding: 'buffer' }).sort(Buffer.compare);
    } catch (e) {
      unreadable.push(`${name}: ${readError(e)}`);
      return;
    }
    const listed = entries.filter((e) => !(opts.skipHidden && e[0] === 0x2e));
    // Two byte names that read the same (a UTF-8 and a GBK 发票.ofd side by side) stay two files with two names:
    // a valid UTF-8 name keeps its own, the other is spelt with %XX.
    const shown = new Set(listed.filter(isUtf8).map((e) => e.toString('utf8')));
    for (const e of listed) {
      let n = decodeName(e);
      if (!isUtf8(e)) {
        if (shown.has(n)) n = escapedName(e);
        shown.add(n);
      }
      walk(Buffer.concat([p, SEP, e]), path.join(name, n));
    }
  };
  for (const p of paths) walk(Buffer.from(p), p);
  return { files, unreadable };
}

/** Why a path cannot be read, in words (the errno code kept for searching). */
export function readError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder (ENOENT)';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`;
  if (code === 'ELOOP') return 'too many levels of symbolic links (ELOOP)';
  return code ?? (e as Error).message;
}

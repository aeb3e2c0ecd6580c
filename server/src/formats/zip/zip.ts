/**
 * Tolerant, safe ZIP reading (APPNOTE 6.3.x) for OFD packages and other zipped vouchers.
 *
 * Tolerant because real vouchers arrive with bytes before the first local header and after the end (金格-signed
 * OFDs, OfdSharp#6), with the central directory missing or cut off, with stored and deflated entries mixed, and
 * with GBK file names. Safe because they are uploads: entry count, entry size, total size and compression ratio
 * are capped, and the caps are enforced *while inflating*, so a zip bomb stops after a few megabytes instead of
 * filling memory. Paths that could escape a folder (`..`, absolute, drive letters) are refused outright.
 *
 * Entries are decompressed lazily, on `read`; opening only parses headers.
 */
import { inflateRawSync } from 'node:zlib';
import { Inflate, inflateSync } from 'fflate';
import { FormatError } from '../errors';
import { crc32 } from './crc32';

export interface ZipLimits {
  /** Maximum number of entries (default 10,000). */
  maxEntries?: number;
  /** Maximum sum of uncompressed entry sizes in bytes (default 200 MB). */
  maxTotalSize?: number;
  /** Maximum uncompressed size of one entry in bytes (default 50 MB). */
  maxEntrySize?: number;
  /** Maximum uncompressed:compressed ratio (default 200) … */
  maxRatio?: number;
  /** … applied once an entry has produced more than this many bytes (default 1 MB): small files compress well. */
  ratioThreshold?: number;
}

export const DEFAULT_ZIP_LIMITS: Required<ZipLimits> = {
  maxEntries: 10_000,
  maxTotalSize: 200 * 1024 * 1024,
  maxEntrySize: 50 * 1024 * 1024,
  maxRatio: 200,
  ratioThreshold: 1024 * 1024,
};

export interface ZipEntry {
  /** Normalised path: `/` separators, no `.` segments, no leading slash. Directories end with `/`. */
  name: string;
  /** The name exactly as stored (decoded), for messages. */
  rawName: string;
  isDirectory: boolean;
  /** 0 = stored, 8 = deflated. */
  method: number;
  compressedSize: number;
  /** Declared uncompressed size. */
  size: number;
  crc32: number;
  /** Absolute offset of the local file header in the input, after correcting for bytes before the archive. */
  localHeaderOffset: number;
}

export interface ZipArchive {
  /** File entries and directories in central-directory order (first occurrence of duplicated names only). */
  readonly entries: ZipEntry[];
  /** Names that occur more than once; `read` returns the first occurrence. */
  readonly duplicates: string[];
  /** Tolerated oddities: prefix bytes, trailing bytes, recovered central directory … one sentence each. */
  readonly warnings: string[];
  /** How the entries were found: from the central directory, or by scanning local headers. */
  readonly source: 'central-directory' | 'local-headers';
  get(name: string): ZipEntry | undefined;
  /** Decompresses and CRC-checks one entry, enforcing the limits while inflating. */
  read(entry: ZipEntry | string): Uint8Array;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_DATA_DESCRIPTOR = 0x08074b50;

/** Compressed input fed to the inflater per step: bounds the output of one step to ~17 MB even at deflate's 1032:1. */
const INFLATE_STEP = 16384;
/** Compressed size from which one-step entries inflate with Node's zlib rather than fflate (measured crossover). */
const NATIVE_INFLATE_FROM = 640;

export function openZip(bytes: Uint8Array, limits: ZipLimits = {}): ZipArchive {
  const lim: Required<ZipLimits> = { ...DEFAULT_ZIP_LIMITS, ...definedOnly(limits) };
  if (bytes.length < 22 && !(bytes.length >= 4 && u32(bytes, 0) === SIG_LOCAL)) {
    throw new FormatError('not_zip', `not a ZIP archive (${bytes.length} bytes, no end-of-central-directory record)`);
  }
  const warnings: string[] = [];
  let entries: ZipEntry[] | undefined;
  let source: ZipArchive['source'] = 'central-directory';

  const eocd = findEndOfCentralDirectory(bytes, lim);
  if (eocd) {
    if (eocd.shift > 0) warnings.push(`${eocd.shift} bytes before the ZIP archive were ignored`);
    if (eocd.trailing > 0) warnings.push(`${eocd.trailing} bytes after the end of the ZIP archive were ignored`);
    try {
      entries = readCentralDirectory(bytes, eocd, lim);
    } catch (e) {
      if (!(e instanceof FormatError) || e.code !== 'truncated') throw e;
      warnings.push(`central directory unreadable (${e.message}); entries recovered from local headers`);
    }
  } else {
    if (!hasLocalHeader(bytes)) throw new FormatError('not_zip', 'not a ZIP archive (no end-of-central-directory record and no local file header)');
    warnings.push('no end-of-central-directory record; entries recovered from local headers');
  }
  if (!entries) {
    source = 'local-headers';
    entries = scanLocalHeaders(bytes, lim);
    if (entries.length === 0) throw new FormatError('truncated', 'ZIP archive is truncated: no complete entry found');
  }

  // Declared sizes are checked up front, so an honest bomb is refused without inflating a byte.
  let declaredTotal = 0;
  for (const e of entries) {
    if (e.isDirectory) continue;
    if (e.size > lim.maxEntrySize) {
      throw new FormatError('too_large', `entry declares ${e.size} bytes, more than the limit of ${lim.maxEntrySize}`, e.rawName);
    }
    if (e.size > lim.ratioThreshold && e.size > lim.maxRatio * Math.max(e.compressedSize, 1)) {
      throw new FormatError('compression_ratio', `entry declares a compression ratio above ${lim.maxRatio}:1 (${e.compressedSize} → ${e.size} bytes)`, e.rawName);
    }
    declaredTotal += e.size;
  }
  if (declaredTotal > lim.maxTotalSize) {
    throw new FormatError('too_large', `entries declare ${declaredTotal} bytes in total, more than the limit of ${lim.maxTotalSize}`);
  }

  const byName = new Map<string, ZipEntry>();
  const duplicates: string[] = [];
  const unique: ZipEntry[] = [];
  for (const e of entries) {
    if (byName.has(e.name)) {
      if (!duplicates.includes(e.name)) duplicates.push(e.name);
      continue;
    }
    byName.set(e.name, e);
    unique.push(e);
  }
  for (const d of duplicates) warnings.push(`duplicate entry name ${d}: the first occurrence is used`);

  // Bytes actually produced per entry (the largest of repeated reads), so the total cap holds even when
  // declared sizes lie.
  const produced = new Map<string, number>();
  const producedTotal = () => [...produced.values()].reduce((a, b) => a + b, 0);

  return {
    entries: unique,
    duplicates,
    warnings,
    source,
    get: (name) => byName.get(name),
    read(entryOrName) {
      const entry = typeof entryOrName === 'string' ? byName.get(entryOrName) : entryOrName;
      if (!entry) throw new FormatError('missing_entry', 'no such entry in the ZIP archive', String(entryOrName));
      const budget = lim.maxTotalSize - (producedTotal() - (produced.get(entry.name) ?? 0));
      const data = readEntry(bytes, entry, lim, budget);
      produced.set(entry.name, Math.max(produced.get(entry.name) ?? 0, data.length));
      return data;
    },
  };
}

interface Eocd {
  entryCount: number;
  cdOffset: number; // absolute, shift applied
  cdSize: number;
  shift: number; // bytes before the archive
  trailing: number; // bytes after the EOCD record and its comment
}

/**
 * Scans backwards for an end-of-central-directory record whose central directory checks out. The stored
 * offsets are relative to the start of the archive; when bytes were prepended, the difference between where the
 * directory ends and where the record says it ends is the shift to add to every offset.
 */
function findEndOfCentralDirectory(b: Uint8Array, lim: Required<ZipLimits>): Eocd | undefined {
  for (let p = b.length - 22; p >= 0; p--) {
    if (b[p] !== 0x50 || u32(b, p) !== SIG_EOCD) continue;
    let entryCount = u16(b, p + 10);
    let cdSize = u32(b, p + 12);
    let cdOffset = u32(b, p + 16);
    const commentLength = u16(b, p + 20);
    let cdEnd = p; // the central directory (or the ZIP64 records) end where the EOCD begins
    const locator = p - 20;
    if ((entryCount === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && locator >= 0 && u32(b, locator) === SIG_ZIP64_LOCATOR) {
      // The ZIP64 record normally sits right before its locator (56 bytes without extensible data); otherwise
      // trust the offset the locator stores.
      let recordAt = locator - 56;
      if (recordAt < 0 || u32(b, recordAt) !== SIG_ZIP64_EOCD) recordAt = Number(u64(b, locator + 8));
      if (recordAt < 0 || recordAt + 56 > b.length || u32(b, recordAt) !== SIG_ZIP64_EOCD) continue;
      entryCount = Number(u64(b, recordAt + 32));
      cdSize = Number(u64(b, recordAt + 40));
      cdOffset = Number(u64(b, recordAt + 48));
      cdEnd = recordAt;
    }
    const shift = cdEnd - (cdOffset + cdSize);
    if (shift < 0) continue;
    const start = cdOffset + shift;
    if (entryCount > 0 && (start + 4 > b.length || u32(b, start) !== SIG_CENTRAL)) continue;
    // Refused before reading a single record. (A 16-bit count of 0xFFFF without ZIP64 means "many", which is
    // more than any voucher needs.)
    if (entryCount > lim.maxEntries) {
      throw new FormatError('too_many_entries', `ZIP archive declares ${entryCount} entries, more than the limit of ${lim.maxEntries}`);
    }
    return { entryCount, cdOffset: start, cdSize, shift, trailing: Math.max(0, b.length - (p + 22 + commentLength)) };
  }
  return undefined;
}

function readCentralDirectory(b: Uint8Array, eocd: Eocd, lim: Required<ZipLimits>): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let p = eocd.cdOffset;
  const end = eocd.cdOffset + eocd.cdSize;
  while (p < end) {
    if (entries.length >= lim.maxEntries) {
      throw new FormatError('too_many_entries', `ZIP archive has more than ${lim.maxEntries} entries`);
    }
    if (p + 46 > b.length || u32(b, p) !== SIG_CENTRAL) {
      throw new FormatError('truncated', `central directory record ${entries.length + 1} is damaged or cut off at offset ${p}`);
    }
    const flags = u16(b, p + 8);
    const method = u16(b, p + 10);
    const crc = u32(b, p + 16);
    let compressedSize = u32(b, p + 20);
    let size = u32(b, p + 24);
    const nameLength = u16(b, p + 28);
    const extraLength = u16(b, p + 30);
    const commentLength = u16(b, p + 32);
    const externalAttrs = u32(b, p + 38);
    let localOffset = u32(b, p + 42);
    const next = p + 46 + nameLength + extraLength + commentLength;
    if (next > b.length) throw new FormatError('truncated', `central directory record ${entries.length + 1} is cut off`);
    const nameBytes = b.subarray(p + 46, p + 46 + nameLength);
    const extra = b.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength);
    // ZIP64 extended information: only the fields whose 32-bit value is saturated are present, in this order.
    const z64 = findExtra(extra, 0x0001);
    if (z64) {
      let q = 0;
      if (size === 0xffffffff && q + 8 <= z64.length) (size = Number(u64(z64, q))), (q += 8);
      if (compressedSize === 0xffffffff && q + 8 <= z64.length) (compressedSize = Number(u64(z64, q))), (q += 8);
      if (localOffset === 0xffffffff && q + 8 <= z64.length) (localOffset = Number(u64(z64, q))), (q += 8);
    }
    const rawName = decodeName(nameBytes, flags, extra);
    const unixMode = externalAttrs >>> 16;
    if ((unixMode & 0xf000) === 0xa000) throw new FormatError('unsafe_path', 'symbolic links are not accepted in a ZIP archive', rawName);
    const name = safeEntryName(rawName);
    entries.push({
      name,
      rawName,
      isDirectory: name.endsWith('/'),
      method,
      compressedSize,
      size,
      crc32: crc,
      localHeaderOffset: localOffset + eocd.shift,
    });
    p = next;
  }
  // Writers without ZIP64 store the count modulo 65536.
  if (entries.length % 65536 !== eocd.entryCount % 65536) {
    throw new FormatError('truncated', `central directory holds ${entries.length} records but the end record declares ${eocd.entryCount}`);
  }
  return entries;
}

function hasLocalHeader(b: Uint8Array): boolean {
  return indexOfSig(b, SIG_LOCAL, 0) >= 0;
}

/**
 * Recovery when the central directory is missing or damaged: walk the local file headers. Entries written with
 * a data descriptor (flag bit 3) have no sizes in the local header; their data ends at the descriptor signature.
 */
function scanLocalHeaders(b: Uint8Array, lim: Required<ZipLimits>): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let p = indexOfSig(b, SIG_LOCAL, 0);
  while (p >= 0 && p + 30 <= b.length && u32(b, p) === SIG_LOCAL) {
    if (entries.length >= lim.maxEntries) throw new FormatError('too_many_entries', `ZIP archive has more than ${lim.maxEntries} entries`);
    const flags = u16(b, p + 6);
    const method = u16(b, p + 8);
    let crc = u32(b, p + 14);
    let compressedSize = u32(b, p + 18);
    let size = u32(b, p + 22);
    const nameLength = u16(b, p + 26);
    const extraLength = u16(b, p + 28);
    const dataStart = p + 30 + nameLength + extraLength;
    if (dataStart > b.length) throw new FormatError('truncated', `local header ${entries.length + 1} is cut off at offset ${p}`);
    const nameBytes = b.subarray(p + 30, p + 30 + nameLength);
    const extra = b.subarray(p + 30 + nameLength, dataStart);
    const rawName = decodeName(nameBytes, flags, extra);
    const z64 = findExtra(extra, 0x0001);
    if (z64 && z64.length >= 16 && (size === 0xffffffff || compressedSize === 0xffffffff)) {
      size = Number(u64(z64, 0));
      compressedSize = Number(u64(z64, 8));
    }
    let dataEnd: number;
    let next: number;
    if (flags & 0x08) {
      const dd = indexOfSig(b, SIG_DATA_DESCRIPTOR, dataStart);
      if (dd < 0 || dd + 16 > b.length) throw new FormatError('truncated', 'entry data runs past the end of the archive', rawName);
      dataEnd = dd;
      crc = u32(b, dd + 4);
      compressedSize = dd - dataStart;
      size = u32(b, dd + 12);
      next = dd + 16;
    } else {
      dataEnd = dataStart + compressedSize;
      next = dataEnd;
    }
    if (dataEnd > b.length) throw new FormatError('truncated', `entry data runs past the end of the archive (${dataEnd - b.length} bytes missing)`, rawName);
    const name = safeEntryName(rawName);
    entries.push({ name, rawName, isDirectory: name.endsWith('/'), method, compressedSize, size, crc32: crc, localHeaderOffset: p });
    p = next + 4 <= b.length && u32(b, next) === SIG_LOCAL ? next : indexOfSig(b, SIG_LOCAL, next);
  }
  return entries;
}

function readEntry(b: Uint8Array, e: ZipEntry, lim: Required<ZipLimits>, totalBudget: number): Uint8Array {
  if (e.isDirectory) return new Uint8Array(0);
  const p = e.localHeaderOffset;
  if (p + 30 > b.length || u32(b, p) !== SIG_LOCAL) {
    throw new FormatError('truncated', `local file header missing at offset ${p}`, e.rawName);
  }
  const flags = u16(b, p + 6);
  if (flags & 0x01) throw new FormatError('unsupported_compression', 'entry is encrypted', e.rawName);
  const dataStart = p + 30 + u16(b, p + 26) + u16(b, p + 28);
  const dataEnd = dataStart + e.compressedSize;
  if (dataEnd > b.length) throw new FormatError('truncated', `entry data runs past the end of the archive (${dataEnd - b.length} bytes missing)`, e.rawName);
  const raw = b.subarray(dataStart, dataEnd);
  const cap = Math.min(lim.maxEntrySize, totalBudget);

  let out: Uint8Array;
  if (e.method === 0) {
    if (raw.length > cap) throw tooLarge(e, raw.length, lim, totalBudget);
    out = raw.slice();
  } else if (e.method === 8) {
    out = inflateBounded(raw, e, lim, cap, totalBudget);
  } else {
    throw new FormatError('unsupported_compression', `compression method ${e.method} is not supported (only stored and deflated)`, e.rawName);
  }
  if (out.length !== e.size) {
    throw new FormatError('truncated', `entry declares ${e.size} bytes but holds ${out.length}`, e.rawName);
  }
  const actual = crc32(out);
  if (actual !== e.crc32) {
    throw new FormatError('truncated', `CRC-32 mismatch (stored ${hex(e.crc32)}, computed ${hex(actual)}): the entry is damaged`, e.rawName);
  }
  return out;
}

function inflateBounded(raw: Uint8Array, e: ZipEntry, lim: Required<ZipLimits>, cap: number, totalBudget: number): Uint8Array {
  const check = (produced: number, consumed: number) => {
    if (produced > cap) throw tooLarge(e, produced, lim, totalBudget);
    // A lying declared size is caught as soon as it is exceeded, not after inflating everything.
    if (produced > e.size) throw new FormatError('truncated', `entry inflates to more than its declared ${e.size} bytes`, e.rawName);
    // Measured against the compressed bytes fed so far, so a bomb is caught after its first steps.
    if (produced > lim.ratioThreshold && produced > lim.maxRatio * consumed) {
      throw new FormatError('compression_ratio', `entry inflates at more than ${lim.maxRatio}:1 (${consumed} compressed bytes gave ${produced}); refused as a possible zip bomb`, e.rawName);
    }
  };
  // Most package entries fit in one step: inflating them in one call has the same worst case as one streaming
  // step (~17 MB) and avoids the streaming copies.
  if (raw.length <= INFLATE_STEP) {
    // zlib's fixed cost per call (a new stream and its window) outweighs fflate below ~640 compressed bytes.
    let out: Uint8Array | undefined = raw.length >= NATIVE_INFLATE_FROM ? inflateNative(raw, e.size) : undefined;
    if (out) {
      check(out.length, raw.length);
      return out;
    }
    // Small, or zlib refused the data: fflate (which then says why, in the words the archive has always reported).
    try {
      // Sized from the declared size (checked at open), plus one byte to notice data that runs past it: a fixed
      // buffer is never grown, so a lying header cannot make this allocate more.
      out = inflateSync(raw, { out: new Uint8Array(e.size + 1) });
    } catch (err) {
      throw new FormatError('truncated', `deflate data is damaged (${(err as Error).message})`, e.rawName);
    }
    check(out.length, raw.length);
    return out;
  }
  const chunks: Uint8Array[] = [];
  let produced = 0;
  let consumed = 0;
  let ended = false;
  const inflater = new Inflate((chunk, final) => {
    produced += chunk.length;
    check(produced, consumed);
    if (chunk.length) chunks.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let i = 0; i < raw.length && !ended; i += INFLATE_STEP) {
      const step = raw.subarray(i, Math.min(i + INFLATE_STEP, raw.length));
      consumed += step.length;
      inflater.push(step, i + INFLATE_STEP >= raw.length);
    }
    if (raw.length === 0) inflater.push(new Uint8Array(0), true);
  } catch (err) {
    if (err instanceof FormatError) throw err;
    throw new FormatError('truncated', `deflate data is damaged (${(err as Error).message})`, e.rawName);
  }
  if (!ended) throw new FormatError('truncated', 'deflate data ends before its final block', e.rawName);
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(produced);
  let o = 0;
  for (const c of chunks) out.set(c, (o += c.length) - c.length);
  return out;
}

/**
 * Node's zlib (native, about twice as fast as fflate on package-sized entries), capped at the declared size plus
 * one byte so a lying header cannot make it produce more; undefined when zlib reports an error or the cap. The
 * result is copied into a plain Uint8Array of its own (zlib's Buffer may be a view into a shared pool).
 */
function inflateNative(raw: Uint8Array, declared: number): Uint8Array | undefined {
  let buf: Buffer;
  try {
    buf = inflateRawSync(raw, { maxOutputLength: declared + 1 });
  } catch {
    return undefined;
  }
  const out = new Uint8Array(buf.length);
  out.set(buf);
  return out;
}

function tooLarge(e: ZipEntry, n: number, lim: Required<ZipLimits>, totalBudget: number): FormatError {
  return totalBudget < lim.maxEntrySize
    ? new FormatError('too_large', `entries inflate to more than the total limit of ${lim.maxTotalSize} bytes`, e.rawName)
    : new FormatError('too_large', `entry inflates to more than the limit of ${lim.maxEntrySize} bytes (stopped at ${n})`, e.rawName);
}

/**
 * Normalises an entry name and refuses names that could escape the extraction folder. Backslashes are treated
 * as separators (Windows zippers write them), so `..\\x` is caught like `../x`.
 */
export function safeEntryName(raw: string): string {
  if (raw.includes('\0')) throw new FormatError('unsafe_path', 'entry name contains a NUL byte', raw);
  const s = raw.replace(/\\/g, '/');
  if (s.startsWith('/') || /^[A-Za-z]:/.test(s)) throw new FormatError('unsafe_path', 'absolute entry paths are not accepted', raw);
  const parts: string[] = [];
  for (const seg of s.split('/')) {
    if (seg === '..') throw new FormatError('unsafe_path', 'entry path climbs out of the archive with ..', raw);
    if (seg === '.' || seg === '') continue;
    parts.push(seg);
  }
  if (parts.length === 0) throw new FormatError('unsafe_path', 'empty entry name', raw);
  return parts.join('/') + (s.endsWith('/') ? '/' : '');
}

/** UTF-8 when flagged or valid; else the Info-ZIP Unicode path field; else GBK, the Chinese Windows default. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const GBK = new TextDecoder('gbk');

function decodeName(nameBytes: Uint8Array, flags: number, extra: Uint8Array): string {
  const utf8 = UTF8;
  if (flags & 0x800) {
    try {
      return utf8.decode(nameBytes);
    } catch {
      /* mislabelled: fall through */
    }
  }
  const up = findExtra(extra, 0x7075);
  if (up && up.length > 5 && up[0] === 1) {
    try {
      return utf8.decode(up.subarray(5));
    } catch {
      /* ignore a broken Unicode path field */
    }
  }
  try {
    return utf8.decode(nameBytes);
  } catch {
    return GBK.decode(nameBytes);
  }
}

function findExtra(extra: Uint8Array, id: number): Uint8Array | undefined {
  let p = 0;
  while (p + 4 <= extra.length) {
    const tag = u16(extra, p);
    const len = u16(extra, p + 2);
    if (p + 4 + len > extra.length) return undefined;
    if (tag === id) return extra.subarray(p + 4, p + 4 + len);
    p += 4 + len;
  }
  return undefined;
}

function indexOfSig(b: Uint8Array, sig: number, from: number): number {
  const s0 = sig & 0xff;
  for (let i = Math.max(0, from); i + 4 <= b.length; i++) {
    if (b[i] === s0 && u32(b, i) === sig) return i;
  }
  return -1;
}

function u16(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8);
}
function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}
function u64(b: Uint8Array, p: number): bigint {
  return BigInt(u32(b, p)) | (BigInt(u32(b, p + 4)) << 32n);
}
function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

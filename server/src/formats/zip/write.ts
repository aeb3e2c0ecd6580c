/**
 * A minimal ZIP writer (stored or deflated entries, UTF-8 names, no ZIP64): enough to build OFD packages for
 * tests and synthetic vouchers. Deliberately permissive — it writes whatever names it is given, so tests can
 * build hostile archives; `openZip` is where safety is enforced.
 */
import { deflateSync } from 'fflate';
import { crc32 } from './crc32';

export interface ZipWriteEntry {
  name: string;
  data: Uint8Array | string;
  /** Default: deflate when it saves space. */
  method?: 0 | 8;
  /** Override the declared uncompressed size (tests of lying headers). */
  declaredSize?: number;
  /** Pre-compressed raw deflate data to store as-is (with method 8); `data` is then only used for the CRC. */
  rawDeflate?: Uint8Array;
  /** Override the stored CRC. */
  crc?: number;
  /** Name bytes as stored, written without the UTF-8 flag (legacy GBK names). */
  rawName?: Uint8Array;
}

export function writeZip(entries: ZipWriteEntry[], options: { comment?: string } = {}): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = e.rawName ?? enc.encode(e.name);
    const flags = e.rawName ? 0 : 0x800;
    const data = typeof e.data === 'string' ? enc.encode(e.data) : e.data;
    let method: number = e.method ?? 8;
    let body: Uint8Array;
    if (e.rawDeflate) {
      method = 8;
      body = e.rawDeflate;
    } else if (method === 8) {
      body = deflateSync(data);
      if (e.method === undefined && body.length >= data.length) (method = 0), (body = data);
    } else body = data;
    const crc = e.crc ?? crc32(data);
    const size = e.declaredSize ?? data.length;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const comment = enc.encode(options.comment ?? '');
  const cdSize = centrals.reduce((n, c) => n + c.length, 0);
  const eocd = new Uint8Array(22 + comment.length);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, Math.min(entries.length, 0xffff), true);
  ev.setUint16(10, Math.min(entries.length, 0xffff), true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  ev.setUint16(20, comment.length, true);
  eocd.set(comment, 22);
  return concatBytes([...locals, ...centrals, eocd]);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * A minimal reader of PDF object syntax (ISO 32000-1 §7.3) for the few dictionaries we read straight from the
 * file bytes: signature dictionaries and signature fields. They must be read from the raw bytes because the
 * signature's /ByteRange is about raw byte offsets, and a signature dictionary is never inside a compressed
 * object stream (its /Contents must be patchable in place).
 */

export type PdfValue =
  | { type: 'name'; value: string }
  | { type: 'string'; bytes: Uint8Array; hex: boolean; start: number; end: number }
  | { type: 'number'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'null' }
  | { type: 'ref'; num: number; gen: number }
  | { type: 'array'; items: PdfValue[] }
  | { type: 'dict'; entries: Map<string, PdfValue>; start: number; end: number };

const WS = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);
const MAX_DEPTH = 32;

export class PdfSyntaxError extends Error {}

/** Parses one object starting at `pos` (after whitespace). Returns the value and the offset after it. */
export function parseObject(b: Uint8Array, pos: number, limit = b.length, depth = 0): { value: PdfValue; end: number } {
  if (depth > MAX_DEPTH) throw new PdfSyntaxError('objects nested too deeply');
  let p = skipWs(b, pos, limit);
  if (p >= limit) throw new PdfSyntaxError('unexpected end of data');
  const c = b[p];
  if (c === 0x3c && b[p + 1] === 0x3c) {
    const start = p;
    p += 2;
    const entries = new Map<string, PdfValue>();
    for (;;) {
      p = skipWs(b, p, limit);
      if (p >= limit) throw new PdfSyntaxError('unterminated dictionary');
      if (b[p] === 0x3e && b[p + 1] === 0x3e) return { value: { type: 'dict', entries, start, end: p + 2 }, end: p + 2 };
      const key = parseObject(b, p, limit, depth + 1);
      if (key.value.type !== 'name') throw new PdfSyntaxError(`dictionary key at offset ${p} is not a name`);
      const val = parseObject(b, key.end, limit, depth + 1);
      entries.set(key.value.value, val.value);
      p = val.end;
    }
  }
  if (c === 0x5b) {
    const items: PdfValue[] = [];
    p++;
    for (;;) {
      p = skipWs(b, p, limit);
      if (p >= limit) throw new PdfSyntaxError('unterminated array');
      if (b[p] === 0x5d) return { value: { type: 'array', items }, end: p + 1 };
      const item = parseObject(b, p, limit, depth + 1);
      items.push(item.value);
      p = item.end;
    }
  }
  if (c === 0x2f) {
    let q = p + 1;
    while (q < limit && !WS.has(b[q]) && !DELIM.has(b[q])) q++;
    const raw = latin1(b, p + 1, q).replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return { value: { type: 'name', value: raw }, end: q };
  }
  if (c === 0x3c) {
    const start = p;
    let q = p + 1;
    while (q < limit && b[q] !== 0x3e) q++;
    if (q >= limit) throw new PdfSyntaxError('unterminated hex string');
    const hex = latin1(b, p + 1, q).replace(/[^0-9a-fA-F]/g, '');
    const bytes = new Uint8Array(Math.ceil(hex.length / 2));
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt((hex.slice(i * 2, i * 2 + 2) + '0').slice(0, 2), 16);
    return { value: { type: 'string', bytes, hex: true, start, end: q + 1 }, end: q + 1 };
  }
  if (c === 0x28) return parseLiteralString(b, p, limit);
  // number, keyword
  let q = p;
  while (q < limit && !WS.has(b[q]) && !DELIM.has(b[q])) q++;
  const token = latin1(b, p, q);
  if (token === '') throw new PdfSyntaxError(`unexpected character at offset ${p}`);
  if (token === 'true' || token === 'false') return { value: { type: 'bool', value: token === 'true' }, end: q };
  if (token === 'null') return { value: { type: 'null' }, end: q };
  if (/^\d+$/.test(token)) {
    // `12 0 R` is one value (an indirect reference): look ahead for the generation and the R.
    const r = /^\s+(\d+)\s+R(?=[\s/<>\[\]()%]|$)/.exec(latin1(b, q, Math.min(limit, q + 24)));
    if (r) return { value: { type: 'ref', num: Number(token), gen: Number(r[1]) }, end: q + r[0].length };
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(token)) return { value: { type: 'number', value: Number(token) }, end: q };
  throw new PdfSyntaxError(`unexpected token "${token.slice(0, 20)}" at offset ${p}`);
}

/** Parses the dictionary that starts at `pos`. */
export function parseDictAt(b: Uint8Array, pos: number, limit = b.length): Extract<PdfValue, { type: 'dict' }> {
  const { value } = parseObject(b, pos, limit);
  if (value.type !== 'dict') throw new PdfSyntaxError(`no dictionary at offset ${pos}`);
  return value;
}

function parseLiteralString(b: Uint8Array, p: number, limit: number): { value: PdfValue; end: number } {
  const start = p;
  const out: number[] = [];
  let depth = 1;
  let q = p + 1;
  while (q < limit && depth > 0) {
    const c = b[q];
    if (c === 0x5c) {
      const n = b[q + 1];
      const map: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };
      if (n in map) {
        out.push(map[n]);
        q += 2;
      } else if (n >= 0x30 && n <= 0x37) {
        let oct = '';
        let k = q + 1;
        while (k < q + 4 && b[k] >= 0x30 && b[k] <= 0x37) oct += String.fromCharCode(b[k++]);
        out.push(parseInt(oct, 8) & 0xff);
        q = k;
      } else if (n === 0x0d || n === 0x0a) {
        q += n === 0x0d && b[q + 2] === 0x0a ? 3 : 2; // line continuation
      } else {
        q += 1; // unknown escape: the backslash is ignored
      }
      continue;
    }
    if (c === 0x28) depth++;
    if (c === 0x29) depth--;
    if (depth > 0) out.push(c);
    q++;
  }
  if (depth > 0) throw new PdfSyntaxError('unterminated literal string');
  return { value: { type: 'string', bytes: Uint8Array.from(out), hex: false, start, end: q }, end: q };
}

function skipWs(b: Uint8Array, p: number, limit: number): number {
  while (p < limit) {
    if (WS.has(b[p])) p++;
    else if (b[p] === 0x25) {
      while (p < limit && b[p] !== 0x0a && b[p] !== 0x0d) p++; // comment
    } else break;
  }
  return p;
}

export function latin1(b: Uint8Array, from: number, to: number): string {
  return Buffer.from(b.buffer, b.byteOffset + from, Math.max(0, to - from)).toString('latin1');
}

/** PDF text string → JS string: UTF-16BE with BOM, UTF-8 with BOM (PDF 2.0), else PDFDocEncoding (≈ Latin-1). */
export function decodeTextString(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    let s = '';
    for (let i = 2; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
    return s;
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    // UTF-16LE with BOM: not allowed by the standard, written by some Chinese signing tools anyway.
    let s = '';
    for (let i = 2; i + 1 < bytes.length; i += 2) s += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8));
    return s;
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder().decode(bytes.subarray(3));
  return latin1(bytes, 0, bytes.length);
}

/** `D:20230811101010+08'00'` → `2023-08-11T10:10:10+08:00`; undefined when unreadable. */
export function pdfDateToIso(text: string): string | undefined {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?|[+-]\d{2})?/.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', tz] = m;
  let zone = '';
  if (tz === 'Z') zone = 'Z';
  else if (tz) {
    const t = tz.replace(/'/g, '');
    zone = `${t.slice(0, 3)}:${(t.slice(3) || '00').padEnd(2, '0')}`;
  }
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${zone}`;
}

/**
 * A small, strict, bounded DER reader (ITU-T X.690). Seals, signatures and certificates are parsed from
 * untrusted files, so every length is checked against its enclosing element, nesting depth is limited, and every
 * failure is a `FormatError('bad_der')` naming the byte offset. Nodes keep their position in the input buffer so
 * callers can verify signatures over the ORIGINAL bytes of a sub-structure (ses-signature.md §3.5: re-encoding
 * a parsed structure only reproduces the signed bytes when the producer wrote perfect DER).
 *
 * BER indefinite lengths (0x80 … 00 00) are rejected unless `allowIndefinite` is set: some CMS producers (PDF
 * signers, GB/T 35275 toolkits) emit them, SES structures never should.
 */
import { FormatError } from '../errors';

export const TagClass = { universal: 0, application: 1, context: 2, private: 3 } as const;

/** Universal tag numbers used by the seal, certificate and CMS structures. */
export const Tag = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  utf8String: 12,
  sequence: 16,
  set: 17,
  numericString: 18,
  printableString: 19,
  t61String: 20,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
  visibleString: 26,
  universalString: 28,
  bmpString: 30,
} as const;

export interface DerOptions {
  /** Accept BER indefinite-length constructed values (default false). */
  allowIndefinite?: boolean;
  /** Maximum nesting depth (default 64: certificates nest ~10 deep, CMS ~20). */
  maxDepth?: number;
  /** Accept bytes after the top-level element (default false; some SignedValue.dat files are zero-padded). */
  allowTrailing?: boolean;
}

const DEFAULTS: Required<DerOptions> = { allowIndefinite: false, maxDepth: 64, allowTrailing: false };

export class DerNode {
  private kids?: DerNode[];

  constructor(
    /** The whole input buffer this node was read from. */
    readonly buf: Uint8Array,
    /** 0 universal, 1 application, 2 context-specific, 3 private. */
    readonly cls: number,
    readonly constructed: boolean,
    readonly tagNumber: number,
    /** Offset of the identifier octet. */
    readonly start: number,
    /** Offset of the first content octet. */
    readonly contentStart: number,
    /** Offset after the last content octet (before the end-of-contents octets of an indefinite form). */
    readonly contentEnd: number,
    /** Offset after the whole element, including end-of-contents octets. */
    readonly end: number,
    readonly depth: number,
    private readonly opts: Required<DerOptions>,
  ) {}

  /** The complete encoding (identifier, length, content) as a view into the input. */
  get bytes(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  get content(): Uint8Array {
    return this.buf.subarray(this.contentStart, this.contentEnd);
  }

  get indefinite(): boolean {
    return this.end !== this.contentEnd;
  }

  is(cls: number, tagNumber: number): boolean {
    return this.cls === cls && this.tagNumber === tagNumber;
  }

  isUniversal(tagNumber: number): boolean {
    return this.cls === TagClass.universal && this.tagNumber === tagNumber;
  }

  isContext(tagNumber: number): boolean {
    return this.cls === TagClass.context && this.tagNumber === tagNumber;
  }

  /** The elements inside a constructed value, parsed once on first access. */
  get children(): DerNode[] {
    if (this.kids) return this.kids;
    if (!this.constructed) throw badDer(this.start, `${this.describe()} is primitive and has no elements`);
    if (this.depth + 1 > this.opts.maxDepth) throw badDer(this.contentStart, `nesting deeper than ${this.opts.maxDepth}`);
    const kids: DerNode[] = [];
    let pos = this.contentStart;
    while (pos < this.contentEnd) {
      const kid = readNode(this.buf, pos, this.contentEnd, this.depth + 1, this.opts);
      kids.push(kid);
      pos = kid.end;
    }
    this.kids = kids;
    return kids;
  }

  /** Element `i` of a constructed value; a precise error when it is absent. */
  child(i: number, what?: string): DerNode {
    const kids = this.children;
    if (i >= kids.length) {
      throw badDer(this.contentEnd, `${what ?? `element ${i}`} missing: ${this.describe()} has ${kids.length} element(s)`);
    }
    return kids[i];
  }

  describe(): string {
    const names: Record<number, string> = {
      1: 'BOOLEAN', 2: 'INTEGER', 3: 'BIT STRING', 4: 'OCTET STRING', 5: 'NULL', 6: 'OBJECT IDENTIFIER',
      12: 'UTF8String', 16: 'SEQUENCE', 17: 'SET', 19: 'PrintableString', 22: 'IA5String', 23: 'UTCTime',
      24: 'GeneralizedTime', 30: 'BMPString',
    };
    if (this.cls === TagClass.universal && names[this.tagNumber]) return `${names[this.tagNumber]} at offset ${this.start}`;
    const cls = ['UNIVERSAL ', 'APPLICATION ', '', 'PRIVATE '][this.cls];
    return `[${cls}${this.tagNumber}] at offset ${this.start}`;
  }
}

export function badDer(offset: number, message: string): FormatError {
  return new FormatError('bad_der', `${message} (offset ${offset})`);
}

/** Reads one DER element that must fill `buf` (unless `allowTrailing`). */
export function readDer(buf: Uint8Array, options: DerOptions = {}): DerNode {
  const opts = { ...DEFAULTS, ...options };
  if (buf.length === 0) throw badDer(0, 'empty input, expected a DER element');
  const node = readNode(buf, 0, buf.length, 0, opts);
  if (node.end !== buf.length && !opts.allowTrailing) {
    throw badDer(node.end, `${buf.length - node.end} unexpected byte(s) after the top-level element`);
  }
  return node;
}

function readNode(buf: Uint8Array, start: number, limit: number, depth: number, opts: Required<DerOptions>): DerNode {
  let pos = start;
  if (pos >= limit) throw badDer(pos, 'truncated: expected an identifier octet');
  const id = buf[pos++];
  const cls = id >> 6;
  const constructed = (id & 0x20) !== 0;
  let tagNumber = id & 0x1f;
  if (tagNumber === 0x1f) {
    // High tag number form: base-128, at most 4 octets (tags above 2^28 do not occur in these formats).
    tagNumber = 0;
    for (let n = 0; ; n++) {
      if (pos >= limit) throw badDer(pos, 'truncated in a high tag number');
      if (n >= 4) throw badDer(start, 'tag number too large');
      const b = buf[pos++];
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (pos >= limit) throw badDer(pos, 'truncated: expected a length octet');
  const first = buf[pos++];
  if (first === 0x80) {
    if (!opts.allowIndefinite) throw badDer(start, 'indefinite length is not DER');
    if (!constructed) throw badDer(start, 'indefinite length on a primitive element');
    // Walk the elements until the end-of-contents octets 00 00.
    const contentStart = pos;
    for (;;) {
      if (pos + 2 > limit) throw badDer(pos, 'truncated: end-of-contents of an indefinite length missing');
      if (buf[pos] === 0 && buf[pos + 1] === 0) break;
      if (depth + 1 > opts.maxDepth) throw badDer(pos, `nesting deeper than ${opts.maxDepth}`);
      pos = readNode(buf, pos, limit, depth + 1, opts).end;
    }
    return new DerNode(buf, cls, constructed, tagNumber, start, contentStart, pos, pos + 2, depth, opts);
  }
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count > 4) throw badDer(pos - 1, `length of ${count} octets is beyond any supported size`);
    if (pos + count > limit) throw badDer(pos, 'truncated in a length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[pos++];
  }
  const contentStart = pos;
  const contentEnd = contentStart + length;
  if (contentEnd > limit) {
    throw badDer(start, `element declares ${length} content bytes but only ${limit - contentStart} remain`);
  }
  return new DerNode(buf, cls, constructed, tagNumber, start, contentStart, contentEnd, contentEnd, depth, opts);
}

// ---------------------------------------------------------------------------------------------------------------
// Value decoders. Each checks the tag so a structure with a field in the wrong place fails with a clear message.

export function expectUniversal(node: DerNode, tagNumber: number, what: string): DerNode {
  if (!node.isUniversal(tagNumber)) throw badDer(node.start, `${what}: expected ${tagName(tagNumber)}, found ${node.describe()}`);
  return node;
}

export function expectSequence(node: DerNode, what: string): DerNode {
  expectUniversal(node, Tag.sequence, what);
  if (!node.constructed) throw badDer(node.start, `${what}: SEQUENCE must be constructed`);
  return node;
}

function tagName(n: number): string {
  return new DerNode(new Uint8Array(0), 0, false, n, 0, 0, 0, 0, 0, DEFAULTS).describe().replace(/ at offset 0$/, '');
}

export function readInteger(node: DerNode, what = 'INTEGER'): bigint {
  expectUniversal(node, Tag.integer, what);
  const c = node.content;
  if (c.length === 0) throw badDer(node.start, `${what}: empty INTEGER`);
  let v = 0n;
  for (const b of c) v = (v << 8n) | BigInt(b);
  if (c[0] & 0x80) v -= 1n << BigInt(c.length * 8); // two's complement
  return v;
}

/** An INTEGER that must fit a JavaScript number (versions, types, sizes). */
export function readSmallInt(node: DerNode, what = 'INTEGER'): number {
  const v = readInteger(node, what);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw badDer(node.start, `${what}: value too large`);
  return Number(v);
}

/** The unsigned magnitude of an INTEGER as big-endian bytes without sign padding (serial numbers, r/s). */
export function readUnsignedBytes(node: DerNode, what = 'INTEGER'): Uint8Array {
  expectUniversal(node, Tag.integer, what);
  let c = node.content;
  while (c.length > 1 && c[0] === 0) c = c.subarray(1);
  return c;
}

export function readOid(node: DerNode, what = 'OBJECT IDENTIFIER'): string {
  expectUniversal(node, Tag.oid, what);
  return decodeOid(node.content, node.start, what);
}

export function decodeOid(c: Uint8Array, offset = 0, what = 'OBJECT IDENTIFIER'): string {
  if (c.length === 0 || c.length > 128) throw badDer(offset, `${what}: bad OID length ${c.length}`);
  const arcs: string[] = [];
  let v = 0n;
  let inArc = false;
  for (let i = 0; i < c.length; i++) {
    const b = c[i];
    if (!inArc && b === 0x80) throw badDer(offset, `${what}: OID arc with a leading 0x80 octet`);
    v = (v << 7n) | BigInt(b & 0x7f);
    inArc = true;
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = v < 40n ? 0n : v < 80n ? 1n : 2n;
        arcs.push(String(first), String(v - first * 40n));
      } else arcs.push(String(v));
      v = 0n;
      inArc = false;
    }
  }
  if (inArc) throw badDer(offset, `${what}: OID ends inside an arc`);
  return arcs.join('.');
}

/** BIT STRING content without the unused-bits octet. Signatures and keys always use whole octets. */
export function readBitString(node: DerNode, what = 'BIT STRING'): Uint8Array {
  expectUniversal(node, Tag.bitString, what);
  if (node.constructed) throw badDer(node.start, `${what}: constructed BIT STRING is not supported`);
  const c = node.content;
  if (c.length === 0) throw badDer(node.start, `${what}: BIT STRING without its unused-bits octet`);
  if (c[0] > 7) throw badDer(node.start, `${what}: BIT STRING declares ${c[0]} unused bits`);
  return c.subarray(1);
}

/** OCTET STRING content; a BER constructed OCTET STRING (seen in CMS eContent) is concatenated. */
export function readOctetString(node: DerNode, what = 'OCTET STRING'): Uint8Array {
  expectUniversal(node, Tag.octetString, what);
  if (!node.constructed) return node.content;
  const parts = node.children.map((k) => readOctetString(k, what));
  return concatBytes(...parts);
}

/**
 * Bytes of a field that should be a BIT STRING but that "non-standard" V1 seals write as an OCTET STRING
 * (ses-signature.md §2.3): accept either.
 */
export function readBitOrOctetString(node: DerNode, what: string): Uint8Array {
  if (node.isUniversal(Tag.octetString)) return readOctetString(node, what);
  return readBitString(node, what);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const latin1 = new TextDecoder('latin1');

export function isStringTag(node: DerNode): boolean {
  return (
    node.cls === TagClass.universal &&
    [Tag.utf8String, Tag.numericString, Tag.printableString, Tag.t61String, Tag.ia5String, Tag.visibleString,
      Tag.universalString, Tag.bmpString].includes(node.tagNumber as 12)
  );
}

/** Any ASN.1 character string as a JavaScript string (BMPString is UTF-16BE, UniversalString UTF-32BE). */
export function readString(node: DerNode, what = 'string'): string {
  if (!isStringTag(node)) throw badDer(node.start, `${what}: expected a character string, found ${node.describe()}`);
  const c = node.content;
  switch (node.tagNumber) {
    case Tag.bmpString: {
      if (c.length % 2) throw badDer(node.start, `${what}: BMPString of odd length`);
      let s = '';
      for (let i = 0; i < c.length; i += 2) s += String.fromCharCode((c[i] << 8) | c[i + 1]);
      return s;
    }
    case Tag.universalString: {
      if (c.length % 4) throw badDer(node.start, `${what}: UniversalString length not a multiple of 4`);
      let s = '';
      for (let i = 0; i < c.length; i += 4) {
        const cp = ((c[i] << 24) | (c[i + 1] << 16) | (c[i + 2] << 8) | c[i + 3]) >>> 0;
        if (cp > 0x10ffff) throw badDer(node.start, `${what}: UniversalString holds an invalid code point`);
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    case Tag.t61String:
      // T61String is in practice written as UTF-8 or Latin-1 by CAs; prefer UTF-8 when it decodes cleanly.
      return decodeUtf8OrLatin1(c);
    default:
      return utf8.decode(c);
  }
}

export function decodeUtf8OrLatin1(c: Uint8Array): string {
  const s = utf8.decode(c);
  return s.includes('\uFFFD') ? latin1.decode(c) : s;
}

/** UTCTime or GeneralizedTime as a Date (UTC; a time without zone is read as UTC, as X.690 DER requires Z). */
export function readTime(node: DerNode, what = 'time'): Date {
  if (!node.isUniversal(Tag.utcTime) && !node.isUniversal(Tag.generalizedTime)) {
    throw badDer(node.start, `${what}: expected UTCTime or GeneralizedTime, found ${node.describe()}`);
  }
  const text = latin1.decode(node.content);
  const d = parseAsn1Time(text, node.isUniversal(Tag.utcTime));
  if (!d) throw badDer(node.start, `${what}: unreadable time "${text.slice(0, 40)}"`);
  return d;
}

/** Parses "YYMMDDHHMM[SS]Z" (UTCTime) or "YYYYMMDDHHMM[SS[.fff]][Z|±hhmm]" (GeneralizedTime). */
export function parseAsn1Time(text: string, utc: boolean): Date | undefined {
  const m = utc
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})?$/.exec(text)
    : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d{1,9}))?(Z|[+-]\d{4})?$/.exec(text);
  if (!m) return undefined;
  let year = Number(m[1]);
  if (utc) year += year < 50 ? 2000 : 1900; // RFC 5280 §4.1.2.5.1
  const frac = utc ? '0' : (m[7] ?? '0');
  const zone = utc ? m[7] : m[8];
  const ms = Math.round(Number(`0.${frac}`) * 1000);
  let t = Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5] ?? 0), Number(m[6] ?? 0), ms);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    t -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60000;
  }
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function readBoolean(node: DerNode, what = 'BOOLEAN'): boolean {
  expectUniversal(node, Tag.boolean, what);
  if (node.content.length !== 1) throw badDer(node.start, `${what}: BOOLEAN must be one octet`);
  return node.content[0] !== 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (a.length > 64) return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

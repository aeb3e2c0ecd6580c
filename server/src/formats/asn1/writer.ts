/**
 * DER encoder for what this project has to produce itself: test certificates, SES seals and signatures for the
 * synthetic-voucher factory, and CMS signed attributes. Every function returns the complete TLV encoding, so
 * structures are written bottom-up: `seq(int(4), seq(...), genTime(d))`.
 */
import { concatBytes } from './der';

const enc = new TextEncoder();

export function tlv(identifier: number, content: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(identifier), encodeLength(content.length), content);
}

export function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Uint8Array.of(0x80 | out.length, ...out);
}

export const seq = (...items: Uint8Array[]) => tlv(0x30, concatBytes(...items));

/** SET OF in DER order: elements sorted by their encodings (X.690 §11.6). */
export const setOf = (...items: Uint8Array[]) => tlv(0x31, concatBytes(...[...items].sort(compareBytes)));

export function int(v: bigint | number): Uint8Array {
  let n = BigInt(v);
  const bytes: number[] = [];
  if (n === 0n) return tlv(0x02, Uint8Array.of(0));
  if (n > 0n) {
    while (n > 0n) {
      bytes.unshift(Number(n & 0xffn));
      n >>= 8n;
    }
    if (bytes[0] & 0x80) bytes.unshift(0);
  } else {
    // Two's complement in the fewest octets: the smallest L with -2^(8L-1) <= n.
    let len = 1;
    while (n < -(1n << BigInt(8 * len - 1))) len++;
    let u = n + (1n << BigInt(8 * len));
    for (let i = 0; i < len; i++) {
      bytes.unshift(Number(u & 0xffn));
      u >>= 8n;
    }
  }
  return tlv(0x02, Uint8Array.from(bytes));
}

/** INTEGER from unsigned big-endian bytes (serial numbers, r and s). */
export function uintBytes(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const body = b.subarray(i);
  return tlv(0x02, body[0] & 0x80 ? concatBytes(Uint8Array.of(0), body) : body);
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  if (arcs.length < 2) throw new Error(`OID needs at least two arcs: ${dotted}`);
  const out: number[] = [];
  const push = (v: bigint) => {
    const chunk: number[] = [Number(v & 0x7fn)];
    v >>= 7n;
    while (v > 0n) {
      chunk.unshift(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(...chunk);
  };
  push(arcs[0] * 40n + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return tlv(0x06, Uint8Array.from(out));
}

export const octets = (b: Uint8Array) => tlv(0x04, b);
export const bitString = (b: Uint8Array) => tlv(0x03, concatBytes(Uint8Array.of(0), b));
export const nullValue = () => Uint8Array.of(0x05, 0x00);
export const bool = (v: boolean) => tlv(0x01, Uint8Array.of(v ? 0xff : 0));
export const utf8String = (s: string) => tlv(0x0c, enc.encode(s));
export const printableString = (s: string) => tlv(0x13, enc.encode(s));
export const ia5String = (s: string) => tlv(0x16, enc.encode(s));

/** UTCTime "YYMMDDHHMMSSZ" (years 1950–2049, RFC 5280). */
export function utcTime(d: Date): Uint8Array {
  const s = d.toISOString();
  return tlv(0x17, enc.encode(`${s.slice(2, 4)}${s.slice(5, 7)}${s.slice(8, 10)}${s.slice(11, 13)}${s.slice(14, 16)}${s.slice(17, 19)}Z`));
}

/** GeneralizedTime "YYYYMMDDHHMMSSZ" (no fraction: DER forbids trailing zeros, whole seconds avoid the issue). */
export function generalizedTime(d: Date): Uint8Array {
  const s = d.toISOString();
  return tlv(0x18, enc.encode(`${s.slice(0, 4)}${s.slice(5, 7)}${s.slice(8, 10)}${s.slice(11, 13)}${s.slice(14, 16)}${s.slice(17, 19)}Z`));
}

/** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. */
export const x509Time = (d: Date) => (d.getUTCFullYear() < 2050 ? utcTime(d) : generalizedTime(d));

/** [n] EXPLICIT: a constructed context tag wrapping a complete encoding. */
export const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);

/** [n] IMPLICIT constructed: replaces the tag of a SEQUENCE/SET encoding, keeping its content. */
export function implicitConstructed(n: number, encoded: Uint8Array): Uint8Array {
  const out = encoded.slice();
  out[0] = 0xa0 | n;
  return out;
}

/** [n] IMPLICIT primitive. */
export const implicitPrimitive = (n: number, content: Uint8Array) => tlv(0x80 | n, content);

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

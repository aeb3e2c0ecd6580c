/**
 * SM2 digital signatures (GB/T 32918.2 / GM/T 0003.2) on @noble/curves' generic Weierstrass arithmetic.
 *
 * Node's built-in SM2 signs and verifies with an EMPTY user ID, so it cannot check GM/T 0009-compatible
 * signatures (STACK.md §3); the scheme is written out here instead:
 *   Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA),  e = SM3(Z ‖ M)
 *   sign:   k random, (x1, y1) = kG, r = (e + x1) mod n, s = (1 + d)⁻¹ (k − r·d) mod n
 *   verify: t = (r + s) mod n, (x1, y1) = s·G + t·P, valid iff (e + x1) mod n = r
 * The default user ID is "1234567812345678" (GM/T 0009), ENTL = 0x0080.
 *
 * Verification is the hot path of seal checking. It runs on `ecmul.ts` (variable-time, public inputs only):
 * s·G + t·P in one accumulator, fixed-base tables for G and for public keys that recur, no final inversion.
 * Public keys are decoded and validated once (noble) in a bounded cache keyed by the key bytes, with their
 * Z for the default user ID. Signing and key generation stay on noble's constant-time multiplication.
 */
import { randomBytes } from 'node:crypto';
import { weierstrass, type WeierstrassPoint, type WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { FormatError } from '../errors';
import { readDer, readUnsignedBytes, expectSequence, concatBytes, toHex } from '../asn1/der';
import { seq, uintBytes } from '../asn1/writer';
import { sm3 } from './hash';
import { PublicMultiplier, invert, type AffinePoint, type FixedBaseTable, type WeierstrassParams } from './ecmul';

export const DEFAULT_USER_ID = new TextEncoder().encode('1234567812345678');

/** The curve's domain parameters (the same shape the point arithmetic of ecmul.ts takes). */
export type CurveParams = WeierstrassParams;

/** The recommended curve sm2p256v1 (GM/T 0003.5, OID 1.2.156.10197.1.301). */
export const SM2P256V1: CurveParams = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
};

export interface Sm2Signature {
  r: bigint;
  s: bigint;
}

export interface Sm2KeyPair {
  /** 32-byte private scalar. */
  privateKey: Uint8Array;
  /** 65-byte uncompressed point 04 ‖ X ‖ Y. */
  publicKey: Uint8Array;
}

const CACHE_LIMIT = 4096;
/** A key gets a fixed-base table (~16 ms to build, ~0.45 MB) on this use: recurring keys, not one-off ones. */
const TABLE_AFTER = 8;
/** Keys holding a table at once (the least recently tabled one loses its table first). */
const TABLE_LIMIT = 64;
const KEY_WINDOW = 8;

interface KeyEntry {
  point: WeierstrassPoint<bigint>;
  affine: AffinePoint;
  uses: number;
  table?: FixedBaseTable;
  zDefault?: Uint8Array;
}

export class Sm2Curve {
  readonly Point: WeierstrassPointCons<bigint>;
  private readonly fixed: Uint8Array;
  private readonly keyCache = new Map<string, KeyEntry>();
  private readonly tabled = new Set<KeyEntry>();
  private readonly mul: PublicMultiplier;

  constructor(readonly params: CurveParams) {
    this.Point = weierstrass({ ...params, h: 1n });
    // Lazy: noble keeps separate tables for constant-time (signing) and public-scalar use; signing only.
    this.Point.BASE.precompute(8, true);
    this.mul = new PublicMultiplier(params);
    // a ‖ b ‖ xG ‖ yG: the part of Z that does not depend on the key.
    this.fixed = concatBytes(be32(params.a), be32(params.b), be32(params.Gx), be32(params.Gy));
  }

  /** Decodes and caches a public key (65-byte 04‖X‖Y, 64-byte X‖Y or compressed). */
  publicPoint(publicKey: Uint8Array): WeierstrassPoint<bigint> {
    return this.keyEntry(publicKey).point;
  }

  /**
   * The cache entry of a key. Its fixed-base table costs about thirty table-less verifications, so it is built
   * on the key's TABLE_AFTER-th use: seals and signer keys that recur (a tax bureau's, a bank's) get fast,
   * one-off keys do not pay for a table.
   */
  private keyEntry(publicKey: Uint8Array): KeyEntry {
    const id = toHex(publicKey);
    const hit = this.keyCache.get(id);
    if (hit) {
      if (++hit.uses === TABLE_AFTER) {
        hit.table = this.mul.buildTable(hit.affine, KEY_WINDOW);
        this.tabled.add(hit);
        if (this.tabled.size > TABLE_LIMIT) {
          const oldest = this.tabled.values().next().value as KeyEntry;
          this.tabled.delete(oldest);
          oldest.table = undefined;
        }
      }
      return hit;
    }
    let bytes = publicKey;
    if (bytes.length === 64) bytes = concatBytes(Uint8Array.of(4), bytes);
    let P: WeierstrassPoint<bigint>;
    try {
      P = this.Point.fromBytes(bytes);
      P.assertValidity();
    } catch {
      throw new FormatError('invalid_field', `SM2 public key is not a point on the curve (${publicKey.length} bytes)`);
    }
    if (this.keyCache.size >= CACHE_LIMIT) {
      const oldest = this.keyCache.keys().next().value as string;
      const gone = this.keyCache.get(oldest);
      if (gone) this.tabled.delete(gone);
      this.keyCache.delete(oldest);
    }
    const entry: KeyEntry = { point: P, affine: { x: P.x, y: P.y }, uses: 1 };
    this.keyCache.set(id, entry);
    return entry;
  }

  /** Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA). */
  z(publicKey: Uint8Array, userId: Uint8Array = DEFAULT_USER_ID): Uint8Array {
    return this.zOf(this.keyEntry(publicKey), userId);
  }

  private zOf(entry: KeyEntry, userId: Uint8Array = DEFAULT_USER_ID): Uint8Array {
    const isDefault = userId === DEFAULT_USER_ID;
    if (isDefault && entry.zDefault) return entry.zDefault;
    const bits = userId.length * 8;
    if (bits > 0xffff) throw new FormatError('invalid_field', 'SM2 user ID longer than 8191 bytes');
    const z = sm3(Uint8Array.of(bits >> 8, bits & 0xff), userId, this.fixed, be32(entry.affine.x), be32(entry.affine.y));
    if (isDefault) entry.zDefault = z;
    return z;
  }

  /** e = SM3(Z ‖ M) as an integer. */
  e(publicKey: Uint8Array, message: Uint8Array, userId?: Uint8Array): bigint {
    return bytesToBigint(sm3(this.z(publicKey, userId), message));
  }

  verify(publicKey: Uint8Array, message: Uint8Array, sig: Sm2Signature, userId?: Uint8Array): boolean {
    const { n } = this.params;
    const { r, s } = sig;
    if (r < 1n || r >= n || s < 1n || s >= n) return false;
    const t = (r + s) % n;
    if (t === 0n) return false;
    const key = this.keyEntry(publicKey);
    const e = bytesToBigint(sm3(this.zOf(key, userId), message));
    // (x1, y1) = s·G + t·P; valid iff (e + x1) mod n = r, i.e. x1 ≡ r − e (mod n). Scalars and key are public.
    const R = this.mul.mulAdd(s, t, key.affine, key.table);
    return this.mul.xMatchesModN(R, (((r - e) % n) + n) % n);
  }

  sign(privateKey: Uint8Array, message: Uint8Array, opts: { userId?: Uint8Array; k?: bigint } = {}): Sm2Signature {
    const { n } = this.params;
    const d = bytesToBigint(privateKey);
    if (d < 1n || d >= n - 1n) throw new FormatError('invalid_field', 'SM2 private key out of range');
    const publicKey = this.publicKeyOf(privateKey);
    const e = this.e(publicKey, message, opts.userId);
    for (let attempt = 0; attempt < 64; attempt++) {
      const k = opts.k ?? randomScalar(n);
      const x1 = this.Point.BASE.multiply(k).x;
      const r = (e + x1) % n;
      if (r === 0n || r + k === n) continue;
      const s = (invert(1n + d, n) * (((k - r * d) % n) + n)) % n;
      if (s === 0n) continue;
      return { r, s };
    }
    throw new Error('SM2 signing failed to find a usable nonce');
  }

  publicKeyOf(privateKey: Uint8Array): Uint8Array {
    return this.Point.BASE.multiply(bytesToBigint(privateKey)).toBytes(false);
  }

  generateKeyPair(): Sm2KeyPair {
    const d = randomScalar(this.params.n - 1n);
    const privateKey = be32(d);
    return { privateKey, publicKey: this.publicKeyOf(privateKey) };
  }
}

/** The sm2p256v1 instance used everywhere outside tests of other curves. */
export const sm2 = new Sm2Curve(SM2P256V1);

export const sm2Verify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, userId?: Uint8Array) =>
  sm2.verify(publicKey, message, decodeSm2Signature(signature), userId);

/** Signs and returns the DER SEQUENCE { r, s } that SES and CMS carry. */
export const sm2SignDer = (privateKey: Uint8Array, message: Uint8Array, userId?: Uint8Array) =>
  encodeSm2SignatureDer(sm2.sign(privateKey, message, { userId }));

export const generateSm2KeyPair = () => sm2.generateKeyPair();

export function encodeSm2SignatureDer(sig: Sm2Signature): Uint8Array {
  return seq(uintBytes(be32(sig.r)), uintBytes(be32(sig.s)));
}

export function encodeSm2SignatureRaw(sig: Sm2Signature): Uint8Array {
  return concatBytes(be32(sig.r), be32(sig.s));
}

/**
 * Reads an SM2 signature value in the encodings found in real files:
 * - DER SEQUENCE { r INTEGER, s INTEGER } (GM/T 0009, most producers);
 * - raw r ‖ s, 64 bytes;
 * - 65 bytes with one leading byte (0x02/0x00/0x04) before r ‖ s (数科 files, ofd.js#62);
 * - DER with trailing zero padding.
 */
export function decodeSm2Signature(value: Uint8Array): Sm2Signature {
  return decodeSm2SignatureDetailed(value).signature;
}

/**
 * As `decodeSm2Signature`, also accepting two damaged forms seen in the corpus, and saying what was repaired:
 * - DER whose last byte(s) are missing (Suwell_SDK 2022 dropped a final 0x00 of s, as a C string copy would):
 *   up to 2 missing bytes are restored as zeros — nothing is guessed, a wrong restoration cannot verify;
 * - raw r ‖ s followed by garbage (a 2018 V1 producer wrote 110 bytes: r ‖ s, uninitialised memory, a time).
 */
export function decodeSm2SignatureDetailed(value: Uint8Array): { signature: Sm2Signature; note?: string } {
  if (value.length >= 8 && value[0] === 0x30) {
    const declared = value[1] < 0x80 ? 2 + value[1] : value[1] === 0x81 ? 3 + value[2] : -1;
    const missing = declared - value.length;
    if (missing > 0 && missing <= 2) {
      const sig = tryDer(concatBytes(value, new Uint8Array(missing)));
      if (sig) return { signature: sig, note: `DER signature value truncated by ${missing} byte(s); restored as zero byte(s)` };
    }
    const sig = tryDer(value);
    if (sig) return { signature: sig, note: declared > 0 && declared < value.length ? `${value.length - declared} byte(s) after the DER signature ignored` : undefined };
  }
  if (value.length === 64) return { signature: { r: bytesToBigint(value.subarray(0, 32)), s: bytesToBigint(value.subarray(32)) } };
  if (value.length === 65) {
    return {
      signature: { r: bytesToBigint(value.subarray(1, 33)), s: bytesToBigint(value.subarray(33)) },
      note: `raw signature value with a leading 0x${value[0].toString(16).padStart(2, '0')} byte`,
    };
  }
  if (value.length > 65) {
    return {
      signature: { r: bytesToBigint(value.subarray(0, 32)), s: bytesToBigint(value.subarray(32, 64)) },
      note: `signature value of ${value.length} bytes read as raw r||s followed by ${value.length - 64} ignored byte(s)`,
    };
  }
  throw new FormatError('bad_der', `SM2 signature value of ${value.length} bytes is neither DER nor raw r||s`);
}

function tryDer(value: Uint8Array): Sm2Signature | undefined {
  try {
    const node = readDer(value, { allowTrailing: true });
    expectSequence(node, 'SM2 signature');
    if (node.children.length !== 2) return undefined;
    return {
      r: bytesToBigint(readUnsignedBytes(node.child(0), 'SM2 signature r')),
      s: bytesToBigint(readUnsignedBytes(node.child(1), 'SM2 signature s')),
    };
  } catch {
    return undefined;
  }
}

export function bytesToBigint(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${toHex(b)}`);
}

/** 32-byte big-endian. */
export function be32(v: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
}

function randomScalar(max: bigint): bigint {
  // 40 random bytes reduced mod (max−1), +1: bias below 2^-64.
  return (bytesToBigint(randomBytes(40)) % (max - 1n)) + 1n;
}

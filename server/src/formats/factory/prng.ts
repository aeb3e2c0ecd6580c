/**
 * A small seeded PRNG (sfc32 seeded through SM3 of the seed text): every generated value in the factory comes
 * from here, so one seed always produces the same vouchers, byte for byte. `fork(label)` gives an independent
 * stream per purpose (voucher #i, the PKI), so adding a field to one voucher does not shift every later one.
 */
import { sm3 } from '../crypto/hash';

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: string) {
    const h = sm3(new TextEncoder().encode(seed));
    const word = (i: number) => ((h[i] << 24) | (h[i + 1] << 16) | (h[i + 2] << 8) | h[i + 3]) >>> 0;
    this.a = word(0);
    this.b = word(4);
    this.c = word(8);
    this.d = word(12) | 1;
    for (let i = 0; i < 12; i++) this.u32(); // sfc32 warm-up
  }

  /** An independent stream for `label` (same seed + label → same stream). */
  fork(label: string | number): Prng {
    return new Prng(`${this.seed}/${label}`);
  }

  /** Next 32-bit unsigned integer (sfc32). */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Integer in [min, max] (inclusive); uniform enough for test data (modulo bias < 2^-20 for small ranges). */
  int(min: number, max: number): number {
    return min + (this.u32() % (max - min + 1));
  }

  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** `n` decimal digits; the first is non-zero when `leadingNonZero`. */
  digits(n: number, leadingNonZero = false): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(i === 0 && leadingNonZero ? this.int(1, 9) : this.int(0, 9));
    return s;
  }

  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789ABCDEF'[this.int(0, 15)];
    return s;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

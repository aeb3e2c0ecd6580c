/**
 * Variable-time point arithmetic for SM2 VERIFICATION: R = s·G + t·P on a short Weierstrass curve
 * y² = x³ + ax + b over F_p, for public s, t and P only. Its running time depends on the scalars, so it must
 * never see a private key (signing stays on @noble/curves' constant-time multiplication, see sm2.ts).
 *
 * Why not noble's `multiplyUnsafe(s).add(multiplyUnsafe(t))`: noble 2 routes precomputed points through its
 * constant-time kernel (a fake addition for zero digits, a scan of the whole window per digit) with complete
 * projective formulas (17 field multiplications per addition, each reduced with `%`, additions too) and two
 * affine conversions. Here:
 * - Jacobian coordinates; tables hold AFFINE points, so each table addition is a mixed addition (8M + 3S);
 *   field additions are reduced by a comparison, not a division;
 * - both scalars go into ONE accumulator (no second point, no final general addition);
 * - fixed-base tables (`FixedBaseTable`): for every W-bit window w the multiples k·2^(wW)·Q, k = 1..2^(W−1),
 *   so a multiplication is one mixed addition per window and no doubling (signed digits: −k uses (x, −y));
 * - a point without a table (a key seen for the first time) is multiplied by width-5 wNAF over its odd
 *   multiples, sharing the accumulator with the generator's fixed-base additions;
 * - no inversion at the end: `xMatchesModN` compares X with v·Z² instead of computing x = X/Z².
 * Exceptional cases of the addition law (adding a point to itself or to its negative, the point at infinity)
 * are handled exactly, so the result equals the complete formulas' on every input.
 */

export interface WeierstrassParams {
  p: bigint;
  a: bigint;
  b: bigint;
  n: bigint;
  Gx: bigint;
  Gy: bigint;
}

export interface AffinePoint {
  x: bigint;
  y: bigint;
}

/**
 * k·2^(wW)·Q for w = 0..windows−1, k = 1..half (half = 2^(W−1)), affine, at index w·half + k − 1. A scalar
 * below 2^(W·(windows−1)) multiplies with `windows` mixed additions.
 */
export interface FixedBaseTable {
  W: number;
  windows: number;
  half: number;
  xs: bigint[];
  ys: bigint[];
}

/** A point in Jacobian coordinates (x = X/Z², y = Y/Z³); Z = 0 is the point at infinity. Mutated in place. */
export class JacobianPoint {
  constructor(
    public X: bigint,
    public Y: bigint,
    public Z: bigint,
  ) {}

  static infinity(): JacobianPoint {
    return new JacobianPoint(1n, 1n, 0n);
  }

  isInfinity(): boolean {
    return this.Z === 0n;
  }
}

const WNAF_WIDTH = 5;

export class PublicMultiplier {
  readonly p: bigint;
  readonly a: bigint;
  readonly n: bigint;
  private readonly aIsMinus3: boolean;
  private readonly G: AffinePoint;
  private baseTable?: FixedBaseTable;

  /** `baseWindow`: W of the generator's table (2^(W−1)·(⌈bits/W⌉+1) points, built on first use). */
  constructor(
    params: WeierstrassParams,
    private readonly baseWindow = 8,
  ) {
    this.p = params.p;
    this.a = ((params.a % params.p) + params.p) % params.p;
    this.n = params.n;
    this.aIsMinus3 = this.a === params.p - 3n;
    this.G = { x: params.Gx, y: params.Gy };
  }

  /** The generator's fixed-base table (built on first call). */
  generatorTable(): FixedBaseTable {
    this.baseTable ??= this.buildTable(this.G, this.baseWindow);
    return this.baseTable;
  }

  /**
   * s·G + t·P. P must be a valid point of order n (the caller checked it is on the curve). `table`, when given,
   * must be `buildTable(P, …)`. Scalars: 0 ≤ s, t < n.
   */
  mulAdd(s: bigint, t: bigint, P: AffinePoint, table?: FixedBaseTable): JacobianPoint {
    const acc = JacobianPoint.infinity();
    if (table) this.addFixed(acc, table, t);
    else this.addWnaf(acc, P, t);
    this.addFixed(acc, this.generatorTable(), s);
    return acc;
  }

  /**
   * Whether the affine x of R (not infinity), reduced mod n, equals v (0 ≤ v < n), without inverting Z:
   * x ≡ v (mod n) with 0 ≤ x < p < 2n means x = v or x = v + n, i.e. X = v·Z² or X = (v + n)·Z² (mod p).
   */
  xMatchesModN(R: JacobianPoint, v: bigint): boolean {
    if (R.isInfinity()) return false;
    const { p } = this;
    const zz = (R.Z * R.Z) % p;
    if ((v * zz) % p === R.X) return true;
    const w = v + this.n;
    return w < p && (w * zz) % p === R.X;
  }

  /** Affine coordinates of R (one inversion); null for infinity. */
  toAffine(R: JacobianPoint): AffinePoint | null {
    if (R.isInfinity()) return null;
    const { p } = this;
    const zi = invert(R.Z, p);
    const zi2 = (zi * zi) % p;
    return { x: (R.X * zi2) % p, y: (((R.Y * zi2) % p) * zi) % p };
  }

  /** The fixed-base table of Q with window W: 2^(W−1)·(⌈bits(n)/W⌉ + 1) affine points. */
  buildTable(Q: AffinePoint, W: number): FixedBaseTable {
    if (!Number.isInteger(W) || W < 2 || W > 16) throw new RangeError(`window ${W} out of range 2..16`);
    const windows = Math.ceil(this.n.toString(2).length / W) + 1;
    const half = 2 ** (W - 1);
    const jac: JacobianPoint[] = [];
    let base: AffinePoint = Q;
    for (let w = 0; w < windows; w++) {
      const acc = new JacobianPoint(base.x, base.y, 1n);
      jac.push(new JacobianPoint(acc.X, acc.Y, acc.Z));
      for (let k = 2; k <= half; k++) {
        this.madd(acc, base.x, base.y);
        jac.push(new JacobianPoint(acc.X, acc.Y, acc.Z));
      }
      if (w + 1 < windows) {
        this.double(acc); // 2·half·base = 2^W·base
        const next = this.toAffine(acc);
        if (!next) throw new Error('fixed-base table: a multiple of the point is infinity (point of small order)');
        base = next;
      }
    }
    const affine = this.normalizeAll(jac);
    return { W, windows, half, xs: affine.map((q) => q.x), ys: affine.map((q) => q.y) };
  }

  /** acc += k·Q for the table's point Q: one mixed addition per non-zero signed digit. */
  addFixed(acc: JacobianPoint, table: FixedBaseTable, k: bigint): void {
    const { W, windows, half, xs, ys } = table;
    const size = 2 * half;
    const mask = BigInt(size - 1);
    const shift = BigInt(W);
    const { p } = this;
    let rest = k;
    for (let w = 0; w < windows; w++) {
      let digit = Number(rest & mask);
      rest >>= shift;
      if (digit > half) {
        digit -= size;
        rest += 1n;
      }
      if (digit === 0) continue;
      const i = w * half + Math.abs(digit) - 1;
      const y = ys[i];
      this.madd(acc, xs[i], digit > 0 || y === 0n ? y : p - y);
    }
    if (rest !== 0n) throw new RangeError('scalar too large for the fixed-base table');
  }

  /** acc += k·P by width-5 wNAF over P, 3P, …, 15P (acc is doubled along: call it on a fresh accumulator). */
  addWnaf(acc: JacobianPoint, P: AffinePoint, k: bigint): void {
    const digits = wnaf(k, WNAF_WIDTH);
    if (digits.length === 0) return;
    const odd = this.oddMultiples(P, 2 ** (WNAF_WIDTH - 2));
    const { p } = this;
    for (let i = digits.length - 1; i >= 0; i--) {
      this.double(acc);
      const d = digits[i];
      if (d === 0) continue;
      const q = odd[(Math.abs(d) - 1) >> 1];
      this.madd(acc, q.x, d > 0 || q.y === 0n ? q.y : p - q.y);
    }
  }

  /** P, 3P, 5P, … (count points), affine. */
  private oddMultiples(P: AffinePoint, count: number): AffinePoint[] {
    if (count === 1) return [P];
    const twice = new JacobianPoint(P.x, P.y, 1n);
    this.double(twice);
    const D = this.toAffine(twice);
    if (!D) return [P]; // 2P = ∞ cannot happen for a point of odd order; keep P alone, the walk then fails closed
    const jac: JacobianPoint[] = [new JacobianPoint(P.x, P.y, 1n)];
    const acc = new JacobianPoint(P.x, P.y, 1n);
    for (let i = 1; i < count; i++) {
      this.madd(acc, D.x, D.y);
      jac.push(new JacobianPoint(acc.X, acc.Y, acc.Z));
    }
    return this.normalizeAll(jac);
  }

  /** Affine forms of many finite points with one inversion (Montgomery's trick). */
  private normalizeAll(points: JacobianPoint[]): AffinePoint[] {
    const { p } = this;
    const prefix: bigint[] = new Array(points.length);
    let acc = 1n;
    for (let i = 0; i < points.length; i++) {
      if (points[i].isInfinity()) throw new Error('cannot normalise the point at infinity');
      prefix[i] = acc;
      acc = (acc * points[i].Z) % p;
    }
    let inv = invert(acc, p);
    const out: AffinePoint[] = new Array(points.length);
    for (let i = points.length - 1; i >= 0; i--) {
      const q = points[i];
      const zi = (inv * prefix[i]) % p;
      inv = (inv * q.Z) % p;
      const zi2 = (zi * zi) % p;
      out[i] = { x: (q.X * zi2) % p, y: (((q.Y * zi2) % p) * zi) % p };
    }
    return out;
  }

  /** acc ← acc + (x2, y2), affine (x2, y2) on the curve; madd-2007-bl with the exceptional cases. */
  madd(acc: JacobianPoint, x2: bigint, y2: bigint): void {
    const { p } = this;
    const { X: X1, Y: Y1, Z: Z1 } = acc;
    if (Z1 === 0n) {
      acc.X = x2;
      acc.Y = y2;
      acc.Z = 1n;
      return;
    }
    const Z1Z1 = (Z1 * Z1) % p;
    let H = (x2 * Z1Z1) % p - X1;
    if (H < 0n) H += p;
    let r = (((y2 * Z1) % p) * Z1Z1) % p - Y1;
    if (r < 0n) r += p;
    if (H === 0n) {
      if (r === 0n) this.double(acc);
      else {
        acc.X = 1n;
        acc.Y = 1n;
        acc.Z = 0n;
      }
      return;
    }
    const HH = (H * H) % p;
    const HHH = (H * HH) % p;
    const V = (X1 * HH) % p;
    let X3 = (r * r - HHH - 2n * V) % p;
    if (X3 < 0n) X3 += p;
    let Y3 = (r * (V - X3) - Y1 * HHH) % p;
    if (Y3 < 0n) Y3 += p;
    acc.X = X3;
    acc.Y = Y3;
    acc.Z = (Z1 * H) % p;
  }

  /** acc ← 2·acc (dbl-2001-b for a = −3, dbl-2007-bl otherwise). */
  double(acc: JacobianPoint): void {
    const { p } = this;
    const { X, Y, Z } = acc;
    if (Z === 0n) return;
    if (Y === 0n) {
      acc.X = 1n;
      acc.Y = 1n;
      acc.Z = 0n;
      return;
    }
    const YY = (Y * Y) % p;
    const ZZ = (Z * Z) % p;
    const S = (4n * X * YY) % p;
    let M: bigint;
    if (this.aIsMinus3) M = (3n * (X - ZZ) * (X + ZZ)) % p;
    else M = (3n * X * X + this.a * ((ZZ * ZZ) % p)) % p;
    if (M < 0n) M += p;
    let X3 = (M * M - 2n * S) % p;
    if (X3 < 0n) X3 += p;
    let Y3 = (M * (S - X3) - 8n * ((YY * YY) % p)) % p;
    if (Y3 < 0n) Y3 += p;
    acc.X = X3;
    acc.Y = Y3;
    acc.Z = (2n * Y * Z) % p;
  }
}

/** Width-w NAF digits of k ≥ 0, least significant first: odd digits in (−2^(w−1), 2^(w−1)) or 0. */
export function wnaf(k: bigint, w: number): number[] {
  const size = 2 ** w;
  const half = size / 2;
  const mask = BigInt(size - 1);
  const out: number[] = [];
  let rest = k;
  while (rest > 0n) {
    let d = 0;
    if (rest & 1n) {
      d = Number(rest & mask);
      if (d >= half) d -= size;
      rest -= BigInt(d);
    }
    out.push(d);
    rest >>= 1n;
  }
  return out;
}

/** a⁻¹ mod m (extended Euclid, m prime, a ≢ 0). */
export function invert(a: bigint, m: bigint): bigint {
  let old = ((a % m) + m) % m;
  let r = m;
  let x = 1n;
  let y = 0n;
  while (r !== 0n) {
    const q = old / r;
    const nr = old - q * r;
    old = r;
    r = nr;
    const ny = x - q * y;
    x = y;
    y = ny;
  }
  if (old !== 1n) throw new Error('not invertible');
  return ((x % m) + m) % m;
}

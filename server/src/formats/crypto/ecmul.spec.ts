import { randomBytes } from 'node:crypto';
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { PublicMultiplier, JacobianPoint, wnaf, invert, type WeierstrassParams } from './ecmul';
import { SM2P256V1 } from './sm2';

// GB/T 32918.2 Annex A example curve: a ≠ −3, so the general doubling formula is exercised too.
const ANNEX_A: WeierstrassParams = {
  p: 0x8542d69e4c044f18e8b92435bf6ff7de457283915c45517d722edb8b08f1dfc3n,
  a: 0x787968b4fa32c3fd2417842e73bbfeff2f3c848b6831d7e0ec65228b3937e498n,
  b: 0x63e4c6d3b23b0c849cf84241484bfe48f61d59a5b16ba06e6e12d1da27c5249an,
  Gx: 0x421debd61b62eab6746434ebc3cc315e32220b3badd50bdc4c4e6c147fedd43dn,
  Gy: 0x0680512bcbb42c07d47349d2153b70c4e5d7fdfcbfa36ea1a85841b9e46e09a2n,
  n: 0x8542d69e4c044f18e8b92435bf6ff7dd297720630485628d5ae74ee7c32e79b7n,
};

const randomScalar = (n: bigint) => BigInt(`0x${randomBytes(40).toString('hex')}`) % n;

describe.each([
  ['sm2p256v1 (a = −3)', SM2P256V1],
  ['GB/T 32918.2 Annex A curve (general a)', ANNEX_A],
])('PublicMultiplier on %s', (_name, params) => {
  const Point = weierstrass({ ...params, h: 1n });
  const mul = new PublicMultiplier(params);
  const { n } = params;
  // Reference: noble's complete-formula multiplications, added separately.
  const reference = (s: bigint, t: bigint, P: InstanceType<typeof Point>) => {
    const sG = s === 0n ? Point.ZERO : Point.BASE.multiplyUnsafe(s);
    const tP = t === 0n ? Point.ZERO : P.multiplyUnsafe(t);
    const R = sG.add(tP);
    return R.is0() ? null : { x: R.x, y: R.y };
  };
  const d = randomScalar(n - 1n) + 1n;
  const P = Point.BASE.multiply(d);
  const affine = { x: P.x, y: P.y };
  const table = mul.buildTable(affine, 6);

  it('s·G + t·P equals the separate multiplications on random scalars, with and without a table for P', () => {
    for (let i = 0; i < 12; i++) {
      const s = randomScalar(n);
      const t = randomScalar(n);
      const want = reference(s, t, P);
      expect(mul.toAffine(mul.mulAdd(s, t, affine))).toEqual(want);
      expect(mul.toAffine(mul.mulAdd(s, t, affine, table))).toEqual(want);
    }
  });

  it('handles the edge scalars 1, n−1, powers of two and zero digits', () => {
    for (const [s, t] of [[1n, 1n], [n - 1n, 1n], [1n, n - 1n], [1n << 200n, (1n << 128n) + 1n], [0n, 5n], [7n, 0n], [256n, 65536n]]) {
      const want = reference(s, t, P);
      expect(mul.toAffine(mul.mulAdd(s, t, affine))).toEqual(want);
      expect(mul.toAffine(mul.mulAdd(s, t, affine, table))).toEqual(want);
    }
  });

  it('treats the exceptional additions exactly: P = G (doubling inside the accumulator), P = −G and s + t = n (infinity)', () => {
    const G = { x: params.Gx, y: params.Gy };
    const minusG = { x: params.Gx, y: params.p - params.Gy };
    const gTable = mul.buildTable(G, 6);
    const mgTable = mul.buildTable(minusG, 6);
    for (const s of [3n, randomScalar(n), n - 2n]) {
      // s·G + s·G = 2s·G: every window adds a point to itself.
      const twice = Point.BASE.multiplyUnsafe((2n * s) % n);
      expect(mul.toAffine(mul.mulAdd(s, s, G))).toEqual({ x: twice.x, y: twice.y });
      expect(mul.toAffine(mul.mulAdd(s, s, G, gTable))).toEqual({ x: twice.x, y: twice.y });
      // s·G + s·(−G) = ∞ and s·G + (n − s)·G = ∞.
      expect(mul.mulAdd(s, s, minusG).isInfinity()).toBe(true);
      expect(mul.mulAdd(s, s, minusG, mgTable).isInfinity()).toBe(true);
      expect(mul.mulAdd(s, n - s, G, gTable).isInfinity()).toBe(true);
    }
    expect(mul.xMatchesModN(JacobianPoint.infinity(), 0n)).toBe(false);
  });

  it('compares x mod n without inverting Z, including x ≥ n', () => {
    const R = mul.mulAdd(randomScalar(n), randomScalar(n), affine, table);
    const { x } = mul.toAffine(R)!;
    expect(mul.xMatchesModN(R, x % n)).toBe(true);
    expect(mul.xMatchesModN(R, (x + 1n) % n)).toBe(false);
    // A Jacobian triple whose affine x is n + 5 (the check does not need the point on the curve).
    const Z = 0x1234567n;
    const big = new JacobianPoint(((n + 5n) * Z * Z) % params.p, 1n, Z);
    expect(params.p > n + 5n).toBe(true);
    expect(mul.xMatchesModN(big, 5n)).toBe(true);
    expect(mul.xMatchesModN(big, 6n)).toBe(false);
  });

  it('rejects a scalar the fixed-base table cannot hold', () => {
    expect(() => mul.mulAdd(1n << 300n, 1n, affine, table)).toThrow(/too large/);
  });
});

describe('wnaf and invert', () => {
  it('width-5 NAF digits are odd or zero, below 16 in magnitude, and sum back to the scalar', () => {
    for (const k of [1n, 15n, 16n, 31n, 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54122n, randomScalar(1n << 256n)]) {
      const digits = wnaf(k, 5);
      expect(digits.every((d) => d === 0 || (Math.abs(d) % 2 === 1 && Math.abs(d) < 16))).toBe(true);
      expect(digits.reduce((sum, d, i) => sum + BigInt(d) * (1n << BigInt(i)), 0n)).toBe(k);
    }
    expect(wnaf(0n, 5)).toEqual([]);
  });

  it('inverts modulo a prime and refuses zero', () => {
    const { p } = SM2P256V1;
    for (const a of [1n, 2n, p - 1n, randomScalar(p) + 1n]) expect((a * invert(a, p)) % p).toBe(1n);
    expect(invert(-3n, 7n)).toBe(2n);
    expect(() => invert(0n, p)).toThrow(/not invertible/);
  });
});

import { sm2 as smc, sm3 as smcSm3 } from 'sm-crypto-v2';
import { readDer, readOctetString, readBitString, toHex } from '../asn1/der';
import { sm3, digest } from './hash';
import {
  Sm2Curve, sm2, be32, decodeSm2Signature, decodeSm2SignatureDetailed, encodeSm2SignatureDer, encodeSm2SignatureRaw,
  sm2Verify, sm2SignDer,
} from './sm2';
import { sm2PublicKeyPem } from './x509-build';
import { opensslSm2, opensslSignSm2, opensslVerifySm2 } from './test-openssl';

const enc = (s: string) => new TextEncoder().encode(s);

describe('SM3 (GB/T 32905 test vectors)', () => {
  it('hashes "abc"', () => {
    expect(toHex(sm3(enc('abc')))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
  it('hashes the 512-bit "abcd"×16 message', () => {
    expect(toHex(sm3(enc('abcd'.repeat(16))))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });
  it('agrees with an independent implementation (sm-crypto-v2) and hashes parts as one message', () => {
    const m = enc('电子会计档案'.repeat(50));
    expect(toHex(sm3(m))).toBe(smcSm3(m));
    expect(toHex(sm3(m.subarray(0, 7), m.subarray(7)))).toBe(smcSm3(m));
    expect(toHex(sm3(m.subarray(7, 300)))).toBe(smcSm3(m.subarray(7, 300))); // a view into a larger buffer
    expect(toHex(digest('sha1', enc('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });
});

describe('SM2 with the GB/T 32918.2 Annex A example (Fp-256 test curve)', () => {
  // Parameters, key, ID and nonce from the standard's worked example; expected Z, r, s are the published values.
  const curve = new Sm2Curve({
    p: 0x8542d69e4c044f18e8b92435bf6ff7de457283915c45517d722edb8b08f1dfc3n,
    a: 0x787968b4fa32c3fd2417842e73bbfeff2f3c848b6831d7e0ec65228b3937e498n,
    b: 0x63e4c6d3b23b0c849cf84241484bfe48f61d59a5b16ba06e6e12d1da27c5249an,
    Gx: 0x421debd61b62eab6746434ebc3cc315e32220b3badd50bdc4c4e6c147fedd43dn,
    Gy: 0x0680512bcbb42c07d47349d2153b70c4e5d7fdfcbfa36ea1a85841b9e46e09a2n,
    n: 0x8542d69e4c044f18e8b92435bf6ff7dd297720630485628d5ae74ee7c32e79b7n,
  });
  const d = be32(0x128b2fa8bd433c6c068c8d803dff79792a519a55171b1b650c23661d15897263n);
  const id = enc('ALICE123@YAHOO.COM');
  const m = enc('message digest');
  const pub = curve.publicKeyOf(d);

  it('derives the public key and Z_A', () => {
    expect(toHex(pub)).toBe(
      '04' + '0ae4c7798aa0f119471bee11825be46202bb79e2a5844495e97c04ff4df2548a' + '7c0240f88f1cd4e16352a73c17b7f16f07353e53a176d684a9fe0c6bb798e857',
    );
    expect(toHex(curve.z(pub, id))).toBe('f4a38489e32b45b6f876e3ac2168ca392362dc8f23459c1d1146fc3dbfb7bc9a');
  });

  it('signs with the example nonce to the published (r, s) and verifies', () => {
    const sig = curve.sign(d, m, { userId: id, k: 0x6cb28d99385c175c94f94e934817663fc176d925dd72b727260dbaae1fb2f96fn });
    expect(sig.r.toString(16)).toBe('40f1ec59f793d9f49e09dcef49130d4194f79fb1eed2caa55bacdb49c4e755d1');
    expect(sig.s.toString(16)).toBe('6fc6dac32c5d5cf10c77dfb20f7c2eb667a457872fb09ec56327a67ec7deebe7');
    expect(curve.verify(pub, m, sig, id)).toBe(true);
    expect(curve.verify(pub, m, sig)).toBe(false); // default ID gives another Z
    expect(curve.verify(pub, enc('message digesT'), sig, id)).toBe(false);
    expect(curve.verify(pub, m, { r: sig.r, s: sig.s + 1n }, id)).toBe(false);
    // From the 8th use the key verifies through its fixed-base table: same results.
    for (let use = 0; use < 10; use++) expect(curve.verify(pub, m, sig, id)).toBe(true);
    expect(curve.verify(pub, m, { r: sig.r, s: sig.s + 1n }, id)).toBe(false);
  });
});

describe('SM2 on sm2p256v1 with the default user ID', () => {
  const kp = sm2.generateKeyPair();
  const msg = enc('TBS_Sign bytes');

  it('round-trips sign/verify and rejects other messages, keys and out-of-range values', () => {
    const sig = sm2.sign(kp.privateKey, msg);
    expect(sm2.verify(kp.publicKey, msg, sig)).toBe(true);
    expect(sm2.verify(kp.publicKey, enc('TBS_Sign bytez'), sig)).toBe(false);
    expect(sm2.verify(sm2.generateKeyPair().publicKey, msg, sig)).toBe(false);
    expect(sm2.verify(kp.publicKey, msg, { r: 0n, s: sig.s })).toBe(false);
    expect(sm2.verify(kp.publicKey, msg, { r: sig.r, s: sm2.params.n })).toBe(false);
  });

  it('gives the same verdicts once the key has its fixed-base table (from its 8th use)', () => {
    const key = sm2.generateKeyPair();
    const sig = sm2.sign(key.privateKey, msg);
    for (let use = 1; use <= 12; use++) {
      expect([use, sm2.verify(key.publicKey, msg, sig)]).toEqual([use, true]);
      expect([use, sm2.verify(key.publicKey, msg, { r: sig.r, s: (sig.s + 1n) % sm2.params.n })]).toEqual([use, false]);
      expect([use, sm2.verify(key.publicKey, enc('TBS_Sign bytez'), sig)]).toEqual([use, false]);
    }
    const theirs = smc.doSignature(msg, toHex(key.privateKey), { der: true, hash: true, publicKey: toHex(key.publicKey) });
    expect(sm2Verify(key.publicKey, msg, Uint8Array.from(Buffer.from(theirs, 'hex')))).toBe(true);
  });

  it('accepts DER, raw 64-byte and 65-byte (leading 0x02) encodings of the same signature', () => {
    const sig = sm2.sign(kp.privateKey, msg);
    const der = encodeSm2SignatureDer(sig);
    const raw = encodeSm2SignatureRaw(sig);
    expect(sm2Verify(kp.publicKey, msg, der)).toBe(true);
    expect(sm2Verify(kp.publicKey, msg, raw)).toBe(true);
    const odd = decodeSm2SignatureDetailed(Uint8Array.of(0x02, ...raw));
    expect(odd.note).toBe('raw signature value with a leading 0x02 byte');
    expect(sm2.verify(kp.publicKey, msg, odd.signature)).toBe(true);
    expect(() => decodeSm2Signature(new Uint8Array(10))).toThrow(/10 bytes is neither DER nor raw/);
  });

  it('restores a DER signature whose final zero byte was dropped (Suwell_SDK 2022 files)', () => {
    const sig = { r: 0xe907d02810e1165f5bd6fe756be85a101ba7fba679801d2281838f2678c964c8n, s: 0xe4b2d993debc8494158625b089805f172b5786dcc1386276938768fb44c98000n };
    const der = encodeSm2SignatureDer(sig);
    const d = decodeSm2SignatureDetailed(der.subarray(0, der.length - 1));
    expect(d.note).toBe('DER signature value truncated by 1 byte(s); restored as zero byte(s)');
    expect(d.signature).toEqual(sig);
    expect(decodeSm2SignatureDetailed(der).note).toBeUndefined();
  });

  it('interoperates with sm-crypto-v2 both ways (independent implementation, same user ID)', () => {
    const pubHex = toHex(kp.publicKey);
    const privHex = toHex(kp.privateKey);
    const ours = toHex(sm2SignDer(kp.privateKey, msg));
    expect(smc.doVerifySignature(msg, ours, pubHex, { der: true, hash: true })).toBe(true);
    const theirs = smc.doSignature(msg, privHex, { der: true, hash: true, publicKey: pubHex });
    expect(sm2Verify(kp.publicKey, msg, Uint8Array.from(Buffer.from(theirs, 'hex')))).toBe(true);
    expect(toHex(sm2.z(kp.publicKey))).toBe(toHex(smc.getZ(pubHex.slice(2).padStart(130, '04'))));
  });

  (opensslSm2 ? it : it.skip)('verifies what openssl signed and openssl verifies what we signed (-sigopt distid)', () => {
    const message = enc('<ofd:Signature>…</ofd:Signature>');
    const { signature, keyDer } = opensslSignSm2(message);
    const key = readDer(keyDer); // ECPrivateKey { 1, d, [0] curve, [1] publicKey }
    const d = readOctetString(key.child(1));
    const pub = readBitString(key.child(3).child(0));
    expect(toHex(sm2.publicKeyOf(d))).toBe(toHex(pub));
    expect(sm2Verify(pub, message, signature)).toBe(true);
    expect(sm2Verify(pub, enc('other'), signature)).toBe(false);

    const ours = sm2SignDer(d, message);
    expect(opensslVerifySm2(sm2PublicKeyPem(pub), message, ours)).toBe(true);
    expect(opensslVerifySm2(sm2PublicKeyPem(pub), enc('other'), ours)).toBe(false);
  });

});

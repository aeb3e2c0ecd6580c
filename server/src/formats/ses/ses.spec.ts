import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { FormatError } from '../errors';
import { toHex } from '../asn1/der';
import { sm3 } from '../crypto/hash';
import { sm2, decodeSm2SignatureDetailed, encodeSm2SignatureDer } from '../crypto/sm2';
import { parseCertificate } from '../crypto/x509';
import { createSm2Certificate, sm2PublicKeyPem } from '../crypto/x509-build';
import { opensslSm2, opensslVerifySm2, openssl } from '../crypto/test-openssl';
import { corpusAvailable, CORPUS, corpusFile, openOfdFile } from '../signatures/test-helpers';
import { parseSesSignature, parseSesSeal, looksLikeSesSignature, parseLooseTime } from './parse';
import { verifySesSignature, verifySeal } from './verify';
import { buildSesSealV4, buildSesSignatureV4 } from './build';

const enc = (s: string) => new TextEncoder().encode(s);

/** A generated test PKI: root CA, seal maker, signer; and a V4 seal of the signer. */
function testPki() {
  const rootKey = sm2.generateKeyPair();
  const makerKey = sm2.generateKeyPair();
  const signerKey = sm2.generateKeyPair();
  const rootName: Array<[string, string]> = [['C', 'CN'], ['CN', 'evarchive 测试根 CA']];
  const notBefore = new Date('2024-01-01T00:00:00Z');
  const notAfter = new Date('2030-01-01T00:00:00Z');
  const root = createSm2Certificate({ subject: rootName, publicKey: rootKey.publicKey, issuerPrivateKey: rootKey.privateKey, notBefore, notAfter, isCa: true });
  const maker = createSm2Certificate({ subject: [['C', 'CN'], ['CN', '测试制章系统']], issuer: rootName, publicKey: makerKey.publicKey, issuerPrivateKey: rootKey.privateKey, notBefore, notAfter });
  const signer = createSm2Certificate({ subject: [['C', 'CN'], ['O', '测试财政局'], ['CN', '测试财政局电子印章']], issuer: rootName, publicKey: signerKey.publicKey, issuerPrivateKey: rootKey.privateKey, notBefore, notAfter });
  const sealSpec = {
    vid: 'EVARCHIVE-TEST',
    esId: '33010000000001',
    name: '测试财政局财务专用章',
    sealType: 1,
    signerCerts: [signer.der],
    createDate: new Date('2024-06-01T00:00:00Z'),
    validStart: new Date('2024-06-01T00:00:00Z'),
    validEnd: new Date('2027-06-01T00:00:00Z'),
    picture: { type: 'png', data: Uint8Array.of(0x89, 0x50, 0x4e, 0x47), widthMm: 40, heightMm: 40 },
    makerCert: maker.der,
    makerPrivateKey: makerKey.privateKey,
  };
  const seal = buildSesSealV4(sealSpec);
  return { root, maker, signer, signerKey, seal, sealSpec };
}

describe('SES V4: build, parse, verify', () => {
  const pki = testPki();
  const signatureXml = enc('<?xml version="1.0" encoding="UTF-8"?><ofd:Signature xmlns:ofd="http://www.ofdspec.org/2016"/>');
  const signed = buildSesSignatureV4({
    seal: pki.seal,
    timeInfo: new Date('2025-03-05T11:21:31Z'),
    signedFile: signatureXml,
    propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml',
    signerCert: pki.signer.der,
    signerPrivateKey: pki.signerKey.privateKey,
  });

  it('parses what it built, field by field', () => {
    expect(looksLikeSesSignature(signed)).toBe(true);
    const s = parseSesSignature(signed);
    expect(s.layout).toBe('v4');
    expect(s.version).toBe(4);
    expect(s.timeInfo?.toISOString()).toBe('2025-03-05T11:21:31.000Z');
    expect(toHex(s.dataHash)).toBe(toHex(sm3(signatureXml)));
    expect(s.propertyInfo).toBe('/Doc_0/Signs/Sign_0/Signature.xml');
    expect(s.signatureAlgorithm).toBe('1.2.156.10197.1.501');
    expect(s.seal.header).toEqual({ id: 'ES', version: 4, vid: 'EVARCHIVE-TEST' });
    expect(s.seal.name).toBe('测试财政局财务专用章');
    expect(s.seal.certListType).toBe(1);
    expect(s.seal.certs).toHaveLength(1);
    expect(s.seal.picture).toEqual({ type: 'png', data: Uint8Array.of(0x89, 0x50, 0x4e, 0x47), width: 40, height: 40 });
    expect(toHex(s.seal.bytes)).toBe(toHex(pki.seal));
    expect(s.oddities).toEqual([]);
    expect(toHex(parseSesSeal(pki.seal).sealInfoBytes)).toBe(toHex(s.seal.sealInfoBytes));
  });

  it('verifies every check, with a trusted chain when the root is an anchor', () => {
    const v = verifySesSignature(parseSesSignature(signed), { signedFile: signatureXml, sealFile: pki.seal, trustAnchors: [pki.root] });
    expect(v.format).toBe('ses-v4');
    expect(v.dataHashOk).toBe(true);
    expect(v.signatureValid).toBe(true);
    expect(v.chain.status).toBe('trusted');
    expect(v.signerSubject).toBe('CN=测试财政局电子印章, O=测试财政局, C=CN');
    expect(v.checks.map((c) => [c.check, c.ok])).toEqual([
      ['data-hash', true], ['signature', true], ['seal-file', true], ['seal-maker', true], ['cert-in-seal', true],
      ['seal-period', true], ['signer-cert-period', true], ['maker-cert-period', true], ['chain', true],
    ]);
    expect(verifySesSignature(parseSesSignature(signed), { signedFile: signatureXml }).chain.status).toBe('not-checkable');
  });

  it('detects a changed Signature.xml (data hash)', () => {
    const other = signatureXml.slice();
    other[50] ^= 1;
    const v = verifySesSignature(parseSesSignature(signed), { signedFile: other });
    expect(v.dataHashOk).toBe(false);
    expect(v.checks.find((c) => c.check === 'data-hash')?.reason).toMatch(/^data hash mismatch: .*Signature.xml tampered/);
  });

  it('detects a changed signing time (signature over TBS_Sign)', () => {
    const bad = signed.slice();
    const at = Buffer.from(bad).indexOf(Buffer.from('20250305112131Z'));
    bad[at + 3] = '6'.charCodeAt(0); // 2026
    const v = verifySesSignature(parseSesSignature(bad), { signedFile: signatureXml });
    expect(v.signatureValid).toBe(false);
    expect(v.checks.find((c) => c.check === 'signature')?.reason).toMatch(/^signature invalid: SM2\/SM3 signature of signer "测试财政局电子印章" over TBS_Sign does not verify/);
  });

  it('detects a changed seal (maker signature), a foreign signer and signing outside the seal period', () => {
    const sealBad = pki.seal.slice();
    const at = Buffer.from(sealBad).indexOf(Buffer.from('33010000000001'));
    sealBad[at + 13] = '2'.charCodeAt(0);
    const r = verifySeal(parseSesSeal(sealBad));
    expect(r.makerOk).toBe(false);
    expect(r.reason).toMatch(/^seal maker signature invalid/);

    const stranger = sm2.generateKeyPair();
    const strangerCert = createSm2Certificate({ subject: [['CN', '他人']], publicKey: stranger.publicKey, issuerPrivateKey: stranger.privateKey, notBefore: new Date('2024-01-01Z'), notAfter: new Date('2030-01-01Z') });
    const foreign = buildSesSignatureV4({ seal: pki.seal, timeInfo: new Date('2025-01-01Z'), signedFile: signatureXml, propertyInfo: '/x', signerCert: strangerCert.der, signerPrivateKey: stranger.privateKey });
    const v1 = verifySesSignature(parseSesSignature(foreign), { signedFile: signatureXml });
    expect(v1.checks.find((c) => c.check === 'cert-in-seal')).toEqual({ check: 'cert-in-seal', ok: false, reason: 'signer certificate is not among the certificates allowed to use this seal' });
    expect(v1.signatureValid).toBe(false);

    const late = buildSesSignatureV4({ seal: pki.seal, timeInfo: new Date('2028-01-01T00:00:00Z'), signedFile: signatureXml, propertyInfo: '/x', signerCert: pki.signer.der, signerPrivateKey: pki.signerKey.privateKey });
    const v2 = verifySesSignature(parseSesSignature(late), { signedFile: signatureXml });
    expect(v2.checks.find((c) => c.check === 'seal-period')?.ok).toBe(false);
    expect(v2.checks.find((c) => c.check === 'seal-period')?.reason).toBe('seal validity 2024-06-01 … 2027-06-01 does not cover the signing time 2028-01-01T00:00:00.000Z');
    expect(v2.signatureValid).toBe(false);
  });

  it('checks membership by certificate digest (certListType 2)', () => {
    const seal = buildSesSealV4({ ...pki.sealSpec, signerCerts: [], signerCertDigests: [{ type: 'sm3', value: sm3(pki.signer.der) }] });
    expect(parseSesSeal(seal).certListType).toBe(2);
    const sig = buildSesSignatureV4({ seal, timeInfo: new Date('2025-01-01Z'), signedFile: signatureXml, propertyInfo: '/x', signerCert: pki.signer.der, signerPrivateKey: pki.signerKey.privateKey });
    const v = verifySesSignature(parseSesSignature(sig), { signedFile: signatureXml });
    expect(v.checks.find((c) => c.check === 'cert-in-seal')).toEqual({ check: 'cert-in-seal', ok: true, reason: "signer certificate SM3 digest is in the seal's certificate digest list" });
    expect(v.signatureValid).toBe(true);
    const wrong = buildSesSealV4({ ...pki.sealSpec, signerCerts: [], signerCertDigests: [{ type: 'sm3', value: new Uint8Array(32) }] });
    const sig2 = buildSesSignatureV4({ seal: wrong, timeInfo: new Date('2025-01-01Z'), signedFile: signatureXml, propertyInfo: '/x', signerCert: pki.signer.der, signerPrivateKey: pki.signerKey.privateKey });
    expect(verifySesSignature(parseSesSignature(sig2), { signedFile: signatureXml }).signatureValid).toBe(false);
  });

  it('reports a Seal.esl that differs from the embedded seal', () => {
    const other = testPki().seal;
    const v = verifySesSignature(parseSesSignature(signed), { signedFile: signatureXml, sealFile: other });
    expect(v.checks.find((c) => c.check === 'seal-file')?.ok).toBe(false);
  });

  it('rejects malformed input with bad_der, never a crash', () => {
    for (const bytes of [new Uint8Array(0), signed.subarray(0, 100), Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x04), enc('not DER at all')]) {
      expect(() => parseSesSignature(bytes)).toThrow(FormatError);
    }
    expect(looksLikeSesSignature(enc('garbage'))).toBe(false);
  });

  it('damaged signatures give a result or a FormatError, never another exception or a false valid', () => {
    let seed = 3;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 300; i++) {
      const bad = i % 4 === 0 ? signed.subarray(0, rnd(signed.length)) : signed.slice();
      if (i % 4 !== 0) bad[rnd(bad.length)] ^= 1 + rnd(255);
      try {
        const v = verifySesSignature(parseSesSignature(bad), { signedFile: signatureXml });
        // Every byte of this signature is covered by some check except the picture data inside the seal,
        // which the maker signature covers: so a damaged file is never fully valid.
        expect(v.dataHashOk === true && v.signatureValid === true).toBe(false);
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
      }
    }
  });

  it('reads the loose V1 time texts', () => {
    expect(parseLooseTime('1540970511')?.toISOString()).toBe('2018-10-31T07:21:51.000Z');
    expect(parseLooseTime('2020-01-25T07:31:56.377Z')?.toISOString()).toBe('2020-01-25T07:31:56.377Z');
    expect(parseLooseTime('2018-10-31 15:21:51')?.toISOString()).toBe('2018-10-31T07:21:51.000Z');
    expect(parseLooseTime('20211014033404Z')?.toISOString()).toBe('2021-10-14T03:34:04.000Z');
    expect(parseLooseTime('yesterday')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Corpus: every SES SignedValue.dat, our SM2 results against the openssl CLI as an independent oracle.

function corpusSesFiles(): Array<{ file: string; entry: string }> {
  if (!corpusAvailable) return [];
  const out: Array<{ file: string; entry: string }> = [];
  for (const dir of readdirSync(CORPUS)) {
    for (const f of readdirSync(path.join(CORPUS, dir))) {
      if (!f.endsWith('.ofd')) continue;
      const file = path.join(CORPUS, dir, f);
      let pkg;
      try {
        pkg = openOfdFile(file);
      } catch {
        continue;
      }
      for (const entry of pkg.list()) {
        if (!/\/Sign(ed)?Value\.dat$/.test(entry)) continue;
        if (looksLikeSesSignature(pkg.read(entry))) out.push({ file, entry });
      }
    }
  }
  return out;
}

const sesFiles = corpusSesFiles();
if (!corpusAvailable) console.warn(`corpus not found at ${CORPUS}: corpus SES tests skipped`);

describe('SES signatures in the corpus', () => {
  (corpusAvailable ? it : it.skip)('finds the V1, v2-tagged and V4 seal signatures', () => {
    const layouts = sesFiles.map(({ file, entry }) => {
      const s = parseSesSignature(openOfdFile(file).read(entry));
      return `${s.layout}/${s.version}`;
    });
    expect(layouts.filter((l) => l === 'v4/4').length).toBeGreaterThanOrEqual(20);
    expect(layouts).toContain('v1/1');
    expect(layouts).toContain('v1/2');
  });

  (corpusAvailable && opensslSm2 ? it : it.skip)('SM2 signer and maker signatures: our verdict equals openssl’s', () => {
    let compared = 0;
    let rsaCompared = 0;
    const sealsSeen = new Set<string>(); // the same seal recurs across files: compare its maker signature once
    for (const { file, entry } of sesFiles) {
      const s = parseSesSignature(openOfdFile(file).read(entry));
      const where = `${path.basename(file)}:${entry}`;
      const signer = parseCertificate(s.signerCert);
      if (signer.publicKey.kind === 'sm2' && s.signatureAlgorithm === '1.2.156.10197.1.501') {
        // Same signature value for both: the tolerated encodings are normalised to DER first.
        const sig = decodeSm2SignatureDetailed(s.signature).signature;
        const ours = sm2.verify(signer.publicKey.key, s.tbsBytes, sig);
        const theirs = opensslVerifySm2(sm2PublicKeyPem(signer.publicKey.key), s.tbsBytes, encodeSm2SignatureDer(sig));
        expect(`${where} signer ${ours}`).toBe(`${where} signer ${theirs}`);
        compared++;
      }
      if (signer.publicKey.kind === 'rsa') {
        // 2018 legacy V1: RSA-SHA1 over Signature.xml (ses/README.md); openssl checks the same bytes.
        const sigXml = openOfdFile(file).read(entry.replace(/Sign(ed)?Value\.dat$/, 'Signature.xml'));
        const ours = verifySesSignature(s, { signedFile: sigXml }).checks.find((c) => c.check === 'signature')!.ok;
        const r = openssl(['dgst', '-sha1', '-verify', 'pub.pem', '-signature', 'sig.bin', 'msg.bin'], {
          'pub.pem': `-----BEGIN PUBLIC KEY-----\n${Buffer.from(signer.publicKey.spki).toString('base64')}\n-----END PUBLIC KEY-----\n`,
          'sig.bin': s.signature,
          'msg.bin': sigXml,
        });
        expect(`${where} rsa ${ours}`).toBe(`${where} rsa ${r.ok && r.out.toString().includes('Verified OK')}`);
        rsaCompared++;
      }
      const maker = parseCertificate(s.seal.makerCert);
      const sealId = toHex(sm3(s.seal.bytes));
      if (sealsSeen.has(sealId)) continue;
      sealsSeen.add(sealId);
      if (maker.publicKey.kind === 'sm2' && s.seal.makerSignatureAlgorithm === '1.2.156.10197.1.501') {
        const sig = decodeSm2SignatureDetailed(s.seal.makerSignature).signature;
        const ours = sm2.verify(maker.publicKey.key, s.seal.makerSignedBytes, sig);
        const theirs = opensslVerifySm2(sm2PublicKeyPem(maker.publicKey.key), s.seal.makerSignedBytes, encodeSm2SignatureDer(sig));
        expect(`${where} maker ${ours}`).toBe(`${where} maker ${theirs}`);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(35);
    expect(rsaCompared).toBe(2); // ServerSigned.ofd

  });

  const ESL = corpusFile('AnnXF__esl-demo/Seal.esl');
  (corpusAvailable && existsSync(ESL) ? it : it.skip)('parses a standalone Seal.esl (koal V4) and verifies its maker signature', () => {
    const seal = parseSesSeal(new Uint8Array(readFileSync(ESL)));
    expect(seal.layout).toBe('v4');
    expect(seal.header.vid).toBe('koal');
    expect(seal.picture?.type.toLowerCase()).toBe('png');
    expect(toHex(seal.picture!.data.subarray(0, 4))).toBe('89504e47');
    expect(seal.validStart!.getUTCFullYear()).toBe(2023);
    expect(verifySeal(seal).makerOk).toBe(true);
  });
});

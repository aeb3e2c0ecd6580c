/**
 * The factory's test PKI: a self-signed SM2 root "evarchive 测试CA", a seal maker (制章者) and a signer certificate
 * issued by it, and a V4 seal binding the signer. Keys are derived from the seed and every SM2 signature uses a
 * nonce derived from the key and the message, so the same seed gives the same certificates, seal and
 * SignedValue.dat bytes in every process. Built once per seed (key generation and the certificate signatures
 * cost milliseconds each) and cached.
 */
import { readDer } from '../asn1/der';
import { bitString, seq } from '../asn1/writer';
import { sm3 } from '../crypto/hash';
import { bytesToBigint, be32, encodeSm2SignatureDer, sm2 } from '../crypto/sm2';
import { parseCertificate, type Certificate } from '../crypto/x509';
import { createSm2Certificate, type NameInput } from '../crypto/x509-build';
import { buildSesSealV4, buildSesSignatureV4 } from '../ses/build';
import { sealPng } from './png';

export interface KeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface TestSeal {
  name: string;
  esId: string;
  /** DER SESeal (what Seal.esl holds). */
  der: Uint8Array;
  picture: Uint8Array;
}

export interface TestPki {
  root: Certificate;
  rootKey: KeyPair;
  maker: Certificate;
  makerKey: KeyPair;
  signer: Certificate;
  signerKey: KeyPair;
  seal: TestSeal;
}

const enc = new TextEncoder();
const N = sm2.params.n;

/** SM2 key pair derived from seed + label: d = SM3(seed ‖ label) mod (n − 2) + 1. */
export function deriveKeyPair(seed: string, label: string): KeyPair {
  const d = (bytesToBigint(sm3(enc.encode(`evarchive-factory-key/${seed}/${label}`))) % (N - 2n)) + 1n;
  const privateKey = be32(d);
  return { privateKey, publicKey: sm2.publicKeyOf(privateKey) };
}

/** Deterministic nonce (as RFC 6979 does for ECDSA, simplified): k = SM3(d ‖ SM3(msg) ‖ i) mod (n − 1) + 1. */
export function deterministicSign(privateKey: Uint8Array, message: Uint8Array) {
  const h = sm3(message);
  for (let i = 0; ; i++) {
    const k = (bytesToBigint(sm3(privateKey, h, Uint8Array.of(i))) % (N - 1n)) + 1n;
    try {
      return sm2.sign(privateKey, message, { k });
    } catch {
      // r = 0 or r + k = n for this k (probability ~2^-256): next counter
    }
  }
}

/**
 * Replaces the trailing BIT STRING signature of `SEQUENCE { signed, …, BIT STRING }` (certificate, SESeal,
 * SES_Signature all have that shape) by a deterministic signature over the first element's original bytes.
 * The builders in crypto/ and ses/ draw random nonces and offer no hook for one.
 */
export function resignDeterministically(der: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const parts = readDer(der).children;
  const signature = encodeSm2SignatureDer(deterministicSign(privateKey, parts[0].bytes));
  return seq(...parts.slice(0, -1).map((p) => p.bytes), bitString(signature));
}

/** Validity of everything in the test PKI: covers every issue date the factory generates (2019–2030). */
export const PKI_NOT_BEFORE = new Date('2019-01-01T00:00:00Z');
export const PKI_NOT_AFTER = new Date('2035-12-31T23:59:59Z');

const ROOT_NAME: NameInput = [['C', 'CN'], ['O', 'evarchive 测试'], ['CN', 'evarchive 测试CA']];

function certificate(subject: NameInput, key: KeyPair, issuerKey: KeyPair, serial: bigint, isCa: boolean): Certificate {
  const built = createSm2Certificate({
    subject,
    issuer: ROOT_NAME,
    publicKey: key.publicKey,
    issuerPrivateKey: issuerKey.privateKey,
    serialNumber: serial,
    notBefore: PKI_NOT_BEFORE,
    notAfter: PKI_NOT_AFTER,
    isCa,
  });
  return parseCertificate(resignDeterministically(built.der, issuerKey.privateKey));
}

const cache = new Map<string, TestPki>();

export function testPki(seed: string): TestPki {
  const hit = cache.get(seed);
  if (hit) return hit;
  const rootKey = deriveKeyPair(seed, 'root');
  const makerKey = deriveKeyPair(seed, 'maker');
  const signerKey = deriveKeyPair(seed, 'signer');
  const serial = (label: string) => (bytesToBigint(sm3(enc.encode(`${seed}/serial/${label}`)).slice(0, 8)) | 1n);
  const root = certificate(ROOT_NAME, rootKey, rootKey, serial('root'), true);
  const maker = certificate([['C', 'CN'], ['O', 'evarchive 测试'], ['CN', 'evarchive 测试制章者']], makerKey, rootKey, serial('maker'), false);
  const signer = certificate([['C', 'CN'], ['O', 'evarchive 测试'], ['CN', 'evarchive 测试发票签章']], signerKey, rootKey, serial('signer'), false);
  const name = 'evarchive 测试发票专用章';
  const esId = `${bytesToBigint(sm3(enc.encode(`${seed}/esid`)).slice(0, 6))}`.padStart(14, '0').slice(0, 14);
  const picture = sealPng();
  const sealDer = resignDeterministically(
    buildSesSealV4({
      vid: 'EVARCHIVE-TEST',
      esId,
      name,
      sealType: 1,
      signerCerts: [signer.der],
      createDate: PKI_NOT_BEFORE,
      validStart: PKI_NOT_BEFORE,
      validEnd: PKI_NOT_AFTER,
      picture: { type: 'png', data: picture, widthMm: 40, heightMm: 40 },
      makerCert: maker.der,
      makerPrivateKey: makerKey.privateKey,
    }),
    makerKey.privateKey,
  );
  const pki: TestPki = { root, rootKey, maker, makerKey, signer, signerKey, seal: { name, esId, der: sealDer, picture } };
  cache.set(seed, pki);
  return pki;
}

/** SignedValue.dat for `signatureXml` (ses/ builder, then re-signed with a deterministic nonce). */
export function signedValue(pki: TestPki, signatureXml: Uint8Array, propertyInfo: string, time: Date): Uint8Array {
  const built = buildSesSignatureV4({
    seal: pki.seal.der,
    timeInfo: time,
    signedFile: signatureXml,
    propertyInfo,
    signerCert: pki.signer.der,
    signerPrivateKey: pki.signerKey.privateKey,
  });
  return resignDeterministically(built, pki.signerKey.privateKey);
}

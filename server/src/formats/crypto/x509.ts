/**
 * X.509 certificates (RFC 5280) read with our own DER reader, because the usual JavaScript libraries
 * (node-forge) cannot parse SM2 keys (id-ecPublicKey with curve 1.2.156.10197.1.301) and reject the Chinese
 * DN strings some CAs write. Only what signature verification needs is decoded: names, serial, validity, the
 * public key, the signature algorithm, basicConstraints; the original TBSCertificate bytes are kept for
 * checking the issuer's signature.
 */
import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { FormatError } from '../errors';
import {
  DerNode, readDer, expectSequence, readInteger, readOid, readBitString, readString, readTime, readBoolean,
  readOctetString, isStringTag, toHex, bytesEqual, Tag, decodeUtf8OrLatin1,
} from '../asn1/der';
import { OID, signatureAlgorithmOf, type SignatureAlgorithm } from './oids';
import { sm2, decodeSm2Signature } from './sm2';

export interface NameAttribute {
  /** Attribute type OID. */
  type: string;
  /** Short name (CN, O, OU, C, …) or the OID when unknown. */
  name: string;
  value: string;
}

export interface DistinguishedName {
  /** Attributes in encoding order (country first, usually). */
  attributes: NameAttribute[];
  /** The DER of the Name, for exact issuer/subject matching. */
  der: Uint8Array;
  /** RFC 4514 style, most specific first: "CN=…, O=…, C=CN". */
  text: string;
}

export type PublicKeyKind = 'sm2' | 'ec' | 'rsa' | 'unknown';

export interface PublicKeyInfo {
  kind: PublicKeyKind;
  /** Algorithm OID of the SubjectPublicKeyInfo. */
  algorithm: string;
  /** Named curve OID for EC keys. */
  curve?: string;
  /** The subjectPublicKey BIT STRING content (for SM2: 04 ‖ X ‖ Y). */
  key: Uint8Array;
  /** The complete SubjectPublicKeyInfo DER (what Node's createPublicKey takes). */
  spki: Uint8Array;
}

export interface Certificate {
  der: Uint8Array;
  tbs: Uint8Array;
  version: number;
  /** Serial number, lowercase hex without leading zeros. */
  serialNumber: string;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  publicKey: PublicKeyInfo;
  /** Outer signatureAlgorithm OID. */
  signatureAlgorithm: string;
  signatureValue: Uint8Array;
  /** basicConstraints cA flag (false when the extension is absent). */
  isCa: boolean;
  /** subjectKeyIdentifier extension value (CMS signers may be named by it). */
  subjectKeyIdentifier?: Uint8Array;
}

const NAMES: Record<string, string> = {
  [OID.commonName]: 'CN',
  [OID.surname]: 'SN',
  [OID.serialNumber]: 'SERIALNUMBER',
  [OID.country]: 'C',
  [OID.locality]: 'L',
  [OID.state]: 'ST',
  [OID.street]: 'STREET',
  [OID.organization]: 'O',
  [OID.organizationalUnit]: 'OU',
  [OID.title]: 'T',
  [OID.givenName]: 'GN',
  [OID.emailAddress]: 'E',
};

const certCache = new Map<string, Certificate>();
const CERT_CACHE_LIMIT = 2048;

/**
 * Parses a DER certificate. Results are cached by the certificate bytes: the same tax-bureau / bank seal
 * certificate occurs in thousands of vouchers.
 */
export function parseCertificate(der: Uint8Array): Certificate {
  const id = toHex(der);
  const hit = certCache.get(id);
  if (hit) return hit;
  const cert = parseCertificateUncached(der);
  if (certCache.size >= CERT_CACHE_LIMIT) certCache.delete(certCache.keys().next().value as string);
  certCache.set(id, cert);
  return cert;
}

function parseCertificateUncached(input: Uint8Array): Certificate {
  // Copy: the caller's buffer may be a view into a larger file that is later released or mutated (tamper tests).
  const der = input.slice();
  const root = expectSequence(readDer(der), 'Certificate');
  const tbsNode = expectSequence(root.child(0, 'tbsCertificate'), 'tbsCertificate');
  const sigAlg = expectSequence(root.child(1, 'signatureAlgorithm'), 'signatureAlgorithm');
  const signatureValue = readBitString(root.child(2, 'signatureValue'), 'signatureValue');
  const f = tbsNode.children;
  let i = 0;
  let version = 1;
  if (f[0]?.isContext(0)) {
    version = Number(readInteger(f[0].child(0, 'version'), 'version')) + 1;
    i++;
  }
  const serial = readInteger(tbsNode.child(i++, 'serialNumber'), 'serialNumber');
  i++; // inner signature AlgorithmIdentifier (must equal the outer one; the outer one is what we use)
  const issuer = parseName(tbsNode.child(i++, 'issuer'));
  const validity = expectSequence(tbsNode.child(i++, 'validity'), 'validity');
  const notBefore = readTime(validity.child(0, 'notBefore'), 'notBefore');
  const notAfter = readTime(validity.child(1, 'notAfter'), 'notAfter');
  const subject = parseName(tbsNode.child(i++, 'subject'));
  const publicKey = parsePublicKeyInfo(tbsNode.child(i++, 'subjectPublicKeyInfo'));
  let isCa = false;
  let subjectKeyIdentifier: Uint8Array | undefined;
  for (const extra of f.slice(i)) {
    if (!extra.isContext(3)) continue;
    for (const ext of expectSequence(extra.child(0, 'extensions'), 'extensions').children) {
      const parts = expectSequence(ext, 'extension').children;
      if (parts.length < 2) continue;
      const extnId = readOid(parts[0], 'extnID');
      const value = readOctetString(parts[parts.length - 1], 'extnValue');
      if (extnId === OID.subjectKeyIdentifier) {
        subjectKeyIdentifier = readOctetString(readDer(value), 'subjectKeyIdentifier');
        continue;
      }
      if (extnId !== OID.basicConstraints) continue;
      const bc = expectSequence(readDer(value), 'basicConstraints');
      isCa = bc.children.length > 0 && bc.children[0].isUniversal(Tag.boolean) && readBoolean(bc.children[0], 'cA');
    }
  }
  return {
    der,
    tbs: tbsNode.bytes,
    version,
    serialNumber: (serial < 0n ? -serial : serial).toString(16),
    issuer,
    subject,
    notBefore,
    notAfter,
    publicKey,
    signatureAlgorithm: readOid(sigAlg.child(0, 'signatureAlgorithm.algorithm')),
    signatureValue,
    isCa,
    subjectKeyIdentifier,
  };
}

export function parseName(node: DerNode): DistinguishedName {
  expectSequence(node, 'Name');
  const attributes: NameAttribute[] = [];
  for (const rdn of node.children) {
    if (!rdn.isUniversal(Tag.set)) throw new FormatError('bad_der', `Name: RDN is not a SET (offset ${rdn.start})`);
    for (const atv of rdn.children) {
      expectSequence(atv, 'AttributeTypeAndValue');
      const type = readOid(atv.child(0, 'attribute type'));
      const v = atv.child(1, 'attribute value');
      // Some CAs write names as OCTET STRING or UTF-8 in a PrintableString; read the bytes whatever the tag.
      const value = isStringTag(v) ? readString(v) : decodeUtf8OrLatin1(v.content);
      attributes.push({ type, name: NAMES[type] ?? type, value });
    }
  }
  const text = [...attributes].reverse().map((a) => `${a.name}=${escapeDn(a.value)}`).join(', ');
  return { attributes, der: node.bytes, text };
}

function escapeDn(v: string): string {
  return v.replace(/([,+"\\<>;])/g, '\\$1');
}

/** One attribute of a name, e.g. the CN; undefined when absent. */
export function nameAttribute(name: DistinguishedName, short: string): string | undefined {
  return name.attributes.find((a) => a.name === short)?.value;
}

export function parsePublicKeyInfo(node: DerNode): PublicKeyInfo {
  expectSequence(node, 'SubjectPublicKeyInfo');
  const alg = expectSequence(node.child(0, 'algorithm'), 'SubjectPublicKeyInfo.algorithm');
  const algorithm = readOid(alg.child(0, 'algorithm OID'));
  const param = alg.children[1];
  const curve = param?.isUniversal(Tag.oid) ? readOid(param) : undefined;
  const key = readBitString(node.child(1, 'subjectPublicKey'), 'subjectPublicKey');
  let kind: PublicKeyKind = 'unknown';
  if (algorithm === OID.rsaEncryption) kind = 'rsa';
  else if (algorithm === OID.sm2Curve || (algorithm === OID.ecPublicKey && curve === OID.sm2Curve)) kind = 'sm2';
  else if (algorithm === OID.ecPublicKey) kind = 'ec';
  return { kind, algorithm, curve, key, spki: node.bytes };
}

const keyObjects = new Map<string, KeyObject>();

function nodeKey(spki: Uint8Array): KeyObject {
  const id = toHex(spki);
  let k = keyObjects.get(id);
  if (!k) {
    k = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (keyObjects.size >= CERT_CACHE_LIMIT) keyObjects.delete(keyObjects.keys().next().value as string);
    keyObjects.set(id, k);
  }
  return k;
}

export type SignatureCheck = { ok: boolean; reason?: string };

/**
 * Verifies `signature` over `data` with a public key and a signature algorithm (OID or name). SM2 uses the
 * default user ID unless given. Returns ok:false with a reason for an unsupported key/algorithm pairing
 * rather than throwing, so one odd signature does not abort a whole report.
 */
export function verifySignature(
  key: PublicKeyInfo,
  algorithm: string | SignatureAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
  opts: { userId?: Uint8Array } = {},
): boolean {
  const alg = typeof algorithm === 'string' ? signatureAlgorithmOf(algorithm) : algorithm;
  if (!alg) throw new FormatError('invalid_field', `unsupported signature algorithm ${String(algorithm)}`);
  if (alg.key === 'sm2') {
    if (key.kind !== 'sm2' && key.kind !== 'ec') throw new FormatError('invalid_field', `SM2 signature but a ${key.kind} key`);
    let sig;
    try {
      sig = decodeSm2Signature(signature);
    } catch {
      return false;
    }
    return sm2.verify(key.key, data, sig, opts.userId);
  }
  if (alg.key === 'rsa') {
    if (key.kind !== 'rsa') throw new FormatError('invalid_field', `RSA signature but a ${key.kind} key`);
    return nodeVerify(alg.hash, data, nodeKey(key.spki), signature);
  }
  if (key.kind !== 'ec') throw new FormatError('invalid_field', `ECDSA signature but a ${key.kind} key`);
  return nodeVerify(alg.hash, data, nodeKey(key.spki), signature);
}

/** Whether `issuer` signed `cert` (name match is the caller's business). */
export function verifyCertificateSignature(cert: Certificate, issuer: Certificate): boolean {
  try {
    return verifySignature(issuer.publicKey, cert.signatureAlgorithm, cert.tbs, cert.signatureValue);
  } catch {
    return false;
  }
}

export function validAt(cert: Certificate, at: Date): boolean {
  return cert.notBefore.getTime() <= at.getTime() && at.getTime() <= cert.notAfter.getTime();
}

export type ChainStatus = 'trusted' | 'untrusted' | 'not-checkable';

export interface ChainOptions {
  /** Configured trust anchors (root or intermediate certificates an operator trusts). */
  trustAnchors?: Certificate[];
  /** Further certificates that may be intermediates (e.g. carried in a CMS). */
  intermediates?: Certificate[];
}

export interface ChainResult {
  status: ChainStatus;
  reason: string;
}

/**
 * Chain status of `cert` against the trust anchors: `trusted` when a path of verified signatures ends at an
 * anchor, `untrusted` when it does not (unknown issuer, bad signature), `not-checkable` when no anchors are
 * configured or an algorithm is unsupported. Revocation is not checked here: CRL/OCSP endpoints in Chinese
 * government certificates are intranet addresses (ses-signature.md §5.9).
 */
export function checkChain(cert: Certificate, opts: ChainOptions = {}): ChainResult {
  const anchors = opts.trustAnchors ?? [];
  if (anchors.length === 0) return { status: 'not-checkable', reason: 'certificate chain not checkable: no trust anchors configured' };
  const pool = [...(opts.intermediates ?? []), ...anchors];
  let current = cert;
  for (let depth = 0; depth < 8; depth++) {
    if (anchors.some((a) => bytesEqual(a.der, current.der))) {
      return { status: 'trusted', reason: `certificate chain ends at trust anchor "${current.subject.text}"` };
    }
    const candidates = pool.filter((c) => c !== current && bytesEqual(c.subject.der, current.issuer.der));
    if (candidates.length === 0) {
      const byText = pool.filter((c) => c !== current && c.subject.text === current.issuer.text);
      candidates.push(...byText);
    }
    if (candidates.length === 0) {
      return { status: 'untrusted', reason: `certificate chain untrusted: issuer "${current.issuer.text}" is not a configured trust anchor` };
    }
    const issuer = candidates.find((c) => verifyCertificateSignature(current, c));
    if (!issuer) {
      if (!signatureAlgorithmOf(current.signatureAlgorithm)) {
        return { status: 'not-checkable', reason: `certificate chain not checkable: unsupported algorithm ${current.signatureAlgorithm}` };
      }
      return { status: 'untrusted', reason: `certificate chain untrusted: signature of "${current.subject.text}" does not verify with its issuer's key` };
    }
    if (anchors.includes(issuer)) {
      return { status: 'trusted', reason: `certificate chain verified up to trust anchor "${issuer.subject.text}"` };
    }
    current = issuer;
  }
  return { status: 'untrusted', reason: 'certificate chain untrusted: longer than 8 certificates' };
}

/** Reads PEM ("-----BEGIN CERTIFICATE-----") or DER into certificates, for configuring trust anchors. */
export function readCertificates(input: Uint8Array | string): Certificate[] {
  const text = typeof input === 'string' ? input : new TextDecoder('latin1').decode(input);
  const pems = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (pems.length) return pems.map((m) => parseCertificate(Uint8Array.from(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'))));
  if (typeof input === 'string') throw new FormatError('bad_der', 'no PEM certificate found');
  return [parseCertificate(input)];
}


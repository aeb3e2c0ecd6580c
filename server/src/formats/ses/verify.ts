/**
 * Verification of an SES seal signature (ses-signature.md §3, §5), one check per step, each with a sentence:
 *   data hash     TBS_Sign.dataHash = SM3(raw bytes of Signature.xml)          [V4; V1 variants below]
 *   signature     signer's signature over the original bytes of TBS_Sign        (SM2 + default user ID, or RSA)
 *   seal file     Seal.esl (when present) equals the SESeal inside the signature
 *   seal maker    maker's signature over SES_SealInfo (V4) / SEQUENCE{sealInfo, cert, alg} (V1)
 *   cert in seal  signer certificate in the seal's certificate list (or its digest)
 *   seal period   validStart ≤ signing time ≤ validEnd
 *   cert periods  signer certificate valid at the signing time (not "now": a 2020 invoice stays valid), maker
 *                 certificate valid at some time between the seal's createDate and the signing time
 *   chain         signer certificate against the configured trust anchors (reported, not part of validity)
 *
 * Legacy V1 producers (2018 GX/HNCA/Eseal, seen in the corpus) deviate and are accepted, with the deviation
 * named in the reason: the signature covers Signature.xml itself instead of TBS_Sign (RSA-SHA1 and SM2
 * variants), and dataHash is SHA-1(Signature.xml) or SM3(Z ‖ Signature.xml) (the SM2 "e" value).
 */
import { bytesEqual, toHex } from '../asn1/der';
import { digest, sm3 } from '../crypto/hash';
import { hashAlgorithmOf, signatureAlgorithmOf, HASH_LABEL, type HashAlgorithm } from '../crypto/oids';
import { sm2, decodeSm2SignatureDetailed } from '../crypto/sm2';
import {
  parseCertificate, verifySignature, validAt, checkChain, nameAttribute, type Certificate, type ChainResult,
} from '../crypto/x509';
import type { SesSeal, SesSignature, SealPicture } from './parse';

export interface SesVerifyOptions {
  /** Raw bytes of the protected file (Signature.xml as stored). Absent: the data hash cannot be checked. */
  signedFile?: Uint8Array;
  /** Bytes of Seal.esl when the signature folder has one. */
  sealFile?: Uint8Array;
  /** Configured trust anchors for the chain status. */
  trustAnchors?: Certificate[];
}

export type SesCheckName =
  | 'data-hash'
  | 'signature'
  | 'seal-file'
  | 'seal-maker'
  | 'cert-in-seal'
  | 'seal-period'
  | 'signer-cert-period'
  | 'maker-cert-period'
  | 'chain';

export interface SesCheck {
  check: SesCheckName;
  /** null: could not be checked. */
  ok: boolean | null;
  reason: string;
}

export interface SealSummary {
  name: string;
  esId: string;
  sealType?: number;
  vendor: string;
  headerVersion: number;
  validStart?: Date;
  validEnd?: Date;
  picture?: SealPicture;
}

export interface SesVerification {
  format: 'ses-v1' | 'ses-v4';
  version: number;
  /** dataHash against the protected file. */
  dataHashOk: boolean | null;
  /** Signer's signature, seal genuineness, certificate membership and validity windows together. */
  signatureValid: boolean | null;
  signer?: Certificate;
  signerSubject?: string;
  signingTime?: Date;
  chain: ChainResult;
  seal: SealSummary;
  checks: SesCheck[];
}

/** Seal checks do not depend on the document: cache them per seal (the same seal signs thousands of vouchers). */
interface SealResult {
  maker?: Certificate;
  makerOk: boolean | null;
  reason: string;
}
const sealCache = new Map<string, SealResult>();
const SEAL_CACHE_LIMIT = 1024;

export function verifySesSignature(sig: SesSignature, opts: SesVerifyOptions = {}): SesVerification {
  const checks: SesCheck[] = [];
  const add = (check: SesCheckName, ok: boolean | null, reason: string) => checks.push({ check, ok, reason });
  const seal = sig.seal;
  const signingTime = sig.timeInfo;
  const label = sig.layout === 'v4' ? `SES V4 (GB/T 38540, version ${sig.version})` : `SES V1 layout (GM/T 0031, version ${sig.version})`;

  let signer: Certificate | undefined;
  try {
    signer = parseCertificate(sig.signerCert);
  } catch (e) {
    add('signature', false, `signer certificate in the ${label} signature is unreadable: ${(e as Error).message}`);
  }
  const alg = signatureAlgorithmOf(sig.signatureAlgorithm);

  // 1. Data hash.
  const dataHash = checkDataHash(sig, opts.signedFile, signer, alg?.hash);
  add('data-hash', dataHash.ok, dataHash.reason);

  // 2. Signer's signature.
  let legacyDocumentSignature = false;
  if (signer) {
    if (!alg) add('signature', null, `unsupported: signature algorithm ${sig.signatureAlgorithm}`);
    else {
      const r = verifySigner(sig, signer, alg.key, opts.signedFile);
      legacyDocumentSignature = r.legacy;
      add('signature', r.ok, r.reason);
    }
  }

  // 3. Seal.esl copy.
  if (opts.sealFile) {
    const same = bytesEqual(opts.sealFile, seal.bytes);
    add('seal-file', same, same ? 'Seal.esl is identical to the seal inside the signature' : 'Seal.esl differs from the seal inside the signature');
  }

  // 4. Seal maker's signature (cached per seal).
  const sealResult = verifySealCached(seal);
  add('seal-maker', sealResult.makerOk, sealResult.reason);

  // 5. Signer certificate belongs to the seal.
  add('cert-in-seal', ...certInSeal(seal, sig.signerCert));

  // 6. Validity windows at the signing time.
  if (!signingTime) {
    add('seal-period', null, `signing time "${sig.timeInfoText.slice(0, 40)}" unreadable: validity periods not checkable`);
  } else {
    const when = signingTime.toISOString();
    if (seal.validStart && seal.validEnd) {
      const ok = seal.validStart <= signingTime && signingTime <= seal.validEnd;
      add('seal-period', ok, `seal validity ${day(seal.validStart)} … ${day(seal.validEnd)} ${ok ? 'covers' : 'does not cover'} the signing time ${when}`);
    } else add('seal-period', null, 'seal validity period unreadable');
    if (signer) {
      const ok = validAt(signer, signingTime);
      add('signer-cert-period', ok, `signer certificate validity ${day(signer.notBefore)} … ${day(signer.notAfter)} ${ok ? 'covers' : 'does not cover'} the signing time`);
    }
    if (sealResult.maker) {
      // The maker signed the seal at some time between its creation and its use; real tax-bureau seals carry a
      // createDate days before the maker certificate that signed them (re-issued seals), so the check is that
      // the maker certificate was valid at some point of that span.
      const maker = sealResult.maker;
      const made = seal.createDate ?? seal.validStart ?? signingTime;
      const ok = maker.notBefore.getTime() <= signingTime.getTime() && maker.notAfter.getTime() >= made.getTime();
      add('maker-cert-period', ok, `seal maker certificate validity ${day(maker.notBefore)} … ${day(maker.notAfter)} ${ok ? 'overlaps' : 'does not overlap'} the seal's life before use (made ${day(made)}, used ${day(signingTime)})`);
    }
  }

  // 7. Chain (informational for the verdict; see signatures/README.md).
  const chain: ChainResult = signer
    ? checkChain(signer, { trustAnchors: opts.trustAnchors, intermediates: sealResult.maker ? [sealResult.maker] : [] })
    : { status: 'not-checkable', reason: 'certificate chain not checkable: no readable signer certificate' };
  add('chain', chain.status === 'trusted' ? true : chain.status === 'untrusted' ? false : null, chain.reason);

  if (legacyDocumentSignature) {
    checks.push({ check: 'signature', ok: true, reason: 'note: this legacy V1 signature does not cover TBS_Sign, so the seal and signing time are bound to the document only by the seal maker\'s signature' });
  }
  if (sig.oddities.length) checks.push({ check: 'signature', ok: true, reason: `tolerated: ${sig.oddities.join('; ')}` });

  const validityChecks = checks.filter((c) => c.check !== 'chain' && c.check !== 'data-hash');
  const signatureValid = validityChecks.some((c) => c.ok === false)
    ? false
    : validityChecks.some((c) => c.ok === null && (c.check === 'signature' || c.check === 'seal-maker'))
      ? null
      : true;

  return {
    format: sig.layout === 'v4' ? 'ses-v4' : 'ses-v1',
    version: sig.version,
    dataHashOk: dataHash.ok,
    signatureValid,
    signer,
    signerSubject: signer?.subject.text,
    signingTime,
    chain,
    seal: {
      name: seal.name,
      esId: seal.esId,
      sealType: seal.sealType,
      vendor: seal.header.vid,
      headerVersion: seal.header.version,
      validStart: seal.validStart,
      validEnd: seal.validEnd,
      picture: seal.picture,
    },
    checks,
  };
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function checkDataHash(sig: SesSignature, file: Uint8Array | undefined, signer: Certificate | undefined, sigHash?: HashAlgorithm): { ok: boolean | null; reason: string } {
  if (!file) return { ok: null, reason: 'data hash not checkable: the protected Signature.xml is not available' };
  // V4 mandates SM3; V1 producers used the hash of their signature algorithm, so try that one too.
  const algs: HashAlgorithm[] = [...new Set<HashAlgorithm>(['sm3', sigHash ?? 'sm3', 'sha256', 'sha1'])].filter(
    (a) => digestLength(a) === sig.dataHash.length,
  );
  for (const a of algs) {
    if (bytesEqual(digest(a, file), sig.dataHash)) {
      return { ok: true, reason: `data hash: ${HASH_LABEL[a]} of Signature.xml matches TBS_Sign.dataHash` };
    }
  }
  if (signer && sig.dataHash.length === 32 && (signer.publicKey.kind === 'sm2' || signer.publicKey.kind === 'ec')) {
    try {
      if (bytesEqual(sm3(sm2.z(signer.publicKey.key), file), sig.dataHash)) {
        return { ok: true, reason: 'data hash: SM3(Z ‖ Signature.xml) matches TBS_Sign.dataHash (legacy V1 form)' };
      }
    } catch {
      // An unusable key is reported by the signature check.
    }
  }
  return { ok: false, reason: `data hash mismatch: TBS_Sign.dataHash ${toHex(sig.dataHash).slice(0, 16)}… is not the digest of Signature.xml (Signature.xml tampered)` };
}

function digestLength(a: HashAlgorithm): number {
  return { sm3: 32, sha256: 32, sha1: 20, md5: 16, sha384: 48, sha512: 64 }[a];
}

function verifySigner(sig: SesSignature, signer: Certificate, key: 'sm2' | 'rsa' | 'ecdsa', signedFile?: Uint8Array): { ok: boolean | null; reason: string; legacy: boolean } {
  const who = `signer "${nameAttribute(signer.subject, 'CN') ?? signer.subject.text}"`;
  try {
    if (key === 'sm2') {
      const { signature, note } = decodeSm2SignatureDetailed(sig.signature);
      const extra = note ? ` (${note})` : '';
      if (sm2.verify(signer.publicKey.key, sig.tbsBytes, signature)) {
        return { ok: true, reason: `signature: SM2/SM3 signature of ${who} over TBS_Sign verifies${extra}`, legacy: false };
      }
      if (sig.layout === 'v1' && signedFile && sm2.verify(signer.publicKey.key, signedFile, signature)) {
        return { ok: true, reason: `signature: SM2/SM3 signature of ${who} verifies over Signature.xml (legacy V1 form)${extra}`, legacy: true };
      }
      return { ok: false, reason: `signature invalid: SM2/SM3 signature of ${who} over TBS_Sign does not verify${extra}`, legacy: false };
    }
    if (verifySignature(signer.publicKey, sig.signatureAlgorithm, sig.tbsBytes, sig.signature)) {
      return { ok: true, reason: `signature: ${sig.signatureAlgorithm} signature of ${who} over TBS_Sign verifies`, legacy: false };
    }
    if (sig.layout === 'v1' && signedFile && verifySignature(signer.publicKey, sig.signatureAlgorithm, signedFile, sig.signature)) {
      return { ok: true, reason: `signature: RSA signature (${sig.signatureAlgorithm}) of ${who} verifies over Signature.xml (legacy V1 form)`, legacy: true };
    }
    return { ok: false, reason: `signature invalid: ${sig.signatureAlgorithm} signature of ${who} does not verify`, legacy: false };
  } catch (e) {
    return { ok: false, reason: `signature invalid: ${(e as Error).message}`, legacy: false };
  }
}

/**
 * Checks the seal maker's signature; cached by SHA-256 of the seal's bytes (collision resistant like SM3, but
 * ~5× faster in OpenSSL, and seals with pictures run to hundreds of kilobytes).
 */
export function verifySealCached(seal: SesSeal): SealResult {
  // Seals from parse.ts's cache share their `bytes` array: the same array is the same seal, no hashing needed.
  const known = sealByBytes.get(seal.bytes);
  if (known) return known;
  const id = toHex(digest('sha256', seal.bytes));
  let result = sealCache.get(id);
  if (!result) {
    result = verifySeal(seal);
    if (sealCache.size >= SEAL_CACHE_LIMIT) sealCache.delete(sealCache.keys().next().value as string);
    sealCache.set(id, result);
  }
  sealByBytes.set(seal.bytes, result);
  return result;
}
const sealByBytes = new WeakMap<Uint8Array, SealResult>();

export function verifySeal(seal: SesSeal): SealResult {
  let maker: Certificate;
  try {
    maker = parseCertificate(seal.makerCert);
  } catch (e) {
    return { makerOk: false, reason: `seal maker certificate unreadable: ${(e as Error).message}` };
  }
  const who = `seal "${seal.name}" (${seal.esId}) by maker "${nameAttribute(maker.subject, 'CN') ?? maker.subject.text}"`;
  if (!signatureAlgorithmOf(seal.makerSignatureAlgorithm)) {
    return { maker, makerOk: null, reason: `unsupported: seal maker signature algorithm ${seal.makerSignatureAlgorithm}` };
  }
  const tryVerify = (data: Uint8Array) => {
    try {
      return verifySignature(maker.publicKey, seal.makerSignatureAlgorithm, data, seal.makerSignature);
    } catch {
      return false;
    }
  };
  const primary = seal.layout === 'v4' ? 'SES_SealInfo' : 'SEQUENCE{sealInfo, cert, signatureAlgorithm}';
  if (tryVerify(seal.makerSignedBytes)) return { maker, makerOk: true, reason: `seal maker signature over ${primary} verifies: ${who}` };
  const alternative = seal.layout === 'v4' ? 'SEQUENCE{sealInfo, cert, signatureAlgorithm}' : 'SES_SealInfo';
  if (tryVerify(seal.makerSignedBytesAlternative)) {
    return { maker, makerOk: true, reason: `seal maker signature verifies over ${alternative} (vendor variant): ${who}` };
  }
  return { maker, makerOk: false, reason: `seal maker signature invalid: ${who} — the seal was altered or not made by this maker` };
}

function certInSeal(seal: SesSeal, signerCert: Uint8Array): [boolean | null, string] {
  if (seal.certs.some((c) => bytesEqual(c, signerCert))) return [true, 'signer certificate is in the seal\'s certificate list'];
  for (const d of seal.certDigests) {
    const alg = hashAlgorithmOf(d.type) ?? 'sm3';
    if (bytesEqual(digest(alg, signerCert), d.value)) return [true, `signer certificate ${HASH_LABEL[alg]} digest is in the seal's certificate digest list`];
  }
  if (seal.certs.length === 0 && seal.certDigests.length === 0) {
    return [null, 'seal lists no signer certificates: membership not checkable'];
  }
  return [false, 'signer certificate is not among the certificates allowed to use this seal'];
}

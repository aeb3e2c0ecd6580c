/**
 * Detached signatures over report bytes (the PDF): SM2 with SM3 (GM/T 0003, user id 1234567812345678) by the
 * installation's signing key. The signature file is JSON beside the report (`<report>.sig`) so a person can read
 * who signed and when; `evarchive report verify` checks it and exits 1 on any change.
 */
import { createHash } from 'node:crypto';
import { decodeSm2Signature, encodeSm2SignatureDer, nameAttribute, readCertificates, sm2, validAt } from '../../formats/crypto';
import type { Sm2SigningKey } from '../archive/keys';

export const SIGNATURE_FORMAT = 'evarchive-detached-signature';

export interface DetachedSignature {
  format: typeof SIGNATURE_FORMAT;
  version: 1;
  algorithm: 'SM2-SM3';
  /** What was signed, for people and for a quick first check. */
  sha256: string;
  sm3: string;
  size: number;
  signedAt: string;
  /** DER SEQUENCE {r, s}, base64. */
  signature: string;
  certificate: string;
}

export function signDetached(bytes: Uint8Array, key: Sm2SigningKey, at: Date = new Date()): DetachedSignature {
  const sig = sm2.sign(key.privateKey, bytes);
  return {
    format: SIGNATURE_FORMAT,
    version: 1,
    algorithm: 'SM2-SM3',
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sm3: createHash('sm3').update(bytes).digest('hex'),
    size: bytes.length,
    signedAt: at.toISOString(),
    signature: Buffer.from(encodeSm2SignatureDer(sig)).toString('base64'),
    certificate: key.certificatePem,
  };
}

export interface DetachedVerdict {
  ok: boolean;
  signer?: string;
  signedAt?: string;
  certificateSha256?: string;
  problems: string[];
}

export function verifyDetached(bytes: Uint8Array, sigText: string | Uint8Array, opts: { trustedCertificatePem?: string } = {}): DetachedVerdict {
  const problems: string[] = [];
  let sig: DetachedSignature;
  try {
    sig = JSON.parse(typeof sigText === 'string' ? sigText : Buffer.from(sigText).toString('utf8'));
  } catch (e) {
    return { ok: false, problems: [`the signature file is not JSON: ${(e as Error).message}`] };
  }
  if (sig?.format !== SIGNATURE_FORMAT || sig.algorithm !== 'SM2-SM3') return { ok: false, problems: ['not an evarchive SM2-SM3 detached signature'] };
  let cert;
  try {
    cert = readCertificates(sig.certificate)[0];
  } catch (e) {
    return { ok: false, problems: [`the signing certificate cannot be read: ${(e as Error).message}`] };
  }
  const signer = nameAttribute(cert.subject, 'CN');
  const certificateSha256 = createHash('sha256').update(cert.der).digest('hex');
  if (createHash('sm3').update(bytes).digest('hex') !== sig.sm3 || bytes.length !== sig.size) {
    problems.push(`the file changed since signing: it has ${bytes.length} bytes SM3 ${createHash('sm3').update(bytes).digest('hex')}, signed were ${sig.size} bytes SM3 ${sig.sm3}`);
  }
  let valid = false;
  try {
    valid = cert.publicKey.kind === 'sm2' && sm2.verify(cert.publicKey.key, bytes, decodeSm2Signature(new Uint8Array(Buffer.from(sig.signature, 'base64'))));
  } catch {
    valid = false;
  }
  if (!valid) problems.push('the SM2 signature does not verify over these bytes');
  if (!validAt(cert, new Date(sig.signedAt))) problems.push(`the certificate was not valid at the signing time ${sig.signedAt}`);
  if (opts.trustedCertificatePem) {
    const trusted = readCertificates(opts.trustedCertificatePem)[0];
    if (Buffer.compare(Buffer.from(trusted.der), Buffer.from(cert.der)) !== 0) problems.push('signed with a certificate other than this installation’s');
  }
  return { ok: problems.length === 0, signer, signedAt: sig.signedAt, certificateSha256, problems };
}

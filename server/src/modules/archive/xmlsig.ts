/**
 * XML signatures (XML-DSig, enveloped) over package manifests and XML reports, with xml-crypto 6.3.2. RSA-SHA256
 * is the default; SM2-with-SM3 (GM/T) is registered on each SignedXml instance (never globally) so a receiver
 * that asks for 国密 gets it. The signing certificate travels in KeyInfo; verification reports who signed.
 */
import { DOMParser } from '@xmldom/xmldom';
import { createHash } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { readCertificates, sm2, decodeSm2Signature, encodeSm2SignatureDer, nameAttribute } from '../../formats/crypto';

export const SM3_DIGEST_URI = 'http://www.w3.org/2007/05/xmldsig-more#sm3';
export const SM2_SM3_SIGNATURE_URI = 'http://www.w3.org/2007/05/xmldsig-more#sm2-sm3';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

export type XmlSignatureAlgorithm = 'rsa-sha256' | 'sm2-sm3';

class Sm3Digest {
  getHash(xml: string): string {
    return createHash('sm3').update(xml, 'utf8').digest('base64');
  }
  getAlgorithmName() {
    return SM3_DIGEST_URI as any;
  }
}

class Sm2Sm3Signature {
  getSignature(signedInfo: any, privateKey: any): string {
    const key = typeof privateKey === 'string' ? privateKey : Buffer.from(privateKey as Uint8Array).toString('hex');
    const sig = sm2.sign(new Uint8Array(Buffer.from(key.trim(), 'hex')), new Uint8Array(Buffer.from(String(signedInfo), 'utf8')));
    return Buffer.from(encodeSm2SignatureDer(sig)).toString('base64');
  }
  verifySignature(material: string, key: any, signatureValue: string): boolean {
    const cert = readCertificates(String(key))[0];
    if (cert.publicKey.kind !== 'sm2') return false;
    return sm2.verify(cert.publicKey.key, new Uint8Array(Buffer.from(material, 'utf8')), decodeSm2Signature(new Uint8Array(Buffer.from(signatureValue, 'base64'))));
  }
  getAlgorithmName() {
    return SM2_SM3_SIGNATURE_URI as any;
  }
}

function register(sig: SignedXml): void {
  (sig.HashAlgorithms as any)[SM3_DIGEST_URI] = Sm3Digest;
  (sig.SignatureAlgorithms as any)[SM2_SM3_SIGNATURE_URI] = Sm2Sm3Signature;
}

export interface SignXmlOptions {
  algorithm: XmlSignatureAlgorithm;
  /** RSA: PEM private key; SM2: the 32-byte private key as hex. */
  privateKey: string;
  certificatePem: string;
  /** XPath of the element the ds:Signature is appended to (it must exist and be inside the signed document). */
  location: string;
}

/** Signs the whole document (enveloped) and returns the signed XML. */
export function signXml(xml: string, opts: SignXmlOptions): string {
  const sm = opts.algorithm === 'sm2-sm3';
  const sig = new SignedXml({
    privateKey: opts.privateKey,
    publicCert: opts.certificatePem,
    signatureAlgorithm: (sm ? SM2_SM3_SIGNATURE_URI : RSA_SHA256) as any,
    canonicalizationAlgorithm: EXC_C14N,
    getKeyInfoContent: SignedXml.getKeyInfoContent,
  });
  register(sig);
  sig.addReference({ xpath: '/*', transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: (sm ? SM3_DIGEST_URI : SHA256) as any, isEmptyUri: true });
  sig.computeSignature(xml, { location: { reference: opts.location, action: 'append' } });
  return sig.getSignedXml();
}

export interface XmlSignatureVerdict {
  ok: boolean;
  algorithm?: string;
  signer?: string;
  /** SHA-256 of the signing certificate (DER), to compare with the installation's. */
  certificateSha256?: string;
  message?: string;
}

/** Verifies the one enveloped signature of a document. Never throws: a broken document is `ok: false`. */
export function verifyXmlSignature(xml: string, opts: { trustedCertificatePem?: string } = {}): XmlSignatureVerdict {
  try {
    // Malformed XML is a failed verification, not console noise: any parse error ends it.
    const doc = new DOMParser({
      onError: (level: string, message: string) => {
        throw new Error(`${level}: ${message}`);
      },
    } as any).parseFromString(xml, 'text/xml');
    const sigs = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature');
    if (sigs.length !== 1) return { ok: false, message: `expected one ds:Signature, found ${sigs.length}` };
    const certEls = (sigs[0] as any).getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'X509Certificate');
    if (certEls.length !== 1) return { ok: false, message: 'the signature carries no X509Certificate' };
    const b64 = String(certEls[0].textContent).replace(/\s+/g, '');
    const certPem = `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    const cert = readCertificates(certPem)[0];
    const fp = createHash('sha256').update(cert.der).digest('hex');
    const signer = nameAttribute(cert.subject, 'CN') ?? '(no CN)';
    const algEl = (sigs[0] as any).getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'SignatureMethod')[0];
    const algorithm = algEl?.getAttribute('Algorithm') ?? undefined;
    if (opts.trustedCertificatePem) {
      const trusted = readCertificates(opts.trustedCertificatePem)[0];
      if (Buffer.compare(Buffer.from(trusted.der), Buffer.from(cert.der)) !== 0) {
        return { ok: false, algorithm, signer, certificateSha256: fp, message: 'signed with a certificate other than the trusted one' };
      }
    }
    const v = new SignedXml({ publicCert: certPem });
    register(v);
    v.loadSignature(sigs[0] as any);
    let ok = false;
    try {
      ok = v.checkSignature(xml);
    } catch (e) {
      return { ok: false, algorithm, signer, certificateSha256: fp, message: (e as Error).message };
    }
    // The signature must cover the whole document, not some other element an attacker chose.
    const refs = v.getReferences();
    if (ok && !(refs.length === 1 && (refs[0].uri === '' || refs[0].uri === undefined))) {
      return { ok: false, algorithm, signer, certificateSha256: fp, message: 'the signature does not cover the whole document' };
    }
    return ok ? { ok, algorithm, signer, certificateSha256: fp } : { ok, algorithm, signer, certificateSha256: fp, message: 'signature value or digest does not match' };
  } catch (e) {
    return { ok: false, message: `unreadable signed XML: ${(e as Error).message}` };
  }
}

/**
 * Building GB/T 38540-2020 (V4) seals and seal signatures, for the synthetic-voucher factory and tests. The
 * output is what `parse.ts` / `verify.ts` read and what real V4 verifiers (ofdrw, 38540 verifiers) accept:
 *   SESeal        = { SES_SealInfo, makerCert, 1.2.156.10197.1.501, SM2(maker, DER(SES_SealInfo)) }
 *   SES_Signature = { TBS_Sign, signerCert, 1.2.156.10197.1.501, SM2(signer, DER(TBS_Sign)) }
 *   TBS_Sign      = { 4, SESeal, timeInfo, SM3(Signature.xml), propertyInfo }
 */
import { readDer } from '../asn1/der';
import { seq, int, ia5String, utf8String, octets, generalizedTime, oid, bitString, printableString } from '../asn1/writer';
import { sm3 } from '../crypto/hash';
import { OID } from '../crypto/oids';
import { sm2, encodeSm2SignatureDer } from '../crypto/sm2';

export interface SealSpec {
  /** Vendor id in the header, e.g. "EVARCHIVE-TEST". */
  vid: string;
  /** Seal unique code (esID), e.g. 14 digits. */
  esId: string;
  name: string;
  /** 1 unit seal, 2 personal seal, 3 … (default 1). */
  sealType?: number;
  /** DER certificates of the signers allowed to use the seal (certListType 1). */
  signerCerts: Uint8Array[];
  /** Instead of the certificates: their digests (certListType 2), e.g. { type: 'sm3', value: SM3(cert) }. */
  signerCertDigests?: Array<{ type: string; value: Uint8Array }>;
  createDate: Date;
  validStart: Date;
  validEnd: Date;
  picture: { type: string; data: Uint8Array; widthMm: number; heightMm: number };
  /** Seal maker (制章者) certificate DER and SM2 private key. */
  makerCert: Uint8Array;
  makerPrivateKey: Uint8Array;
}

/** DER of a V4 SESeal. */
export function buildSesSealV4(spec: SealSpec): Uint8Array {
  const sealInfo = seq(
    seq(ia5String('ES'), int(4), ia5String(spec.vid)),
    ia5String(spec.esId),
    seq(
      int(spec.sealType ?? 1),
      utf8String(spec.name),
      int(spec.signerCertDigests ? 2 : 1),
      spec.signerCertDigests
        ? seq(...spec.signerCertDigests.map((d) => certDigestObj(d.type, d.value)))
        : seq(...spec.signerCerts.map((c) => octets(c))),
      generalizedTime(spec.createDate),
      generalizedTime(spec.validStart),
      generalizedTime(spec.validEnd),
    ),
    seq(ia5String(spec.picture.type), octets(spec.picture.data), int(spec.picture.widthMm), int(spec.picture.heightMm)),
  );
  const makerSignature = encodeSm2SignatureDer(sm2.sign(spec.makerPrivateKey, sealInfo));
  return seq(sealInfo, octets(spec.makerCert), oid(OID.sm3WithSm2), bitString(makerSignature));
}

export interface SignatureSpec {
  /** DER SESeal (from buildSesSealV4 or a Seal.esl). */
  seal: Uint8Array;
  /** Signing time (whole seconds are written). */
  timeInfo: Date;
  /** Raw bytes of the Signature.xml being signed. */
  signedFile: Uint8Array;
  /** Path of that Signature.xml in the package, e.g. /Doc_0/Signs/Sign_0/Signature.xml. */
  propertyInfo: string;
  signerCert: Uint8Array;
  signerPrivateKey: Uint8Array;
}

/** DER of a V4 SES_Signature (the content of SignedValue.dat). */
export function buildSesSignatureV4(spec: SignatureSpec): Uint8Array {
  readDer(spec.seal); // a malformed seal must not be embedded silently
  const tbs = seq(int(4), spec.seal, generalizedTime(spec.timeInfo), bitString(sm3(spec.signedFile)), ia5String(spec.propertyInfo));
  const signature = encodeSm2SignatureDer(sm2.sign(spec.signerPrivateKey, tbs));
  return seq(tbs, octets(spec.signerCert), oid(OID.sm3WithSm2), bitString(signature));
}

/** Certificate digest entry for a V4 seal with certListType 2 (not used by default). */
export const certDigestObj = (type: string, value: Uint8Array) => seq(printableString(type), octets(value));

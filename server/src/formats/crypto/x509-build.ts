/**
 * Minimal X.509 v3 certificate creation with SM2 keys and SM3withSM2 signatures (OID 1.2.156.10197.1.501), for
 * a generated test CA and seal/signer certificates in synthetic vouchers and tests. Not a CA product: no CRL
 * distribution points, no policies.
 */
import { randomBytes } from 'node:crypto';
import { seq, setOf, int, oid, octets, bitString, utf8String, printableString, explicit, x509Time, bool } from '../asn1/writer';
import { OID } from './oids';
import { sm2, encodeSm2SignatureDer } from './sm2';
import { parseCertificate, type Certificate } from './x509';

export type NameInput = Array<[type: keyof typeof SHORT | string, value: string]>;

const SHORT = {
  C: OID.country,
  ST: OID.state,
  L: OID.locality,
  O: OID.organization,
  OU: OID.organizationalUnit,
  CN: OID.commonName,
  SERIALNUMBER: OID.serialNumber,
} as const;

/** Name from [type, value] pairs in encoding order (country first), e.g. [['C','CN'],['O','测试'],['CN','…']]. */
export function encodeName(name: NameInput): Uint8Array {
  return seq(
    ...name.map(([t, v]) => {
      const type = (SHORT as Record<string, string>)[t] ?? t;
      // Country and serialNumber are PrintableString (RFC 5280); everything else UTF8String for Chinese names.
      const value = type === OID.country || type === OID.serialNumber ? printableString(v) : utf8String(v);
      return setOf(seq(oid(type), value));
    }),
  );
}

/** SubjectPublicKeyInfo for an SM2 key: id-ecPublicKey with curve sm2p256v1. */
export function sm2SubjectPublicKeyInfo(publicKey: Uint8Array): Uint8Array {
  return seq(seq(oid(OID.ecPublicKey), oid(OID.sm2Curve)), bitString(publicKey));
}

export interface CertificateRequest {
  subject: NameInput;
  /** Issuer name; defaults to the subject (self-signed). */
  issuer?: NameInput;
  /** 65-byte SM2 public key of the subject. */
  publicKey: Uint8Array;
  /** The issuer's SM2 private key (the subject's own for a self-signed root). */
  issuerPrivateKey: Uint8Array;
  serialNumber?: bigint;
  notBefore: Date;
  notAfter: Date;
  isCa?: boolean;
}

export function createSm2Certificate(req: CertificateRequest): Certificate {
  const alg = seq(oid(OID.sm3WithSm2));
  const serial = req.serialNumber ?? BigInt(`0x${randomBytes(8).toString('hex')}`) + 1n;
  // keyUsage: CA → keyCertSign|cRLSign (bits 5,6); end entity → digitalSignature|nonRepudiation (bits 0,1).
  const keyUsage = req.isCa ? Uint8Array.of(0x03, 0x02, 0x01, 0x06) : Uint8Array.of(0x03, 0x02, 0x06, 0xc0);
  const extensions = [
    seq(oid(OID.basicConstraints), bool(true), octets(req.isCa ? seq(bool(true)) : seq())),
    seq(oid(OID.keyUsage), bool(true), octets(keyUsage)),
  ];
  const tbs = seq(
    explicit(0, int(2)),
    int(serial),
    alg,
    encodeName(req.issuer ?? req.subject),
    seq(x509Time(req.notBefore), x509Time(req.notAfter)),
    encodeName(req.subject),
    sm2SubjectPublicKeyInfo(req.publicKey),
    explicit(3, seq(...extensions)),
  );
  const signature = encodeSm2SignatureDer(sm2.sign(req.issuerPrivateKey, tbs));
  return parseCertificate(seq(tbs, alg, bitString(signature)));
}


function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** PEM "PUBLIC KEY" (SPKI) of an SM2 public key — readable by OpenSSL 3 (`openssl dgst -sm3 -verify`). */
export const sm2PublicKeyPem = (publicKey: Uint8Array) => pem('PUBLIC KEY', sm2SubjectPublicKeyInfo(publicKey));

/** PEM "EC PRIVATE KEY" (RFC 5915, curve sm2p256v1) of an SM2 key pair, for OpenSSL and other tools. */
export function sm2PrivateKeyPem(privateKey: Uint8Array, publicKey: Uint8Array): string {
  return pem('EC PRIVATE KEY', seq(int(1), octets(privateKey), explicit(0, oid(OID.sm2Curve)), explicit(1, bitString(publicKey))));
}

/** PEM "CERTIFICATE". */
export const certificatePem = (der: Uint8Array) => pem('CERTIFICATE', der);

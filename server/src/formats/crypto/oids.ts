/**
 * Object identifiers and algorithm names met in seals, certificates, CMS and OFD Signature.xml files, and the
 * mapping from the many spellings producers use (OIDs, "SM3", "sm3", "SHA1", "1.2.156.10197.1.401.2") to one
 * hash / signature algorithm name (voucher-formats.md §13, ses-signature.md §1).
 */
export const OID = {
  sm3: '1.2.156.10197.1.401',
  sm3WithSm2: '1.2.156.10197.1.501',
  sm2Curve: '1.2.156.10197.1.301',
  sm2Sign: '1.2.156.10197.1.301.1',
  ecPublicKey: '1.2.840.10045.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  md5WithRsa: '1.2.840.113549.1.1.4',
  sha1WithRsa: '1.2.840.113549.1.1.5',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  md5: '1.2.840.113549.2.5',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  // CMS (RFC 5652) and its GM/T 0010 / GB/T 35275 counterparts.
  pkcs7Data: '1.2.840.113549.1.7.1',
  pkcs7SignedData: '1.2.840.113549.1.7.2',
  gmData: '1.2.156.10197.6.1.4.2.1',
  gmSignedData: '1.2.156.10197.6.1.4.2.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  // X.500 attribute types.
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  country: '2.5.4.6',
  locality: '2.5.4.7',
  state: '2.5.4.8',
  street: '2.5.4.9',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  title: '2.5.4.12',
  givenName: '2.5.4.42',
  emailAddress: '1.2.840.113549.1.9.1',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

export type HashAlgorithm = 'sm3' | 'sha1' | 'sha256' | 'sha384' | 'sha512' | 'md5';

const HASH_BY_NAME: Record<string, HashAlgorithm> = {
  [OID.sm3]: 'sm3',
  // GM/T 0006 lists 1.2.156.10197.1.401.1 (SM3 without key) and .2 (keyed); n.ofd writes ".2" for plain SM3.
  '1.2.156.10197.1.401.1': 'sm3',
  '1.2.156.10197.1.401.2': 'sm3',
  sm3: 'sm3',
  [OID.sha1]: 'sha1',
  sha1: 'sha1',
  'sha-1': 'sha1',
  [OID.sha256]: 'sha256',
  sha256: 'sha256',
  'sha-256': 'sha256',
  [OID.sha384]: 'sha384',
  sha384: 'sha384',
  [OID.sha512]: 'sha512',
  sha512: 'sha512',
  [OID.md5]: 'md5',
  md5: 'md5',
};

/** Hash algorithm from an OID or a name in any case; undefined when unknown. */
export function hashAlgorithmOf(nameOrOid: string | undefined): HashAlgorithm | undefined {
  if (!nameOrOid) return undefined;
  return HASH_BY_NAME[nameOrOid.trim().toLowerCase()];
}

export type SignatureAlgorithm = { key: 'sm2' | 'rsa' | 'ecdsa'; hash: HashAlgorithm };

const SIG_BY_NAME: Record<string, SignatureAlgorithm> = {
  [OID.sm3WithSm2]: { key: 'sm2', hash: 'sm3' },
  [OID.sm2Sign]: { key: 'sm2', hash: 'sm3' },
  // Some CMS producers put the SM2 curve/key OID where the signature algorithm belongs.
  [OID.sm2Curve]: { key: 'sm2', hash: 'sm3' },
  sm3withsm2: { key: 'sm2', hash: 'sm3' },
  sm2: { key: 'sm2', hash: 'sm3' },
  [OID.sha1WithRsa]: { key: 'rsa', hash: 'sha1' },
  sha1withrsa: { key: 'rsa', hash: 'sha1' },
  [OID.sha256WithRsa]: { key: 'rsa', hash: 'sha256' },
  sha256withrsa: { key: 'rsa', hash: 'sha256' },
  [OID.sha384WithRsa]: { key: 'rsa', hash: 'sha384' },
  [OID.sha512WithRsa]: { key: 'rsa', hash: 'sha512' },
  [OID.md5WithRsa]: { key: 'rsa', hash: 'md5' },
  md5withrsa: { key: 'rsa', hash: 'md5' },
  [OID.ecdsaWithSha256]: { key: 'ecdsa', hash: 'sha256' },
};

/** Signature algorithm from an OID or a name; undefined when unknown. */
export function signatureAlgorithmOf(nameOrOid: string | undefined): SignatureAlgorithm | undefined {
  if (!nameOrOid) return undefined;
  return SIG_BY_NAME[nameOrOid.trim().toLowerCase()];
}

export const HASH_LABEL: Record<HashAlgorithm, string> = {
  sm3: 'SM3',
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
  md5: 'MD5',
};

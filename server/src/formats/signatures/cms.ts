/**
 * CMS / PKCS#7 SignedData verification (RFC 5652; GM/T 0010 / GB/T 35275 with SM2/SM3 and the OIDs
 * 1.2.156.10197.6.1.4.2.x). Used for OFD Type="Sign" signatures, PDF signatures (adbe.pkcs7.detached / .sha1)
 * and `fp:Signature` in original_invoice.xml.
 *
 * Per signer: with signed attributes, messageDigest must equal hash(content) and the signature covers the DER
 * SET OF the signed attributes (the [0] IMPLICIT tag replaced by SET, RFC 5652 §5.4); without them the
 * signature covers the content itself. SM2 signatures use the default user ID 1234567812345678.
 */
import { FormatError } from '../errors';
import type { SignatureReport } from '../voucher';
import {
  DerNode, readDer, expectSequence, readOid, readOctetString, readSmallInt, readInteger, readTime, Tag, bytesEqual,
  concatBytes, toHex, readBitOrOctetString,
} from '../asn1/der';
import { encodeLength } from '../asn1/writer';
import { digest } from '../crypto/hash';
import { OID, hashAlgorithmOf, signatureAlgorithmOf, HASH_LABEL, type HashAlgorithm, type SignatureAlgorithm } from '../crypto/oids';
import { sm2, decodeSm2SignatureDetailed } from '../crypto/sm2';
import {
  parseCertificate, parseName, verifySignature, checkChain, validAt, nameAttribute, type Certificate, type ChainResult,
} from '../crypto/x509';

export interface CmsVerifyOptions {
  /** The signed content when the SignedData is detached (PDF byte ranges, Signature.xml). */
  detachedContent?: Uint8Array;
  /**
   * The caller has no content (e.g. it only wants the signer and the signature over the signed attributes):
   * the messageDigest is not compared and digestsOk is null.
   */
  digestOnly?: boolean;
  trustAnchors?: Certificate[];
  /**
   * Further certificates to look for the signer in, for SignedData that carry none (e.g. `fp:Signature` in
   * original_invoice.xml, signed by a tax-bureau key whose certificate is published separately).
   */
  certificates?: Certificate[];
}

export interface CmsSignerResult {
  signer?: Certificate;
  signerSubject?: string;
  digestAlgorithm?: HashAlgorithm;
  signatureAlgorithm: string;
  signingTime?: Date;
  /** messageDigest (or the embedded digest) equals the content digest; null when not checkable. */
  digestOk: boolean | null;
  signatureOk: boolean | null;
  chain: ChainResult;
  reasons: string[];
}

export interface CmsVerification {
  /** SignedData content type OID (PKCS#7 or GM/T). */
  contentType: string;
  eContentType?: string;
  /** Embedded content (eContent), e.g. the SHA-1 of the byte ranges for adbe.pkcs7.sha1. */
  content?: Uint8Array;
  certificates: Certificate[];
  signers: CmsSignerResult[];
  digestsOk: boolean | null;
  signatureValid: boolean | null;
  signerSubject?: string;
  signingTime?: Date;
  chain: ChainResult['status'];
  reasons: string[];
}

export function isCmsSignedData(bytes: Uint8Array): boolean {
  try {
    const root = readDer(bytes, { allowIndefinite: true, allowTrailing: true });
    if (!root.isUniversal(Tag.sequence)) return false;
    const t = root.children[0];
    if (!t?.isUniversal(Tag.oid)) return false;
    const oid = readOid(t);
    return oid === OID.pkcs7SignedData || oid === OID.gmSignedData;
  } catch {
    return false;
  }
}

/** Verifies a DER (or BER) ContentInfo holding SignedData. Throws FormatError only when it is not SignedData. */
export function verifyCms(der: Uint8Array, opts: CmsVerifyOptions = {}): CmsVerification {
  // PDF /Contents are zero-padded and some CMS producers use BER indefinite lengths.
  const root = expectSequence(readDer(der, { allowIndefinite: true, allowTrailing: true }), 'ContentInfo');
  const contentType = readOid(root.child(0, 'contentType'), 'ContentInfo.contentType');
  if (contentType !== OID.pkcs7SignedData && contentType !== OID.gmSignedData) {
    throw new FormatError('bad_der', `ContentInfo holds ${contentType}, not SignedData`);
  }
  const wrapper = root.child(1, 'content');
  if (!wrapper.isContext(0)) throw new FormatError('bad_der', 'ContentInfo.content is not [0] EXPLICIT');
  const sd = expectSequence(wrapper.child(0, 'SignedData'), 'SignedData');
  const f = sd.children;
  let i = 0;
  readSmallInt(sd.child(i++, 'version'), 'SignedData.version');
  i++; // digestAlgorithms: the per-signer digestAlgorithm is what counts
  const encap = expectSequence(sd.child(i++, 'encapContentInfo'), 'EncapsulatedContentInfo');
  const eContentType = readOid(encap.child(0, 'eContentType'));
  const eContentNode = encap.children[1];
  const content = eContentNode?.isContext(0) ? readOctetStringLoose(eContentNode.child(0, 'eContent')) : undefined;
  const certificates: Certificate[] = [];
  const reasons: string[] = [];
  if (f[i]?.isContext(0)) {
    for (const c of f[i].children) {
      if (!c.isUniversal(Tag.sequence)) continue; // attribute certificates etc.
      try {
        certificates.push(parseCertificate(c.bytes));
      } catch (e) {
        reasons.push(`a certificate in the SignedData is unreadable: ${(e as Error).message}`);
      }
    }
    i++;
  }
  if (f[i]?.isContext(1)) i++; // CRLs
  const signerInfos = sd.child(i, 'signerInfos');
  if (!signerInfos.isUniversal(Tag.set)) throw new FormatError('bad_der', 'SignedData.signerInfos is not a SET');

  const pool = [...certificates, ...(opts.certificates ?? [])];
  const signers = signerInfos.children.map((si) => verifySigner(si, { certificates: pool, content, eContentType, opts }));
  if (signers.length === 0) reasons.push('SignedData has no signer');
  for (const s of signers) reasons.push(...s.reasons);

  const all = <K extends 'digestOk' | 'signatureOk'>(k: K) =>
    signers.length === 0 ? null : signers.some((s) => s[k] === false) ? false : signers.some((s) => s[k] === null) ? null : true;
  const first = signers[0];
  return {
    contentType,
    eContentType,
    content,
    certificates,
    signers,
    digestsOk: all('digestOk'),
    signatureValid: signers.length === 0 ? false : all('signatureOk'),
    signerSubject: first?.signerSubject,
    signingTime: first?.signingTime,
    chain: first?.chain.status ?? 'not-checkable',
    reasons,
  };
}

function readOctetStringLoose(node: DerNode): Uint8Array {
  return node.isUniversal(Tag.octetString) ? readOctetString(node, 'eContent') : node.bytes;
}

interface SignerContext {
  certificates: Certificate[];
  content?: Uint8Array;
  eContentType: string;
  opts: CmsVerifyOptions;
}

function verifySigner(si: DerNode, ctx: SignerContext): CmsSignerResult {
  expectSequence(si, 'SignerInfo');
  const reasons: string[] = [];
  const k = si.children;
  let i = 1; // version
  const sid = si.child(i++, 'sid');
  const digestAlgOid = readOid(expectSequence(si.child(i++, 'digestAlgorithm'), 'digestAlgorithm').child(0));
  const digestAlgorithm = hashAlgorithmOf(digestAlgOid);
  let signedAttrs: DerNode | undefined;
  if (k[i]?.isContext(0)) signedAttrs = k[i++];
  const sigAlgOid = readOid(expectSequence(si.child(i++, 'signatureAlgorithm'), 'signatureAlgorithm').child(0));
  const signature = readBitOrOctetString(si.child(i++, 'signature'), 'SignerInfo.signature');

  // Find the signer certificate: IssuerAndSerialNumber or [0] SubjectKeyIdentifier (fallback: the only cert).
  let signer: Certificate | undefined;
  if (sid.isUniversal(Tag.sequence)) {
    const issuer = parseName(sid.child(0, 'issuer'));
    const serial = readInteger(sid.child(1, 'serialNumber'));
    const hex = (serial < 0n ? -serial : serial).toString(16);
    signer = ctx.certificates.find((c) => c.serialNumber === hex && bytesEqual(c.issuer.der, issuer.der))
      ?? ctx.certificates.find((c) => c.serialNumber === hex);
  }
  if (sid.isContext(0)) {
    // [0] SubjectKeyIdentifier: the extension, else the RFC 5280 method 1 value (SHA-1 of the key bits).
    const ski = sid.content;
    signer = ctx.certificates.find((c) => (c.subjectKeyIdentifier ? bytesEqual(c.subjectKeyIdentifier, ski) : bytesEqual(digest('sha1', c.publicKey.key), ski)));
  }
  if (!signer && ctx.certificates.length === 1) signer = ctx.certificates[0];
  const chain: ChainResult = signer
    ? checkChain(signer, { trustAnchors: ctx.opts.trustAnchors, intermediates: ctx.certificates })
    : { status: 'not-checkable', reason: 'certificate chain not checkable: signer certificate not found' };

  // The algorithm: "rsaEncryption" / SM2 key OIDs in signatureAlgorithm take the hash from digestAlgorithm.
  let alg: SignatureAlgorithm | undefined = signatureAlgorithmOf(sigAlgOid);
  if (sigAlgOid === OID.rsaEncryption && digestAlgorithm) alg = { key: 'rsa', hash: digestAlgorithm };
  if (sigAlgOid === OID.ecPublicKey && digestAlgorithm) alg = { key: signer?.publicKey.kind === 'sm2' ? 'sm2' : 'ecdsa', hash: digestAlgorithm };

  // What the content is.
  const content = ctx.content ?? ctx.opts.detachedContent;
  let digestOk: boolean | null = null;
  let signingTime: Date | undefined;
  let signedBytes: Uint8Array | undefined;
  if (ctx.content && ctx.opts.detachedContent && !bytesEqual(ctx.content, ctx.opts.detachedContent)) {
    // An embedded content that is the digest of the detached one (GB/T 35275 producers, keyword.ofd).
    const alg2 = digestAlgorithm ?? 'sm3';
    const same = bytesEqual(digest(alg2, ctx.opts.detachedContent), ctx.content);
    reasons.push(same
      ? `embedded content is the ${HASH_LABEL[alg2]} digest of the signed file`
      : 'embedded content differs from the signed file');
    if (!same) digestOk = false;
  }

  if (signedAttrs) {
    // DER SET OF: same content octets, universal SET tag (RFC 5652 §5.4).
    signedBytes = concatBytes(Uint8Array.of(0x31), encodeLength(signedAttrs.content.length), signedAttrs.content);
    let messageDigest: Uint8Array | undefined;
    for (const attr of signedAttrs.children) {
      const type = readOid(attr.child(0, 'attribute type'));
      const values = attr.child(1, 'attribute values');
      if (type === OID.messageDigest) messageDigest = readOctetString(values.child(0, 'messageDigest'));
      if (type === OID.signingTime) {
        try {
          signingTime = readTime(values.child(0, 'signingTime'));
        } catch {
          reasons.push('signingTime attribute unreadable');
        }
      }
    }
    if (!messageDigest) {
      digestOk = false;
      reasons.push('signed attributes lack messageDigest');
    } else if (!digestAlgorithm) {
      reasons.push(`digest algorithm ${digestAlgOid} not supported`);
    } else if (ctx.opts.digestOnly || !content) {
      reasons.push('content digest not checked: no content given');
    } else if (digestOk !== false) {
      const candidates = [content];
      // The embedded-digest form: messageDigest may cover the detached file rather than the embedded digest.
      if (ctx.content && ctx.opts.detachedContent) candidates.push(ctx.opts.detachedContent);
      digestOk = candidates.some((c) => bytesEqual(digest(digestAlgorithm, c), messageDigest!));
      reasons.push(digestOk
        ? `messageDigest matches the ${HASH_LABEL[digestAlgorithm]} digest of the signed content`
        : `messageDigest mismatch: the signed content was changed (${HASH_LABEL[digestAlgorithm]} ${toHex(digest(digestAlgorithm, content)).slice(0, 16)}… ≠ ${toHex(messageDigest).slice(0, 16)}…)`);
    }
  } else {
    signedBytes = content;
    if (!content) reasons.push('no signed attributes and no content: signature not checkable');
  }

  let signatureOk: boolean | null = null;
  const who = signer ? `signer "${nameAttribute(signer.subject, 'CN') ?? signer.subject.text}"` : 'signer';
  if (!signer) reasons.push('signer certificate not found in the SignedData: signature not checkable');
  else if (!alg) reasons.push(`signature algorithm ${sigAlgOid} not supported`);
  else if (signedBytes) {
    try {
      if (alg.key === 'sm2') {
        const { signature: s, note } = decodeSm2SignatureDetailed(signature);
        signatureOk = sm2.verify(signer.publicKey.key, signedBytes, s);
        if (note) reasons.push(`tolerated: ${note}`);
      } else signatureOk = verifySignature(signer.publicKey, alg, signedBytes, signature);
      reasons.push(signatureOk
        ? `${alg.key.toUpperCase()}/${HASH_LABEL[alg.hash]} signature of ${who} over the ${signedAttrs ? 'signed attributes' : 'content'} verifies`
        : `signature invalid: ${alg.key.toUpperCase()}/${HASH_LABEL[alg.hash]} signature of ${who} does not verify`);
    } catch (e) {
      signatureOk = false;
      reasons.push(`signature invalid: ${(e as Error).message}`);
    }
  }
  if (signer && signingTime) {
    const ok = validAt(signer, signingTime);
    reasons.push(`signer certificate validity ${signer.notBefore.toISOString().slice(0, 10)} … ${signer.notAfter.toISOString().slice(0, 10)} ${ok ? 'covers' : 'does not cover'} the signing time ${signingTime.toISOString()}`);
  }
  if (!signedAttrs && signedBytes && signatureOk !== null && digestOk === null) {
    // Without signed attributes the signature covers the content itself: it is the integrity check too.
    digestOk = signatureOk;
    reasons.push(`no signed attributes: the signature covers the content directly (content ${signatureOk ? 'unchanged' : 'changed or signature forged'})`);
  }
  reasons.push(chain.reason);
  return {
    signer,
    signerSubject: signer?.subject.text,
    digestAlgorithm,
    signatureAlgorithm: sigAlgOid,
    signingTime,
    digestOk,
    signatureOk,
    chain,
    reasons,
  };
}

/**
 * A `SignatureReport` from a CMS verification, for callers outside OFD: PDF signatures (`format: 'pdf-cms'`,
 * location = field name) and `fp:Signature` in original_invoice.xml (`format: 'cms'`).
 */
export function cmsToReport(v: CmsVerification, where: { format: 'pdf-cms' | 'cms' | 'pkcs7'; location?: string; type?: 'seal' | 'sign' }): SignatureReport {
  return {
    type: where.type ?? 'sign',
    format: where.format,
    location: where.location,
    digestsOk: v.digestsOk,
    signatureValid: v.signatureValid,
    signerSubject: v.signerSubject,
    signingTime: v.signingTime?.toISOString(),
    chain: v.chain,
    reasons: [...v.reasons],
  };
}

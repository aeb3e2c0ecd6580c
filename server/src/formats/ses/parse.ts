/**
 * Parsing of electronic seals and seal signatures (ses-signature.md §2):
 *   - V4 layout, GB/T 38540-2020: SES_Signature { TBS_Sign, cert, signatureAlgID, signature, [0] timeStamp }
 *   - V1 layout, GM/T 0031-2014: SES_Signature { TBS_Sign { …, cert, signatureAlgorithm }, signature }
 *     — also used with version 2 by KingGrid ("v2-tagged", 金格信创自动盖章.ofd).
 * The layout is told by the shape (2 elements ⇒ V1, 4–5 ⇒ V4), not by the version number, as ofdrw does.
 *
 * Every signed sub-structure keeps its ORIGINAL bytes (ses-signature.md §3.5). Tolerated oddities of real files
 * (OCTET STRING for BIT STRING, texts or Unix times inside the V1 timeInfo BIT STRING, a cert list of strings,
 * trailing bytes) are accepted and recorded in `oddities`, so the report can say what was unusual.
 */
import { FormatError } from '../errors';
import {
  DerNode, readDer, expectSequence, readSmallInt, readOid, readBitOrOctetString, readOctetString, readString,
  readTime, isStringTag, Tag, badDer, parseAsn1Time, concatBytes, bytesEqual,
} from '../asn1/der';
import { encodeLength } from '../asn1/writer';

export type SesLayout = 'v1' | 'v4';

export interface SealPicture {
  /** As written by the producer: "png", "PNG", "gif", "jpg", "ofd", "svg", "bmp". */
  type: string;
  data: Uint8Array;
  /** Millimetres. */
  width?: number;
  height?: number;
}

export interface SesSeal {
  layout: SesLayout;
  /** Complete DER of the SESeal (compared with Seal.esl). */
  bytes: Uint8Array;
  header: { id: string; version: number; vid: string };
  esId: string;
  /** Seal type: 1 unit seal, 2 personal seal, 3 … (producer-specific beyond that). */
  sealType?: number;
  name: string;
  /** V4: 1 = certificates, 2 = certificate digests. V1 always lists certificates. */
  certListType?: number;
  /** Signer certificates allowed to use the seal (DER). */
  certs: Uint8Array[];
  /** V4 certListType 2: digests of the allowed signer certificates. */
  certDigests: Array<{ type: string; value: Uint8Array }>;
  createDate?: Date;
  validStart?: Date;
  validEnd?: Date;
  picture?: SealPicture;
  /** Original DER of SES_SealInfo. */
  sealInfoBytes: Uint8Array;
  /** Seal maker's (制章者) certificate. */
  makerCert: Uint8Array;
  makerSignatureAlgorithm: string;
  makerSignature: Uint8Array;
  /**
   * The bytes the maker signed according to the layout: V4 DER(SES_SealInfo); V1 DER(SEQUENCE { sealInfo,
   * cert, signatureAlgorithm }) rebuilt from the original element encodings.
   */
  makerSignedBytes: Uint8Array;
  /** The other candidate, tried when the first fails (ses-signature.md §6: vendors differ). */
  makerSignedBytesAlternative: Uint8Array;
  oddities: string[];
}

export interface SesSignature {
  layout: SesLayout;
  /** TBS_Sign.version (1, 2 or 4; 5 for GM/T 0031-2025). */
  version: number;
  /** Original DER of TBS_Sign: what the signer signed. */
  tbsBytes: Uint8Array;
  seal: SesSeal;
  /** Signing time from TBS_Sign.timeInfo, when it could be read. */
  timeInfo?: Date;
  /** timeInfo as written (for V1 files that carry free text). */
  timeInfoText: string;
  dataHash: Uint8Array;
  /** Path of the protected file, e.g. /Doc_0/Signs/Sign_0/Signature.xml. */
  propertyInfo: string;
  signerCert: Uint8Array;
  signatureAlgorithm: string;
  signature: Uint8Array;
  /** V4 optional RFC 3161 time-stamp token (not verified yet). */
  timeStamp?: Uint8Array;
  oddities: string[];
}

/** Parses a SignedValue.dat holding an SES_Signature (either layout). */
export function parseSesSignature(bytes: Uint8Array): SesSignature {
  const oddities: string[] = [];
  const root = readDer(bytes, { allowTrailing: true });
  if (root.end !== bytes.length) oddities.push(`${bytes.length - root.end} byte(s) after the SES_Signature ignored`);
  expectSequence(root, 'SES_Signature');
  const n = root.children.length;
  if (n === 2) return parseV1Signature(root, oddities);
  if (n >= 4 && n <= 5) return parseV4Signature(root, oddities);
  throw badDer(root.start, `SES_Signature has ${n} elements; expected 2 (GM/T 0031 V1) or 4–5 (GB/T 38540 V4)`);
}

function parseV4Signature(root: DerNode, oddities: string[]): SesSignature {
  const tbs = expectSequence(root.child(0, 'toSign'), 'TBS_Sign');
  const t = tbs.children;
  if (t.length < 5) throw badDer(tbs.start, `TBS_Sign has ${t.length} elements; V4 needs version, eseal, timeInfo, dataHash, propertyInfo`);
  const version = readSmallInt(t[0], 'TBS_Sign.version');
  const seal = parseSealNodeCached(t[1]);
  const { date: timeInfo, text: timeInfoText } = readLooseTime(t[2], 'TBS_Sign.timeInfo', oddities);
  const dataHash = readHashField(t[3], 'TBS_Sign.dataHash', oddities);
  const propertyInfo = readStringField(t[4], 'TBS_Sign.propertyInfo');
  const tsNode = root.children[4];
  return {
    layout: 'v4',
    version,
    tbsBytes: tbs.bytes,
    seal,
    timeInfo,
    timeInfoText,
    dataHash,
    propertyInfo,
    signerCert: readOctetString(root.child(1, 'cert'), 'SES_Signature.cert'),
    signatureAlgorithm: readOid(root.child(2, 'signatureAlgID'), 'SES_Signature.signatureAlgID'),
    signature: readHashField(root.child(3, 'signature'), 'SES_Signature.signature', oddities),
    timeStamp: tsNode?.isContext(0) ? tsNode.content : undefined,
    oddities: [...oddities, ...seal.oddities],
  };
}

function parseV1Signature(root: DerNode, oddities: string[]): SesSignature {
  const tbs = expectSequence(root.child(0, 'toSign'), 'TBS_Sign');
  const t = tbs.children;
  if (t.length < 7) throw badDer(tbs.start, `TBS_Sign has ${t.length} elements; V1 needs 7 (…, cert, signatureAlgorithm)`);
  const version = readSmallInt(t[0], 'TBS_Sign.version');
  const seal = parseSealNodeCached(t[1]);
  const { date: timeInfo, text: timeInfoText } = readLooseTime(t[2], 'TBS_Sign.timeInfo', oddities);
  const dataHash = readHashField(t[3], 'TBS_Sign.dataHash', oddities);
  const propertyInfo = readStringField(t[4], 'TBS_Sign.propertyInfo');
  return {
    layout: 'v1',
    version,
    tbsBytes: tbs.bytes,
    seal,
    timeInfo,
    timeInfoText,
    dataHash,
    propertyInfo,
    signerCert: readOctetString(t[5], 'TBS_Sign.cert'),
    signatureAlgorithm: readOid(t[6], 'TBS_Sign.signatureAlgorithm'),
    signature: readHashField(root.child(1, 'signature'), 'SES_Signature.signature', oddities),
    oddities: [...oddities, ...seal.oddities],
  };
}

/** Parses a Seal.esl (a standalone SESeal). */
export function parseSesSeal(bytes: Uint8Array): SesSeal {
  const root = readDer(bytes, { allowTrailing: true });
  const seal = parseSealNodeCached(root);
  if (root.end !== bytes.length) seal.oddities.push(`${bytes.length - root.end} byte(s) after the SESeal ignored`);
  return seal;
}

/**
 * The same seal signs thousands of vouchers, so parsed seals are kept by their bytes (up to SEAL_CACHE_LIMIT,
 * compared in full: a hit is byte-identical DER, hence the identical result). Callers get their own copy of the
 * object and its oddities list; the byte arrays are shared (and, for `verifySealCached`, the identity of
 * `bytes` stands for the seal).
 */
const sealCache = new Map<number, SesSeal[]>();
let sealCacheSize = 0;
const SEAL_CACHE_LIMIT = 256;

function parseSealNodeCached(node: DerNode): SesSeal {
  const bytes = node.bytes;
  let seal = sealCache.get(bytes.length)?.find((s) => bytesEqual(s.bytes, bytes));
  if (!seal) {
    seal = parseSealNode(node);
    if (sealCacheSize >= SEAL_CACHE_LIMIT) {
      sealCache.clear();
      sealCacheSize = 0;
    }
    sealCache.set(bytes.length, [...(sealCache.get(bytes.length) ?? []), seal]);
    sealCacheSize++;
  }
  return { ...seal, oddities: [...seal.oddities] };
}

function parseSealNode(node: DerNode): SesSeal {
  expectSequence(node, 'SESeal');
  const oddities: string[] = [];
  const k = node.children;
  const infoNode = expectSequence(node.child(0, 'eSealInfo'), 'SES_SealInfo');
  let layout: SesLayout;
  let certNode: DerNode;
  let algNode: DerNode;
  let sigNode: DerNode;
  if (k.length === 2) {
    // V1: SESeal { esealInfo, signInfo SES_SignInfo { cert, signatureAlgorithm, signData } }
    layout = 'v1';
    const signInfo = expectSequence(k[1], 'SES_SignInfo');
    certNode = signInfo.child(0, 'SES_SignInfo.cert');
    algNode = signInfo.child(1, 'SES_SignInfo.signatureAlgorithm');
    sigNode = signInfo.child(2, 'SES_SignInfo.signData');
  } else if (k.length >= 4) {
    layout = 'v4';
    [, certNode, algNode, sigNode] = k;
  } else {
    throw badDer(node.start, `SESeal has ${k.length} elements; expected 2 (V1) or 4 (V4)`);
  }
  const info = parseSealInfo(infoNode, layout, oddities);
  // V1 maker signature covers SEQUENCE { sealInfo, cert, alg } (GM/T 0031 §…; ofdrw, gm_0031_38540_verifier).
  const wrapped = concatBytes(infoNode.bytes, certNode.bytes, algNode.bytes);
  const v1Signed = concatBytes(Uint8Array.of(0x30), encodeLength(wrapped.length), wrapped);
  return {
    layout,
    bytes: node.bytes,
    ...info,
    sealInfoBytes: infoNode.bytes,
    makerCert: readOctetString(certNode, 'SESeal.cert'),
    makerSignatureAlgorithm: readOid(algNode, 'SESeal.signatureAlgorithm'),
    makerSignature: readHashField(sigNode, 'SESeal.signature', oddities),
    makerSignedBytes: layout === 'v4' ? infoNode.bytes : v1Signed,
    makerSignedBytesAlternative: layout === 'v4' ? v1Signed : infoNode.bytes,
    oddities,
  };
}

type SealInfoFields = Pick<
  SesSeal,
  'header' | 'esId' | 'sealType' | 'name' | 'certListType' | 'certs' | 'certDigests' | 'createDate' | 'validStart' | 'validEnd' | 'picture'
>;

function parseSealInfo(info: DerNode, layout: SesLayout, oddities: string[]): SealInfoFields {
  const header = expectSequence(info.child(0, 'SES_Header'), 'SES_Header');
  const id = readStringField(header.child(0, 'header.id'), 'SES_Header.id');
  if (id !== 'ES') oddities.push(`seal header id is "${id}", not "ES"`);
  const headerVersion = readSmallInt(header.child(1, 'header.version'), 'SES_Header.version');
  const vid = readStringField(header.child(2, 'header.vid'), 'SES_Header.vid');
  const esId = readStringField(info.child(1, 'esID'), 'SES_SealInfo.esID');
  const prop = expectSequence(info.child(2, 'property'), 'SES_ESPropertyInfo');
  const p = prop.children;
  const sealType = p[0]?.isUniversal(Tag.integer) ? readSmallInt(p[0], 'property.type') : undefined;
  const name = readStringField(prop.child(1, 'property.name'), 'SES_ESPropertyInfo.name');
  // V4 inserts certListType (INTEGER) before certList; detect by tag rather than by version, since v2/v1-tagged
  // seals from some vendors follow one layout or the other.
  let i = 2;
  let certListType: number | undefined;
  if (p[i]?.isUniversal(Tag.integer)) certListType = readSmallInt(p[i++], 'property.certListType');
  const certs: Uint8Array[] = [];
  const certDigests: Array<{ type: string; value: Uint8Array }> = [];
  const list = prop.child(i++, 'property.certList');
  if (list.constructed) {
    for (const entry of list.children) {
      if (entry.isUniversal(Tag.octetString)) certs.push(readOctetString(entry, 'certList entry'));
      else if (entry.isUniversal(Tag.sequence) && entry.children.length >= 2) {
        certDigests.push({ type: readStringField(entry.child(0), 'CertDigestObj.type'), value: readOctetString(entry.child(1), 'CertDigestObj.value') });
      } else oddities.push(`seal certificate list holds a ${entry.describe().replace(/ at offset.*/, '')} instead of a certificate`);
    }
  } else oddities.push('seal certificate list is not a SEQUENCE');
  const dates = p.slice(i, i + 3).map((d, j) => readLooseTime(d, ['createDate', 'validStart', 'validEnd'][j], oddities).date);
  if (layout === 'v4' && p[i] && !p[i].isUniversal(Tag.generalizedTime)) oddities.push('V4 seal dates are not GeneralizedTime');
  const picNode = info.children[3];
  let picture: SealPicture | undefined;
  if (picNode?.isUniversal(Tag.sequence)) {
    const q = picNode.children;
    picture = {
      type: readStringField(picNode.child(0, 'picture.type'), 'SES_ESPictrueInfo.type'),
      data: readOctetString(picNode.child(1, 'picture.data'), 'SES_ESPictrueInfo.data'),
      width: q[2]?.isUniversal(Tag.integer) ? readSmallInt(q[2], 'picture.width') : undefined,
      height: q[3]?.isUniversal(Tag.integer) ? readSmallInt(q[3], 'picture.height') : undefined,
    };
  }
  return {
    header: { id, version: headerVersion, vid },
    esId,
    sealType,
    name,
    certListType,
    certs,
    certDigests,
    createDate: dates[0],
    validStart: dates[1],
    validEnd: dates[2],
    picture,
  };
}

function readStringField(node: DerNode, what: string): string {
  if (isStringTag(node)) return readString(node, what);
  if (node.isUniversal(Tag.octetString)) return new TextDecoder().decode(node.content);
  throw badDer(node.start, `${what}: expected a string, found ${node.describe()}`);
}

function readHashField(node: DerNode, what: string, oddities: string[]): Uint8Array {
  if (node.isUniversal(Tag.octetString)) oddities.push(`${what} is an OCTET STRING, not a BIT STRING`);
  return readBitOrOctetString(node, what);
}

/**
 * timeInfo / seal dates: UTCTime or GeneralizedTime as the standards say; V1 producers also put text into a
 * BIT STRING: "2020-01-25T07:31:56.377Z", "20200125073156Z", "2018-10-31 15:21:51" or Unix seconds.
 */
function readLooseTime(node: DerNode, what: string, oddities: string[]): { date?: Date; text: string } {
  if (node.isUniversal(Tag.utcTime) || node.isUniversal(Tag.generalizedTime)) {
    return { date: readTime(node, what), text: new TextDecoder('latin1').decode(node.content) };
  }
  let raw: Uint8Array;
  if (node.isUniversal(Tag.bitString) || node.isUniversal(Tag.octetString)) raw = readBitOrOctetString(node, what);
  else if (isStringTag(node)) raw = node.content;
  else throw badDer(node.start, `${what}: expected a time, found ${node.describe()}`);
  const text = new TextDecoder('latin1').decode(raw).replace(/\0+$/, '').trim();
  const date = parseLooseTime(text);
  oddities.push(`${what} is a ${node.describe().replace(/ at offset.*/, '')} holding "${text.slice(0, 40)}"${date ? '' : ' (unreadable)'}`);
  return { date, text };
}

/** Reads the time formats seen in seals and Signature.xml SignatureDateTime; undefined when none fits. */
export function parseLooseTime(text: string): Date | undefined {
  const t = text.trim();
  if (/^\d{9,10}$/.test(t)) return new Date(Number(t) * 1000); // Unix seconds
  if (/^\d{13}$/.test(t)) return new Date(Number(t)); // Unix milliseconds
  const gen = parseAsn1Time(t, false);
  if (gen) return gen;
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (m) {
    // Without a zone, producers (WPS, koal, ofdrw) write Beijing time.
    const zone = m[8] ? (m[8] === 'Z' ? 'Z' : `${m[8].slice(0, 3)}:${m[8].slice(-2)}`) : '+08:00';
    const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ? `.${m[7].slice(0, 3)}` : ''}${zone}`);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

/** Whether `bytes` look like an SES_Signature rather than a CMS ContentInfo or a bare signature. */
export function looksLikeSesSignature(bytes: Uint8Array): boolean {
  try {
    const root = readDer(bytes, { allowTrailing: true });
    if (!root.isUniversal(Tag.sequence)) return false;
    const first = root.children[0];
    return !!first && first.isUniversal(Tag.sequence) && first.children[0]?.isUniversal(Tag.integer) === true;
  } catch (e) {
    if (e instanceof FormatError) return false;
    throw e;
  }
}

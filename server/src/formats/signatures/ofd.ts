/**
 * OFD signature verification over an `OfdPackage` (ofd.md §9, ses-signature.md §5):
 *   OFD.xml DocBody/Signatures → Signatures.xml → each Signature@BaseLoc → Signature.xml →
 *   every Reference digest against the package file → SignedValue.dat (SES seal, CMS SignedData, bare value).
 * One `SignatureReport` per Signature entry, with a sentence for every check, and `documentVerdict` over them.
 *
 * Never throws for a broken signature: missing files, unreadable XML or DER become reports with reasons
 * (verdict `incomplete` / `invalid`); only a missing or unreadable OFD.xml is a FormatError (not an OFD).
 */
import { FormatError } from '../errors';
import type { OfdPackage } from '../ofd/package';
import type { SignatureReport, SignatureType, SignatureFormat } from '../voucher';
import { bytesEqual, readDer, Tag, toHex } from '../asn1/der';
import { digest, sm3 } from '../crypto/hash';
import { sm2 } from '../crypto/sm2';
import { hashAlgorithmOf, HASH_LABEL } from '../crypto/oids';
import type { Certificate } from '../crypto/x509';
import { parseSesSignature, parseSesSeal, parseLooseTime, looksLikeSesSignature } from '../ses/parse';
import { verifySesSignature, type SealSummary, type SesCheck } from '../ses/verify';
import { verifyCms, isCmsSignedData } from './cms';
import { parseXml, children, child, text, attr, type XmlNode } from './xml';
import { documentVerdict, UNSUPPORTED, type VerdictOptions } from './verdict';
import type { SignatureVerdict } from '../voucher';

export interface OfdSignatureOptions extends VerdictOptions {
  trustAnchors?: Certificate[];
}

export interface StampAnnot {
  id?: string;
  pageRef?: string;
  boundary?: string;
  clip?: string;
}

export interface OfdSignatureDetail {
  report: SignatureReport;
  id?: string;
  signatureXmlPath?: string;
  signedValuePath?: string;
  provider?: string;
  signatureMethod?: string;
  /** Where the seal picture is drawn (for renderers). */
  stampAnnots: StampAnnot[];
  /** Seal name, ID, vendor, validity and picture (for rendering and display). */
  seal?: SealSummary;
  /** Per-check results of an SES seal. */
  sesChecks?: SesCheck[];
  /** Signature.xml was read and its references checked (uncovered files are only reported then). */
  referencesChecked: boolean;
  /** Package paths this signature depends on: referenced files, Signature.xml, SignedValue.dat, Seal.esl. */
  protectedPaths: Set<string>;
}

export interface OfdSignatureResult {
  /** Path of Signatures.xml, when the document declares one. */
  signaturesPath?: string;
  details: OfdSignatureDetail[];
  reports: SignatureReport[];
  verdict: SignatureVerdict;
  /** Package files protected by no signature's references (possibly added after signing). */
  uncoveredFiles: string[];
}

/** Verifies every signature of the first document body that declares signatures (and of any further ones). */
export function verifyOfdSignatures(pkg: OfdPackage, opts: OfdSignatureOptions = {}): OfdSignatureResult {
  const paths = new PackagePaths(pkg);
  if (!pkg.has('OFD.xml')) throw new FormatError('missing_entry', 'OFD.xml missing: not an OFD package', 'OFD.xml');
  const ofd = parseXml(pkg.read('OFD.xml'), 'OFD.xml');
  const bodies = children(child(ofd, 'OFD'), 'DocBody');
  const details: OfdSignatureDetail[] = [];
  let signaturesPath: string | undefined;
  const covered = new Set<string>();
  for (const body of bodies) {
    const loc = text(body, 'Signatures');
    if (!loc) continue;
    const docRoot = text(body, 'DocRoot');
    const docDir = docRoot ? dirname(normalise(docRoot)) : '';
    const found = paths.resolve(loc, '', docDir);
    signaturesPath ??= found ?? normalise(loc);
    if (!found) {
      details.push(broken('seal', normalise(loc), `Signatures.xml listed in OFD.xml as ${loc} but missing from the package`));
      continue;
    }
    covered.add(found);
    let list: XmlNode;
    try {
      list = parseXml(pkg.read(found), found);
    } catch (e) {
      details.push(broken('seal', found, `Signatures.xml unreadable: ${(e as Error).message}`));
      continue;
    }
    for (const entry of children(child(list, 'Signatures'), 'Signature')) {
      details.push(verifyEntry(pkg, paths, entry, dirname(found), docDir, opts, covered));
    }
  }
  const reports = details.map((d) => d.report);
  // A ZIP holding two entries of one name can show different contents to different readers (a known way to
  // slip changes past signature checks): a protected or signature file among them fails the signature.
  const duplicates = (pkg as { duplicates?: string[] }).duplicates ?? [];
  if (duplicates.length) {
    const dup = new Set(duplicates.map((d) => normalise(d)));
    for (const d of details) {
      const hit = [...dup].filter((p) => d.protectedPaths.has(p));
      if (hit.length) {
        d.report.digestsOk = false;
        d.report.reasons.push(`the ZIP holds more than one entry named ${hit.join(', ')}: readers may show contents other than the signed ones`);
      }
    }
  }
  const uncoveredFiles = details.length ? pkg.list().filter((p) => !covered.has(p) && !p.endsWith('/')) : [];
  if (uncoveredFiles.length && details.length) {
    const sample = uncoveredFiles.slice(0, 5).join(', ');
    for (const { report: r } of details.filter((d) => d.referencesChecked)) {
      r.reasons.push(`${uncoveredFiles.length} package file(s) protected by no signature (added after signing?): ${sample}${uncoveredFiles.length > 5 ? ', …' : ''}`);
    }
  }
  return { signaturesPath, details, reports, verdict: documentVerdict(reports, opts), uncoveredFiles };
}

export interface OfdSealPlacement {
  /** Signature folder, e.g. Doc_0/Signs/Sign_0. */
  location: string;
  type: SignatureType;
  stampAnnots: StampAnnot[];
  /** Seal name, ID, vendor, validity and picture, when the SignedValue (or Seal.esl) is a readable SES seal. */
  seal?: SealSummary;
}

/**
 * Where seals are drawn and what they look like, WITHOUT any cryptographic check — for renderers, which must
 * not pay a verification per page view. Unreadable parts are skipped.
 */
export function readOfdSeals(pkg: OfdPackage): OfdSealPlacement[] {
  const paths = new PackagePaths(pkg);
  if (!pkg.has('OFD.xml')) return [];
  const out: OfdSealPlacement[] = [];
  try {
    const ofd = parseXml(pkg.read('OFD.xml'), 'OFD.xml');
    for (const body of children(child(ofd, 'OFD'), 'DocBody')) {
      const loc = text(body, 'Signatures');
      if (!loc) continue;
      const docRoot = text(body, 'DocRoot');
      const docDir = docRoot ? dirname(normalise(docRoot)) : '';
      const listPath = paths.resolve(loc, '', docDir);
      if (!listPath) continue;
      const list = parseXml(pkg.read(listPath), listPath);
      for (const entry of children(child(list, 'Signatures'), 'Signature')) {
        const baseLoc = attr(entry, 'BaseLoc');
        const sigPath = baseLoc ? paths.resolve(baseLoc, dirname(listPath), docDir) : undefined;
        if (!sigPath) continue;
        const location = dirname(sigPath);
        const placement: OfdSealPlacement = { location, type: (attr(entry, 'Type') ?? 'Seal').toLowerCase() === 'sign' ? 'sign' : 'seal', stampAnnots: [] };
        try {
          const root = child(parseXml(pkg.read(sigPath), sigPath), 'Signature');
          const info = child(root, 'SignedInfo');
          placement.stampAnnots = children(info, 'StampAnnot').map((a) => ({ id: attr(a, 'ID'), pageRef: attr(a, 'PageRef'), boundary: attr(a, 'Boundary'), clip: attr(a, 'Clip') }));
          const valueLoc = text(root, 'SignedValue');
          const valuePath = valueLoc ? paths.resolve(valueLoc, location, docDir) : undefined;
          const sealLoc = text(child(info, 'Seal'), 'BaseLoc');
          const sealPath = sealLoc ? paths.resolve(sealLoc, location, docDir) : undefined;
          const value = valuePath ? pkg.read(valuePath) : undefined;
          const seal = value && looksLikeSesSignature(value) ? parseSesSignature(value).seal : sealPath ? parseSesSeal(pkg.read(sealPath)) : undefined;
          if (seal) {
            placement.seal = {
              name: seal.name, esId: seal.esId, sealType: seal.sealType, vendor: seal.header.vid, headerVersion: seal.header.version,
              validStart: seal.validStart, validEnd: seal.validEnd, picture: seal.picture,
            };
          }
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
        }
        out.push(placement);
      }
    }
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
  }
  return out;
}

function broken(type: SignatureType, location: string, reason: string): OfdSignatureDetail {
  return { report: { type, format: 'unknown', location, digestsOk: null, signatureValid: null, reasons: [reason] }, stampAnnots: [], referencesChecked: false, protectedPaths: new Set() };
}

function verifyEntry(
  pkg: OfdPackage,
  paths: PackagePaths,
  entry: XmlNode,
  signsDir: string,
  docDir: string,
  opts: OfdSignatureOptions,
  covered: Set<string>,
): OfdSignatureDetail {
  const type: SignatureType = (attr(entry, 'Type') ?? 'Seal').toLowerCase() === 'sign' ? 'sign' : 'seal';
  const id = attr(entry, 'ID');
  const baseLoc = attr(entry, 'BaseLoc');
  if (!baseLoc) return { ...broken(type, signsDir, `signature ${id ?? '?'} has no BaseLoc`), id };
  const sigXmlPath = paths.resolve(baseLoc, signsDir, docDir);
  if (!sigXmlPath) return { ...broken(type, normalise(baseLoc), `Signature.xml listed as ${baseLoc} but missing from the package`), id };
  covered.add(sigXmlPath);
  const location = dirname(sigXmlPath);
  const reasons: string[] = [];
  const report: SignatureReport = { type, format: 'unknown', location, digestsOk: null, signatureValid: null, reasons };
  const detail: OfdSignatureDetail = { report, id, signatureXmlPath: sigXmlPath, stampAnnots: [], referencesChecked: false, protectedPaths: new Set([sigXmlPath]) };

  const sigXml = pkg.read(sigXmlPath);
  let doc: XmlNode;
  try {
    doc = parseXml(sigXml, sigXmlPath);
  } catch (e) {
    reasons.push(`Signature.xml unreadable: ${(e as Error).message}`);
    return detail;
  }
  const root = child(doc, 'Signature');
  const info = child(root, 'SignedInfo');
  detail.provider = attr(child(info, 'Provider'), 'ProviderName');
  detail.signatureMethod = text(info, 'SignatureMethod');
  detail.stampAnnots = children(info, 'StampAnnot').map((a) => ({
    id: attr(a, 'ID'), pageRef: attr(a, 'PageRef'), boundary: attr(a, 'Boundary'), clip: attr(a, 'Clip'),
  }));
  const declaredTime = text(info, 'SignatureDateTime');
  if (declaredTime) {
    const t = parseLooseTime(declaredTime);
    if (t) report.signingTime = t.toISOString();
  }
  if (detail.provider) reasons.push(`provider ${detail.provider}${detail.signatureMethod ? `, signature method ${detail.signatureMethod}` : ''}`);

  // References: digests are computed now, mismatches explained after the signed value is known (legacy form).
  const refsNode = child(info, 'References');
  const checkMethod = attr(refsNode, 'CheckMethod') ?? '1.2.156.10197.1.401';
  const hash = hashAlgorithmOf(checkMethod);
  const refs = children(refsNode, 'Reference');
  const refResults: RefResult[] = [];
  if (!hash) {
    reasons.push(`${UNSUPPORTED} references not checkable, unknown CheckMethod "${checkMethod}"`);
  } else if (refs.length === 0) {
    reasons.push('Signature.xml lists no references: nothing in the document is protected');
  } else {
    for (const ref of refs) {
      const fileRef = attr(ref, 'FileRef') ?? '';
      const want = Buffer.from((text(ref, 'CheckValue') ?? '').replace(/\s+/g, ''), 'base64');
      const path = paths.resolve(fileRef, location, docDir);
      if (!path) {
        refResults.push({ fileRef, want, status: 'missing' });
        continue;
      }
      covered.add(path);
      detail.protectedPaths.add(path);
      const bytes = pkg.read(path);
      refResults.push({ fileRef, want, bytes, status: bytesEqual(digest(hash, bytes), want) ? 'ok' : 'mismatch' });
    }
  }
  detail.referencesChecked = refResults.length > 0;
  const refReasons = (sm2Key?: Uint8Array): { ok: boolean | null; reasons: string[] } => {
    if (!hash || refResults.length === 0) return { ok: null, reasons: [] };
    let ok = true;
    const out: string[] = [];
    for (const r of refResults) {
      if (r.status === 'missing') {
        ok = false;
        out.push(`reference ${r.fileRef}: file missing from the package`);
      } else if (r.status === 'ok') out.push(`reference ${r.fileRef}: ${HASH_LABEL[hash]} digest matches`);
      else if (hash === 'sm3' && sm2Key && r.bytes && bytesEqual(sm3(sm2.z(sm2Key), r.bytes), r.want)) {
        // 2018 GX/HNCA V1 seals hash each file as SM3(Z ‖ file), Z from the signer's key.
        out.push(`reference ${r.fileRef}: SM3(Z ‖ file) digest matches (legacy V1 form)`);
      } else {
        ok = false;
        out.push(`reference ${r.fileRef}: ${HASH_LABEL[hash]} digest mismatch (file changed after signing)`);
      }
    }
    return { ok, reasons: out };
  };

  // Seal.esl (optional copy of the seal).
  const sealLoc = text(child(info, 'Seal'), 'BaseLoc');
  let sealFile: Uint8Array | undefined;
  if (sealLoc) {
    const sealPath = paths.resolve(sealLoc, location, docDir);
    if (sealPath) {
      sealFile = pkg.read(sealPath);
      covered.add(sealPath);
      detail.protectedPaths.add(sealPath);
    } else reasons.push(`Seal.esl listed as ${sealLoc} but missing from the package`);
  }

  // SignedValue.dat.
  const valueLoc = text(root, 'SignedValue');
  if (!valueLoc) {
    const refs0 = refReasons();
    reasons.push(...refs0.reasons, 'Signature.xml names no SignedValue: the signature value is missing');
    report.digestsOk = refs0.ok;
    return detail;
  }
  const valuePath = paths.resolve(valueLoc, location, docDir);
  if (!valuePath) {
    const refs0 = refReasons();
    reasons.push(...refs0.reasons, `${valueLoc.split('/').pop()} listed as ${valueLoc} but missing from the package: signature value not checkable`);
    report.digestsOk = refs0.ok;
    return detail;
  }
  covered.add(valuePath);
  detail.protectedPaths.add(valuePath);
  detail.signedValuePath = valuePath;
  const value = pkg.read(valuePath);
  const verified = verifySignedValue(value, sigXml, sealFile, type, opts);
  report.format = verified.format;
  report.signatureValid = verified.signatureValid;
  const refsChecked = refReasons(verified.legacyV1 ? verified.sm2Key : undefined);
  reasons.push(...refsChecked.reasons);
  report.digestsOk = combine(refsChecked.ok, verified.dataHashOk);
  if (verified.signerSubject) report.signerSubject = verified.signerSubject;
  if (verified.signingTime) report.signingTime = verified.signingTime.toISOString();
  if (verified.chain) report.chain = verified.chain;
  reasons.push(...verified.reasons);
  detail.seal = verified.seal;
  detail.sesChecks = verified.sesChecks;
  return detail;
}

function combine(a: boolean | null, b: boolean | null): boolean | null {
  if (a === false || b === false) return false;
  if (a === null || b === null) return null;
  return true;
}

interface RefResult {
  fileRef: string;
  want: Uint8Array;
  bytes?: Uint8Array;
  status: 'ok' | 'mismatch' | 'missing';
}

interface ValueResult {
  format: SignatureFormat;
  /** SM2 public key of the signer (legacy reference digests depend on it). */
  sm2Key?: Uint8Array;
  legacyV1?: boolean;
  dataHashOk: boolean | null;
  signatureValid: boolean | null;
  signerSubject?: string;
  signingTime?: Date;
  chain?: SignatureReport['chain'];
  seal?: SealSummary;
  sesChecks?: SesCheck[];
  reasons: string[];
}

/** SignedValue.dat by content, whatever the Type attribute says (producers mix them up). */
function verifySignedValue(value: Uint8Array, sigXml: Uint8Array, sealFile: Uint8Array | undefined, type: SignatureType, opts: OfdSignatureOptions): ValueResult {
  try {
    if (looksLikeSesSignature(value)) {
      const ses = parseSesSignature(value);
      const v = verifySesSignature(ses, { signedFile: sigXml, sealFile, trustAnchors: opts.trustAnchors });
      return {
        format: v.format,
        sm2Key: v.signer?.publicKey.kind === 'sm2' ? v.signer.publicKey.key : undefined,
        legacyV1: ses.layout === 'v1',
        dataHashOk: v.dataHashOk,
        signatureValid: v.signatureValid,
        signerSubject: v.signerSubject,
        signingTime: v.signingTime,
        chain: v.chain.status,
        seal: v.seal,
        sesChecks: v.checks,
        reasons: [`seal "${v.seal.name}" (${v.seal.esId}, vendor ${v.seal.vendor})`, ...v.checks.map((c) => c.reason)],
      };
    }
    if (isCmsSignedData(value)) {
      const v = verifyCms(value, { detachedContent: sigXml, trustAnchors: opts.trustAnchors });
      return {
        format: 'pkcs7',
        dataHashOk: v.digestsOk,
        signatureValid: v.signatureValid,
        signerSubject: v.signerSubject,
        signingTime: v.signingTime,
        chain: v.chain,
        reasons: [`${type === 'sign' ? 'digital signature' : 'seal'} as CMS SignedData (${v.contentType})`, ...v.reasons],
      };
    }
    if (isBareSignature(value)) {
      return {
        format: 'unknown',
        dataHashOk: null,
        signatureValid: null,
        reasons: [`SignedValue is a bare ${value.length}-byte signature value without a certificate: the signer's key is unknown, signature not checkable`],
      };
    }
    return { format: 'unknown', dataHashOk: null, signatureValid: null, reasons: [`${UNSUPPORTED} SignedValue (${value.length} bytes, starts ${toHex(value.subarray(0, 4))}) is neither an SES signature nor CMS SignedData`] };
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    return { format: 'unknown', dataHashOk: null, signatureValid: false, reasons: [`SignedValue unreadable: ${e.message}`] };
  }
}

function isBareSignature(value: Uint8Array): boolean {
  if (value.length === 64 || value.length === 65) return true;
  try {
    const n = readDer(value);
    return n.isUniversal(Tag.sequence) && n.children.length === 2 && n.children.every((k) => k.isUniversal(Tag.integer));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Path resolution. OFD paths are absolute ("/Doc_0/…") or relative to the referring file's folder; real packages
// also write paths relative to the package root or the document folder, with backslashes or %-escapes, or with
// different letter case. Candidates are tried in that order; the first existing entry wins.

export class PackagePaths {
  private lower?: Map<string, string>;

  constructor(private readonly pkg: OfdPackage) {}

  resolve(loc: string, baseDir: string, docDir: string): string | undefined {
    const raw = loc.trim().replace(/\\/g, '/');
    if (!raw) return undefined;
    // Fast path for the usual case, the first candidate below for a path needing no normalising.
    if (PLAIN_PATH.test(raw) && !raw.includes('%') && (baseDir === '' || (baseDir[0] !== '/' && PLAIN_PATH.test(baseDir)))) {
      const first = raw.startsWith('/') ? raw.slice(1) : baseDir ? `${baseDir}/${raw}` : raw;
      if (this.pkg.has(first)) return first;
    }
    const variants = [raw];
    try {
      const dec = decodeURIComponent(raw);
      if (dec !== raw) variants.push(dec);
    } catch {
      // not %-encoded
    }
    const candidates: string[] = [];
    for (const v of variants) {
      if (v.startsWith('/')) candidates.push(normalise(v), join(docDir, v));
      else candidates.push(join(baseDir, v), normalise(v), join(docDir, v));
    }
    for (const c of candidates) if (c && this.pkg.has(c)) return c;
    this.lower ??= new Map(this.pkg.list().map((p) => [p.toLowerCase(), p]));
    for (const c of candidates) {
      const hit = this.lower.get(c.toLowerCase());
      if (hit) return hit;
    }
    return undefined;
  }
}

/** Optional leading "/", then segments that are neither empty, "." nor "..": normalise() would not change it. */
const PLAIN_PATH = /^\/?(?!\.\.?(?:\/|$))[^/]+(?:\/(?!\.\.?(?:\/|$))[^/]+)*$/;

export function normalise(p: string): string {
  const out: string[] = [];
  for (const seg of p.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

function join(dir: string, p: string): string {
  return normalise(`${dir}/${p}`);
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/**
 * PDF signatures (ISO 32000-1 §12.8): extraction from the raw bytes and verification through a CMS verifier.
 *
 * A signature dictionary says which bytes are signed with `/ByteRange [a b c d]`: the ranges [a, a+b) and
 * [c, c+d) are hashed, and the gap between them holds exactly the hex `/Contents` (the CMS SignedData). A sound
 * signature therefore has a = 0, the gap = the `<…>` of /Contents, and c + d = file length. Anything else is
 * reported: bytes outside the ranges (other than /Contents) are not protected by the signature, which is how
 * "shadow" attacks and later incremental edits hide.
 */
import { createHash } from 'node:crypto';
import type { SignatureReport } from '../voucher';
import { decodeTextString, latin1, parseDictAt, PdfSyntaxError, pdfDateToIso, type PdfValue } from './objects';

export interface PdfSignature {
  /** Form field name (/T of the field whose /V is this signature), when found. */
  fieldName?: string;
  objectNumber?: number;
  /** /Type: Sig or DocTimeStamp. */
  type?: string;
  filter?: string;
  /** adbe.pkcs7.detached, adbe.pkcs7.sha1, ETSI.CAdES.detached, ETSI.RFC3161 … */
  subFilter?: string;
  /** /M, ISO 8601 (the signer's claim; the CMS signing-time attribute is separate). */
  signingTime?: string;
  signerName?: string;
  reason?: string;
  location?: string;
  byteRange?: [number, number, number, number];
  /** The ranges cover the whole file except exactly /Contents. */
  coversWholeFile: boolean;
  /** What is wrong with the byte range, one sentence each (empty when sound). */
  problems: string[];
  /** The CMS SignedData, DER, trailing zero padding removed. */
  cms: Uint8Array;
  /** The signed bytes: both ranges concatenated. Empty when the range is unusable. */
  signedContent: Uint8Array;
}

/** Finds every signature dictionary (one with /ByteRange) in the file, in file order. */
export function extractPdfSignatures(bytes: Uint8Array): PdfSignature[] {
  const text = latin1(bytes, 0, bytes.length);
  const fieldNames = signatureFieldNames(bytes, text);
  const out: PdfSignature[] = [];
  const seen = new Set<number>();
  for (const m of text.matchAll(/\/ByteRange\b/g)) {
    const at = m.index!;
    const obj = enclosingObject(text, at);
    if (!obj || seen.has(obj.dictStart)) continue;
    seen.add(obj.dictStart);
    let dict: Extract<PdfValue, { type: 'dict' }>;
    try {
      dict = parseDictAt(bytes, obj.dictStart);
    } catch (e) {
      if (!(e instanceof PdfSyntaxError)) throw e;
      out.push(broken(obj.num, `signature dictionary at offset ${obj.dictStart} cannot be read: ${e.message}`));
      continue;
    }
    if (dict.end < at) continue; // /ByteRange belonged to something else
    out.push(readSignature(bytes, dict, obj.num, fieldNames.get(obj.num)));
  }
  return out;
}

function readSignature(bytes: Uint8Array, dict: Extract<PdfValue, { type: 'dict' }>, num: number, fieldName?: string): PdfSignature {
  const e = dict.entries;
  const sig: PdfSignature = {
    objectNumber: num,
    ...(fieldName !== undefined ? { fieldName } : {}),
    ...nameEntry(e.get('Type'), 'type'),
    ...nameEntry(e.get('Filter'), 'filter'),
    ...nameEntry(e.get('SubFilter'), 'subFilter'),
    coversWholeFile: false,
    problems: [],
    cms: new Uint8Array(),
    signedContent: new Uint8Array(),
  };
  const m = textEntry(e.get('M'));
  if (m) sig.signingTime = pdfDateToIso(m) ?? m;
  const name = textEntry(e.get('Name'));
  if (name) sig.signerName = name;
  const reason = textEntry(e.get('Reason'));
  if (reason) sig.reason = reason;
  const location = textEntry(e.get('Location'));
  if (location) sig.location = location;

  const contents = e.get('Contents');
  if (contents?.type !== 'string') {
    sig.problems.push('signature dictionary has no /Contents string');
  } else {
    sig.cms = trimDer(contents.bytes);
  }
  const br = e.get('ByteRange');
  const nums = br?.type === 'array' ? br.items.map((v) => (v.type === 'number' && Number.isInteger(v.value) && v.value >= 0 ? v.value : NaN)) : [];
  if (nums.length !== 4 || nums.some(Number.isNaN)) {
    sig.problems.push('/ByteRange is not four non-negative integers');
    return sig;
  }
  const [a, b, c, d] = nums as [number, number, number, number];
  sig.byteRange = [a, b, c, d];
  if (a + b > c) sig.problems.push(`/ByteRange ranges overlap (${a}+${b} > ${c})`);
  if (c + d > bytes.length) sig.problems.push(`/ByteRange ends at ${c + d}, beyond the end of the file (${bytes.length} bytes): the file is truncated`);
  if (sig.problems.length) return sig;
  if (a !== 0) sig.problems.push(`/ByteRange starts at ${a}, not at the beginning of the file: the first ${a} bytes are not signed`);
  if (contents?.type === 'string' && (contents.start !== a + b || contents.end !== c)) {
    sig.problems.push(`the unsigned gap ${a + b}–${c} is not exactly the /Contents value (${contents.start}–${contents.end})`);
  }
  if (c + d < bytes.length) {
    sig.problems.push(`${bytes.length - (c + d)} bytes after offset ${c + d} were added after signing and are not covered by this signature`);
  }
  sig.coversWholeFile = sig.problems.length === 0;
  const signed = new Uint8Array(b + d);
  signed.set(bytes.subarray(a, a + b), 0);
  signed.set(bytes.subarray(c, c + d), b);
  sig.signedContent = signed;
  return sig;
}

/** Signature fields (/FT /Sig) → their /T by the object number of their /V. */
function signatureFieldNames(bytes: Uint8Array, text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const m of text.matchAll(/\/FT\s*\/Sig\b/g)) {
    const obj = enclosingObject(text, m.index!);
    if (!obj) continue;
    try {
      const dict = parseDictAt(bytes, obj.dictStart);
      const v = dict.entries.get('V');
      const t = textEntry(dict.entries.get('T'));
      if (v?.type === 'ref' && t !== undefined) names.set(v.num, t);
    } catch (e) {
      if (!(e instanceof PdfSyntaxError)) throw e;
    }
  }
  return names;
}

/** The `N G obj <<` that opens the object containing offset `at` (searching back at most 1 MB). */
function enclosingObject(text: string, at: number): { num: number; dictStart: number } | undefined {
  const from = Math.max(0, at - 1024 * 1024);
  // Search backwards for the nearest "obj" keyword, then check it opens a dictionary.
  let k = at;
  while ((k = text.lastIndexOf('obj', k - 1)) >= from) {
    const head = /(\d+)\s+(\d+)\s+$/.exec(text.slice(Math.max(0, k - 24), k));
    if (!head) continue;
    const open = /^obj\s*<</.exec(text.slice(k, k + 40));
    if (!open) return undefined;
    return { num: Number(head[1]), dictStart: k + open[0].length - 2 };
  }
  return undefined;
}

/** /Contents is zero-padded to a reserved size; cut it to the DER length the header declares. */
function trimDer(b: Uint8Array): Uint8Array {
  if (b.length < 2 || b[0] !== 0x30) return b;
  const l = b[1];
  if (l < 0x80) return b.subarray(0, Math.min(b.length, 2 + l));
  const n = l & 0x7f;
  if (n === 0 || n > 4 || b.length < 2 + n) return b; // indefinite length (BER): leave it to the CMS reader
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i];
  return b.subarray(0, Math.min(b.length, 2 + n + len));
}

function nameEntry<K extends string>(v: PdfValue | undefined, key: K): Partial<Record<K, string>> {
  return v?.type === 'name' ? ({ [key]: v.value } as Record<K, string>) : {};
}

function textEntry(v: PdfValue | undefined): string | undefined {
  return v?.type === 'string' ? decodeTextString(v.bytes) : undefined;
}

function broken(num: number, problem: string): PdfSignature {
  return { objectNumber: num, coversWholeFile: false, problems: [problem], cms: new Uint8Array(), signedContent: new Uint8Array() };
}

// ---------------------------------------------------------------------------------------------------------------
// Verification

/** What we need from a CMS verifier (signatures/cms.ts `verifyCms` fits this shape). */
export interface CmsCheck {
  digestsOk: boolean | null;
  signatureValid: boolean | null;
  signerSubject?: string;
  signingTime?: Date;
  chain?: 'trusted' | 'untrusted' | 'not-checkable';
  /** Encapsulated content: for adbe.pkcs7.sha1 the SHA-1 of the signed byte ranges. */
  content?: Uint8Array;
  reasons: string[];
}
export type CmsVerifier = (der: Uint8Array, options: { detachedContent?: Uint8Array }) => CmsCheck;

const DETACHED = new Set(['adbe.pkcs7.detached', 'ETSI.CAdES.detached']);

/** One SignatureReport per PDF signature. Without a verifier the cryptographic checks stay null (not checked). */
export function verifyPdfSignature(sig: PdfSignature, verifier?: CmsVerifier): SignatureReport {
  const reasons: string[] = [];
  const report: SignatureReport = {
    type: 'sign',
    format: 'pdf-cms',
    location: sig.fieldName ?? (sig.objectNumber !== undefined ? `signature object ${sig.objectNumber}` : undefined),
    digestsOk: null,
    signatureValid: null,
    ...(sig.signingTime ? { signingTime: sig.signingTime } : {}),
    reasons,
  };
  reasons.push(`SubFilter ${sig.subFilter ?? '(none)'}`);
  if (sig.coversWholeFile) reasons.push('ByteRange covers the whole file except /Contents');
  reasons.push(...sig.problems.map((p) => `ByteRange: ${p}`));
  const rangeUsable = sig.signedContent.length > 0;
  // A gap that is not exactly /Contents means signed and displayed bytes can differ: never call that valid.
  const gapBroken = sig.problems.some((p) => p.startsWith('the unsigned gap') || p.startsWith('/ByteRange starts'));
  if (sig.cms.length === 0 || !rangeUsable) {
    report.digestsOk = false;
    reasons.push('signature cannot be checked: no usable /Contents or /ByteRange');
    return report;
  }
  if (!verifier) {
    reasons.push('CMS not verified: no CMS verifier configured');
    return report;
  }
  const sub = sig.subFilter ?? '';
  if (sub === 'ETSI.RFC3161' || sig.type === 'DocTimeStamp') {
    reasons.push('unsupported: document timestamp (ETSI.RFC3161) is not verified');
    return report;
  }
  if (!DETACHED.has(sub) && sub !== 'adbe.pkcs7.sha1') {
    reasons.push(`unsupported: SubFilter ${sub || '(none)'}`);
    return report;
  }
  let check: CmsCheck;
  try {
    check = verifier(sig.cms, DETACHED.has(sub) ? { detachedContent: sig.signedContent } : {});
  } catch (e) {
    report.digestsOk = false;
    report.signatureValid = false;
    reasons.push(`CMS SignedData unreadable: ${(e as Error).message}`);
    return report;
  }
  report.digestsOk = check.digestsOk;
  report.signatureValid = check.signatureValid;
  if (check.signerSubject) report.signerSubject = check.signerSubject;
  if (check.signingTime) report.signingTime = check.signingTime.toISOString();
  if (check.chain) report.chain = check.chain;
  reasons.push(...check.reasons);
  if (sub === 'adbe.pkcs7.sha1') {
    // The signed "content" is the SHA-1 of the byte ranges, carried inside the CMS.
    const expected = createHash('sha1').update(sig.signedContent).digest();
    const same = check.content !== undefined && Buffer.from(check.content).equals(expected);
    reasons.push(same ? 'encapsulated SHA-1 equals the SHA-1 of the signed byte ranges' : 'encapsulated SHA-1 does not match the signed byte ranges');
    report.digestsOk = !same ? false : check.digestsOk === false ? false : true;
  }
  if (gapBroken) report.digestsOk = false;
  return report;
}

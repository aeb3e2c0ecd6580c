/**
 * OFD voucher → normalised Voucher. Opens the container, reads the document model, collects the data layers
 * (data.ts), then for every field takes the highest-priority layer that has it, records that layer in
 * `sources`, and cross-checks the value against the lower layers — above all the printed page, which is what a
 * person sees and what the signature protects.
 */
import { FormatError } from '../errors';
import { verifyOfdSignatures } from '../signatures';
import type { SignatureReport, SignatureVerdict, Voucher, VoucherKind } from '../voucher';
import type { ZipLimits } from '../zip';
import { openOfd, type OfdContainer } from './container';
import { extractOfdData, type DataLayer, type OfdData } from './data';
import { readOfdDocument, type OfdAttachment, type OfdDocument } from './document';
import type { OfdPackage } from './package';
import { fold, foldIdeographs, type TextLine } from './text';
import { OFD_FIELDS, sameValue, type OfdField } from './values';

export interface OfdSignatureCheck {
  signatures: SignatureReport[];
  verdict: SignatureVerdict;
}

export interface ReadOfdOptions {
  limits?: ZipLimits;
  /**
   * Signature verification. Default: formats/signatures' `verifyOfdSignatures`. `false` skips it (the verdict
   * then says only whether the document is signed); a function replaces it (other trust settings, tests).
   */
  verifySignatures?: false | ((pkg: OfdPackage, doc: OfdDocument) => OfdSignatureCheck);
}

export interface OfdVoucherResult {
  voucher: Voucher;
  document: OfdDocument;
  attachments: OfdAttachment[];
  /** Every data layer found, for display and diagnosis. */
  data: OfdData;
  package: OfdContainer;
}

/** Reads an OFD file as a voucher. Throws FormatError when the bytes are not a readable OFD package. */
export function readOfdVoucher(bytes: Uint8Array, options: ReadOfdOptions = {}): OfdVoucherResult {
  const pkg = openOfd(bytes, options.limits);
  const r = readOfdPackageVoucher(pkg, options);
  r.voucher.warnings.unshift(...pkg.warnings);
  return { ...r, package: pkg };
}

/** The same, for a package that is already open (an unpacked OFD tree, a generated package). */
export function readOfdPackageVoucher(pkg: OfdPackage, options: Omit<ReadOfdOptions, 'limits'> = {}): Omit<OfdVoucherResult, 'package'> {
  const document = readOfdDocument(pkg);
  const data = extractOfdData(pkg, document);
  const voucher = voucherFromLayers(document, data);
  const check = checkSignatures(pkg, document, options.verifySignatures, voucher.warnings);
  voucher.signatures = check.signatures;
  voucher.signatureVerdict = check.verdict;
  return { voucher, document, attachments: document.attachments, data };
}

function checkSignatures(pkg: OfdPackage, doc: OfdDocument, verify: ReadOfdOptions['verifySignatures'], warnings: string[]): OfdSignatureCheck {
  if (verify === false) return { signatures: [], verdict: signatureVerdictWithoutVerification(doc) };
  try {
    if (verify) return verify(pkg, doc);
    const r = verifyOfdSignatures(pkg);
    return { signatures: r.reports, verdict: r.verdict };
  } catch (e) {
    // The voucher stays readable when its signature data is broken; the verdict says so.
    if (e instanceof FormatError) {
      warnings.push(`signatures: ${e.message}`);
      return { signatures: [], verdict: 'invalid' };
    }
    warnings.push(`signatures: verification could not run (${(e as Error).message})`);
    return { signatures: [], verdict: doc.signaturesPath ? 'incomplete' : 'unsigned' };
  }
}

/**
 * The verdict when no verifier is wired in: `unsigned` when OFD.xml names no signature list, otherwise
 * `incomplete` — the document is signed but nothing has been checked yet.
 */
export function signatureVerdictWithoutVerification(doc: OfdDocument): SignatureVerdict {
  return doc.signaturesPath ? 'incomplete' : 'unsigned';
}

/** Layers a chosen value is compared with: what is printed, and the flat CustomData copy. */
const CROSS_CHECK: DataLayer['source'][] = ['custom-tag', 'custom-data', 'page-text'];

export function voucherFromLayers(doc: OfdDocument, data: OfdData): Voucher {
  const warnings: string[] = [...doc.warnings, ...data.warnings];
  const v: Voucher = { kind: 'other', lineItems: [], extra: {}, sources: {}, signatures: [], signatureVerdict: 'unsigned', warnings };
  const layers = data.layers;

  for (const field of OFD_FIELDS) {
    const chosen = layers.find((l) => l.fields[field] !== undefined);
    if (!chosen) continue;
    const value = chosen.fields[field]!;
    (v as unknown as Record<OfdField, string>)[field] = value;
    v.sources[field] = chosen.source;
    for (const other of layers) {
      if (other === chosen || !CROSS_CHECK.includes(other.source)) continue;
      const seen = other.fields[field];
      if (seen !== undefined && !sameValue(field, value, seen)) {
        warnings.push(`${field}: ${chosen.source} says ${value}, ${describe(other.source)} says ${seen}`);
      }
    }
  }
  for (const l of layers) warnings.push(...l.warnings);

  const withLines = layers.find((l) => l.lineItems.length > 0);
  if (withLines) {
    v.lineItems = withLines.lineItems;
    v.sources.lineItems = withLines.source;
  }
  // Lower layers first, so higher-priority extras overwrite.
  for (const l of [...layers].reverse()) Object.assign(v.extra, l.extra);

  // The title is "as printed" (浙江增值税电子普通发票), so the page wins over the generic name in the data.
  const printedTitle = findTitle(data.lines);
  if (printedTitle) {
    v.title = printedTitle.title;
    v.sources.title = 'page-text';
  }
  v.kind = detectKind(v, layers, printedTitle?.kind, warnings);
  return v;
}

function describe(source: DataLayer['source']): string {
  return source === 'page-text' ? 'page text' : source;
}

// ---- Kind --------------------------------------------------------------------------------------------------

/** Printed titles, most specific first. */
const TITLES: [RegExp, VoucherKind][] = [
  [/电子发票[（(]增值税专用发票[)）]/, 'einv_spcl'],
  [/电子发票[（(]普通发票[)）]/, 'einv_ord'],
  [/电子发票[（(]铁路电子客票[)）]|铁路电子客票/, 'rai'],
  [/航空运输电子客票行程单/, 'atr'],
  [/增值税电子专用发票/, 'inv_spcl'],
  [/增值税电子普通发票/, 'inv_ord'],
  [/非税收入.*缴款书/, 'ntrev'],
  [/财政电子票据|财政票据/, 'efi'],
  [/国库集中支付/, 'ctp'],
  [/对账单/, 'bkrs'],
  [/回单/, 'bker'],
];

/** The first printed line that carries a known voucher title (the run containing it is the title). */
export function findTitle(lines: TextLine[]): { title: string; kind: VoucherKind } | undefined {
  // A run with a colon is a label (`回单编号：`), not a title.
  const candidates = lines.flatMap((l) => l.items).filter((i) => !/[:：]/.test(i.text));
  // Each text is squashed and folded once, not once per title.
  const squashed = candidates.map((i) => i.text.replace(/\s+/g, ''));
  const folded = squashed.map(fold);
  for (const [re, kind] of TITLES) {
    const k = folded.findIndex((t) => re.test(t));
    if (k >= 0) return { title: foldIdeographs(squashed[k]), kind };
  }
  // Titles drawn one character per text object only come together as a line.
  const lineTexts = lines.map((l) => fold(l.text.replace(/\s+/g, '')));
  for (const [re, kind] of TITLES) {
    for (const t of lineTexts) {
      const m = re.exec(t);
      if (m) return { title: m[0], kind };
    }
  }
  return undefined;
}

/**
 * The kind the data declares (XBRL taxonomy, QR type code, 数电票 label) wins; then the printed title; then the
 * shape of the data. A declared kind that contradicts the printed title is kept, with a warning.
 */
function detectKind(v: Voucher, layers: DataLayer[], titleKind: VoucherKind | undefined, warnings: string[]): VoucherKind {
  const declared = layers.find((l) => l.kind)?.kind;
  // The title distinguishes ordinary/special where a taxonomy (inv, einv) does not.
  if (declared && titleKind && declared !== titleKind) {
    const family = (k: VoucherKind) => k.replace(/_(ord|spcl)$/, '');
    if (family(declared) === family(titleKind)) return titleKind;
    warnings.push(`kind: the data says ${declared}, the printed title says ${titleKind}; using ${declared}`);
    return declared;
  }
  if (declared) return declared;
  if (titleKind) return titleKind;
  if (v.payerName || v.payeeName || v.payerAccount) return 'bker';
  if (v.invoiceCode && v.invoiceNumber) return 'inv_ord';
  if (v.invoiceNumber && /^\d{20}$/.test(v.invoiceNumber)) return 'einv_ord';
  return 'other';
}

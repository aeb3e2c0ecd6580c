/**
 * `readPdfVoucher`: a PDF voucher → the normalised Voucher (spec voucher-formats.md §3b, §14–16).
 *
 * Layers, in order of trust: embedded structured data (XBRL / XML / JSON attachments, read by the project's
 * readers), then the QR code (machine-made, the same on every producer), then the page text (layout heuristics),
 * and OCR only for a page without usable text where nothing else was found. Each field comes from the most
 * trusted layer that has it, `sources` says which, and every disagreement between two layers becomes a warning
 * rather than being silently resolved. A page whose fonts carry no text mapping leaves only the QR code and
 * embedded data, with a warning.
 *
 * No process is started here: rendering a page with a vector-drawn QR code needs a rasteriser, which the caller
 * injects (`renderPage`, e.g. `renderPageWithPdftoppm` from ./render-poppler).
 */
import sharp from 'sharp';
import { FormatError } from '../errors';
import { readVoucherJson } from '../json/read';
import { verifyCms } from '../signatures/cms';
import { documentVerdict } from '../signatures/verdict';
import { readVoucherXml } from '../xml/read';
import { decodeImage } from '../image/intake';
import { findInvoiceQr } from '../image/photo';
import { OcrUnavailableError, ocrVoucher } from '../ocr/ocr';
import { decodeBarcodesFromPixels } from '../qr/decode';
import { parseQrPayload, type QrInvoice } from '../qr/payload';
import { sameMoney } from '../qr/values';
import { voucherFromQr } from '../qr/voucher';
import { VOUCHER_KIND_NAMES, type FieldSource, type Voucher } from '../voucher';
import type { RawImage } from './engine';
import { readPdf, type PdfAttachment, type PdfDocument, type ReadPdfOptions } from './read';
import { verifyPdfSignature, type CmsVerifier } from './signatures';
import { readTextLayer } from './text-fields';

export interface PdfVoucherOptions extends ReadPdfOptions {
  /** Rasterises a page (1-based) to PNG/JPEG bytes; used only when no QR code is found among the page images. */
  renderPage?: (pdf: Uint8Array, page: number) => Promise<Uint8Array>;
  /**
   * CMS SignedData verifier for PDF signatures. Default: signatures/cms.ts `verifyCms` without trust anchors
   * (chain "not-checkable"); pass a closure with anchors to check chains, or `false` to skip verification.
   */
  verifyCms?: CmsVerifier | false;
  /**
   * Reader for embedded XML/XBRL/JSON files. Default: the project's XML (XBRL, original_invoice.xml, 数电票 XML,
   * 非税/财政 e-bills) and JSON readers. Returns undefined for files it does not understand; a FormatError is
   * reported as a warning and the PDF is still read.
   */
  readEmbedded?: (attachment: PdfAttachment) => Voucher | undefined;
  /**
   * OCR of a page without usable text (a scan) when neither embedded data nor a QR code gave fields. Default:
   * tesseract (`ocr/ocr.ts`) on the largest page image, or on the rendered page; `false` turns it off.
   */
  ocr?: ((image: Uint8Array) => Promise<Voucher>) | false;
}

/** Fields compared and merged across layers. */
const FIELDS = [
  'invoiceCode', 'invoiceNumber', 'checkCode', 'issueDate', 'amountExTax', 'taxAmount', 'totalAmount', 'currency',
  'sellerName', 'sellerTaxId', 'buyerName', 'buyerTaxId', 'payerName', 'payerAccount', 'payerBank', 'payeeName',
  'payeeAccount', 'payeeBank', 'bankSerialNumber',
] as const;
type Field = (typeof FIELDS)[number];
const MONEY: ReadonlySet<Field> = new Set(['amountExTax', 'taxAmount', 'totalAmount']);

export async function readPdfVoucher(bytes: Uint8Array, options: PdfVoucherOptions = {}): Promise<Voucher> {
  const doc = await readPdf(bytes, options);
  const warnings: string[] = [...doc.warnings];

  // 1. Embedded structured data.
  let embedded: Voucher | undefined;
  const readEmbedded = options.readEmbedded ?? readEmbeddedVoucher;
  for (const att of doc.attachments.filter((a) => a.kind === 'xbrl' || a.kind === 'xml' || a.kind === 'json')) {
    try {
      embedded ??= readEmbedded(att);
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      warnings.push(`embedded file "${att.name}" cannot be read: ${e.message}`);
    }
  }

  // 2. Page text (first page carries the voucher; later pages are goods lists or continuation).
  const text = doc.pages[0] ? readTextLayer(doc.pages[0].layout) : undefined;

  // 3. QR code. Rendering the page is worth it only where a QR code is expected: invoices, or pages whose
  // text cannot tell what they are (trip sheets and bank receipts carry none that names an invoice).
  const expectQr = !text?.kind || !['bker', 'bkrs', 'other'].includes(text.kind);
  const qrFound = await findPdfQr(bytes, doc, { ...options, renderPage: expectQr ? options.renderPage : undefined }, warnings);
  if (text?.textless) warnings.push('page 1 has no text layer (a scanned image?): fields come from the QR code and embedded data only');
  else if (text?.unreadable) {
    warnings.push('page text has no usable Unicode mapping (fonts without ToUnicode): fields come from the QR code and embedded data only');
  }
  else if (qrFound && text && !text.kind && Object.keys(text.fields).length === 0) {
    // Fonts whose codes map to the wrong characters give "readable" nonsense: the labels are then missing.
    warnings.push('page text has none of the printed labels (its fonts may map to the wrong characters): fields come from the QR code only');
  }
  // 4. OCR, the last resort: only for pages without usable text where nothing machine-made was found.
  const ocrLayer = !embedded && !qrFound && text?.unreadable && options.ocr !== false ? await ocrPage(bytes, doc, options, warnings) : undefined;

  const kind = embedded?.kind ?? text?.kind ?? qrFound?.kind ?? 'other';
  const v: Voucher = {
    kind,
    title: embedded?.title ?? text?.title ?? VOUCHER_KIND_NAMES[kind],
    lineItems: embedded?.lineItems ?? [],
    extra: { ...(text?.extra ?? {}), ...(embedded?.extra ?? {}) },
    sources: {},
    signatures: [],
    signatureVerdict: 'unsigned',
    warnings,
  };
  if (embedded) warnings.push(...embedded.warnings);
  if (text?.kind && qrFound && qrFound.kind !== text.kind && text.kind !== 'other') {
    warnings.push(`QR code says ${VOUCHER_KIND_NAMES[qrFound.kind]} (type ${qrFound.typeCode ?? '?'}), the printed title says ${VOUCHER_KIND_NAMES[text.kind]}`);
  }

  const qrLayer = qrFound ? voucherFromQr(qrFound) : undefined;
  if (qrFound) {
    warnings.push(...qrFound.warnings);
    v.extra.qr = { typeCode: qrFound.typeCode, format: qrFound.format };
  }
  const layers: Array<[FieldSource, Partial<Voucher> | undefined]> = [
    [embeddedSource(embedded), embedded],
    ['qr', qrLayer],
    ['page-text', text?.unreadable ? undefined : text?.fields],
    ['ocr', ocrLayer],
  ];
  if (ocrLayer) warnings.push(...ocrLayer.warnings);
  for (const field of FIELDS) mergeField(v, field, layers);
  crossCheckAmounts(v);

  // 5. Signatures.
  const verifier: CmsVerifier | undefined = options.verifyCms === false ? undefined : (options.verifyCms ?? defaultCmsVerifier);
  // Signatures inside embedded data (fp:Signature of original_invoice.xml, e-bill signatures) count too.
  v.signatures = [...doc.signatures.map((s) => verifyPdfSignature(s, verifier)), ...(embedded?.signatures ?? [])];
  for (const s of doc.signatures) {
    if (!s.coversWholeFile) warnings.push(`signature ${s.fieldName ?? s.objectNumber ?? ''}: ${s.problems.join('; ')}`);
  }
  v.signatureVerdict = documentVerdict(v.signatures);
  v.extra.pdf = { version: doc.version, pages: doc.pageCount, encrypted: doc.encrypted, producer: doc.info.Producer, attachments: doc.attachments.map((a) => ({ name: a.name, kind: a.kind, size: a.content.length })) };
  return v;
}

function embeddedSource(v: Voucher | undefined): FieldSource {
  const first = v ? Object.values(v.sources)[0] : undefined;
  return first ?? 'embedded-xml';
}

/** Takes the field from the most trusted layer that has it and warns about every layer that disagrees. */
function mergeField(v: Voucher, field: Field, layers: Array<[FieldSource, Partial<Voucher> | undefined]>): void {
  let chosen: { source: FieldSource; value: string } | undefined;
  for (const [source, layer] of layers) {
    const value = layer?.[field];
    if (typeof value !== 'string' || value === '') continue;
    const own = (layer as Voucher).sources?.[field] ?? source;
    if (!chosen) {
      chosen = { source: own, value };
      continue;
    }
    const same = MONEY.has(field) ? sameMoney(chosen.value, value) : normalise(chosen.value) === normalise(value);
    if (!same) v.warnings.push(`${field}: ${chosen.source} has "${mask(field, chosen.value)}", ${own} has "${mask(field, value)}"; kept the ${chosen.source} value`);
  }
  if (chosen) {
    (v as unknown as Record<string, unknown>)[field] = chosen.value;
    v.sources[field] = chosen.source;
  }
}

/**
 * Layers are compared like with like by the merge (old VAT QR codes carry the amount excluding tax, 数电票 QR
 * codes the total, and each is merged into its own field); this adds the check that the amounts add up.
 */
function crossCheckAmounts(v: Voucher): void {
  const { amountExTax: ex, taxAmount: tax, totalAmount: total } = v;
  if (!ex || !tax || !total || ![ex, tax, total].every((m) => /^-?\d+\.\d{2}$/.test(m))) return;
  const cents = (m: string) => BigInt(m.replace('.', ''));
  if (cents(ex) + cents(tax) !== cents(total)) v.warnings.push(`amounts do not add up: ${ex} + ${tax} ≠ ${total}`);
}

/** Taxpayer IDs and names compare without spaces and with full-width brackets unified. */
function normalise(s: string): string {
  return s.replace(/\s+/g, '').replace(/（/g, '(').replace(/）/g, ')');
}

/** Warnings may end up in logs: personal identifiers are masked there. */
function mask(field: Field, value: string): string {
  if (/TaxId|Account/.test(field) && value.length > 6) return `${value.slice(0, 4)}…${value.slice(-2)}`;
  return value;
}

const defaultCmsVerifier: CmsVerifier = (der, opts) => verifyCms(der, opts);

/** Embedded files the project has readers for; others are listed in extra.pdf.attachments only. */
export function readEmbeddedVoucher(att: PdfAttachment): Voucher | undefined {
  if (att.kind === 'json') return readVoucherJson(att.content, { filename: att.name }).voucher;
  if (att.kind === 'xbrl' || att.kind === 'xml') return readVoucherXml(att.content, { filename: att.name }).voucher;
  return undefined;
}

/** Recognises the page: its largest image when that is a scan, else the rendered page. */
async function ocrPage(bytes: Uint8Array, doc: PdfDocument, options: PdfVoucherOptions, warnings: string[]): Promise<Voucher | undefined> {
  const ocr = options.ocr || ocrVoucher;
  try {
    const scan = [...(doc.pages[0]?.images ?? [])].sort((a, b) => b.width * b.height - a.width * a.height)[0];
    let image: Uint8Array | undefined;
    if (scan && Math.max(scan.width, scan.height) >= 600) {
      image = await sharp(scan.data, { raw: { width: scan.width, height: scan.height, channels: 4 } }).png().toBuffer();
    } else if (options.renderPage) {
      image = await options.renderPage(bytes, 1);
    }
    if (!image) return undefined;
    return await ocr(image);
  } catch (e) {
    if (e instanceof OcrUnavailableError || e instanceof FormatError) {
      warnings.push(`OCR of page 1 not done: ${e.message}`);
      return undefined;
    }
    throw e;
  }
}

/** QR from the page images; failing that, from a rendered page (vector-drawn codes). */
async function findPdfQr(bytes: Uint8Array, doc: PdfDocument, options: PdfVoucherOptions, warnings: string[]): Promise<QrInvoice | undefined> {
  const ignored = new Set<string>();
  for (const page of doc.pages.slice(0, 2)) {
    for (const image of page.images) {
      for (const code of await decodeBarcodesFromPixels(enlargeSmall(image), { formats: ['QRCode'] })) {
        try {
          return parseQrPayload(code.text);
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
          ignored.add(code.text);
        }
      }
    }
  }
  if (options.renderPage && doc.pages.length > 0) {
    try {
      const png = await options.renderPage(bytes, 1);
      const { image } = await decodeImage(png, { maxSide: 2400 });
      const found = await findInvoiceQr(image, { thorough: false });
      found.otherCodes.forEach((t) => ignored.add(t));
      if (found.qr) return found.qr;
    } catch (e) {
      warnings.push(`page 1 could not be rendered for QR search: ${(e as Error).message}`);
    }
  }
  for (const t of ignored) warnings.push(`QR code that is not an invoice payload ignored: "${t.length > 60 ? `${t.slice(0, 60)}…` : t}"`);
  return undefined;
}

/**
 * QR images are often stored at one pixel per module (37 × 37); zxing needs a few pixels per module and a quiet
 * zone, so small images are enlarged ×4 (nearest neighbour keeps edges sharp) on a white border.
 */
function enlargeSmall(image: RawImage): RawImage {
  if (Math.max(image.width, image.height) >= 200) return image;
  const k = 4;
  const pad = 4 * k;
  const w = image.width * k + 2 * pad;
  const h = image.height * k + 2 * pad;
  const out = new Uint8Array(w * h * 4).fill(255);
  for (let y = 0; y < image.height * k; y++) {
    for (let x = 0; x < image.width * k; x++) {
      const s = ((y / k | 0) * image.width + (x / k | 0)) * 4;
      const d = ((y + pad) * w + x + pad) * 4;
      // Transparent pixels (masks) count as white paper.
      const a = image.data[s + 3] / 255;
      out[d] = 255 - a * (255 - image.data[s]);
      out[d + 1] = 255 - a * (255 - image.data[s + 1]);
      out[d + 2] = 255 - a * (255 - image.data[s + 2]);
    }
  }
  return { width: w, height: h, data: out };
}

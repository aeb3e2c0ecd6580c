/**
 * `readPdf`: a PDF file → what a voucher reader needs from it, safely.
 *
 * - Limits first: size, page count, image sizes; parsing runs in the pdf.js engine thread under a heap cap and a
 *   deadline (engine.ts), so a hostile file fails with a FormatError instead of taking the process down.
 * - Text with positions per page, rebuilt into reading lines (layout.ts). CMaps and standard font data come
 *   from node_modules, so fonts without ToUnicode but with a standard CJK encoding still map.
 * - Embedded files from the /EmbeddedFiles name tree and from file-attachment annotations; an empty
 *   /EmbeddedFiles (the air-itinerary preview) simply yields none.
 * - Images on the pages (for QR codes), decoded to RGBA, small and huge ones skipped.
 * - Signatures, read from the raw bytes (signatures.ts).
 * - Encryption: a PDF that needs a password is refused (`bad_pdf`); one encrypted with an empty user password
 *   (allowed by the standard, used to set permissions) is read and flagged.
 */
import { FormatError } from '../errors';
import { extractWithPdfjs, type RawAttachment, type RawImage } from './engine';
import { layoutPage, type PageLayout, type TextLine } from './layout';
import { latin1 } from './objects';
import { extractPdfSignatures, type PdfSignature } from './signatures';

export const PDF_LIMITS = {
  /** 64 MB: a voucher PDF is tens of kilobytes; a scanned multi-page statement a few megabytes. */
  maxBytes: 64 * 1024 * 1024,
  /** Pages read for text and images; vouchers have one or two, statements a few. */
  maxPages: 50,
  /** Pages whose images are decoded (QR codes and scans sit on the first page, goods lists follow). */
  imagePages: 2,
  /** Images larger than this are not decoded for QR search (a full-page 300-dpi scan is ~9 MP). */
  maxImagePixels: 16_000_000,
  timeoutMs: 60_000,
  heapMb: 768,
};

export type AttachmentKind = 'xbrl' | 'xml' | 'json' | 'ofd' | 'pdf' | 'other';

export interface PdfAttachment extends RawAttachment {
  kind: AttachmentKind;
  /** Local name of the XML root element, for xml/xbrl. */
  xmlRoot?: string;
}

export interface PdfPage {
  number: number;
  width: number;
  height: number;
  rotate: number;
  layout: PageLayout;
  /** The page's reading lines joined with newlines (cells separated by three spaces). */
  text: string;
  images: RawImage[];
  signatureFields: string[];
}

export interface PdfDocument {
  /** From the %PDF-x.y header. */
  version: string;
  pageCount: number;
  encrypted: boolean;
  info: Record<string, string | boolean | number>;
  pages: PdfPage[];
  attachments: PdfAttachment[];
  signatures: PdfSignature[];
  warnings: string[];
}

export interface ReadPdfOptions {
  /** Decode page images (for QR search). Default true. */
  images?: boolean;
  maxPages?: number;
  maxBytes?: number;
}

export async function readPdf(bytes: Uint8Array, options: ReadPdfOptions = {}): Promise<PdfDocument> {
  const maxBytes = options.maxBytes ?? PDF_LIMITS.maxBytes;
  if (bytes.byteLength > maxBytes) {
    throw new FormatError('too_large', `PDF is ${(bytes.byteLength / 1048576).toFixed(1)} MB, the limit is ${(maxBytes / 1048576).toFixed(0)} MB`);
  }
  // The header may follow a little junk (some mail gateways prepend bytes); readers accept it within 1 KB.
  const head = latin1(bytes, 0, Math.min(bytes.length, 1024));
  const header = /%PDF-(\d\.\d)/.exec(head);
  if (!header) throw new FormatError('unknown_format', 'not a PDF: no %PDF- header in the first 1024 bytes');
  const warnings: string[] = [];
  if (header.index > 0) warnings.push(`${header.index} bytes precede the %PDF header`);
  const tail = latin1(bytes, Math.max(0, bytes.length - 2048), bytes.length);
  if (!tail.includes('%%EOF')) warnings.push('no %%EOF marker at the end: the file may be truncated (read by reconstructing its objects)');

  const raw = await extractWithPdfjs(bytes, {
    maxPages: options.maxPages ?? PDF_LIMITS.maxPages,
    images: options.images ?? true,
    imagePages: PDF_LIMITS.imagePages,
    maxImagePixels: PDF_LIMITS.maxImagePixels,
    timeoutMs: PDF_LIMITS.timeoutMs,
    heapMb: PDF_LIMITS.heapMb,
  });
  if (raw.numPages > raw.pages.length) warnings.push(`only the first ${raw.pages.length} of ${raw.numPages} pages were read`);
  const encrypted = typeof raw.info.EncryptFilterName === 'string' || /\/Encrypt\s*(?:\d+\s+\d+\s+R|<<)/.test(trailerText(bytes));
  if (encrypted) warnings.push('PDF is encrypted (opened with the empty user password)');

  const pages: PdfPage[] = raw.pages.map((p) => {
    const layout = layoutPage(p.items);
    return {
      number: p.number,
      width: p.width,
      height: p.height,
      rotate: p.rotate,
      layout,
      text: layout.lines.map((l: TextLine) => l.text).join('\n'),
      images: p.images,
      signatureFields: p.signatureFields,
    };
  });

  const signatures = extractPdfSignatures(bytes);
  // Field names in compressed object streams are invisible to the raw scan; the widgets pdf.js saw name them.
  const widgetNames = pages.flatMap((p) => p.signatureFields).filter((n) => n !== '');
  if (widgetNames.length === signatures.length) signatures.forEach((s, i) => (s.fieldName ??= widgetNames[i]));

  return {
    version: header[1],
    pageCount: raw.numPages,
    encrypted,
    info: raw.info,
    pages,
    attachments: raw.attachments.map(classifyAttachment),
    signatures,
    warnings,
  };
}

/** Trailer dictionaries (classic and cross-reference streams) sit near the end or after each xref. */
function trailerText(bytes: Uint8Array): string {
  const tail = latin1(bytes, Math.max(0, bytes.length - 65536), bytes.length);
  const trailers = [...latin1(bytes, 0, bytes.length).matchAll(/trailer\s*<<[\s\S]{0,2048}?>>/g)].map((m) => m[0]).join('\n');
  return `${trailers}\n${tail}`;
}

export function classifyAttachment(a: RawAttachment): PdfAttachment {
  const c = a.content;
  const start = latin1(c, 0, Math.min(c.length, 4096)).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart();
  if (c[0] === 0x50 && c[1] === 0x4b && c[2] === 0x03 && c[3] === 0x04) return { ...a, kind: 'ofd' };
  if (start.startsWith('%PDF-')) return { ...a, kind: 'pdf' };
  if (start.startsWith('{') || start.startsWith('[')) return { ...a, kind: 'json' };
  if (start.startsWith('<')) {
    const root = /<(?![?!])([A-Za-z_:\u0080-\uffff][^\s/>]*)/.exec(start.replace(/<!--[\s\S]*?-->/g, ''))?.[1];
    const local = root?.split(':').pop();
    return { ...a, kind: local === 'xbrl' ? 'xbrl' : 'xml', ...(local ? { xmlRoot: local } : {}) };
  }
  return { ...a, kind: 'other' };
}

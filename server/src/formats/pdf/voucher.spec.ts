import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import bwipjs from 'bwip-js';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, PDFHexString, PDFString, StandardFonts } from 'pdf-lib';
import { FormatError } from '../errors';
import type { Voucher } from '../voucher';
import { shutdownPdfEngine } from './engine';
import { readPdf } from './read';
import { readTextLayer } from './text-fields';
import { layoutPage } from './layout';
import { readPdfVoucher } from './voucher';
import { DEFAULT_TESSDATA, OCR_WARNING, shutdownOcr } from '../ocr/ocr';
import sharp from 'sharp';

afterAll(async () => {
  await shutdownPdfEngine();
  await shutdownOcr();
});

const WQY = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
const PAYLOAD = '01,31,,25924000000001260164,379.00,20250401,,8924';

async function qrPng(text: string): Promise<Buffer> {
  return bwipjs.toBuffer({ bcid: 'qrcode', text, scale: 2, backgroundcolor: 'FFFFFF', paddingwidth: 4, paddingheight: 4 });
}

/** A 数电票-like page: title, labels and values as separate runs (as real templates write them), the QR image. */
async function einvoicePdf(printedNumber: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  // wqy-microhei is a TrueType collection: pick the face by name (see design/STACK.md §5).
  doc.registerFontkit({ create: (b: Uint8Array) => fontkit.create(b, 'WenQuanYiMicroHei') } as never);
  const font = await doc.embedFont(readFileSync(WQY), { subset: true });
  const page = doc.addPage([595, 400]);
  const t = (s: string, x: number, y: number, size = 9) => page.drawText(s, { x, y, size, font });
  t('电子发票（增值税专用发票）', 200, 360, 18);
  t('发票号码：', 420, 360);
  t(printedNumber, 465, 360);
  t('开票日期：', 420, 345);
  t('2025年04月01日', 465, 345);
  for (const [i, c] of [...'购买方信息'].entries()) t(c, 18, 300 - i * 11);
  for (const [i, c] of [...'销售方信息'].entries()) t(c, 300, 300 - i * 11);
  t('名称：', 32, 296);
  t('甲方示例有限公司', 59, 297);
  t('名称：', 315, 296);
  t('乙方示例科技有限公司', 342, 297);
  t('统一社会信用代码/纳税人识别号：', 315, 270);
  t('91320600MA00000000', 455, 270);
  t('合', 55, 150);
  t('计', 98, 150);
  t('¥335.40', 400, 150);
  t('¥43.60', 550, 150);
  t('价税合计（大写）', 36, 120);
  t('（小写）', 400, 120);
  t('¥379.00', 440, 120);
  const qr = await doc.embedPng(await qrPng(PAYLOAD));
  page.drawImage(qr, { x: 20, y: 330, width: 60, height: 60 });
  return doc.save();
}

const haveFont = existsSync(WQY);

(haveFont ? describe : describe.skip)('readPdfVoucher on generated PDFs', () => {
  it('takes identity from the QR, names from the page text, and cross-checks them', async () => {
    const v = await readPdfVoucher(await einvoicePdf('25924000000001260164'));
    expect(v).toMatchObject({
      kind: 'einv_spcl',
      title: '电子发票（增值税专用发票）',
      invoiceNumber: '25924000000001260164',
      issueDate: '2025-04-01',
      totalAmount: '379.00',
      amountExTax: '335.40',
      taxAmount: '43.60',
      sellerName: '乙方示例科技有限公司',
      buyerName: '甲方示例有限公司',
      sellerTaxId: '91320600MA00000000',
      signatureVerdict: 'unsigned',
    });
    expect(v.sources).toMatchObject({ invoiceNumber: 'qr', totalAmount: 'qr', amountExTax: 'page-text', sellerName: 'page-text' });
    expect(v.warnings).toEqual([]);
  }, 30_000);

  it('warns when the printed number disagrees with the QR code and keeps the QR value', async () => {
    const v = await readPdfVoucher(await einvoicePdf('25924000000001269999'));
    expect(v.invoiceNumber).toBe('25924000000001260164');
    expect(v.warnings).toContain('invoiceNumber: qr has "25924000000001260164", page-text has "25924000000001269999"; kept the qr value');
  }, 30_000);
});

describe('readPdf / readPdfVoucher: structure and safety', () => {
  it('lists an embedded XBRL file and hands it to the embedded reader, whose fields win', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([200, 200]).drawText('Receipt copy', { x: 20, y: 100, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
    const xbrl = '<?xml version="1.0"?><xbrl xmlns="http://www.xbrl.org/2003/instance"><NumberOfInvoice>1</NumberOfInvoice></xbrl>';
    await doc.attach(Buffer.from(xbrl), 'inv_ord_issuer_20240101_1.xml', { mimeType: 'application/xml' });
    const bytes = await doc.save();

    const pdf = await readPdf(bytes);
    expect(pdf.attachments.map((a) => [a.name, a.source, a.kind, a.xmlRoot, a.content.length])).toEqual([
      ['inv_ord_issuer_20240101_1.xml', 'EmbeddedFiles', 'xbrl', 'xbrl', xbrl.length],
    ]);

    const embedded: Voucher = { kind: 'inv_ord', invoiceNumber: '12345678', totalAmount: '10.00', lineItems: [], extra: {}, sources: { invoiceNumber: 'xbrl', totalAmount: 'xbrl' }, signatures: [], signatureVerdict: 'unsigned', warnings: [] };
    const readEmbedded = jest.fn(() => embedded);
    const v = await readPdfVoucher(bytes, { readEmbedded });
    expect(readEmbedded).toHaveBeenCalledTimes(1);
    expect(v).toMatchObject({ kind: 'inv_ord', invoiceNumber: '12345678', totalAmount: '10.00', sources: { invoiceNumber: 'xbrl', totalAmount: 'xbrl' } });

  }, 30_000);

  it('finds files attached through a file-attachment annotation', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([200, 200]);
    const json = Buffer.from('{"note":"attached"}');
    const file = doc.context.flateStream(json, { Type: 'EmbeddedFile', Subtype: 'application/json' });
    const spec = doc.context.obj({ Type: 'Filespec', F: PDFString.of('note.json'), UF: PDFHexString.fromText('note.json'), EF: { F: doc.context.register(file) } });
    const annot = doc.context.obj({ Type: 'Annot', Subtype: 'FileAttachment', Rect: [10, 10, 30, 30], FS: doc.context.register(spec), Contents: PDFString.of('note') });
    page.node.addAnnot(doc.context.register(annot));
    const pdf = await readPdf(await doc.save());
    expect(pdf.attachments.map((a) => [a.name, a.source, a.page, a.kind, Buffer.from(a.content).toString()])).toEqual([
      ['note.json', 'FileAttachment', 1, 'json', '{"note":"attached"}'],
    ]);
  }, 30_000);

  const toolkit = path.resolve(__dirname, '../../../..', '../shared/corpus/raw/marlonche__accounting-tools/1.基础工具包（推广应用版V1.0）__xbrl生成文件__inv_ord_issuer.xml');
  (existsSync(toolkit) ? it : it.skip)('reads a real MoF XBRL instance embedded in a PDF with the default readers', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([200, 200]);
    await doc.attach(readFileSync(toolkit), 'inv_ord_issuer.xml', { mimeType: 'application/xml' });
    const v = await readPdfVoucher(await doc.save());
    // Values of the official toolkit sample (placeholder data).
    expect(v).toMatchObject({ kind: 'inv_ord', invoiceCode: '011001900211', invoiceNumber: '22595386', issueDate: '2020-03-28', totalAmount: '266.00' });
    expect(v.sources).toMatchObject({ invoiceNumber: 'xbrl', totalAmount: 'xbrl', issueDate: 'xbrl' });
  }, 30_000);

  it('reads the QR image of a PDF whose text names nothing (no labels) and marks the fields as QR', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([300, 200]);
    page.drawText('scan copy', { x: 150, y: 100, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
    page.drawImage(await doc.embedPng(await qrPng('01,10,033002000211,83089647,510.68,20200723,16197833567414507415,0941,')), { x: 10, y: 10, width: 90, height: 90 });
    const v = await readPdfVoucher(await doc.save());
    expect(v).toMatchObject({ kind: 'inv_ord', invoiceCode: '033002000211', invoiceNumber: '83089647', amountExTax: '510.68', issueDate: '2020-07-23', checkCode: '16197833567414507415' });
    expect(Object.values(v.sources).every((s) => s === 'qr')).toBe(true);
    expect(v.warnings).toContain('page text has none of the printed labels (its fonts may map to the wrong characters): fields come from the QR code only');
  }, 30_000);

  const rejections: Array<[string, () => Promise<Uint8Array>, string, string]> = [
    ['not a PDF', async () => Buffer.from('PK\u0003\u0004 a zip'), 'unknown_format', 'not a PDF: no %PDF- header in the first 1024 bytes'],
    ['garbage after the header', async () => Buffer.from('%PDF-1.7\nthis is not a PDF body\n'), 'bad_pdf', 'not a readable PDF: Invalid PDF structure.'],
    [
      'a password-protected PDF',
      async () => {
        const d = await PDFDocument.create();
        d.addPage([100, 100]);
        const enc = d.context.obj({ Filter: 'Standard', V: 1, R: 2, O: PDFHexString.of('11'.repeat(32)), U: PDFHexString.of('22'.repeat(32)), P: -4 });
        d.context.trailerInfo.Encrypt = d.context.register(enc);
        d.context.trailerInfo.ID = d.context.obj([PDFHexString.of('00'.repeat(16)), PDFHexString.of('00'.repeat(16))]);
        return d.save({ useObjectStreams: false });
      },
      'bad_pdf',
      'PDF is encrypted and needs a password to open',
    ],
  ];
  it.each(rejections)('refuses %s with a FormatError', async (_name, make, code, message) => {
    const error = await readPdfVoucher(await make()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toMatchObject({ code, message });
  }, 30_000);

  it('refuses an oversized file by its length', async () => {
    await expect(readPdf(Buffer.alloc(2048, 0x20), { maxBytes: 1024 })).rejects.toMatchObject({ code: 'too_large', message: 'PDF is 0.0 MB, the limit is 0 MB' });
  });
});

(existsSync(`${DEFAULT_TESSDATA}/chi_sim.traineddata`) && haveFont ? describe : describe.skip)('scanned PDF without QR', () => {
  it('falls back to OCR of the page image, every field marked ocr', async () => {
    const lines = ['发票代码：044031900111', '发票号码：12345678', '开票日期：2024年03月15日', '价税合计（小写）¥1130.00'];
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="700" height="220"><rect width="100%" height="100%" fill="white"/>${lines
      .map((l, i) => `<text x="20" y="${50 + i * 48}" font-family="WenQuanYi Micro Hei" font-size="28">${l}</text>`)
      .join('')}</svg>`;
    const doc = await PDFDocument.create();
    const page = doc.addPage([700, 220]);
    page.drawImage(await doc.embedPng(await sharp(Buffer.from(svg)).png().toBuffer()), { x: 0, y: 0, width: 700, height: 220 });
    const v = await readPdfVoucher(await doc.save());
    expect(v).toMatchObject({ kind: 'other', invoiceCode: '044031900111', invoiceNumber: '12345678', issueDate: '2024-03-15', totalAmount: '1130.00' });
    expect(v.sources).toMatchObject({ invoiceCode: 'ocr', invoiceNumber: 'ocr', issueDate: 'ocr', totalAmount: 'ocr' });
    expect(v.warnings).toEqual(expect.arrayContaining(['page 1 has no text layer (a scanned image?): fields come from the QR code and embedded data only', OCR_WARNING]));
  }, 60_000);
});

describe('page text layer', () => {
  it('recognises text from fonts without a Unicode mapping as unreadable', () => {
    const items = [...'\ue001\ue002\ue003\ue004'].map((c, i) => ({ str: c.repeat(5), a: 9, b: 0, c: 0, d: 9, x: 10 + i * 50, y: 100, width: 45, height: 9, font: 'f' }));
    const layer = readTextLayer(layoutPage(items));
    expect(layer.unreadable).toBe(true);
    expect(layer.fields).toEqual({});
  });

  it('rebuilds lines from runs in any order and any of the four directions', () => {
    // Rotated by 90° (as on the /Rotate 90 air itinerary): x grows downwards along the baseline.
    const r = (str: string, x: number, y: number) => ({ str, a: 0, b: 8, c: -8, d: 0, x, y, width: str.length * 8, height: 8, font: 'f' });
    const layout = layoutPage([r('9223372036854775807', 86, 470), r('发票号码：', 86, 425), r('正常', 51, 470), r('开具状态：', 51, 425)]);
    expect(layout.angle).toBe(90);
    expect(layout.lines.map((l) => l.text)).toEqual(['开具状态： 正常', '发票号码： 9223372036854775807']);
  });
});

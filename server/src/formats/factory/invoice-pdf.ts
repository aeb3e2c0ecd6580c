/**
 * 数电票 as a PDF (voucher-formats.md §3b): the tax platform's layout — title and QR at the top, 发票号码 and
 * 开票日期 at the right, buyer and seller side by side, the goods table, 合计, 价税合计, 备注, 开票人 — with text
 * in an embedded CJK TrueType subset (pdf-lib + fontkit, STACK.md §5) and the QR as a PNG image. No embedded
 * file and no PDF signature, like the real ones.
 */
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { loadCjkFont } from '../render/font';
import { amountInWords, chineseDate, money } from './amounts';
import { rateText, unitPriceText, type InvoiceData } from './invoice-data';
import { qrPng } from './png';

const MM = 72 / 25.4;
const BROWN = rgb(0.55, 0.27, 0.07);

export async function digitalInvoicePdf(inv: InvoiceData, options: { fontPath?: string } = {}): Promise<Uint8Array> {
  const cjk = loadCjkFont(options.fontPath);
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(cjk.fontkit as Parameters<PDFDocument['registerFontkit']>[0]);
  const font = await pdf.embedFont(cjk.bytes, { subset: true });
  // Fixed metadata dates: the same invoice gives the same bytes.
  const when = new Date(`${inv.issueDate}T${inv.issueTime}+08:00`);
  pdf.setCreationDate(when);
  pdf.setModificationDate(when);
  pdf.setProducer('evarchive-factory');
  pdf.setCreator('evarchive-factory');
  pdf.setTitle(inv.title);
  const page = pdf.addPage([210 * MM, 140 * MM]);
  const t = text(page, font);

  const qr = await pdf.embedPng(qrPng(inv.qrPayload));
  page.drawImage(qr, { x: 8 * MM, y: (140 - 26) * MM, width: 22 * MM, height: 22 * MM });
  const titleSize = 6;
  t(105 - (titleSize * [...inv.title].length) / 2, 8, inv.title, titleSize, BROWN);
  t(145, 10, `发票号码：${inv.invoiceNumber}`);
  t(145, 16, `开票日期：${chineseDate(inv.issueDate)}`);

  box(page, 5, 26, 200, 24);
  line(page, 105, 26, 105, 50);
  t(7, 30, '购买方信息', 3, BROWN);
  t(14, 36, `名称：${inv.buyer.name}`);
  t(14, 43, `统一社会信用代码/纳税人识别号：${inv.buyer.taxId}`, 2.8);
  t(107, 30, '销售方信息', 3, BROWN);
  t(114, 36, `名称：${inv.seller.name}`);
  t(114, 43, `统一社会信用代码/纳税人识别号：${inv.seller.taxId}`, 2.8);

  box(page, 5, 50, 200, 62);
  const cols: [number, string][] = [[7, '项目名称'], [62, '规格型号'], [82, '单位'], [94, '数量'], [110, '单价'], [136, '金额'], [158, '税率/征收率'], [182, '税额']];
  for (const [x, l] of cols) t(x, 55, l, 3);
  inv.lines.forEach((l, i) => {
    const y = 61 + i * Math.min(4.5, 22 / inv.lines.length);
    const cells: [number, string | undefined][] = [[7, l.name], [62, l.specification], [82, l.unit], [94, String(inv.red ? -l.quantity : l.quantity)], [110, unitPriceText(l.unitPriceFen)], [136, money(l.amountFen)], [162, rateText(l.ratePercent)], [182, money(l.taxFen)]];
    for (const [x, c] of cells) if (c) t(x, y, c, 2.6);
  });
  t(20, 88, '合计', 3.175);
  t(136, 88, `¥${money(inv.exTaxFen)}`);
  t(182, 88, `¥${money(inv.taxFen)}`);
  line(page, 5, 92, 205, 92);
  t(7, 98, `价税合计（大写）   ${amountInWords(inv.totalFen)}`);
  t(140, 98, `（小写）¥${money(inv.totalFen)}`);
  line(page, 5, 102, 205, 102);
  t(7, 107, `备注：${inv.remarks ?? ''}`, 3);
  t(10, 120, `开票人：${inv.drawer}`);
  return pdf.save({ useObjectStreams: false });
}

/** Draws text with its baseline at (x, y) mm from the top-left, the way the OFD layouts are specified. */
function text(page: PDFPage, font: PDFFont) {
  const h = page.getHeight();
  return (x: number, y: number, s: string, size = 3.175, color = rgb(0, 0, 0)) => page.drawText(s, { x: x * MM, y: h - y * MM, size: size * MM, font, color });
}

function line(page: PDFPage, x1: number, y1: number, x2: number, y2: number) {
  const h = page.getHeight();
  page.drawLine({ start: { x: x1 * MM, y: h - y1 * MM }, end: { x: x2 * MM, y: h - y2 * MM }, thickness: 0.7, color: BROWN });
}

function box(page: PDFPage, x: number, y: number, w: number, h: number) {
  page.drawRectangle({ x: x * MM, y: page.getHeight() - (y + h) * MM, width: w * MM, height: h * MM, borderColor: BROWN, borderWidth: 0.7 });
}

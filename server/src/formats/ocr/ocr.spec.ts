import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { readPhotoVoucher } from '../image/photo';
import { extractLabelledFields } from './labels';
import { DEFAULT_TESSDATA, OCR_WARNING, OcrUnavailableError, recogniseText, shutdownOcr, voucherFromOcrText } from './ocr';

afterAll(() => shutdownOcr());

/** A small scan of an invoice without a QR code: five label lines in a CJK font (fonts-wqy-microhei). */
async function labelImage(): Promise<Buffer> {
  const lines = ['发票代码：044031900111', '发票号码：12345678', '开票日期：2024年03月15日', '价税合计（小写）¥1130.00', '销售方名称：南通市示例科技有限公司'];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="700" height="260"><rect width="100%" height="100%" fill="white"/>${lines
    .map((l, i) => `<text x="20" y="${50 + i * 48}" font-family="WenQuanYi Micro Hei" font-size="28">${l}</text>`)
    .join('')}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

describe('label patterns (pure)', () => {
  it('reads OCR-noisy lines: spaced labels, ASCII colons, Y for ¥, 〈 for （', () => {
    const { fields, parties } = extractLabelledFields([
      '发 票 代 码: 044031900111',
      '发票号码 12345678',
      '开票日期: 2024 年 03 月 15 日',
      '合 计 Y1000.00 Y130.00',
      '价税合计〈 小写 ) Y1130.00',
      '名 称: 甲公司   名称：乙公司',
      '统一社会信用代码/纳税人识别号：91320600MA1XXXXX0X',
    ]);
    expect(fields).toEqual({
      invoiceCode: '044031900111',
      invoiceNumber: '12345678',
      issueDate: '2024-03-15',
      amountExTax: '1000.00',
      taxAmount: '130.00',
      totalAmount: '1130.00',
    });
    expect(parties.map((p) => [p.field, p.value])).toEqual([
      ['name', '甲公司'],
      ['name', '乙公司'],
      ['taxId', '91320600MA1XXXXX0X'],
    ]);
  });
});

// The model (tesseract-ocr-chi-sim) and the font the test image is drawn with (fonts-wqy-microhei).
const haveModel = existsSync(`${DEFAULT_TESSDATA}/chi_sim.traineddata`) && existsSync('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc');
(haveModel ? describe : describe.skip)('OCR fallback with tesseract chi_sim', () => {
  it('recognises label text and marks every field as OCR with a low-confidence warning', async () => {
    const started = Date.now();
    const ocr = await recogniseText(await labelImage());
    const v = voucherFromOcrText(ocr);
    expect(v).toMatchObject({
      kind: 'other',
      invoiceCode: '044031900111',
      invoiceNumber: '12345678',
      issueDate: '2024-03-15',
      totalAmount: '1130.00',
      sellerName: '南通市示例科技有限公司',
      sources: { invoiceCode: 'ocr', invoiceNumber: 'ocr', issueDate: 'ocr', totalAmount: 'ocr', sellerName: 'ocr' },
    });
    expect(v.warnings).toEqual([OCR_WARNING]);
    expect(Object.values(v.sources).every((s) => s === 'ocr')).toBe(true);
    expect(Date.now() - started).toBeLessThan(15000);
  });

  it('is used by the photo reader when the image has no QR code', async () => {
    const v = await readPhotoVoucher(await labelImage(), { ocr: async (b) => voucherFromOcrText(await recogniseText(b)) });
    expect(v.invoiceNumber).toBe('12345678');
    expect(v.warnings).toContain(OCR_WARNING);
  });
});

describe('OCR without the model', () => {
  const saved = process.env.EVARCHIVE_TESSDATA;
  afterEach(() => {
    if (saved === undefined) delete process.env.EVARCHIVE_TESSDATA;
    else process.env.EVARCHIVE_TESSDATA = saved;
  });
  it('says which package to install', async () => {
    process.env.EVARCHIVE_TESSDATA = '/nonexistent/tessdata';
    await shutdownOcr();
    const png = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#fff' } }).png().toBuffer();
    await expect(recogniseText(png)).rejects.toThrow(OcrUnavailableError);
    await expect(recogniseText(png)).rejects.toThrow('OCR model chi_sim.traineddata not found in /nonexistent/tessdata: install tesseract-ocr-chi-sim');
  });
});

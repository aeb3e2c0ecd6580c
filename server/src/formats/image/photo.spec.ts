import sharp from 'sharp';
import bwipjs from 'bwip-js';
import { FormatError } from '../errors';
import { readPhotoVoucher } from './photo';

const PAYLOAD = '01,32,,25317000002856389003,17.14,20251108,,c1f8';

/** A phone photo of a paper 数电票: white A5 sheet, Chinese text, the QR code, tilted 3°, JPEG quality 70. */
async function invoicePhoto(payload = PAYLOAD): Promise<Buffer> {
  const width = 1240;
  const height = 874; // A5 landscape at 150 dpi
  const qr = await bwipjs.toBuffer({ bcid: 'qrcode', text: payload, scale: 4, backgroundcolor: 'FFFFFF', paddingwidth: 8, paddingheight: 8 });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <text x="420" y="90" font-family="WenQuanYi Micro Hei, Noto Sans CJK SC" font-size="40">电子发票（普通发票）</text>
    <text x="860" y="160" font-family="WenQuanYi Micro Hei, Noto Sans CJK SC" font-size="22">发票号码：25317000002856389003</text>
    <text x="860" y="200" font-family="WenQuanYi Micro Hei, Noto Sans CJK SC" font-size="22">开票日期：2025年11月08日</text>
    <text x="60" y="700" font-family="WenQuanYi Micro Hei, Noto Sans CJK SC" font-size="26">价税合计（小写）¥17.14</text>
  </svg>`;
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite([
      { input: Buffer.from(svg), left: 0, top: 0 },
      { input: qr, left: 60, top: 60 },
    ])
    .png()
    .toBuffer()
    .then((flat) => sharp(flat).rotate(3, { background: '#f4f1ea' }).jpeg({ quality: 70 }).toBuffer());
}

describe('readPhotoVoucher', () => {
  it('reads the fields of a tilted JPEG invoice photo from its QR code', async () => {
    const v = await readPhotoVoucher(await invoicePhoto());
    expect(v).toMatchObject({
      kind: 'einv_ord',
      invoiceNumber: '25317000002856389003',
      issueDate: '2025-11-08',
      totalAmount: '17.14',
      currency: 'CNY',
      sources: { invoiceNumber: 'qr', issueDate: 'qr', totalAmount: 'qr' },
    });
    expect(v.invoiceCode).toBeUndefined();
    expect(v.extra.image).toMatchObject({ format: 'jpeg' });
    expect(v.warnings).toEqual([]);
  });

  it('falls back to OCR only when no QR code is found, and not at all when turned off', async () => {
    const plain = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#ffffff' } }).jpeg().toBuffer();
    await expect(readPhotoVoucher(plain, { ocr: false })).rejects.toThrow(new FormatError('invalid_field', 'no invoice QR code found in the image and OCR is not enabled'));
    const ocr = jest.fn(async () => ({ kind: 'other' as const, lineItems: [], extra: {}, sources: {}, signatures: [], signatureVerdict: 'unsigned' as const, warnings: ['low confidence (OCR)'] }));
    const v = await readPhotoVoucher(plain, { ocr });
    expect(ocr).toHaveBeenCalledTimes(1);
    expect(v.warnings).toEqual(['low confidence (OCR)', 'no invoice QR code found in the image; fields were read by OCR']);

    ocr.mockClear();
    await readPhotoVoucher(await invoicePhoto(), { ocr });
    expect(ocr).not.toHaveBeenCalled();
  });
});

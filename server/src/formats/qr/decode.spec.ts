import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import bwipjs from 'bwip-js';
import { FormatError } from '../errors';
import { decodeBarcodes } from './decode';
import { parseQrPayload } from './payload';

const REPO = path.resolve(__dirname, '../../../..');
const CORPUS = path.resolve(REPO, '../shared/corpus/raw');

/** bwip-js PNGs are transparent by default and zxing reads transparency as black: give them a white background. */
function barcodePng(bcid: string, text: string): Promise<Buffer> {
  return bwipjs.toBuffer({ bcid, text, scale: 3, height: 12, backgroundcolor: 'FFFFFF', paddingwidth: 12, paddingheight: 12 });
}

describe('decodeBarcodes', () => {
  it('reads a generated QR code PNG with a 数电票 payload', async () => {
    const payload = '01,32,,26427000000145892896,220.00,20260108,,1001';
    const codes = await decodeBarcodes(await barcodePng('qrcode', payload));
    expect(codes.map((c) => [c.format, c.text])).toEqual([['QRCode', payload]]);
  });

  it('reads a generated Code128 box label', async () => {
    const codes = await decodeBarcodes(await barcodePng('code128', 'BOX-2026-000123'), { formats: ['Code128'] });
    expect(codes.map((c) => c.text)).toEqual(['BOX-2026-000123']);
  });

  it('returns nothing for an image without a code', async () => {
    const blank = await barcodePng('qrcode', 'x'); // decode something real first so the module is warm
    expect(await decodeBarcodes(blank)).toHaveLength(1);
    const sharp = (await import('sharp')).default;
    const white = await sharp({ create: { width: 200, height: 120, channels: 3, background: '#ffffff' } }).png().toBuffer();
    expect(await decodeBarcodes(white)).toEqual([]);
  });

  it('refuses bytes that are not an image with a FormatError', async () => {
    await expect(decodeBarcodes(new TextEncoder().encode('%PDF-1.7 not an image'))).rejects.toBeInstanceOf(FormatError);
  });

  const corpusImages = existsSync(CORPUS)
    ? readdirSync(CORPUS, { recursive: true, encoding: 'utf8' }).filter((f) => /(ewm[^/]*|(^|\/|__)image_[^/]*)\.png$/i.test(f))
    : [];
  if (corpusImages.length === 0) {
    it.skip(`corpus QR images (corpus not found at ${CORPUS})`, () => undefined);
  }
  /** The corpus QR images, with the values zbarimg reads from them (spec §4); other images are not QR codes. */
  const KNOWN: Record<string, { kind: string; totalAmount: string; issueDate: string } | null> = {
    '_ewm.png': { kind: 'einv_spcl', totalAmount: '379.00', issueDate: '2025-04-01' },
    'image_6928.png': { kind: 'einv_spcl', totalAmount: '21800.00', issueDate: '2025-03-07' },
    'image_6968.png': null, // the round 发票监制章 seal picture
  };
  it.each(corpusImages)('decodes the corpus image %s', async (file) => {
    const codes = await decodeBarcodes(readFileSync(path.join(CORPUS, file)), { formats: ['QRCode'] });
    const known = Object.entries(KNOWN).find(([tail]) => file.endsWith(tail))?.[1];
    if (known === null) {
      expect(codes).toEqual([]);
      return;
    }
    if (known === undefined && codes.length === 0) return; // an image of the hold-out set that is not a QR code
    expect(codes).toHaveLength(1);
    const qr = parseQrPayload(codes[0].text);
    // 数电票 payloads: empty code, 20-digit number, amount = 价税合计.
    expect(qr.invoiceCode).toBeUndefined();
    expect(qr.invoiceNumber).toMatch(/^\d{20}$/);
    if (known) expect({ kind: qr.kind, totalAmount: qr.totalAmount, issueDate: qr.issueDate }).toEqual(known);
  });
});

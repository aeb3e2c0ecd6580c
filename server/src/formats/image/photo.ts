/**
 * Photos and scans of paper invoices → Voucher.
 *
 * The QR code is the only machine-made part of a photo, so it is tried hard before anything else, in order of
 * cost: the whole (upright, downscaled) image; then contrast-stretched greyscale (dim phone photos); then a hard
 * black/white threshold (glare, coloured paper); then overlapping tiles, enlarged, because a QR code that fills 2 %
 * of a 12-megapixel photo is too small for the finder after downscaling. The first payload that parses as an
 * invoice wins. Only when no QR yields fields does OCR run, and its fields are marked low-confidence.
 */
import sharp from 'sharp';
import { FormatError } from '../errors';
import { decodeBarcodesFromPixels, type DecodedBarcode } from '../qr/decode';
import { parseQrPayload, type QrInvoice } from '../qr/payload';
import { voucherFromQr } from '../qr/voucher';
import type { Voucher } from '../voucher';
import { ocrVoucher } from '../ocr/ocr';
import { decodeImage, type IntakeLimits, type RgbaImage } from './intake';

export interface PhotoQrResult {
  qr?: QrInvoice;
  /** Which attempt found it: full, enhanced, threshold, tile r/c of n. */
  foundBy?: string;
  /** Every decoded text that was not an invoice payload (e.g. a shop's URL), for the warnings. */
  otherCodes: string[];
}

const WORKING_SIDE = 2400;

export interface QrSearchOptions {
  /**
   * Photos need the threshold and tile passes; a rendered PDF page (crisp, upright) does not, and skipping them
   * keeps a page without any QR code at ~1 s instead of tens of seconds. Default true.
   */
  thorough?: boolean;
}

/** Searches an image for an invoice QR code. */
export async function findInvoiceQr(image: RgbaImage, options: QrSearchOptions = {}): Promise<PhotoQrResult> {
  const thorough = options.thorough ?? true;
  const other = new Set<string>();
  const tryImage = async (img: RgbaImage, label: string): Promise<PhotoQrResult | undefined> => {
    const codes: DecodedBarcode[] = await decodeBarcodesFromPixels(img, { formats: ['QRCode'] });
    for (const code of codes) {
      try {
        return { qr: parseQrPayload(code.text), foundBy: label, otherCodes: [...other] };
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        other.add(code.text);
      }
    }
    return undefined;
  };

  const attempts: Array<[string, () => Promise<RgbaImage>]> = [
    ['full image', async () => image],
    ['enhanced greyscale', () => transform(image, (s) => s.greyscale().normalise().sharpen())],
  ];
  if (thorough) attempts.push(['threshold', () => transform(image, (s) => s.greyscale().normalise().threshold(140))]);
  for (const [label, make] of attempts) {
    const found = await tryImage(await make(), label);
    if (found) return found;
  }
  for (const n of thorough ? [2, 3] : []) {
    for (const tile of tiles(image.width, image.height, n)) {
      const part = await transform(image, (s) =>
        s.extract(tile).resize({ width: Math.min(tile.width * 2, WORKING_SIDE), withoutEnlargement: false }).greyscale().normalise(),
      );
      const found = await tryImage(part, `tile ${tile.row + 1}/${tile.col + 1} of ${n}×${n}`);
      if (found) return found;
    }
  }
  return { otherCodes: [...other] };
}

export interface PhotoOptions extends IntakeLimits {
  /**
   * OCR fallback when no QR code yields fields (≈1 s per image). Default: tesseract with the chi_sim model
   * (`ocr/ocr.ts`); `false` turns it off; tests may pass their own.
   */
  ocr?: ((bytes: Uint8Array) => Promise<Voucher>) | false;
}

/** Reads a photo or scan of a paper invoice: QR first, OCR only as a fallback. */
export async function readPhotoVoucher(bytes: Uint8Array, options: PhotoOptions = {}): Promise<Voucher> {
  const { info, image } = await decodeImage(bytes, { ...options, maxSide: WORKING_SIDE });
  const found = await findInvoiceQr(image);
  const notes = found.otherCodes.map((t) => `QR code that is not an invoice payload ignored: "${t.length > 60 ? `${t.slice(0, 60)}…` : t}"`);
  if (found.qr) {
    const v = voucherFromQr(found.qr);
    v.extra.image = { format: info.format, width: info.width, height: info.height, qrFoundBy: found.foundBy };
    v.warnings.push(...notes);
    return v;
  }
  const ocr = options.ocr ?? ocrVoucher;
  if (ocr) {
    const v = await ocr(bytes);
    v.warnings.push('no invoice QR code found in the image; fields were read by OCR', ...notes);
    v.extra.image = { format: info.format, width: info.width, height: info.height };
    return v;
  }
  throw new FormatError('invalid_field', 'no invoice QR code found in the image and OCR is not enabled');
}

async function transform(image: RgbaImage, op: (s: sharp.Sharp) => sharp.Sharp): Promise<RgbaImage> {
  const { data, info } = await op(sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } }))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** n×n tiles that overlap by a quarter of a tile, so a code on a tile border is whole in some tile. */
function tiles(width: number, height: number, n: number) {
  const tw = Math.min(width, Math.ceil((width / n) * 1.25));
  const th = Math.min(height, Math.ceil((height / n) * 1.25));
  const out: Array<{ left: number; top: number; width: number; height: number; row: number; col: number }> = [];
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      const left = Math.min(width - tw, Math.round((col * (width - tw)) / Math.max(1, n - 1)));
      const top = Math.min(height - th, Math.round((row * (height - th)) / Math.max(1, n - 1)));
      out.push({ left, top, width: tw, height: th, row, col });
    }
  }
  return out;
}

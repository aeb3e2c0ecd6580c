/**
 * Safe image intake: every uploaded photo or scan passes here before anything decodes its pixels.
 *
 * Why the order matters: a 100-kilobyte PNG can declare 50,000 × 50,000 pixels and make a decoder allocate
 * 10 GB ("decompression bomb"). So we (1) refuse oversized files by length, (2) recognise the format by its magic
 * bytes rather than trusting a file name, (3) read only the header to get the declared dimensions and refuse more
 * than {@link MAX_IMAGE_PIXELS}, and only then (4) let sharp decode — still with `limitInputPixels`, in case the
 * header lied. Phone photos carry their rotation in EXIF, so pixels are normalised to upright before any reader
 * (QR, OCR) sees them.
 */
import sharp from 'sharp';
import { FormatError } from '../errors';

/** 50 MB: far above any real voucher photo or 600-dpi A4 scan, far below what could exhaust memory. */
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
/** 40 megapixels: a 600-dpi A4 scan is 35 MP; a decoded RGBA image this size is 160 MB. */
export const MAX_IMAGE_PIXELS = 40_000_000;

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'tiff' | 'gif';

export interface ImageInfo {
  format: ImageFormat;
  /** Declared dimensions as stored (before EXIF orientation). */
  width: number;
  height: number;
  /** EXIF orientation 1–8 when present. */
  orientation?: number;
}

/** Decoded pixels, upright, 4 channels (RGBA), row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface IntakeLimits {
  maxBytes?: number;
  maxPixels?: number;
}

/** Recognises the image container by its first bytes; undefined when it is none we accept. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0x00) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0x00 && b[3] === 0x2a))) return 'tiff';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'gif';
  return undefined;
}

/**
 * Checks size, magic bytes and declared dimensions without decoding pixels. Throws FormatError:
 * `too_large` (bytes or pixels), `unknown_format` (not an accepted image), `bad_image` (unreadable header).
 */
export async function inspectImage(bytes: Uint8Array, limits: IntakeLimits = {}): Promise<ImageInfo> {
  const maxBytes = limits.maxBytes ?? MAX_IMAGE_BYTES;
  const maxPixels = limits.maxPixels ?? MAX_IMAGE_PIXELS;
  if (bytes.byteLength > maxBytes) {
    throw new FormatError('too_large', `image is ${mb(bytes.byteLength)} MB, the limit is ${mb(maxBytes)} MB; refused before decoding`);
  }
  const format = detectImageFormat(bytes);
  if (!format) {
    const heic = bytes.length >= 12 && ascii(bytes, 4, 8) === 'ftyp';
    throw new FormatError(
      'unknown_format',
      heic ? 'HEIC/HEIF photos are not supported; export the photo as JPEG' : 'not a PNG, JPEG, WebP, TIFF or GIF image (unrecognised magic bytes)',
    );
  }
  let meta: sharp.Metadata;
  try {
    // metadata() parses the header only; no pixel buffer is allocated.
    meta = await sharp(bytes, { limitInputPixels: false, failOn: 'none' }).metadata();
  } catch (e) {
    throw new FormatError('bad_image', `${format.toUpperCase()} header cannot be read: ${(e as Error).message}`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width <= 0 || height <= 0) throw new FormatError('bad_image', `${format.toUpperCase()} declares no dimensions`);
  if (width * height > maxPixels) {
    throw new FormatError(
      'too_large',
      `image declares ${width} × ${height} = ${(width * height / 1e6).toFixed(1)} megapixels, the limit is ${maxPixels / 1e6} megapixels; refused before decoding`,
    );
  }
  return { format, width, height, ...(meta.orientation ? { orientation: meta.orientation } : {}) };
}

export interface DecodeOptions extends IntakeLimits {
  /** Scale down (never up) so that the longer side is at most this many pixels. */
  maxSide?: number;
}

/** Decodes an accepted image to upright RGBA pixels (EXIF orientation applied). */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<{ info: ImageInfo; image: RgbaImage }> {
  const info = await inspectImage(bytes, options);
  try {
    let pipeline = sharp(bytes, { limitInputPixels: options.maxPixels ?? MAX_IMAGE_PIXELS, failOn: 'error' }).rotate();
    if (options.maxSide) pipeline = pipeline.resize({ width: options.maxSide, height: options.maxSide, fit: 'inside', withoutEnlargement: true });
    const { data, info: out } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { info, image: { width: out.width, height: out.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) } };
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError('bad_image', `${info.format.toUpperCase()} image cannot be decoded: ${(e as Error).message}`);
  }
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

function mb(n: number): string {
  return (n / 1024 / 1024).toFixed(1);
}

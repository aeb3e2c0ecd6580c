/**
 * Barcode decoding (QR codes on invoices, Code128 on box labels) with zxing-wasm.
 *
 * zxing-wasm fetches its .wasm from a CDN by default — even in Node — which fails on an offline archive server.
 * We hand it the binary shipped inside the npm package instead, and prepare the module once per process: the
 * first call pays ~100 ms of compilation, later calls reuse it.
 *
 * Image bytes never go to zxing's own decoder: they pass the safe intake first (size and pixel limits, EXIF
 * orientation), and zxing only sees bounded RGBA pixels.
 */
import { readFileSync } from 'node:fs';
import { prepareZXingModule, readBarcodes, type ReadInputBarcodeFormat, type ReaderOptions } from 'zxing-wasm/reader';
import { decodeImage, type IntakeLimits, type RgbaImage } from '../image/intake';

export type BarcodeFormat = 'QRCode' | 'Code128';

export interface DecodedBarcode {
  format: string;
  text: string;
  /** Corner points in the pixels given to the decoder. */
  position?: { topLeft: Point; topRight: Point; bottomRight: Point; bottomLeft: Point };
}
interface Point {
  x: number;
  y: number;
}

let ready: Promise<unknown> | undefined;

/** Loads the wasm from node_modules exactly once. */
export function initBarcodeReader(): Promise<unknown> {
  ready ??= (async () => {
    const file = require.resolve('zxing-wasm/reader/zxing_reader.wasm');
    const bytes = readFileSync(file);
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    return prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  })().catch((e: unknown) => {
    ready = undefined; // a later call may retry (e.g. after the package is installed)
    throw e;
  });
  return ready;
}

export interface BarcodeOptions {
  formats?: BarcodeFormat[];
  /** Slower, finds small or damaged codes. Default true. */
  tryHarder?: boolean;
}

/** Decodes barcodes from RGBA pixels. */
export async function decodeBarcodesFromPixels(image: RgbaImage, options: BarcodeOptions = {}): Promise<DecodedBarcode[]> {
  await initBarcodeReader();
  const readerOptions: ReaderOptions = {
    formats: (options.formats ?? ['QRCode', 'Code128']) as ReadInputBarcodeFormat[],
    tryHarder: options.tryHarder ?? true,
    tryRotate: true,
    tryInvert: true,
    tryDownscale: true,
    maxNumberOfSymbols: 8,
  };
  // zxing copies the pixels into wasm memory; it wants a plain ImageData-like object.
  const results = await readBarcodes({ width: image.width, height: image.height, data: toClamped(image.data) } as unknown as ImageData, readerOptions);
  return results
    .filter((r) => r.isValid && r.text !== '')
    .map((r) => ({ format: r.format, text: r.text, position: r.position }));
}

/** Decodes barcodes from PNG/JPEG/WebP/TIFF bytes after the safe image intake. */
export async function decodeBarcodes(bytes: Uint8Array, options: BarcodeOptions & IntakeLimits = {}): Promise<DecodedBarcode[]> {
  const { image } = await decodeImage(bytes, options);
  return decodeBarcodesFromPixels(image, options);
}

function toClamped(data: Uint8Array): Uint8ClampedArray {
  return new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
}

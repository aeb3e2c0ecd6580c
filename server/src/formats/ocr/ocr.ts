/**
 * OCR of photos and scans: the LAST resort, used only when an image has no readable QR code and a file has no
 * embedded data. Every field it fills is marked `sources[field] = 'ocr'` and the voucher carries the warning
 * "low confidence (OCR)", because misread digits (壹仟贰 → 过什需 happens) must be checked by a person.
 *
 * tesseract.js runs the recogniser in wasm; the Chinese model is Debian's `tesseract-ocr-chi-sim` file, read from
 * disk (`gzip: false`: Debian ships it uncompressed; `cacheMethod: 'none'`: nothing is written next to it). One
 * worker is created lazily and reused — creating one costs ~0.5 s, recognising a small image ~0.5 s.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { createWorker, type Worker } from 'tesseract.js';
import { decodeImage, type IntakeLimits } from '../image/intake';
import type { Voucher } from '../voucher';
import { extractLabelledFields } from './labels';

export const DEFAULT_TESSDATA = '/usr/share/tesseract-ocr/5/tessdata';
export const OCR_WARNING = 'low confidence (OCR): fields were read by text recognition from an image; check them against the original';

/** The OCR model is missing on this machine: an installation problem, not a problem of the file. */
export class OcrUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OcrUnavailableError';
  }
}

export interface OcrText {
  text: string;
  /** Mean word confidence 0–100 as reported by tesseract. */
  confidence: number;
}

let worker: Promise<Worker> | undefined;

function tessdataDir(): string {
  return process.env.EVARCHIVE_TESSDATA ?? DEFAULT_TESSDATA;
}

function getWorker(): Promise<Worker> {
  const dir = tessdataDir();
  if (!existsSync(path.join(dir, 'chi_sim.traineddata'))) {
    throw new OcrUnavailableError(`OCR model chi_sim.traineddata not found in ${dir}: install tesseract-ocr-chi-sim (apt-get install tesseract-ocr-chi-sim)`);
  }
  worker ??= createWorker('chi_sim', 1, { langPath: dir, gzip: false, cacheMethod: 'none' }).then(
    async (w) => {
      // Decoded pixels carry no resolution; without one tesseract guesses and prints a warning per image.
      await w.setParameters({ user_defined_dpi: '300' });
      if (inFlight === 0) holdThread(w, false);
      return w;
    },
  ).catch((e: unknown) => {
    worker = undefined;
    throw new OcrUnavailableError(`OCR engine failed to start: ${(e as Error)?.message ?? String(e)}`);
  });
  return worker;
}

/**
 * The idle worker thread must not keep a process (CLI, test run) alive, but a running recognition must: the
 * thread is referenced only while jobs are in flight.
 */
let inFlight = 0;
function holdThread(w: Worker, hold: boolean): void {
  const thread = (w as unknown as { worker?: { ref?: () => void; unref?: () => void } }).worker;
  if (hold) thread?.ref?.();
  else thread?.unref?.();
}

/** Recognises Chinese text in an image (PNG/JPEG/… bytes; passes the safe image intake first). */
export async function recogniseText(bytes: Uint8Array, limits: IntakeLimits = {}): Promise<OcrText> {
  const { image } = await decodeImage(bytes, { ...limits, maxSide: 3000 });
  // Greyscale PNG: what tesseract binarises anyway, at a quarter of the bytes to copy into wasm.
  const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } }).greyscale().png().toBuffer();
  const w = await getWorker();
  inFlight++;
  holdThread(w, true);
  try {
    const { data } = await w.recognize(png);
    return { text: data.text, confidence: data.confidence };
  } finally {
    if (--inFlight === 0) holdThread(w, false);
  }
}

/** The OCR layer for photos: recognise, then read the labels. */
export async function ocrVoucher(bytes: Uint8Array): Promise<Voucher> {
  return voucherFromOcrText(await recogniseText(bytes));
}

/** Ends the shared worker (tests, shutdown). A later call starts a new one. */
export async function shutdownOcr(): Promise<void> {
  const w = worker;
  worker = undefined;
  if (w) await (await w).terminate();
}

/** Fields from recognised text as a voucher layer: every field marked 'ocr', one low-confidence warning. */
export function voucherFromOcrText(ocr: OcrText): Voucher {
  const lines = ocr.text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const { fields, parties } = extractLabelledFields(lines);
  const v: Voucher = {
    kind: 'other',
    lineItems: [],
    extra: { ocrConfidence: Math.round(ocr.confidence) },
    sources: {},
    signatures: [],
    signatureVerdict: 'unsigned',
    warnings: [OCR_WARNING],
  };
  for (const [key, value] of Object.entries(fields) as Array<[keyof typeof fields, string]>) {
    v[key] = value;
    v.sources[key] = 'ocr';
  }
  // On a photo, positions are unknown: an explicit 销售方 label wins; else, as both layouts print the buyer
  // first (above, or to the left), the last bare 名称 / 识别号 is the seller's.
  const pick = (field: 'name' | 'taxId') =>
    parties.find((p) => p.field === field && p.party === 'seller')?.value ??
    [...parties].reverse().find((p) => p.field === field && p.party === undefined)?.value;
  const sellerName = pick('name');
  const sellerTaxId = pick('taxId');
  if (sellerName) {
    v.sellerName = sellerName;
    v.sources.sellerName = 'ocr';
  }
  if (sellerTaxId) {
    v.sellerTaxId = sellerTaxId;
    v.sources.sellerTaxId = 'ocr';
  }
  if (v.totalAmount || v.amountExTax) {
    v.currency = 'CNY';
    v.sources.currency = 'ocr';
  }
  return v;
}

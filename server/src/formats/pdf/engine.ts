/**
 * Host side of the pdf.js engine thread (`pdfjs-worker.ts`).
 *
 * Why a worker thread: pdf.js is published as ES modules only, which CommonJS code under Jest cannot load; and
 * a PDF is hostile input — running the parser in a thread with its own heap cap and a deadline means a PDF
 * bomb kills only that thread. One thread is kept and reused (pdf.js takes ~150 ms to load); requests are
 * served one at a time; a crash or timeout terminates it and the next request starts a fresh one.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { FormatError } from '../errors';
import { PDFJS_WORKER_SOURCE } from './pdfjs-worker';

export interface RawTextItem {
  str: string;
  /** Text matrix: (a, b) is the baseline direction scaled by the font size, (x, y) the origin in user space. */
  a: number;
  b: number;
  c: number;
  d: number;
  x: number;
  y: number;
  width: number;
  height: number;
  font: string;
}

export interface RawImage {
  width: number;
  height: number;
  /** RGBA */
  data: Uint8Array;
}

export interface RawPage {
  number: number;
  width: number;
  height: number;
  rotate: number;
  items: RawTextItem[];
  images: RawImage[];
  /** Names of signature form fields on this page (from the widget annotations). */
  signatureFields: string[];
}

export interface RawAttachment {
  name: string;
  source: 'EmbeddedFiles' | 'FileAttachment';
  page?: number;
  content: Uint8Array;
  description?: string;
}

export interface RawPdf {
  numPages: number;
  info: Record<string, string | boolean | number>;
  attachments: RawAttachment[];
  pages: RawPage[];
}

export interface EngineOptions {
  maxPages: number;
  images: boolean;
  /** Images are decoded on the first N pages only: the QR code and a scan's first page are there. */
  imagePages: number;
  maxImagePixels: number;
  timeoutMs: number;
  heapMb: number;
}

interface Pending {
  /** The thread serving the request: when a thread dies, only its own requests fail. */
  worker: Worker;
  resolve: (r: RawPdf) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();
/** Requests run one after another: pdf.js is single-threaded anyway, and one heap cap then bounds the total. */
let queue: Promise<unknown> = Promise.resolve();

function startWorker(heapMb: number): Worker {
  const w = new Worker(PDFJS_WORKER_SOURCE, {
    eval: true,
    workerData: { pdfjsRoot: path.dirname(require.resolve('pdfjs-dist/package.json')) },
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 64 },
  });
  w.on('message', (msg: { id: number; ok: boolean; result?: RawPdf; error?: { name: string; message: string } }) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result!);
    else p.reject(engineError(msg.error!));
  });
  const fail = (err: Error) => {
    if (worker === w) worker = undefined;
    for (const [id, p] of pending) {
      if (p.worker !== w) continue;
      clearTimeout(p.timer);
      p.reject(new FormatError('bad_pdf', `PDF parser stopped: ${err.message}`));
      pending.delete(id);
    }
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`engine thread exited with code ${code} (memory limit reached?)`)));
  // An idle engine must not keep a process (CLI, test run) alive; a pending request does, through its deadline
  // timer. unref() comes last: adding a 'message' listener references the thread's port again.
  w.unref();
  return w;
}

/** Maps pdf.js exceptions to FormatError with a message a person can act on. */
function engineError(e: { name: string; message: string }): FormatError {
  if (e.name === 'PasswordException') return new FormatError('bad_pdf', 'PDF is encrypted and needs a password to open');
  if (e.name === 'InvalidPDFException') return new FormatError('bad_pdf', `not a readable PDF: ${e.message}`);
  return new FormatError('bad_pdf', `PDF cannot be parsed: ${e.name}: ${e.message}`);
}

export function extractWithPdfjs(bytes: Uint8Array, options: EngineOptions): Promise<RawPdf> {
  const run = () =>
    new Promise<RawPdf>((resolve, reject) => {
      worker ??= startWorker(options.heapMb);
      const w = worker;
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new FormatError('bad_pdf', `PDF parsing took longer than ${options.timeoutMs} ms and was stopped`));
        if (worker === w) worker = undefined;
        void w.terminate();
      }, options.timeoutMs);
      pending.set(id, { worker: w, resolve, reject, timer });
      // A copy: the caller keeps its bytes (signature checks hash them afterwards).
      w.postMessage({ id, bytes: bytes.slice(), maxPages: options.maxPages, images: options.images, imagePages: options.imagePages, maxImagePixels: options.maxImagePixels });
    });
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

/** Stops the engine thread (tests, shutdown). */
export async function shutdownPdfEngine(): Promise<void> {
  const w = worker;
  worker = undefined;
  if (w) await w.terminate();
}

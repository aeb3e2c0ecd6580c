/**
 * The read steps of the ingest pipeline that need nothing but the bytes: identify → unpack safely → parse →
 * verify. They are pure (no database, no store), so the pipeline runs them in a pool of worker threads
 * (`read-pool.ts`) and the main thread only does the database work; `runReadSteps` is the one entry both the
 * workers and the in-thread path use, so an item's step records are the same either way.
 */
import { createHash } from 'node:crypto';
import { detectFormat, type DetectedFormat } from '../../../formats/detect';
import { inspectFile, type InspectResult } from '../../../formats/inspect';
import { renderPageWithPdftoppm } from '../../../formats/pdf/render-poppler';
import { openZip } from '../../../formats/zip/zip';
import { FormatError } from '../../../formats/errors';
import { hasVoucherContent, type Voucher } from '../../../formats/voucher';
import { putOriginalDirect } from '../../../platform/storage/local-direct-write';
import type { PutResult } from '../../../platform/storage/object-store';
import type { StepRecord } from '../pool.tables';
import { runPhase, StopItem, type IngestContext, type IngestItemInput, type IngestStep } from './pipeline';

/** What the read steps see and set: the item's bytes in, the format and the reading out. */
export type ReadContext = Pick<IngestContext, 'item' | 'steps' | 'format' | 'mediaType' | 'inspected' | 'voucher'>;

/** A read step: `run` gets only the read context, so it can run in a worker thread. */
export interface ReadStep extends IngestStep {
  readonly offThread: true;
  canRun?(ctx: ReadContext): boolean;
  run(ctx: ReadContext): Promise<string | void> | string | void;
}

/** Largest single original the pool takes (the upload limit of the HTTP edge). */
export const MAX_FILE_BYTES = 200 * 1024 * 1024;

const MEDIA_TYPES: Record<string, string> = {
  ofd: 'application/ofd',
  pdf: 'application/pdf',
  xml: 'application/xml',
  xbrl: 'application/xbrl+xml',
  json: 'application/json',
  jpeg: 'image/jpeg',
  png: 'image/png',
};

/** 1. What the bytes are (by content, never by name). */
export class IdentifyStep implements ReadStep {
  readonly offThread = true;
  readonly name = 'identify';
  readonly version = 1;
  readonly phase = 'read';
  run(ctx: ReadContext): string {
    const { bytes, filename } = ctx.item;
    if (bytes.length === 0) throw new StopItem('rejected', 'empty_file', `${filename}: the file is empty`);
    if (bytes.length > MAX_FILE_BYTES) throw new StopItem('rejected', 'too_large', `${filename}: ${bytes.length} bytes is over the ${MAX_FILE_BYTES / 1024 / 1024} MB limit`);
    const format = detectFormat(bytes);
    if (format === 'unknown') throw new StopItem('rejected', 'unknown_format', `${filename}: not a voucher file (not OFD, PDF, XML, XBRL, JSON, JPEG or PNG)`);
    ctx.format = format;
    ctx.mediaType = MEDIA_TYPES[format];
    return format;
  }
}

/**
 * 2. Open containers with the bounded ZIP reader before any parser touches them: traversal names, bombs and
 * oversize entries are refused here with the entry named.
 */
export class UnpackStep implements ReadStep {
  readonly offThread = true;
  readonly name = 'unpack';
  readonly version = 1;
  readonly phase = 'read';
  canRun(ctx: ReadContext): boolean {
    return ctx.format === 'ofd';
  }
  run(ctx: ReadContext): string {
    try {
      const zip = openZip(ctx.item.bytes);
      return `${zip.entries.length} entries`;
    } catch (e) {
      if (e instanceof FormatError) throw new StopItem('rejected', e.code, `${ctx.item.filename}: ${e.message}`);
      throw e;
    }
  }
}

/** 3. Read the voucher with the format readers (inspectFile dispatches OFD/PDF/XML/XBRL/JSON/photos). */
export class ParseStep implements ReadStep {
  readonly offThread = true;
  readonly name = 'parse';
  readonly version = 3;
  readonly phase = 'read';
  async run(ctx: ReadContext): Promise<string> {
    // v2: PDF pages are rendered (pdftoppm) when a QR code is drawn as vector paths, e.g. air itineraries.
    const r = await inspectFile(ctx.item.bytes, ctx.item.filename, { renderPdfPage: (pdf, page) => renderPageWithPdftoppm(pdf, page) });
    if (r.errors.length) {
      const first = r.errors[0];
      const m = /^([a-z_]+): (.*)$/s.exec(first);
      const code = m && m[1] !== 'internal' ? m[1] : 'unreadable';
      throw new StopItem('rejected', code, `${ctx.item.filename}: ${m && m[1] !== 'internal' ? m[2] : first}`);
    }
    if (!r.kind) throw new StopItem('rejected', 'unreadable', `${ctx.item.filename}: the reader found no voucher in it`);
    // v3: a file that reads as no voucher at all (kind other, no number, amount, date, party or line) is refused.
    if (!hasVoucherContent({ ...r, kind: r.kind, lineItems: r.lineItems ?? [] })) {
      const what = r.format === 'jpeg' || r.format === 'png' ? 'no invoice QR code and no voucher field read by OCR' : 'no voucher title, number, amount, date, party or line';
      throw new StopItem('rejected', 'not_a_voucher', `${ctx.item.filename}: the ${r.format.toUpperCase()} file holds no voucher (${what})`);
    }
    ctx.inspected = r;
    const { file: _file, format: _format, errors: _errors, ...voucher } = r;
    ctx.voucher = storable(voucher) as Voucher;
    return r.kind;
  }
}

/**
 * 4. The signature verdict of the reader's verification (seals, CMS, XML signatures). An invalid signature does
 * not reject the file: it is recorded with every reason so a person sees why.
 */
export class VerifyStep implements ReadStep {
  readonly offThread = true;
  readonly name = 'verify';
  readonly version = 1;
  readonly phase = 'read';
  run(ctx: ReadContext): string {
    const v = ctx.voucher!;
    const n = v.signatures?.length ?? 0;
    if (v.signatureVerdict === 'invalid') {
      const failing = (v.signatures ?? []).flatMap((s) => s.reasons).filter((r) => /fail|mismatch|invalid|not match|missing/i.test(r));
      v.warnings = [...(v.warnings ?? []), `signature invalid: ${failing[0] ?? 'see the signature report'}`];
    }
    return `${v.signatureVerdict ?? 'unsigned'} (${n} signature${n === 1 ? '' : 's'})`;
  }
}

/**
 * What PostgreSQL text and jsonb cannot hold is left out of the stored reading (the original keeps every byte):
 * U+0000, which padded fields of some issuers' XML carry, is dropped; a lone UTF-16 surrogate (a JSON voucher can
 * spell one as "\ud800") becomes U+FFFD, the replacement character.
 */
export function storable<T>(v: T): T {
  if (typeof v === 'string') {
    if (!SUSPECT.test(v)) return v;
    return v.replace(/\u0000/g, '').replace(LONE_SURROGATE, '\ufffd') as T;
  }
  if (Array.isArray(v)) return v.map(storable) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [storable(k), storable(x)])) as T;
  return v;
}
const SUSPECT = /[\u0000\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function readSteps(): ReadStep[] {
  return [new IdentifyStep(), new UnpackStep(), new ParseStep(), new VerifyStep()];
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** An item as the read steps get it (what a worker thread receives). */
export interface ReadTask {
  filename: string;
  /** SHA-256 recorded with the item; the bytes must still have it. */
  sha256: string;
  bytes: Uint8Array;
  /**
   * The pipeline's store step, done here right after a successful read when the object store is a local
   * folder (`putOriginalDirect`: durable when it resolves), so the main thread does no file-system work per item.
   */
  store?: { root: string; filename: string; step: { name: string; version: number } };
}

/** What the read steps found, as plain data (what a worker thread posts back). */
export interface ReadAnswer {
  steps: StepRecord[];
  format?: DetectedFormat;
  mediaType?: string;
  voucher?: Voucher;
  /** The item ends here (rejected), with its stable code and reason. */
  stop?: { outcome: 'duplicate' | 'rejected'; code: string; message: string };
  /** The original, stored (`task.store`), and the store step's record (the pipeline files it after the main thread's read steps). */
  stored?: PutResult;
  storeStep?: StepRecord;
  /** Storing failed (the disk, not the file): the run stops and the item stays pending. */
  storeFailed?: string;
}

/**
 * Checks the bytes against the recorded digest, then runs the read steps. Never throws: a reader's own failure
 * (a bug, or an input it cannot handle) rejects the file with the reason, like a format error would.
 */
export async function runReadSteps(task: ReadTask, steps: readonly ReadStep[] = readSteps()): Promise<ReadAnswer> {
  const ctx: ReadContext = { item: { filename: task.filename, bytes: task.bytes, sha256: task.sha256 } as IngestItemInput, steps: [] };
  let stop: StopItem | undefined;
  if (sha256Of(task.bytes) !== task.sha256) {
    stop = new StopItem('rejected', 'changed', `${task.filename}: the file changed since the batch recorded it (SHA-256 ${task.sha256})`);
  } else {
    try {
      await runPhase(steps, 'read', ctx);
    } catch (e) {
      stop = e instanceof StopItem ? e : new StopItem('rejected', 'unreadable', `${task.filename}: ${(e as Error).message}`);
    }
  }
  let stored: PutResult | undefined;
  let storeStep: StepRecord | undefined;
  let storeFailed: string | undefined;
  if (!stop && task.store) {
    const t0 = performance.now();
    try {
      stored = await putOriginalDirect(task.store.root, task.bytes, { mediaType: ctx.mediaType ?? 'application/octet-stream', filename: task.store.filename });
      const ms = Math.round((performance.now() - t0) * 10) / 10;
      storeStep = { step: task.store.step.name, version: task.store.step.version, outcome: 'ok', ms, message: `${stored.key}${stored.created ? '' : ' (already stored)'}; in the reader thread` };
    } catch (e) {
      storeFailed = (e as Error).message;
    }
  }
  return {
    steps: ctx.steps,
    format: ctx.format,
    mediaType: ctx.mediaType,
    voucher: ctx.voucher,
    ...(stop ? { stop: { outcome: stop.outcome, code: stop.code, message: stop.message } } : {}),
    ...(stored ? { stored, storeStep } : {}),
    ...(storeFailed ? { storeFailed } : {}),
  };
}

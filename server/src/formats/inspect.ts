/**
 * `inspectFile`: any voucher file → its format, the Voucher fields and the errors, whatever the format. The one
 * entry point the CLI `inspect` command and the upload preview use. Readers of other formats (OFD, PDF, photos)
 * are loaded when present, so this module never breaks because one of them is missing or fails to load; a reader
 * that cannot be loaded is named in `errors`.
 */
import { FormatError } from './errors';
import { detectFormat, type DetectedFormat } from './detect';
import { readVoucherJson } from './json/read';
import { orderVoucher } from './kinds/fields';
import type { Voucher } from './voucher';
import { readXbrl } from './xbrl/read';
import { readVoucherXml } from './xml/read';

export type InspectResult = { file: string; format: DetectedFormat } & Partial<Voucher> & { errors: string[] };

type Reader = (bytes: Uint8Array, filename: string) => Voucher | Promise<Voucher>;

export interface InspectOptions {
  /**
   * Renders page `page` (1-based) of a PDF to PNG bytes, for QR codes drawn as vector paths. An adapter
   * (e.g. `renderPageWithPdftoppm` from pdf/) injected by the caller, so this module starts no process itself.
   */
  renderPdfPage?: (pdf: Uint8Array, page: number) => Promise<Uint8Array>;
}

/** Readers owned by other modules: module path (relative to this file) and export name. */
const OPTIONAL_READERS: Partial<Record<DetectedFormat, { module: string; name: string }>> = {
  ofd: { module: './ofd/read', name: 'readOfdVoucher' },
  pdf: { module: './pdf/voucher', name: 'readPdfVoucher' },
  jpeg: { module: './image/photo', name: 'readPhotoVoucher' },
  png: { module: './image/photo', name: 'readPhotoVoucher' },
};

const OWN_READERS: Partial<Record<DetectedFormat, Reader>> = {
  // No `path`: the result's `file` already says where, so messages stay short.
  xbrl: (bytes, filename) => readXbrl(bytes, { filename }).voucher,
  xml: (bytes, filename) => readVoucherXml(bytes, { filename }).voucher,
  json: (bytes, filename) => readVoucherJson(bytes, { filename }).voucher,
};

export async function inspectFile(bytes: Uint8Array, filename: string, options: InspectOptions = {}): Promise<InspectResult> {
  const format = detectFormat(bytes);
  const base = { file: filename, format };
  if (format === 'unknown') return { ...base, errors: ['unknown format: not OFD, PDF, XML, XBRL, JSON, JPEG or PNG'] };
  let reader: Reader | undefined = OWN_READERS[format];
  if (!reader) {
    const loaded = loadOptionalReader(format, OPTIONAL_READERS[format], readerOptions(format, options));
    if (typeof loaded === 'string') return { ...base, errors: [loaded] };
    reader = loaded;
  }
  try {
    const voucher = orderVoucher(await reader(bytes, filename));
    return { ...base, ...voucher, errors: [] };
  } catch (e) {
    if (e instanceof FormatError) return { ...base, errors: [`${e.code}: ${e.message}`] };
    return { ...base, errors: [`internal error: ${(e as Error).message ?? String(e)}`] };
  }
}

/** What each optional reader takes as its second argument. */
function readerOptions(format: DetectedFormat, options: InspectOptions): Record<string, unknown> | undefined {
  if (format === 'pdf' && options.renderPdfPage) return { renderPage: options.renderPdfPage };
  return undefined;
}

/** The reader of `spec`, or the sentence for `errors` saying why there is none. Exported for tests. */
export function loadOptionalReader(
  format: DetectedFormat,
  spec: { module: string; name: string } | undefined,
  readerOpts?: Record<string, unknown>,
): Reader | string {
  if (!spec) return `unsupported format: ${format}`;
  let mod: Record<string, unknown>;
  try {
    // A computed path: these modules belong to other readers and may not exist in a given build.
    const path = spec.module;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(path);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
    return `unsupported format: ${format} (reader not available${missing ? '' : `: ${(e as Error).message}`})`;
  }
  const fn = mod[spec.name];
  if (typeof fn !== 'function') return `unsupported format: ${format} (reader not available)`;
  return async (bytes: Uint8Array) => {
    const read = fn as (b: Uint8Array, o?: Record<string, unknown>) => unknown;
    const out = (await (readerOpts ? read(bytes, readerOpts) : read(bytes))) as Voucher | { voucher: Voucher };
    return 'voucher' in out && out.voucher && typeof out.voucher === 'object' ? out.voucher : (out as Voucher);
  };
}

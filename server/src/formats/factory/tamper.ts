/**
 * Tampering helpers for tests: change exactly one byte inside one signed part of an OFD and re-zip, so the
 * signature verdict must turn `invalid`. The byte is flipped inside the part's own (uncompressed) bytes — a
 * change in the compressed stream would only make the ZIP unreadable, which tests something else.
 */
import { openZip } from '../zip';
import { writeZip } from '../zip/write';

export type TamperTarget = 'page' | 'signed-value' | 'signature-xml' | 'ofd-xml' | 'attachment' | { path: string };

const TARGETS: Record<Exclude<TamperTarget, { path: string }>, RegExp> = {
  page: /^Doc_0\/Pages\/Page_0\/Content\.xml$/,
  'signed-value': /\/SignedValue\.dat$/,
  'signature-xml': /\/Sign_0\/Signature\.xml$/,
  'ofd-xml': /^OFD\.xml$/,
  attachment: /^Doc_0\/Attachs\/(?!Attachments\.xml).*\.xml$/,
};

export interface TamperOptions {
  /** Byte offset inside the part (default: the middle; for XML the middle of a text or digit run is chosen). */
  offset?: number;
}

/** The OFD with one byte of `target` changed, and where. */
export function tamper(ofd: Uint8Array, target: TamperTarget, options: TamperOptions = {}): { bytes: Uint8Array; path: string; offset: number } {
  const zip = openZip(ofd);
  const files = zip.entries.filter((e) => !e.isDirectory);
  const names = files.map((e) => e.name);
  const path = typeof target === 'object' ? target.path : names.find((n) => TARGETS[target].test(n));
  if (!path || !names.includes(path)) throw new Error(`tamper: no part ${typeof target === 'object' ? target.path : target} in the package`);
  const entries = files.map((e) => ({ name: e.name, data: zip.read(e).slice() }));
  const part = entries.find((e) => e.name === path)!.data;
  const offset = options.offset ?? safeOffset(part, path);
  part[offset] = changedByte(part[offset]);
  return { bytes: writeZip(entries), path, offset };
}

/**
 * Middle of the part; for XML, the nearest digit so the file stays well-formed XML (a change that breaks the
 * XML would be caught by the parser rather than by the digest, which is not what these tests are about).
 */
function safeOffset(part: Uint8Array, path: string): number {
  const mid = part.length >> 1;
  if (!path.endsWith('.xml')) return mid;
  for (let d = 0; d < part.length; d++) {
    for (const i of [mid + d, mid - d]) if (i >= 0 && i < part.length && part[i] >= 0x30 && part[i] <= 0x39) return i;
  }
  return mid;
}

/** Digits become another digit (XML stays well-formed); any other byte gets its lowest bit flipped. */
function changedByte(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b === 0x39 ? 0x30 : b + 1;
  return b ^ 0x01;
}

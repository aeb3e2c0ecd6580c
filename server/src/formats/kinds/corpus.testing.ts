/**
 * Test support: where the shared real-voucher corpus lives and how tests skip when it is absent (a fresh clone
 * has no corpus). Files there are test input only; tests must not print personal data from them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';

export const REPO_ROOT = path.resolve(__dirname, '../../../..');
export const CORPUS = path.resolve(REPO_ROOT, '../shared/corpus/raw');
export const HAS_CORPUS = existsSync(CORPUS);

/** `describe` when the corpus is there, otherwise a skipped block whose name says why. */
export function describeCorpus(name: string, fn: () => void): void {
  if (HAS_CORPUS) describe(name, fn);
  else describe.skip(`${name} — SKIPPED: corpus not found at ${CORPUS}`, fn);
}

export const TOOLKIT_DIR = 'marlonche__accounting-tools';
const TOOLKIT_PREFIX = '1.基础工具包（推广应用版V1.0）__';

export function toolkitXbrl(configId: string): string {
  return path.join(CORPUS, TOOLKIT_DIR, `${TOOLKIT_PREFIX}xbrl生成文件__${configId}.xml`);
}

export function toolkitJson(configId: string): string {
  return path.join(CORPUS, TOOLKIT_DIR, `${TOOLKIT_PREFIX}json样例文件__${configId}.json`);
}

/** The 17 configIds of the toolkit samples, read from the file names. */
export function toolkitConfigIds(): string[] {
  if (!HAS_CORPUS) return [];
  return readdirSync(path.join(CORPUS, TOOLKIT_DIR))
    .filter((f) => f.includes('xbrl生成文件__') && f.endsWith('.xml'))
    .map((f) => f.slice(f.lastIndexOf('__') + 2, -4))
    .sort();
}

/** Every file below the corpus whose name ends with one of `exts`, relative to the corpus root. */
export function corpusFiles(...exts: string[]): string[] {
  if (!HAS_CORPUS) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (exts.some((x) => e.name.toLowerCase().endsWith(x))) out.push(path.relative(CORPUS, p));
    }
  };
  walk(CORPUS);
  return out.sort();
}

export function readCorpus(rel: string): Uint8Array {
  return readFileSync(path.join(CORPUS, rel));
}

/** The attachments (Doc_N/Attach…/…) of an OFD in the corpus, by entry path. */
export function ofdAttachments(rel: string): Record<string, Uint8Array> {
  const entries = unzipSync(readCorpus(rel), { filter: (f) => /\/Attach[^/]*\/./i.test(f.name) && !f.name.endsWith('/') && !/Attachments\.xml$/i.test(f.name) });
  return entries;
}

/** A short, personal-data-free label for a corpus file in test names: its last path segment, shortened. */
export function label(rel: string): string {
  const base = rel.slice(rel.lastIndexOf('__') + 2);
  return base.length > 48 ? base.slice(0, 45) + '…' : base;
}

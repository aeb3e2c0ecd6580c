/**
 * Damaged PDFs: truncated, bytes overwritten, signature dictionaries mangled. Whatever happens inside pdf.js or
 * our readers, the caller gets a Voucher (with warnings) or a FormatError — never another exception — and a
 * parse that runs past its deadline is stopped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FormatError } from '../errors';
import { shutdownPdfEngine } from './engine';
import { PDF_LIMITS, readPdf } from './read';
import { readPdfVoucher } from './voucher';

const CORPUS = path.resolve(__dirname, '../../../..', '../shared/corpus/raw');
const SAMPLE = path.join(CORPUS, 'kudeerliu48-web__fapiaohezi/fp_api_new__files__592263136104457807__uploads__73c00f18_042002200411_51905150.pdf');

afterAll(() => shutdownPdfEngine());

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function variants(pdf: Buffer): Array<[string, Buffer]> {
  const rnd = lcg(42);
  const out: Array<[string, Buffer]> = [];
  for (const f of [0.1, 0.5, 0.9, 0.999]) out.push([`truncated at ${f * 100}%`, pdf.subarray(0, Math.floor(pdf.length * f))]);
  for (let i = 0; i < 6; i++) {
    const copy = Buffer.from(pdf);
    const at = Math.floor(rnd() * copy.length);
    for (let k = 0; k < 64 && at + k < copy.length; k++) copy[at + k] = Math.floor(rnd() * 256);
    out.push([`64 random bytes at offset ${at}`, copy]);
  }
  const text = pdf.toString('latin1');
  out.push(['ByteRange replaced by garbage', Buffer.from(text.replace(/\/ByteRange\s*\[[^\]]*\]/, '/ByteRange [0 x y'), 'latin1')]);
  out.push(['xref table removed', Buffer.from(text.replace(/xref[\s\S]*?trailer/, 'trailer'), 'latin1')]);
  return out;
}

(existsSync(SAMPLE) ? describe : describe.skip)('damaged copies of a real invoice PDF', () => {
  const cases = existsSync(SAMPLE) ? variants(readFileSync(SAMPLE)) : [];
  it.each(cases)('%s → Voucher or FormatError', async (_name, bytes) => {
    const outcome = await readPdfVoucher(bytes).then(
      (v) => v,
      (e: unknown) => e,
    );
    if (outcome instanceof FormatError) expect(outcome.code).toMatch(/^(bad_pdf|unknown_format|too_large)$/);
    else expect(outcome).toMatchObject({ kind: expect.any(String), warnings: expect.any(Array) });
  }, 30_000);
});

describe('deadline', () => {
  it('stops a parse that takes longer than the limit and recovers for the next file', async () => {
    const saved = PDF_LIMITS.timeoutMs;
    const tiny = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
    await shutdownPdfEngine(); // a cold engine thread needs far more than 1 ms to load pdf.js
    try {
      PDF_LIMITS.timeoutMs = 1;
      await expect(readPdf(tiny)).rejects.toMatchObject({ code: 'bad_pdf', message: 'PDF parsing took longer than 1 ms and was stopped' });
    } finally {
      PDF_LIMITS.timeoutMs = saved;
    }
    const doc = await readPdf(tiny);
    expect(doc.pageCount).toBe(0);
  }, 30_000);
});

describe('process lifetime', () => {
  it('an idle engine thread does not keep a process (CLI) alive after its last PDF', () => {
    const script = [
      "const { readPdf } = require('./read');",
      "const pdf = Buffer.from('%PDF-1.4\\n1 0 obj\\n<< /Type /Catalog /Pages 2 0 R >>\\nendobj\\n2 0 obj\\n<< /Type /Pages /Kids [] /Count 0 >>\\nendobj\\ntrailer\\n<< /Root 1 0 R >>\\n%%EOF\\n');",
      "readPdf(pdf).then((d) => console.log('pages', d.pageCount));",
    ].join('\n');
    const started = Date.now();
    const r = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', script], { cwd: __dirname, encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout.trim()).toBe('pages 0');
    expect(r.status).toBe(0); // null when the timeout had to kill it
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 40_000);
});

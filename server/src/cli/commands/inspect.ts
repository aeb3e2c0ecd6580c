import { classifyReport, UNSUPPORTED } from '../../formats/signatures/verdict';
import { collectFiles, readError } from '../files';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { inspectFile, type InspectResult } from '../../formats/inspect';
import { renderPageWithPdftoppm } from '../../formats/pdf/render-poppler';

/**
 * `evarchive inspect <file|dir>... [--json]`: reads voucher files with every format reader and prints what they
 * hold. Directories are walked recursively. A file that is read but is not a voucher is a result with errors, not a
 * failure; the exit code is 1 only when a path cannot be read at all (missing, unreadable).
 */
export function inspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('read voucher files (OFD, PDF, XML, XBRL, JSON, photos) and show their fields')
    .argument('<paths...>', 'files or directories (walked recursively)')
    .option('--json', 'one JSON object per file per line (Voucher field names plus file, format, errors)')
    .action(async (paths: string[], opts: { json?: boolean }) => {
      const { files, unreadable } = collectFiles(paths);
      const rows: InspectResult[] = [];
      for (const file of files) {
        let bytes: Uint8Array;
        try {
          bytes = readFileSync(file.path);
        } catch (e) {
          unreadable.push(`${file.name}: ${readError(e)}`);
          continue;
        }
        // pdftoppm (poppler-utils) renders pages whose QR code is drawn as vector paths.
        const r = await inspectFile(bytes, file.name, { renderPdfPage: (pdf, page) => renderPageWithPdftoppm(pdf, page) });
        if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
        else rows.push(r);
      }
      if (!opts.json) process.stdout.write(renderTable(rows));
      for (const u of unreadable) console.error(`evarchive: cannot read ${u}`);
      if (unreadable.length) process.exitCode = 1;
    });
}


const COLUMNS: [string, (r: InspectResult) => string][] = [
  ['file', (r) => r.file],
  ['format', (r) => r.format],
  ['kind', (r) => r.kind ?? ''],
  ['number', (r) => [r.invoiceCode, r.invoiceNumber].filter(Boolean).join('/')],
  ['date', (r) => r.issueDate ?? ''],
  ['total', (r) => r.totalAmount ?? ''],
  ['verdict', (r) => r.signatureVerdict ?? ''],
  ['why', (r) => verdictWhy(r)],
  ['errors', (r) => r.errors.join('; ')],
];

/**
 * Why a verdict is not `valid`, from each failing signature's structured checks (every reason sentence is in
 * `--json`): `Sign_1: digest mismatch` for a changed file, `not checkable` where a check could not run.
 */
export function verdictWhy(r: InspectResult): string {
  if (!r.signatures?.length || r.signatureVerdict === 'valid') return '';
  const out: string[] = [];
  r.signatures.forEach((s, i) => {
    const cls = classifyReport(s);
    if (cls === 'valid') return;
    const name = s.location ? (s.location.split('/').filter(Boolean).pop() ?? s.location) : `signature ${i + 1}`;
    if (cls === 'unsupported') {
      const u = s.reasons.find((x) => x.startsWith(UNSUPPORTED));
      out.push(`${name}: ${u ?? 'unsupported'}`);
      return;
    }
    const parts: string[] = [];
    if (s.digestsOk === false) parts.push('digest mismatch (changed after signing)');
    else if (s.digestsOk === null) parts.push('digests not checkable');
    if (s.signatureValid === false) parts.push('signature does not verify');
    else if (s.signatureValid === null) parts.push('signature not checkable');
    out.push(`${name}: ${parts.join(', ') || cls}`);
  });
  return out.length ? `${out.join('; ')} (--json: every reason)` : '';
}

/** A plain-text table; CJK characters count two columns so the columns line up in a terminal. */
export function renderTable(rows: InspectResult[]): string {
  const cells = rows.map((r) => COLUMNS.map(([, get]) => get(r)));
  const widths = COLUMNS.map(([h], i) => Math.max(width(h), ...cells.map((c) => width(c[i]))));
  const line = (c: string[]) =>
    c
      .map((s, i) => (i === c.length - 1 ? s : s + ' '.repeat(widths[i] - width(s))))
      .join('  ')
      .trimEnd() + '\n';
  return line(COLUMNS.map(([h]) => h)) + cells.map(line).join('');
}

function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

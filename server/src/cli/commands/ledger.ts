import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createAppContext } from '../../main';
import { LedgerService } from '../../modules/ledger/ledger.service';
import type { LogLevel } from '@nestjs/common';
import { AppError } from '../../platform/errors/errors';
import { loadConfig } from '../../platform/config/config';

/** With --json, stdout must be the JSON alone: service warnings (which Nest prints to stdout) are dropped. */
export function quiet(opts: { json?: boolean }): { logger?: LogLevel[] } {
  return opts.json ? { logger: ['error', 'fatal'] } : {};
}

const operator = () => `cli:${process.env.USER ?? 'operator'}`;

/** Prints an import refusal row by row (the whole point of per-row errors) and sets exit code 1. */
export function printRejection(e: unknown, json: boolean): boolean {
  if (!(e instanceof AppError) || e.code !== 'import_rejected') return false;
  const errors = (e.details?.errors as { row: number; column: string; problem: string }[]) ?? [];
  if (json) process.stdout.write(JSON.stringify({ ok: false, code: e.code, errors }) + '\n');
  else {
    process.stderr.write(`import rejected, nothing stored: ${errors.length} problem(s)\n`);
    for (const x of errors) process.stderr.write(`  row ${x.row}  ${x.column}: ${x.problem}\n`);
  }
  process.exitCode = 1;
  return true;
}

/** `evarchive ledger import <file> [--unit CODE] [--reason TEXT] [--json]` */
export function ledgerCommand(program: Command): void {
  const ledger = program.command('ledger').description('journal vouchers, books, reports (会计核算资料)');
  ledger
    .command('import <file>')
    .description('import journal vouchers from JSON, CSV or Excel (one transaction: all or nothing)')
    .option('--unit <code>', 'unit code for vouchers that name none')
    .option('--reason <text>', 'why changed vouchers are imported again (kept with the new version)')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, opts: { unit?: string; reason?: string; json?: boolean }) => {
      const bytes = new Uint8Array(readFileSync(file));
      const ctx = await createAppContext(loadConfig(), { jobs: false, ...quiet(opts) });
      try {
        const s = await ctx.get(LedgerService).importFile({ operator: operator() }, bytes, basename(file), { channel: 'cli', unit: opts.unit, reason: opts.reason });
        if (opts.json) process.stdout.write(JSON.stringify({ ok: true, ...s }) + '\n');
        else {
          process.stdout.write(`imported ${s.vouchers} journal voucher(s) of ${s.units.join(', ')} for ${s.periods.join(', ')}: ${s.created} new, ${s.updated} changed (new version), ${s.unchanged} unchanged\n`);
          for (const c of s.changes) process.stdout.write(`  ${c.unit} ${c.period} ${c.number} → v${c.version}: ${c.reason}\n`);
          process.stdout.write(`import ${s.importId}\n`);
        }
      } catch (e) {
        if (!printRejection(e, !!opts.json)) throw e;
      } finally {
        await ctx.close();
      }
    });
  ledger
    .command('reindex')
    .description('put every journal voucher (of one unit, or all) into the search index again')
    .option('--unit <code>', 'only this unit')
    .action(async (o: { unit?: string }) => {
      const ctx = await createAppContext(loadConfig(), { jobs: false, ...quiet({}) });
      try {
        const r = await ctx.get(LedgerService).reindexSearch({ unit: o.unit, onProgress: (n) => process.stderr.write(`\rindexed ${n} journal voucher(s)`) });
        process.stderr.write('\n');
        process.stdout.write(`indexed ${r.indexed} journal voucher(s) for search\n`);
      } finally {
        await ctx.close();
      }
    });
  ledger
    .command('add-record <file>')
    .description('file an account book, financial report or other accounting material with its file')
    .requiredOption('--unit <code>', 'unit code')
    .requiredOption('--category <c>', 'book | report | other')
    .requiredOption('--type <t>', 'e.g. general_ledger, subsidiary_ledger, bank_journal, monthly, annual, bank_reconciliation, tax_return, transfer_list')
    .requiredOption('--period <p>', 'YYYY, YYYY-MM, YYYY-Qn or YYYY-H1/H2')
    .option('--title <text>', 'title (default: the file name)')
    .option('--media-type <type>', 'IANA media type', 'application/octet-stream')
    .action(async (file: string, o: { unit: string; category: any; type: string; period: string; title?: string; mediaType: string }) => {
      const ctx = await createAppContext(loadConfig(), { jobs: false, ...quiet({}) });
      try {
        const r = await ctx.get(LedgerService).addRecord({ operator: operator() }, { unit: o.unit, category: o.category, recordType: o.type, period: o.period, title: o.title ?? basename(file), filename: basename(file), mediaType: o.mediaType, bytes: new Uint8Array(readFileSync(file)) });
        process.stdout.write(`${r.created ? 'filed' : 'already filed'}: ${r.id} (sha256 ${r.sha256})\n`);
      } finally {
        await ctx.close();
      }
    });
}

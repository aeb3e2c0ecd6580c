import type { Command } from 'commander';
import { createAppContext } from '../../main';
import { loadConfig } from '../../platform/config/config';
import { NotFoundError } from '../../platform/errors/errors';
import { PoolRepository } from '../../modules/pool/pool.repository';
import { parseListQuery, PoolService } from '../../modules/pool/pool.service';

/** `evarchive pool list [--unit CODE] [--state S] [--kind K] [--limit N] [--json]`: the operator's view of the pool. */
export function poolCommand(program: Command): void {
  const pool = program.command('pool').description('the voucher pool (票据池)');
  pool
    .command('list')
    .description('vouchers in the pool, newest first')
    .option('--unit <code>', 'only this unit')
    .option('--state <state>', 'available, claimed, reimbursed, booked or archived')
    .option('--kind <kind>', 'voucher kind, e.g. inv_ord, einv_spcl, bker')
    .option('--limit <n>', 'at most this many (1–10000)', '50')
    .option('--json', 'one JSON object per voucher per line')
    .action(async (opts: { unit?: string; state?: string; kind?: string; limit: string; json?: boolean }) => {
      const ctx = await createAppContext(loadConfig(), { jobs: false });
      try {
        let unitId: string | undefined;
        if (opts.unit) {
          const u = await ctx.get(PoolRepository).unitByCode(opts.unit);
          if (!u) throw new NotFoundError(`--unit: no unit with code "${opts.unit}"`, { field: 'unit' });
          unitId = u.id;
        }
        const q = parseListQuery({ unitId, state: opts.state, kind: opts.kind, limit: opts.limit }, 10_000);
        const page = await ctx.get(PoolService).listScoped({ unitIds: 'all', userId: null }, q);
        if (opts.json) {
          for (const v of page.items) process.stdout.write(JSON.stringify(v) + '\n');
          return;
        }
        const rows = page.items.map((v) => [v.unit?.code ?? '(personal)', v.kind, [v.invoiceCode, v.invoiceNumber ?? v.bankSerialNumber].filter(Boolean).join('/'), v.issueDate ?? '', v.totalAmount ?? '', v.signatureVerdict, v.state, v.id]);
        process.stdout.write(table(['unit', 'kind', 'number', 'date', 'total', 'verdict', 'state', 'id'], rows));
        if (page.nextCursor) process.stdout.write(`(more: raise --limit)\n`);
      } finally {
        await ctx.close();
      }
    });
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((s, i) => s.padEnd(widths[i])).join('  ').trimEnd() + '\n';
  return line(head) + rows.map(line).join('');
}

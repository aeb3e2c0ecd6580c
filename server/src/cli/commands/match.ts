import type { Command } from 'commander';
import { createAppContext } from '../../main';
import { MatchingService, type RunSummary } from '../../modules/matching/matching.service';
import { loadConfig } from '../../platform/config/config';
import { quiet } from './ledger';

/** `evarchive match --period YYYY-MM [--unit CODE] [--rules DIR] [--json]`: run matching and apply the links. */
export function matchCommand(program: Command): void {
  program
    .command('match')
    .description('link journal vouchers to original vouchers and bank statement lines by the matching rules')
    .requiredOption('--period <YYYY-MM>', 'accounting period')
    .option('--unit <code>', 'only this unit (default: every unit with journal vouchers in the period)')
    .option('--rules <dir>', 'rules folder (default: archive-rules/matching)')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { period: string; unit?: string; rules?: string; json?: boolean }) => {
      const ctx = await createAppContext(loadConfig(), { jobs: false, ...quiet(opts) });
      try {
        const s = await ctx.get(MatchingService).run({ operator: `cli:${process.env.USER ?? 'operator'}` }, { period: opts.period, unit: opts.unit, rulesDir: opts.rules });
        process.stdout.write(opts.json ? JSON.stringify(s) + '\n' : formatRun(s));
      } finally {
        await ctx.close();
      }
    });
}

export function formatRun(s: RunSummary): string {
  const out: string[] = [`matching ${s.period} with rules ${s.rulesDigest.slice(0, 12)}`];
  for (const u of s.units) {
    out.push(`${u.unitCode}: ${u.journals} journal vouchers, ${u.vouchers} candidate vouchers/lines → ${u.auto} auto links, ${u.suggestions} suggestions waiting, ${u.kept} decided by people kept, ${u.removed} stale removed (${u.ms} ms)`);
    out.push(`  unmatched journal vouchers: ${u.unmatchedJournals.length}${u.unmatchedJournals.length ? ' — ' + u.unmatchedJournals.slice(0, 10).map((j) => j.number).join(', ') + (u.unmatchedJournals.length > 10 ? ' …' : '') : ''}`);
    out.push(`  unmatched vouchers dated in the period: ${u.unmatchedVouchers.length}${u.unmatchedVouchers.length ? ' — ' + u.unmatchedVouchers.slice(0, 10).map((v) => `${v.kind} ${v.number ?? v.id} ${v.amount ?? ''}`.trim()).join('; ') + (u.unmatchedVouchers.length > 10 ? ' …' : '') : ''}`);
  }
  const t = s.totals;
  out.push(`total: ${t.auto} auto, ${t.suggestions} suggestions, ${t.unmatchedJournals} journal vouchers and ${t.unmatchedVouchers} vouchers unmatched`);
  return out.join('\n') + '\n';
}

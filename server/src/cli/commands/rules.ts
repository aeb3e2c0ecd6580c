import type { Command } from 'commander';
import { createAppContext } from '../../main';
import { loadRules, RuleError, DEFAULT_RULES_DIR } from '../../modules/matching/engine/rules';
import { MatchingService, type BacktestReport } from '../../modules/matching/matching.service';
import { loadConfig } from '../../platform/config/config';
import { quiet } from './ledger';

/** `evarchive rules check [dir]` and `evarchive rules backtest <dir> --period YYYY-MM [--unit CODE] [--json]`. */
export function rulesCommand(program: Command): void {
  const rules = program.command('rules').description('matching rules (archive-rules/matching)');
  rules
    .command('check [dir]')
    .description('validate a rules folder against archive-rules/schema/matching-rule.schema.json')
    .action((dir?: string) => {
      try {
        const set = loadRules(dir ?? DEFAULT_RULES_DIR);
        process.stdout.write(`${set.rules.length} rule(s) valid: ${set.rules.map((r) => `${r.id}@${r.version}`).join(', ')}\ndigest ${set.digest}\n`);
      } catch (e) {
        if (!(e instanceof RuleError)) throw e;
        process.stderr.write(e.message + '\n');
        process.exitCode = 1;
      }
    });
  rules
    .command('backtest <dir>')
    .description('what these rules would add, drop or change against the current links (nothing is applied)')
    .requiredOption('--period <YYYY-MM>', 'accounting period')
    .option('--unit <code>', 'only this unit')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, opts: { period: string; unit?: string; json?: boolean }) => {
      const ctx = await createAppContext(loadConfig(), { jobs: false, ...quiet(opts) });
      try {
        const r = await ctx.get(MatchingService).backtest({ period: opts.period, unit: opts.unit, rulesDir: dir });
        process.stdout.write(opts.json ? JSON.stringify(r) + '\n' : formatBacktest(r));
      } catch (e) {
        if (!(e instanceof RuleError)) throw e;
        process.stderr.write(e.message + '\n');
        process.exitCode = 1;
      } finally {
        await ctx.close();
      }
    });
}

export function formatBacktest(r: BacktestReport): string {
  const out = [`backtest ${r.period}: rules ${r.rules.ids.join(', ')} (${r.rules.digest.slice(0, 12)}) — nothing applied`];
  out.push(`  would add ${r.added.length}, drop ${r.dropped.length}, change ${r.changed.length}; ${r.unchanged} unchanged`);
  for (const a of r.added.slice(0, 50)) out.push(`  + ${a.journal} ↔ ${a.voucher}  ${a.tier} ${a.score} (${a.ruleId}@${a.ruleVersion})`);
  for (const d of r.dropped.slice(0, 50)) out.push(`  - ${d.journal} ↔ ${d.voucher}  ${d.tier} (${d.ruleId}@${d.ruleVersion})${d.decidedByPerson ? ' — accepted by a person, would be kept' : ''}`);
  for (const c of r.changed.slice(0, 50)) out.push(`  ~ ${c.journal} ↔ ${c.voucher}  ${c.from.tier} ${c.from.score} (${c.from.ruleId}@${c.from.ruleVersion}) → ${c.to.tier} ${c.to.score} (${c.to.ruleId}@${c.to.ruleVersion})`);
  return out.join('\n') + '\n';
}

import type { Command } from 'commander';
import { createAppContext } from '../../main';
import { loadConfig } from '../../platform/config/config';
import { describeDemo, loadDemo } from '../../modules/demo/demo';

/**
 * `evarchive demo load [--json] [--period YYYY-MM] [--force]`: loads the labelled demo unit (演示单位（示例数据）)
 * into the configured database, as `serve` does on first start. Loaded once; `--force` loads the month again.
 */
export function demoCommand(program: Command): void {
  const demo = program.command('demo').description('the labelled demo unit (示例数据) that serve loads on first start');
  demo
    .command('load')
    .description('load the demo unit, users and one month of vouchers, journal vouchers, links and a draft volume')
    .option('--json', 'print the summary as one JSON object')
    .option('--period <YYYY-MM>', 'the demo month (default: last month)')
    .option('--force', 'load even when the demo was loaded before')
    .action(async (opts: { json?: boolean; period?: string; force?: boolean }) => {
      const config = loadConfig();
      const ctx = await createAppContext(config, { jobs: false });
      try {
        const summary = await loadDemo(ctx, { period: opts.period, force: opts.force });
        if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
        else if (!summary.loaded) console.log('the demo was loaded before (use --force to load it again)');
        else console.log(describeDemo(summary));
      } finally {
        await ctx.close();
      }
    });
}

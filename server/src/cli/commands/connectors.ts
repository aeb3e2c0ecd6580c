import type { Command } from 'commander';
import { createAppContext } from '../../main';
import { loadConfig } from '../../platform/config/config';
import { ConnectorsService } from '../../modules/pool/connectors/connectors.service';

/**
 * `evarchive connectors list [--json]` and `evarchive connectors run <id> [--json]`: the operator's manual pull of a
 * bank SFTP connector, with a summary (listed / fetched / skipped / failed and the ingest outcomes).
 */
export function connectorsCommand(program: Command): void {
  const cmd = program.command('connectors').description('bank SFTP connectors of the voucher pool (银行回单/对账单)');
  cmd
    .command('list')
    .description('every connector with its last run')
    .option('--json', 'one JSON object per connector per line')
    .action(async (opts: { json?: boolean }) => {
      const ctx = await createAppContext(loadConfig(), { jobs: false });
      try {
        const { items } = await ctx.get(ConnectorsService).list({ kind: 'user', id: 'cli', username: 'cli', displayName: 'cli', grants: [{ role: 'system_admin', unitId: null }], sessionId: null });
        for (const c of items) {
          if (opts.json) process.stdout.write(JSON.stringify(c) + '\n');
          else process.stdout.write(`${c.id}  ${c.name}  sftp://${c.username}@${c.host}:${c.port}${c.remoteDir}  ${c.filePattern}  ${c.scheduleCron ?? '(manual)'}  last: ${c.lastRun ? `${c.lastRun.status} ${c.lastRun.fetched} fetched` : 'never'}\n`);
        }
      } finally {
        await ctx.close();
      }
    });
  cmd
    .command('run <id>')
    .description('pull now: fetch new files and hand them to the ingest pipeline')
    .option('--json', 'the run summary as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const ctx = await createAppContext(loadConfig(), { jobs: false });
      try {
        const r = await ctx.get(ConnectorsService).run(id, 'cli', 'system', {
          onFile: (f) => !opts.json && process.stdout.write(`  ${f.outcome.padEnd(10)} ${f.remotePath}\n`),
        });
        if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
        else {
          const outcomes = Object.entries(r.outcomes).map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing new';
          process.stdout.write(`run ${r.runId}: ${r.status}; ${r.listed} listed, ${r.fetched} fetched, ${r.skipped} already fetched, ${r.failed} failed (${outcomes})\n`);
          if (r.error) process.stdout.write(`error: ${r.error}\n`);
        }
        if (r.status !== 'ok') process.exitCode = 1;
      } finally {
        await ctx.close();
      }
    });
}

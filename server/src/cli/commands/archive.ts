import type { Command } from 'commander';
import { createAppContext } from '../../main';
import { ArchiveRefusedError, ArchiveService } from '../../modules/archive/archive.service';
import { loadConfig } from '../../platform/config/config';

/** `evarchive archive --volume <id|档号> [--sm2] [--json]`: check, package, mark archived. */
export function archiveCommand(program: Command): void {
  program
    .command('archive')
    .description('archive a volume (归档): archiving-stage checks (refused on veto failures), signed package, read-only items')
    .requiredOption('--volume <ref>', 'volume id or 档号')
    .option('--sm2', 'sign the package manifest with SM2/SM3 instead of RSA-SHA256')
    .option('--importance <level>', 'high or normal (default: high for permanent retention)')
    .option('--json', 'print the outcome as JSON')
    .action(async (opts: { volume: string; sm2?: boolean; importance?: string; json?: boolean }) => {
      if (opts.importance && opts.importance !== 'high' && opts.importance !== 'normal') throw new Error('--importance: high or normal');
      const ctx = await createAppContext(loadConfig(), { jobs: false });
      try {
        const r = await ctx.get(ArchiveService).archive(opts.volume, { type: 'system', id: null, name: `cli:${process.env.USER ?? 'operator'}` }, { signatureAlgorithm: opts.sm2 ? 'sm2-sm3' : 'rsa-sha256', importance: opts.importance as 'high' | undefined });
        if (opts.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        else process.stdout.write(`archived ${r.archivalCode}: ${r.items} items, ${r.files} files in ${r.packageKey} (SHA-256 ${r.sha256}, SM3 ${r.sm3}); check run ${r.runId}\n`);
      } catch (e) {
        if (e instanceof ArchiveRefusedError) {
          const v = (e.details as { vetoFailures: { code: string; itemId: string; message: string }[] }).vetoFailures;
          process.stderr.write(`evarchive: archive_refused: ${e.message.split(':')[0]}:\n${v.map((x) => `  ${x.code} [${x.itemId}] ${x.message}`).join('\n')}\n`);
          process.exitCode = 1;
          return;
        }
        throw e;
      } finally {
        await ctx.close();
      }
    });
}

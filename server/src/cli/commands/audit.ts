import type { Command } from 'commander';
import { verifyAuditChain } from '../../platform/audit/audit.service';
import { loadConfig } from '../../platform/config/config';
import { openDatabase } from '../../platform/database/open';

export function auditCommand(program: Command): void {
  program
    .command('audit')
    .description('the audit log (审计日志)')
    .command('verify')
    .description('recompute the SM3 hash chain; prints ok or the first broken link (exit code 1 when broken)')
    .action(async () => {
      const config = loadConfig();
      const handle = await openDatabase(config);
      try {
        const v = await verifyAuditChain(handle.db);
        if (v.ok) {
          console.log(`audit chain ok: ${v.entries} entries${v.lastSeq ? `, last seq ${v.lastSeq}, head ${v.lastHash}` : ''}`);
        } else {
          console.error(`audit chain BROKEN at seq ${v.seq} (${v.reason}): ${v.message}; ${v.entries} entries before it verified`);
          process.exitCode = 1;
        }
      } finally {
        await handle.close();
      }
    });
}

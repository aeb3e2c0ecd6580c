import type { Command } from 'commander';
import { loadConfig } from '../../platform/config/config';
import { openDatabase } from '../../platform/database/open';

export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (also done on every start)')
    .action(async () => {
      const config = loadConfig();
      const handle = await openDatabase(config, { migrate: false });
      try {
        const { applied } = await handle.migrate();
        console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await handle.close();
      }
    });
}

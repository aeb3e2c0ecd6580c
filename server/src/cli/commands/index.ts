import type { Command } from 'commander';
import { migrateCommand } from './migrate';
import { serveCommand } from './serve';
import { clientCommand, fondsCommand, unitCommand, userCommand } from './user';
import { auditCommand } from './audit';
import { inspectCommand } from './inspect';
import { ledgerCommand } from './ledger';
import { matchCommand } from './match';
import { rulesCommand } from './rules';
import { searchCommand } from './search';
import { ingestCommand } from './ingest';
import { poolCommand } from './pool';
import { batchesCommand } from './batches';
import { connectorsCommand } from './connectors';
import { retentionCommand, volumesCommand } from './volumes';
import { checkCommand } from './check';
import { archiveCommand } from './archive';
import { packageCommand } from './package';
import { reportCommand } from './report';

/** Every CLI command, registered in the order `evarchive --help` lists them. */
export function registerCommands(program: Command): void {
  serveCommand(program);
  migrateCommand(program);
  userCommand(program);
  unitCommand(program);
  fondsCommand(program);
  clientCommand(program);
  auditCommand(program);
  inspectCommand(program);
  ledgerCommand(program);
  matchCommand(program);
  rulesCommand(program);
  searchCommand(program);
  ingestCommand(program);
  poolCommand(program);
  batchesCommand(program);
  connectorsCommand(program);
  volumesCommand(program);
  retentionCommand(program);
  (require('./demo') as typeof import('./demo')).demoCommand(program);
  checkCommand(program);
  archiveCommand(program);
  packageCommand(program);
  reportCommand(program);
}

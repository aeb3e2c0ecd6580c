import type { Command } from 'commander';
import { migrateCommand } from './migrate';

/** Every CLI command, registered in the order `evarchive --help` lists them. */
export function registerCommands(program: Command): void {
  migrateCommand(program);
}

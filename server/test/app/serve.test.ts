import { sql } from 'kysely';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase } from '../support/db';

/**
 * `evarchive serve` as an operator runs it: a child process on a fresh data folder with the embedded PostgreSQL
 * (DATABASE_URL unset), then `evarchive migrate` beside it, then SIGTERM. Ports: HTTP 3100-3199, embedded
 * PostgreSQL 54400-54499 (this engineer's ranges).
 */
jest.setTimeout(120_000);

const BIN = resolve(__dirname, '../../bin/evarchive.js');
const dataDir = mkdtempSync(join(tmpdir(), 'evarchive-serve-'));
const httpPort = 3100 + Math.floor(Math.random() * 100);
const pgPort = 54400 + Math.floor(Math.random() * 50);
const children: ChildProcess[] = [];

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, EVARCHIVE_DATA_DIR: dataDir, EVARCHIVE_EMBEDDED_PG_PORT: String(pgPort), EVARCHIVE_FROM_SRC: '1', EVARCHIVE_DEMO: 'false', ...extra };
  delete e.DATABASE_URL;
  delete e.EVARCHIVE_CONFIG;
  return e;
}

interface Server {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(httpPort), '--host', '127.0.0.1'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const started = Date.now();
  while (!out.includes('listening on')) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}:\n${out}`);
    if (Date.now() - started > 60_000) throw new Error(`serve did not start within 60 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => out, exited };
}

async function stop(server: Server): Promise<number | null> {
  server.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref());
  const code = await Promise.race([server.exited, timeout]);
  if (code === 'timeout') throw new Error(`serve did not stop within 30 s:\n${server.output()}`);
  return code;
}

/** PIDs of postmasters serving this data folder (children of a postmaster do not carry `-D`). */
function postmasters(): number[] {
  const clusterDir = join(dataDir, 'pg');
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const d = args.indexOf('-D');
      if (d >= 0 && args[d + 1] === clusterDir) pids.push(Number(entry));
    } catch {
      /* the process ended while we looked */
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), r(true)));
    s.once('error', () => r(false));
  });
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  // A killed server leaves its PostgreSQL running: stop it too, so no process outlives the test.
  for (const pid of postmasters()) process.kill(pid, 'SIGINT');
  for (let i = 0; i < 50 && postmasters().length; i++) await new Promise((r) => setTimeout(r, 100));
  rmSync(dataDir, { recursive: true, force: true });
});

test('serve on an empty data folder: embedded PostgreSQL, first admin, health and docs, migrate joins, SIGTERM stops all', async () => {
  const server = await startServer();
  const out = server.output();
  expect(out).toContain(`listening on http://127.0.0.1:${httpPort}`);
  expect(out).toMatch(/username: admin\n\s+password: \S{12,}\n/);

  const health = await fetch(`http://127.0.0.1:${httpPort}/api/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok', version: '0.1.0', db: 'ok', jobs: 'running' });
  const docs = await fetch(`http://127.0.0.1:${httpPort}/api/docs`);
  expect(docs.status).toBe(200);
  expect(await docs.text()).toContain('swagger-ui');

  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  const [pgPid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
  expect(Number(port)).toBe(pgPort);
  expect(postmasters()).toEqual([Number(pgPid)]);

  // Another port configured for migrate: it must still use the running cluster, not start a second one.
  const otherPort = pgPort + 50;
  const migrate = spawnSync(process.execPath, [BIN, 'migrate'], { env: env({ EVARCHIVE_EMBEDDED_PG_PORT: String(otherPort) }), encoding: 'utf8', timeout: 60_000 });
  expect(migrate.stderr).toBe('');
  expect(migrate.stdout.trim()).toBe('database is up to date');
  expect(migrate.status).toBe(0);
  expect(postmasters()).toEqual([Number(pgPid)]);
  expect(await portAnswers(otherPort)).toBe(false);
  expect((await fetch(`http://127.0.0.1:${httpPort}/api/health`)).status).toBe(200);

  expect(await stop(server)).toBe(0);
  expect(server.output()).toContain('evarchive: stopped');
  expect(alive(Number(pgPid))).toBe(false);
  expect(postmasters()).toEqual([]);
  expect(existsSync(pidFile)).toBe(false);

  // Second start on the same folder: the cluster and the admin persist; no password is printed again.
  const again = await startServer();
  expect(again.output()).not.toContain('password:');
  expect((await fetch(`http://127.0.0.1:${httpPort}/api/health`)).status).toBe(200);
  expect(await stop(again)).toBe(0);
  expect(postmasters()).toEqual([]);
});

test('serve with DATABASE_URL uses that server; a taken port is reported and nothing is left running', async () => {
  const testDb = await createTestDatabase({ migrate: false });
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(httpPort + 1 > 3199 ? 3100 : httpPort + 1, '127.0.0.1', () => r()));
  const taken = (blocker.address() as { port: number }).port;
  const folder = mkdtempSync(join(tmpdir(), 'evarchive-serve-url-'));
  try {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--port', String(taken), '--host', '127.0.0.1'], {
      env: { ...env({ EVARCHIVE_DATA_DIR: folder }), DATABASE_URL: testDb.url },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`evarchive: port_in_use: port ${taken} on 127.0.0.1 is already in use (--port / PORT)`);
    // It migrated the given database and started no embedded PostgreSQL of its own.
    expect(existsSync(join(folder, 'pg'))).toBe(false);
    const migrated = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(testDb.db);
    expect(migrated.rows[0]?.name).toBe('0100_platform');
  } finally {
    blocker.close();
    rmSync(folder, { recursive: true, force: true });
    await testDb.drop();
  }
});

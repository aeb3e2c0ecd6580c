/**
 * Ingest throughput: factory-made sealed OFD invoices (GB/T 38540 seal, SM2) through the voucher pool's one
 * pipeline, with the real database and the real (local) object store.
 *
 *   DATABASE_URL=postgres://… npm run bench:ingest
 *     BENCH_INGEST_COUNT=200 (vouchers per path), BENCH_INGEST_CONCURRENCY=16 (API requests in flight),
 *     BENCH_INGEST_READERS (reader threads; default: the cores available)
 *
 * DATABASE_URL names a server where a scratch database may be created (it is dropped afterwards). Measured:
 *   1. readers alone: inspectFile (parse + seal verification) on warm caches, one thread — the ceiling of a core;
 *      then the pipeline's reader threads alone, all at once (no store, no database) — the ceiling of the machine;
 *   2. the pipeline in-process: IngestService as `evarchive ingest` drives it, batch recorded first;
 *   3. the CLI itself: `evarchive ingest <dir> --unit BENCH --json` as a child process on files on disk (start-up
 *      and compiling the sources counted in its wall time, not in the batch's seconds);
 *   4. the API: signed issuer pushes over loopback HTTP (port 3400–3499), several in flight.
 * Besides wall time, each path's CPU time: this process's (every thread: process.cpuUsage) or the CLI child's
 * (its own report), and the PostgreSQL backends' serving the scratch database (/proc/<pid>/stat), so a figure
 * taken on the shared, loaded machine can be projected to an idle one. Generation time is not counted. Figures
 * are printed and written into docs/benchmarks.md (section "Ingest").
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { createFactory, type GeneratedFile } from '../src/formats/factory';
import { inspectFile } from '../src/formats/inspect';
import { createApp, createAppContext } from '../src/main';
import { loadConfig } from '../src/platform/config/config';
import { createDb, migrateToLatest, type Db } from '../src/platform/database/database';
import { ApiClientService } from '../src/platform/identity/api-client.service';
import { OrgService } from '../src/platform/identity/org.service';
import { signRequest } from '../src/platform/identity/sign-request';
import { IngestService, sha256Of, type BatchOptions } from '../src/modules/pool/ingest.service';
import { ReadPool } from '../src/modules/pool/pipeline/read-pool';

const COUNT = Number(process.env.BENCH_INGEST_COUNT ?? 200);
const CONCURRENCY = Number(process.env.BENCH_INGEST_CONCURRENCY ?? 16);
/** Files through the pipeline before it is timed: the reader threads load (and, from the sources, compile) the readers. */
const WARM_UP = 40;
const READERS = Number(process.env.BENCH_INGEST_READERS ?? availableParallelism());
const ROOT = path.resolve(__dirname, '../..');

async function main() {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('DATABASE_URL is required (a PostgreSQL server where a scratch database may be created)');
  const dbName = `evbench_ingest_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName} template template0 encoding 'UTF8' lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8'`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'evarchive-bench-ingest-'));
  const config = loadConfig({ EVARCHIVE_DATA_DIR: dataDir, DATABASE_URL: url.toString(), EVARCHIVE_LOG_LEVEL: 'error', EVARCHIVE_DEMO: 'false' }, dataDir);
  const db = createDb(url.toString(), { max: 10 });
  await migrateToLatest(db);
  const database = { db, url: url.toString(), migrate: () => migrateToLatest(db), close: async () => undefined };
  try {
    console.log(`generating ${3 * COUNT + WARM_UP} sealed OFD invoices …`);
    const factory = createFactory({ seed: 'bench-ingest' });
    const files = [...factory.ofdInvoices({ count: 3 * COUNT + WARM_UP, kinds: ['inv_ord', 'inv_spcl', 'einv_ord', 'einv_spcl'] })];
    const warmUp = files.splice(3 * COUNT);
    const cliFiles = files.slice(0, COUNT);
    const apiFiles = files.slice(COUNT, 2 * COUNT);
    const diskFiles = files.slice(2 * COUNT);
    const avgKb = files.reduce((s, f) => s + f.bytes.length, 0) / files.length / 1024;
    const loadAtStart = loadavg()[0];

    // 1. Readers alone, warm (first pass warms the seal and key caches).
    for (const f of cliFiles.slice(0, 20)) await inspectFile(f.bytes, f.name);
    let t0 = performance.now();
    let cpu0 = process.cpuUsage();
    for (const f of cliFiles) {
      const r = await inspectFile(f.bytes, f.name);
      if (r.errors.length || r.signatureVerdict !== 'valid') throw new Error(`${f.name}: ${r.errors.join('; ') || r.signatureVerdict}`);
    }
    const readers = { wall: (performance.now() - t0) / 1000, cpu: cpuSince(cpu0), pg: 0 };

    // 1b. The reader threads alone, all of them at once (the pipeline's ReadPool, no store, no database): what
    // parse + verify can do when every core is busy — the ceiling for any pipeline on this machine.
    const pool = new ReadPool(READERS);
    for (const f of warmUp) await pool.run({ filename: f.name, sha256: sha256Of(f.bytes), bytes: f.bytes });
    await Promise.all(Array.from({ length: READERS }, (_, i) => pool.run({ filename: cliFiles[i].name, sha256: sha256Of(cliFiles[i].bytes), bytes: cliFiles[i].bytes })));
    const tasks = cliFiles.map((f) => ({ filename: f.name, sha256: sha256Of(f.bytes), bytes: f.bytes }));
    t0 = performance.now();
    cpu0 = process.cpuUsage();
    const answers = await Promise.all(tasks.map((task) => pool.run(task)));
    const threads = { wall: (performance.now() - t0) / 1000, cpu: cpuSince(cpu0), pg: 0 };
    await pool.close();
    const notValid = answers.find((a) => a.stop || a.voucher?.signatureVerdict !== 'valid');
    if (notValid) throw new Error(`reader threads: ${notValid.stop?.message ?? notValid.voucher?.signatureVerdict}`);

    // 2. The pipeline in-process, as the CLI drives it.
    const ctx = await createAppContext(config, { database, jobs: false, logger: false });
    const unit = await ctx.get(OrgService).createUnit('system', { code: 'BENCH', name: '示例基准单位' });
    const ingest = ctx.get(IngestService);
    ingest.useReaders(READERS);
    const opts: BatchOptions = { channel: 'folder', routing: { unitId: unit.id, routableUnitIds: 'all' }, actor: { type: 'system', id: null, name: 'bench' } };
    const warm = await ingest.openBatch(opts, warmUp.map((f) => ({ filename: f.name, sourceRef: f.name, sha256: sha256Of(f.bytes), size: f.bytes.length })));
    await ingest.runBatch(warm.batchId, opts, async (it) => warmUp.find((f) => f.name === it.filename)!.bytes);
    let pg0 = await backendCpu(db, dbName);
    t0 = performance.now();
    cpu0 = process.cpuUsage();
    const { batchId } = await ingest.openBatch(opts, cliFiles.map((f) => ({ filename: f.name, sourceRef: f.name, sha256: sha256Of(f.bytes), size: f.bytes.length })));
    const byName = new Map(cliFiles.map((f) => [f.name, f.bytes]));
    const run = await ingest.runBatch(batchId, opts, async (it) => byName.get(it.filename)!);
    const inproc = { wall: (performance.now() - t0) / 1000, cpu: cpuSince(cpu0), pg: backendCpuSince(pg0, await backendCpu(db, dbName)) };
    const created = run.outcomes.filter((o) => o.outcome === 'created').length;
    if (created !== COUNT) throw new Error(`in-process: ${created} of ${COUNT} created: ${JSON.stringify(run.outcomes.find((o) => o.outcome !== 'created'))}`);
    const steps = (
      await sql<{ step: string; ms: string }>`
        select s->>'step' as step, round(avg((s->>'ms')::numeric), 1)::text as ms
        from ingest_item, jsonb_array_elements(steps) s where batch_id = ${batchId} group by 1 order by min((s->>'ms')::numeric) desc`.execute(db)
    ).rows;
    await ctx.close();

    // 3. The CLI itself on files on disk.
    const dir = path.join(dataDir, 'incoming');
    mkdirSync(dir);
    for (const f of diskFiles) writeFileSync(path.join(dir, f.name), f.bytes);
    const cli = await runCli(dir, { ...process.env, DATABASE_URL: url.toString(), EVARCHIVE_DATA_DIR: dataDir, EVARCHIVE_FROM_SRC: '1', EVARCHIVE_LOG_LEVEL: 'error', EVARCHIVE_DEMO: 'false' }, db, dbName);
    if (cli.summary.created !== COUNT) throw new Error(`CLI: ${JSON.stringify(cli.summary)}`);

    // 4. The issuer API over loopback HTTP.
    const app = await createApp(config, { database, jobs: false, logger: false, webDist: false });
    app.get(IngestService).useReaders(READERS);
    const port = await listenInRange(app, 3400, 3499);
    const client = await app.get(ApiClientService).create('system', { name: 'bench issuer', role: 'issuer', unitCodes: ['BENCH'] });
    pg0 = await backendCpu(db, dbName);
    t0 = performance.now();
    cpu0 = process.cpuUsage();
    let next = 0;
    let ok = 0;
    const worker = async () => {
      while (next < apiFiles.length) {
        const f = apiFiles[next++];
        const body = JSON.stringify({ filename: f.name, content: Buffer.from(f.bytes).toString('base64') });
        const p = '/api/pool/issuer/vouchers';
        const res = await fetch(`http://127.0.0.1:${port}${p}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signRequest({ keyId: client.keyId, secret: client.secret, method: 'POST', path: p, body }) },
          body,
        });
        const j = (await res.json()) as { outcome?: string };
        if (res.status !== 201 || j.outcome !== 'created') throw new Error(`API: ${f.name}: ${res.status} ${JSON.stringify(j)}`);
        ok++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const api = { wall: (performance.now() - t0) / 1000, cpu: cpuSince(cpu0), pg: backendCpuSince(pg0, await backendCpu(db, dbName)) };
    await app.close();

    const rows: [string, number, { wall: number; cpu: number; pg: number }][] = [
      ['readers alone (parse + verify, warm, main thread only)', COUNT, readers],
      [`reader threads alone, all at once (parse + verify, warm, ${READERS} threads, no store, no database)`, COUNT, threads],
      [`pipeline in-process, warm (${READERS} reader threads)`, COUNT, inproc],
      [`CLI \`evarchive ingest <dir> --json\`, cold (batch only; ${cli.wall.toFixed(1)} s with start-up)`, COUNT, { wall: cli.summary.seconds, cpu: cli.summary.cpuSeconds, pg: cli.pg }],
      [`issuer API, ${CONCURRENCY} requests in flight, cold (server + client in one process)`, ok, api],
    ];
    const table = rows.map(([name, n, m]) => {
      const cpuMs = ((m.cpu + m.pg) * 1000) / n;
      return { name, perSecond: n / m.wall, nodeMs: (m.cpu * 1000) / n, pgMs: (m.pg * 1000) / n, projected: 2000 / cpuMs };
    });
    for (const r of table) {
      console.log(`${r.name}: ${r.perSecond.toFixed(1)} vouchers/s; CPU per voucher ${r.nodeMs.toFixed(2)} ms node + ${r.pgMs.toFixed(2)} ms PostgreSQL → projected idle 2 cores ${r.projected.toFixed(0)}/s`);
    }
    if (steps.length) console.log(`in-process, mean wall ms per step: ${steps.map((r) => `${r.step} ${r.ms}`).join(', ')}`);
    writeResults({
      at: new Date().toISOString().slice(0, 16).replace('T', ' '),
      node: process.version,
      cpu: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}`,
      load: `${loadAtStart.toFixed(1)} → ${loadavg()[0].toFixed(1)}`,
      count: COUNT,
      avgKb: avgKb.toFixed(1),
      readers: READERS,
      concurrency: CONCURRENCY,
      table,
      steps: steps.map((r) => `${r.step} ${r.ms}`).join(', '),
    });
  } finally {
    await db.destroy();
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function listenInRange(app: Awaited<ReturnType<typeof createApp>>, from: number, to: number): Promise<number> {
  for (let p = from; p <= to; p++) {
    try {
      await app.listen(p, '127.0.0.1');
      return p;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
  throw new Error(`no free port in ${from}–${to}`);
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/** CPU seconds so far of each PostgreSQL backend serving `dbName` (Linux /proc; clock ticks of 1/100 s). */
async function backendCpu(db: Db, dbName: string): Promise<Map<number, number>> {
  const pids = (await sql<{ pid: number }>`select pid from pg_stat_activity where datname = ${dbName}`.execute(db)).rows.map((r) => r.pid);
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // the backend ended meanwhile
    }
  }
  return out;
}

/** CPU the backends spent since `before` (a backend that started since counts from zero). */
function backendCpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let s = 0;
  for (const [pid, v] of after) s += v - (before.get(pid) ?? 0);
  return s;
}

/**
 * `evarchive ingest <dir> --unit BENCH --json` as a child process; its backends' CPU is sampled while it runs
 * (the last sample before a backend ends is what counts, so a few tens of milliseconds per backend may be missed).
 */
async function runCli(dir: string, env: NodeJS.ProcessEnv, db: Db, dbName: string): Promise<{ wall: number; summary: { created: number; seconds: number; cpuSeconds: number }; pg: number }> {
  const before = await backendCpu(db, dbName);
  const seen = new Map<number, number>();
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'server', 'bin', 'evarchive.js'), 'ingest', dir, '--unit', 'BENCH', '--json', ...(process.env.BENCH_INGEST_READERS ? ['--readers', String(READERS)] : [])], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  let running = true;
  const sampler = (async () => {
    while (running) {
      for (const [pid, v] of await backendCpu(db, dbName)) if (!before.has(pid)) seen.set(pid, v);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  running = false;
  await sampler;
  const wall = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`evarchive ingest exited with ${code}: ${stderr}`);
  const lines = stdout.trim().split('\n');
  return { wall, summary: JSON.parse(lines[lines.length - 1]), pg: [...seen.values()].reduce((a, b) => a + b, 0) };
}

interface Figures {
  at: string;
  node: string;
  cpu: string;
  load: string;
  count: number;
  avgKb: string;
  readers: number;
  concurrency: number;
  table: { name: string; perSecond: number; nodeMs: number; pgMs: number; projected: number }[];
  steps: string;
}

/** Writes the run at the end of the "Ingest" section of docs/benchmarks.md; other sections are left as they are. */
function writeResults(f: Figures): void {
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  if (!/^## Ingest$/m.test(text)) text = text.replace(/\n*$/, '\n\n## Ingest\n');
  const run = [
    `### ${f.at} UTC — \`npm run bench:ingest\` (Node ${f.node}, ${f.cpu}, load average ${f.load}, ${f.readers} reader threads)`,
    '',
    `${f.count} vouchers per path, ${f.avgKb} KB on average. "projected" = 2 cores ÷ (node + PostgreSQL CPU per voucher): a projection to an idle 2-core machine, not a measurement.`,
    '',
    '| path | vouchers/s (measured) | node CPU ms/voucher | PostgreSQL CPU ms/voucher | projected idle 2 cores |',
    '|---|---:|---:|---:|---:|',
    ...f.table.map((r) => `| ${r.name} | ${r.perSecond.toFixed(1)} | ${r.nodeMs.toFixed(2)} | ${r.pgMs.toFixed(2)} | ${r.projected.toFixed(0)}/s |`),
    '',
    `In-process, mean wall ms per step (reader threads for identify…verify and, with a local store, store: its wall time includes waiting for the disk's syncs while the thread reads the next file): ${f.steps}`,
    '',
  ].join('\n');
  const start = text.search(/^## Ingest$/m);
  const next = text.slice(start + 1).search(/^## /m);
  const at = next < 0 ? text.length : start + 1 + next;
  text = `${text.slice(0, at).replace(/\n*$/, '\n\n')}${run}\n${text.slice(at)}`;
  writeFileSync(file, text);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

/**
 * Ingest throughput: factory-made sealed OFD invoices (GB/T 38540 seal, SM2) through the voucher pool's one
 * pipeline, with the real database and the real (local) object store.
 *
 *   DATABASE_URL=postgres://… npm run bench:ingest            (BENCH_INGEST_COUNT=200, BENCH_INGEST_CONCURRENCY=4)
 *
 * DATABASE_URL names a server where a scratch database may be created (it is dropped afterwards). Measured:
 *   1. readers alone: inspectFile (parse + seal verification) on warm caches, one thread — the ceiling;
 *   2. the CLI path: IngestService in-process (what `evarchive ingest` runs), batch recorded first;
 *   3. the API: signed issuer pushes over loopback HTTP (port 3400–3499), several in flight.
 * Generation time is not counted. Figures are printed and appended to docs/benchmarks.md (section "Ingest").
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { createFactory, type GeneratedFile } from '../src/formats/factory';
import { inspectFile } from '../src/formats/inspect';
import { createApp, createAppContext } from '../src/main';
import { loadConfig } from '../src/platform/config/config';
import { createDb, migrateToLatest } from '../src/platform/database/database';
import { ApiClientService } from '../src/platform/identity/api-client.service';
import { OrgService } from '../src/platform/identity/org.service';
import { signRequest } from '../src/platform/identity/sign-request';
import { IngestService, sha256Of, type BatchOptions } from '../src/modules/pool/ingest.service';

const COUNT = Number(process.env.BENCH_INGEST_COUNT ?? 200);
const CONCURRENCY = Number(process.env.BENCH_INGEST_CONCURRENCY ?? 4);
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
    console.log(`generating ${2 * COUNT} sealed OFD invoices …`);
    const factory = createFactory({ seed: 'bench-ingest' });
    const files = [...factory.ofdInvoices({ count: 2 * COUNT, kinds: ['inv_ord', 'inv_spcl', 'einv_ord', 'einv_spcl'] })];
    const cliFiles = files.slice(0, COUNT);
    const apiFiles = files.slice(COUNT);
    const avgKb = files.reduce((s, f) => s + f.bytes.length, 0) / files.length / 1024;

    // 1. Readers alone, warm (first pass warms the seal and key caches).
    for (const f of cliFiles.slice(0, 20)) await inspectFile(f.bytes, f.name);
    let t0 = performance.now();
    for (const f of cliFiles) {
      const r = await inspectFile(f.bytes, f.name);
      if (r.errors.length || r.signatureVerdict !== 'valid') throw new Error(`${f.name}: ${r.errors.join('; ') || r.signatureVerdict}`);
    }
    const readersPerSecond = COUNT / ((performance.now() - t0) / 1000);

    // 2. The CLI path, in-process.
    const ctx = await createAppContext(config, { database, jobs: false, logger: false });
    const unit = await ctx.get(OrgService).createUnit('system', { code: 'BENCH', name: '示例基准单位' });
    const ingest = ctx.get(IngestService);
    const opts: BatchOptions = { channel: 'folder', routing: { unitId: unit.id, routableUnitIds: 'all' }, actor: { type: 'system', id: null, name: 'bench' } };
    t0 = performance.now();
    const { batchId } = await ingest.openBatch(opts, cliFiles.map((f) => ({ filename: f.name, sourceRef: f.name, sha256: sha256Of(f.bytes), size: f.bytes.length })));
    const byName = new Map(cliFiles.map((f) => [f.name, f.bytes]));
    const run = await ingest.runBatch(batchId, opts, async (it) => byName.get(it.filename)!, { concurrency: CONCURRENCY });
    const cliSeconds = (performance.now() - t0) / 1000;
    const created = run.outcomes.filter((o) => o.outcome === 'created').length;
    if (created !== COUNT) throw new Error(`CLI path: ${created} of ${COUNT} created: ${JSON.stringify(run.outcomes.find((o) => o.outcome !== 'created'))}`);
    const steps = (
      await sql<{ step: string; ms: string }>`
        select s->>'step' as step, round(avg((s->>'ms')::numeric), 1)::text as ms
        from ingest_item, jsonb_array_elements(steps) s where batch_id = ${batchId} group by 1 order by min((s->>'ms')::numeric) desc`.execute(db)
    ).rows;
    await ctx.close();

    // 3. The issuer API over loopback HTTP.
    const app = await createApp(config, { database, jobs: false, logger: false, webDist: false });
    const port = await listenInRange(app, 3400, 3499);
    const client = await app.get(ApiClientService).create('system', { name: 'bench issuer', role: 'issuer', unitCodes: ['BENCH'] });
    t0 = performance.now();
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
    const apiSeconds = (performance.now() - t0) / 1000;
    await app.close();

    const fig = {
      at: new Date().toISOString().slice(0, 16).replace('T', ' '),
      node: process.version,
      cpu: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}`,
      load: loadavg()[0].toFixed(1),
      count: COUNT,
      avgKb: avgKb.toFixed(1),
      readers: readersPerSecond.toFixed(1),
      cli: (COUNT / cliSeconds).toFixed(1),
      api: (ok / apiSeconds).toFixed(1),
      concurrency: CONCURRENCY,
      steps: steps.map((r) => `${r.step} ${r.ms}`).join(', '),
    };
    console.log(`readers alone (parse + verify, warm, 1 thread): ${fig.readers} vouchers/s`);
    console.log(`CLI path (in-process pipeline, DB + storage, ${CONCURRENCY} in flight): ${fig.cli} vouchers/s (${COUNT} in ${cliSeconds.toFixed(1)} s)`);
    console.log(`issuer API (signed HTTP, ${CONCURRENCY} in flight): ${fig.api} vouchers/s (${ok} in ${apiSeconds.toFixed(1)} s)`);
    if (steps.length) console.log(`CLI path, mean ms per step: ${steps.map((r) => `${r.step} ${r.ms}`).join(', ')}`);
    appendResults(fig);
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

/** Appends to docs/benchmarks.md, creating the "Ingest" section once; other sections are left as they are. */
function appendResults(f: Record<string, string | number>): void {
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const out: string[] = [];
  if (!/^## Ingest$/m.test(text)) {
    out.push(
      '',
      '## Ingest',
      '',
      'Factory-made sealed OFD invoices (`formats/factory`, GB/T 38540 seal over every part, SM2) through the voucher pool\'s one ingest pipeline (`server/src/modules/pool`): identify → unpack → parse → verify → normalise → store (local object store: temp file, fsync, link) → dedupe → record + an audit entry per voucher, 32 vouchers per transaction. Generation excluded. "readers alone" is `inspectFile` on warm caches in one thread (the ceiling of one core); "CLI path" is what `evarchive ingest` runs, in-process; "issuer API" is signed `POST /api/pool/issuer/vouchers` over loopback. Command: `DATABASE_URL=postgres://… npm run bench:ingest` (`BENCH_INGEST_COUNT`, `BENCH_INGEST_CONCURRENCY`).',
    );
  }
  out.push(
    '',
    `### ${f.at} UTC — \`npm run bench:ingest\` (Node ${f.node}, ${f.cpu}, load average ${f.load})`,
    '',
    '| vouchers per path | avg size | in flight | readers alone | CLI path | issuer API | CLI mean ms per step |',
    '|---:|---:|---:|---:|---:|---:|---|',
    `| ${f.count} | ${f.avgKb} KB | ${f.concurrency} | ${f.readers}/s | ${f.cli}/s | ${f.api}/s | ${f.steps} |`,
    '',
  );
  if (!existsSync(file)) writeFileSync(file, text);
  appendFileSync(file, out.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

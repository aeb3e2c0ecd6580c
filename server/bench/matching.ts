/**
 * `npm run bench:matching`: time to match 10⁵ and 10⁶ journal vouchers with the default rules, in memory (the
 * engine the service runs, with its candidate indexes). Generated months (seeded) are converted to the engine's
 * shapes chunk by chunk, so the source records do not all sit in memory. Prints the figures and appends them to
 * docs/benchmarks.md (section "Matching").
 *
 *   npm run bench:matching                 # 10^5 and 10^6 per unit, 10^5 in one pool
 *   npm run bench:matching -- 100000       # only 10^5, per unit
 *   npm run bench:matching -- --db 100000  # the database path: import, pool rows, `match`
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchAll } from '../src/modules/matching/engine/engine';
import { loadRules } from '../src/modules/matching/engine/rules';
import type { MatchJournal, MatchVoucher } from '../src/modules/matching/engine/types';
import { evaluateMatch, toMatchInputs } from '../src/modules/matching/testing/evaluate';
import { recordMaker } from '../src/modules/matching/testing/voucher-makers';
import pg from 'pg';
import { createAppContext } from '../src/main';
import { LedgerService } from '../src/modules/ledger/ledger.service';
import { MatchingService } from '../src/modules/matching/matching.service';
import { loadConfig } from '../src/platform/config/config';
import { DB } from '../src/platform/tokens';
import type { Db } from '../src/platform/database/database';
import { generateMonth, type GeneratedMonth } from '../src/modules/matching/testing/month-generator';

/** Journal vouchers per unit and month: a large budget unit. The service matches each unit on its own. */
const UNIT_CHUNK = 5_000;

interface Figures {
  mode: string;
  journals: number;
  vouchers: number;
  pairs: number;
  ms: number;
  /** CPU time of this process during matching: on a shared machine, what one core really did. */
  cpuMs: number;
  perSecond: number;
  perCpuSecond: number;
  genMs: number;
  auto: number;
  suggest: number;
  precisionAuto: number;
  recall: number;
  heapMb: number;
}

function month(k: number, n: number): { journals: MatchJournal[]; vouchers: MatchVoucher[]; truth: GeneratedMonth['truth'] } {
  // Minimal voucher records: the factory's 0.1–0.2 ms per voucher would dominate 10⁶ (the ground-truth test uses it).
  const m = generateMonth({ maker: recordMaker(`bench-${k}`), seed: `bench-${k}`, period: `2025-${String((k % 12) + 1).padStart(2, '0')}`, journals: n, idPrefix: `u${k}-` });
  return { ...toMatchInputs(m), truth: m.truth };
}

/** Unit by unit, as `evarchive match` does: generation and conversion are outside the timed part. */
function perUnit(total: number): Figures {
  const rules = loadRules();
  const f: Figures = { mode: `per unit (${UNIT_CHUNK.toLocaleString('en')} each)`, journals: 0, vouchers: 0, pairs: 0, ms: 0, cpuMs: 0, perSecond: 0, perCpuSecond: 0, genMs: 0, auto: 0, suggest: 0, precisionAuto: 0, recall: 0, heapMb: 0 };
  let autoCorrect = 0;
  let found = 0;
  let truthTotal = 0;
  for (let k = 0; f.journals < total; k++) {
    const g0 = performance.now();
    const m = month(k, Math.min(UNIT_CHUNK, total - f.journals));
    f.genMs += performance.now() - g0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = matchAll(m.journals, m.vouchers, rules);
    const c = process.cpuUsage(c0);
    f.cpuMs += (c.user + c.system) / 1000;
    f.ms += performance.now() - t0;
    const ev = evaluateMatch({ truth: m.truth }, r);
    f.journals += m.journals.length;
    f.vouchers += m.vouchers.length;
    f.pairs += r.stats.pairsEvaluated;
    f.auto += ev.auto;
    f.suggest += ev.suggested;
    autoCorrect += ev.autoCorrect;
    found += ev.autoCorrect + ev.suggestedCorrect;
    truthTotal += ev.truth;
    f.heapMb = Math.max(f.heapMb, Math.round(process.memoryUsage().heapUsed / 1e6));
  }
  f.precisionAuto = f.auto ? autoCorrect / f.auto : 1;
  f.recall = truthTotal ? found / truthTotal : 1;
  f.perSecond = Math.round(f.journals / (f.ms / 1000));
  f.perCpuSecond = Math.round(f.journals / (f.cpuMs / 1000));
  f.ms = Math.round(f.ms);
  f.cpuMs = Math.round(f.cpuMs);
  f.genMs = Math.round(f.genMs);
  return f;
}

/** Worst case: every journal voucher against every voucher in one run (one index, dense amount buckets). */
function onePool(total: number): Figures {
  const journals: MatchJournal[] = [];
  const vouchers: MatchVoucher[] = [];
  const truth: GeneratedMonth['truth'] = [];
  const g0 = performance.now();
  for (let k = 0; journals.length < total; k++) {
    const m = month(k, Math.min(50_000, total - journals.length));
    journals.push(...m.journals);
    vouchers.push(...m.vouchers);
    truth.push(...m.truth);
  }
  const genMs = Math.round(performance.now() - g0);
  if (global.gc) global.gc();
  const c0 = process.cpuUsage();
  const r = matchAll(journals, vouchers, loadRules());
  const c = process.cpuUsage(c0);
  const cpuMs = Math.round((c.user + c.system) / 1000);
  const ev = evaluateMatch({ truth }, r);
  return {
    mode: 'one pool',
    journals: journals.length,
    vouchers: vouchers.length,
    pairs: r.stats.pairsEvaluated,
    ms: r.stats.ms,
    cpuMs,
    perSecond: Math.round(journals.length / (r.stats.ms / 1000)),
    perCpuSecond: Math.round(journals.length / (cpuMs / 1000)),
    genMs,
    auto: ev.auto,
    suggest: ev.suggested,
    precisionAuto: ev.precisionAuto,
    recall: ev.recall,
    heapMb: Math.round(process.memoryUsage().heapUsed / 1e6),
  };
}

const loadBefore = loadavg();
const dbAt = process.argv.indexOf('--db');
if (dbAt >= 0) {
  // The database path only: import, pool rows, then one `match` run, appended to the same section.
  const n = Number(process.argv[dbAt + 1] ?? 100_000);
  void dbPath(n).then((r) => {
    const line = `database path (import → pool → \`match\`), ${r.journals.toLocaleString('en')} journal vouchers × ${r.vouchers.toLocaleString('en')} vouchers: import ${(r.importMs / 1000).toFixed(1)} s, pool rows ${(r.poolMs / 1000).toFixed(1)} s, MatchingService.run ${(r.matchMs / 1000).toFixed(1)} s (${r.auto.toLocaleString('en')} auto, ${r.suggestions.toLocaleString('en')} suggestions)`;
    console.log(line);
    const docs = join(__dirname, '..', '..', 'docs', 'benchmarks.md');
    appendToMatchingSection(docs, `\n${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run bench:matching -- --db ${n}\` (load average ${loadBefore.map((x) => x.toFixed(1)).join(' / ')}): ${line}.\n`);
  });
} else main();

function main() {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const plan: [string, number][] = sizes.length ? sizes.map((n) => ['unit', n]) : [['unit', 100_000], ['unit', 1_000_000], ['pool', 100_000]];
  const results = plan.map(([mode, n]) => {
    const r = mode === 'unit' ? perUnit(n) : onePool(n);
    console.log(
      `${r.mode}: ${r.journals.toLocaleString('en')} journal vouchers × ${r.vouchers.toLocaleString('en')} vouchers: ${(r.ms / 1000).toFixed(1)} s ` +
        `(${r.perSecond.toLocaleString('en')}/s wall, ${r.perCpuSecond.toLocaleString('en')} per CPU second, ${r.pairs.toLocaleString('en')} candidate pairs); ${r.auto} auto, ${r.suggest} suggestions; ` +
        `auto precision ${(r.precisionAuto * 100).toFixed(2)}%, recall ${(r.recall * 100).toFixed(2)}%; heap ${r.heapMb} MB (generation ${(r.genMs / 1000).toFixed(1)} s)`,
    );
    return r;
  });

  const docs = join(__dirname, '..', '..', 'docs', 'benchmarks.md');
  const stamp = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const lines = [
    '',
    `### ${stamp} UTC — \`npm run bench:matching\` (Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, one thread)`,
    '',
    `load average before: ${loadBefore.map((x) => x.toFixed(1)).join(' / ')}, after: ${loadavg().map((x) => x.toFixed(1)).join(' / ')}`,
    '',
    '| mode | journal vouchers | vouchers | candidate pairs | match time (wall / CPU) | per second (wall / CPU) | auto | suggestions | auto precision | recall | heap |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.mode} | ${r.journals.toLocaleString('en')} | ${r.vouchers.toLocaleString('en')} | ${r.pairs.toLocaleString('en')} | ${(r.ms / 1000).toFixed(1)} s / ${(r.cpuMs / 1000).toFixed(1)} s | ${r.perSecond.toLocaleString('en')} / **${r.perCpuSecond.toLocaleString('en')}** | ${r.auto.toLocaleString('en')} | ${r.suggest.toLocaleString('en')} | ${(r.precisionAuto * 100).toFixed(2)}% | ${(r.recall * 100).toFixed(2)}% | ${r.heapMb} MB |`,
    ),
    '',
  ];
  const text = existsSync(docs) ? readFileSync(docs, 'utf8') : '# Benchmarks\n';
  if (!/^## Matching$/m.test(text))
    writeFileSync(
      docs,
      text.replace(/\s*$/, '\n') +
        '\n## Matching\n\nThe in-memory matching engine (`server/src/modules/matching/engine`) with the default rules over generated months ' +
        '(`testing/month-generator.ts`: hard cases at realistic rates). "per unit": months of 5,000 journal vouchers matched one unit at a time, as ' +
        '`evarchive match` does; "one pool": everything in one run (dense amount buckets, the worst case). Time excludes generation and ' +
        'conversion; one thread. Command: `npm run bench:matching` (or `npm run bench:matching -- 100000` for one size, per unit).\n',
    );
  appendToMatchingSection(docs, lines.join('\n'));
  console.log(`appended to ${docs}`);
}

/** Adds `text` at the end of the "## Matching" section (other sections of the file belong to other benchmarks). */
function appendToMatchingSection(docs: string, text: string): void {
  const all = readFileSync(docs, 'utf8');
  const start = all.search(/^## Matching$/m);
  if (start < 0) {
    appendFileSync(docs, text);
    return;
  }
  const next = all.slice(start + 1).search(/^## /m);
  const at = next < 0 ? all.length : start + 1 + next;
  writeFileSync(docs, `${all.slice(0, at).replace(/\s*$/, '\n')}${text.replace(/\s*$/, '\n')}\n${all.slice(at)}`);
}

/**
 * The database path of matching (`--db N`): a scratch database on DATABASE_URL's server, one unit, the generated
 * month imported through LedgerService (chunks of 20,000, one transaction each), its vouchers inserted into the
 * pool table, then MatchingService.run (load, engine, write links, audit) timed end to end.
 */
async function dbPath(total: number): Promise<{ journals: number; vouchers: number; importMs: number; poolMs: number; matchMs: number; auto: number; suggestions: number }> {
  const admin = process.env.DATABASE_URL;
  if (!admin) throw new Error('--db needs DATABASE_URL (a PostgreSQL server where a scratch database may be created)');
  const name = `evbench_${process.pid}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database ${name} template template0 encoding 'UTF8' lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8'`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'evbench-'));
  const ctx = await createAppContext(loadConfig({ DATABASE_URL: u.toString(), EVARCHIVE_DATA_DIR: dataDir, EVARCHIVE_LOG_LEVEL: 'error', EVARCHIVE_DEMO: 'false' }), { jobs: false, logger: ['error'] });
  try {
    const db = ctx.get<Db>(DB);
    const unit = await db.insertInto('unit').values({ code: 'B01', name: '基准测试单位' }).returning('id').executeTakeFirstOrThrow();
    const month = generateMonth({ maker: recordMaker('bench-db'), seed: 'bench-db', period: '2025-03', journals: total });
    const ledger = ctx.get(LedgerService);
    let t = performance.now();
    for (let i = 0; i < month.journals.length; i += 20_000) {
      const part = month.journals.slice(i, i + 20_000).map((j) => ({ ...j.voucher, unit: 'B01' }));
      await ledger.importParsed({ operator: 'bench' }, { vouchers: part, rows: part.map((_, k) => k + 1) }, { channel: 'cli', format: 'json' });
    }
    const importMs = performance.now() - t;
    t = performance.now();
    const now = new Date();
    for (let i = 0; i < month.vouchers.length; i += 2_000) {
      await db
        .insertInto('voucher')
        .values(
          month.vouchers.slice(i, i + 2_000).map((v) => ({
            unit_id: unit.id,
            kind: v.voucher.kind,
            identity_key: `bench:${v.id}`,
            invoice_number: v.voucher.invoiceNumber ?? null,
            issue_date: v.voucher.issueDate ?? null,
            total_amount: v.voucher.totalAmount ?? null,
            seller_name: v.voucher.sellerName ?? null,
            bank_serial: v.voucher.bankSerialNumber ?? null,
            data: JSON.stringify({ ...v.voucher, extra: { ...v.voucher.extra, ...(v.reimbursementId ? { reimbursementId: v.reimbursementId } : {}) } }),
            signature_verdict: 'valid',
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
    }
    const poolMs = performance.now() - t;
    t = performance.now();
    const r = await ctx.get(MatchingService).run({ operator: 'bench' }, { period: '2025-03', unit: 'B01' });
    const matchMs = performance.now() - t;
    return { journals: month.journals.length, vouchers: month.vouchers.length, importMs: Math.round(importMs), poolMs: Math.round(poolMs), matchMs: Math.round(matchMs), auto: r.totals.auto, suggestions: r.totals.suggestions };
  } finally {
    await ctx.close();
    rmSync(dataDir, { recursive: true, force: true });
    const d = new pg.Client({ connectionString: admin });
    await d.connect();
    await d.query(`drop database if exists ${name} with (force)`);
    await d.end();
  }
}

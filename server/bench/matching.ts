/**
 * `npm run bench:matching`: time to match 10⁵ and 10⁶ journal vouchers with the default rules, in memory (the
 * engine the service runs, with its candidate indexes). Generated months (seeded) are converted to the engine's
 * shapes chunk by chunk, so the source records do not all sit in memory. Prints the figures and appends them to
 * docs/benchmarks.md (section "Matching").
 *
 *   npm run bench:matching                 # 10^5 and 10^6 per unit, 10^5 in one pool
 *   npm run bench:matching -- 100000       # only 10^5, per unit
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { journalToMatch, voucherToMatch } from '../src/modules/matching/adapters';
import { matchAll } from '../src/modules/matching/engine/engine';
import { loadRules } from '../src/modules/matching/engine/rules';
import type { MatchJournal, MatchVoucher } from '../src/modules/matching/engine/types';
import { evaluateMatch } from '../src/modules/matching/testing/evaluate';
import { generateMonth, type GeneratedMonth } from '../src/modules/matching/testing/month-generator';

/** Journal vouchers per unit and month: a large budget unit. The service matches each unit on its own. */
const UNIT_CHUNK = 5_000;

interface Figures {
  mode: string;
  journals: number;
  vouchers: number;
  pairs: number;
  ms: number;
  perSecond: number;
  genMs: number;
  auto: number;
  suggest: number;
  precisionAuto: number;
  recall: number;
  heapMb: number;
}

function month(k: number, n: number): { journals: MatchJournal[]; vouchers: MatchVoucher[]; truth: GeneratedMonth['truth'] } {
  const m = generateMonth({ seed: `bench-${k}`, period: `2025-${String((k % 12) + 1).padStart(2, '0')}`, journals: n, idPrefix: `u${k}-` });
  return {
    journals: m.journals.map((j) => journalToMatch(j.id, j.voucher)),
    vouchers: m.vouchers.map((v) => voucherToMatch(v.id, v.voucher, { reimbursementId: v.reimbursementId })),
    truth: m.truth,
  };
}

/** Unit by unit, as `evarchive match` does: generation and conversion are outside the timed part. */
function perUnit(total: number): Figures {
  const rules = loadRules();
  const f: Figures = { mode: `per unit (${UNIT_CHUNK.toLocaleString('en')} each)`, journals: 0, vouchers: 0, pairs: 0, ms: 0, perSecond: 0, genMs: 0, auto: 0, suggest: 0, precisionAuto: 0, recall: 0, heapMb: 0 };
  let autoCorrect = 0;
  let found = 0;
  let truthTotal = 0;
  for (let k = 0; f.journals < total; k++) {
    const g0 = performance.now();
    const m = month(k, Math.min(UNIT_CHUNK, total - f.journals));
    f.genMs += performance.now() - g0;
    const t0 = performance.now();
    const r = matchAll(m.journals, m.vouchers, rules);
    f.ms += performance.now() - t0;
    const ev = evaluateMatch({ period: '', journals: [], vouchers: [], truth: m.truth, cases: {} }, r);
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
  f.ms = Math.round(f.ms);
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
  const r = matchAll(journals, vouchers, loadRules());
  const ev = evaluateMatch({ period: '', journals: [], vouchers: [], truth, cases: {} }, r);
  return {
    mode: 'one pool',
    journals: journals.length,
    vouchers: vouchers.length,
    pairs: r.stats.pairsEvaluated,
    ms: r.stats.ms,
    perSecond: Math.round(journals.length / (r.stats.ms / 1000)),
    genMs,
    auto: ev.auto,
    suggest: ev.suggested,
    precisionAuto: ev.precisionAuto,
    recall: ev.recall,
    heapMb: Math.round(process.memoryUsage().heapUsed / 1e6),
  };
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const plan: [string, number][] = sizes.length ? sizes.map((n) => ['unit', n]) : [['unit', 100_000], ['unit', 1_000_000], ['pool', 100_000]];
const results = plan.map(([mode, n]) => {
  const r = mode === 'unit' ? perUnit(n) : onePool(n);
  console.log(
    `${r.mode}: ${r.journals.toLocaleString('en')} journal vouchers × ${r.vouchers.toLocaleString('en')} vouchers: ${(r.ms / 1000).toFixed(1)} s ` +
      `(${r.perSecond.toLocaleString('en')}/s, ${r.pairs.toLocaleString('en')} candidate pairs); ${r.auto} auto, ${r.suggest} suggestions; ` +
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
  '| mode | journal vouchers | vouchers | candidate pairs | match time | per second | auto | suggestions | auto precision | recall | heap |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.mode} | ${r.journals.toLocaleString('en')} | ${r.vouchers.toLocaleString('en')} | ${r.pairs.toLocaleString('en')} | ${(r.ms / 1000).toFixed(1)} s | ${r.perSecond.toLocaleString('en')} | ${r.auto.toLocaleString('en')} | ${r.suggest.toLocaleString('en')} | ${(r.precisionAuto * 100).toFixed(2)}% | ${(r.recall * 100).toFixed(2)}% | ${r.heapMb} MB |`,
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
appendFileSync(docs, lines.join('\n'));
console.log(`appended to ${docs}`);

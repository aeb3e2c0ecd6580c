/**
 * The checks engine: runs a scheme's items for one stage over one subject and summarises. Pure apart from what
 * the environment gives it (object store, database for the audit chain, ClamAV); storing results is the
 * service's job.
 */
import { CHECK_FUNCTIONS, RunContext, type CheckEnv, type Outcome } from './functions';
import { NATURES, stageItems, type CheckScheme, type Nature, type Stage } from './scheme';
import { SUBJECT_ITEM, type CheckSubject } from './subject';

export interface CheckResult {
  code: string;
  nature: Nature;
  name: string;
  clause: string;
  severity: 'veto' | 'warn';
  /** Item id, `*` for the subject itself, `package:<key>` for a stored package. */
  itemId: string;
  outcome: Outcome;
  evidence: Record<string, unknown>;
}

export interface RunSummary {
  total: number;
  pass: number;
  fail: number;
  warn: number;
  notApplicable: number;
  byNature: Record<Nature, { pass: number; fail: number; warn: number; notApplicable: number }>;
  /** Failures of veto items: archiving is refused while there is one. */
  vetoFailures: VetoFailure[];
  /** pass when nothing failed, warn when only warn-severity items failed or warned, fail on any veto failure. */
  verdict: 'pass' | 'warn' | 'fail';
}

export interface EngineRun {
  schemeId: string;
  schemeVersion: number;
  stage: Stage;
  subject: { type: CheckSubject['type']; id: string; metadata: Record<string, unknown>; items: number };
  startedAt: Date;
  finishedAt: Date;
  results: CheckResult[];
  summary: RunSummary;
}

/**
 * A veto item's failure. `message` is the English sentence (CLI, report); `messageCode` and `params`, when the
 * evidence has them, say it for readers in other languages (web: `checks.finding.<messageCode>`).
 */
export interface VetoFailure {
  code: string;
  itemId: string;
  name: string;
  message: string;
  messageCode?: string;
  params?: Record<string, string | number>;
}

/**
 * The code and parameters of a result's evidence, the same finding `evidenceMessage` says in English: a coded
 * message of the evidence itself, else the files that failed (by name), else the first list of findings.
 */
export function evidenceCode(ev: Record<string, unknown>): { messageCode: string; params: Record<string, string | number> } | undefined {
  if (typeof ev.messageCode === 'string') {
    const params: Record<string, string | number> = {};
    for (const k of ['archivalCode', 'expected', 'found'] as const) if (typeof ev[k] === 'string') params[k] = ev[k] as string;
    if (typeof ev.message === 'string') params.message = ev.message;
    return { messageCode: ev.messageCode, params };
  }
  if (typeof ev.message === 'string') return undefined;
  const files = ev.files as Record<string, unknown>[] | undefined;
  if (Array.isArray(files)) {
    const bad = files.filter((f) => f.outcome === 'fail' || f.outcome === 'warn');
    if (bad.length) {
      const found = bad.map((f) => f.found).filter((x): x is string => typeof x === 'string');
      if (found.length) return { messageCode: 'virus_found', params: { count: bad.length, files: bad.map((f) => String(f.name)).join('、'), found: [...new Set(found)].join('、') } };
      return { messageCode: 'files_failed', params: { count: bad.length, files: bad.map((f) => String(f.name)).join('、') } };
    }
  }
  for (const k of ['problems', 'missing', 'bad', 'duplicates', 'warnings', 'gaps', 'missingLinks', 'missingObjects']) {
    const v = ev[k];
    if (Array.isArray(v) && v.length) return { messageCode: `list.${k}`, params: { count: v.length, values: JSON.stringify(v).slice(0, 300) } };
  }
  if (ev.expected !== undefined) return { messageCode: 'expected', params: { expected: JSON.stringify(ev.expected), found: JSON.stringify(ev.linked ?? ev.archivalCode) } };
  return undefined;
}

/** A short sentence out of a result's evidence, for veto lists and the report. */
export function evidenceMessage(ev: Record<string, unknown>): string {
  if (typeof ev.message === 'string') return ev.message;
  const files = ev.files as Record<string, unknown>[] | undefined;
  if (Array.isArray(files)) {
    const bad = files.filter((f) => f.outcome === 'fail' || f.outcome === 'warn');
    if (bad.length) return bad.map((f) => `${f.name}: ${f.message ?? f.found ?? f.verdict ?? (f.findings as string[] | undefined)?.join('; ') ?? f.outcome}`).join('; ');
  }
  for (const k of ['problems', 'missing', 'bad', 'duplicates', 'warnings', 'gaps', 'missingLinks', 'missingObjects']) {
    const v = ev[k];
    if (Array.isArray(v) && v.length) return `${k}: ${JSON.stringify(v).slice(0, 300)}`;
  }
  if (ev.expected !== undefined) return `expected ${JSON.stringify(ev.expected)}, found ${JSON.stringify(ev.linked ?? ev.archivalCode)}`;
  return '';
}

export function summarise(results: CheckResult[]): RunSummary {
  const byNature = Object.fromEntries(NATURES.map((n) => [n, { pass: 0, fail: 0, warn: 0, notApplicable: 0 }])) as RunSummary['byNature'];
  const s: RunSummary = { total: results.length, pass: 0, fail: 0, warn: 0, notApplicable: 0, byNature, vetoFailures: [], verdict: 'pass' };
  for (const r of results) {
    const k = r.outcome === 'not_applicable' ? 'notApplicable' : r.outcome;
    s[k]++;
    byNature[r.nature][k]++;
    if (r.outcome === 'fail' && r.severity === 'veto') s.vetoFailures.push({ code: r.code, itemId: r.itemId, name: r.name, message: evidenceMessage(r.evidence), ...evidenceCode(r.evidence) });
  }
  s.verdict = s.vetoFailures.length ? 'fail' : s.fail + s.warn > 0 ? 'warn' : 'pass';
  return s;
}

export interface RunOptions {
  /** Only these codes (e.g. the nightly sweep's fixity items). */
  codes?: string[];
  /** The clock for startedAt/finishedAt (the service passes its injectable clock). */
  now?: () => Date;
}

export async function runChecks(scheme: CheckScheme, stage: Stage, subject: CheckSubject, env: CheckEnv, opts: RunOptions = {}): Promise<EngineRun> {
  const now = opts.now ?? (() => new Date());
  const startedAt = now();
  const ctx = new RunContext(subject, env);
  const results: CheckResult[] = [];
  for (const item of stageItems(scheme, stage)) {
    if (opts.codes && !opts.codes.includes(item.code)) continue;
    const base = { code: item.code, nature: item.nature, name: item.name, clause: item.clause, severity: item.severity };
    try {
      const out = await CHECK_FUNCTIONS[item.check.fn](ctx, item.check.params);
      // A warn-severity item never vetoes: its failures are reported as warnings.
      for (const r of out) results.push({ ...base, itemId: r.itemId, outcome: item.severity === 'warn' && r.outcome === 'fail' ? 'warn' : r.outcome, evidence: r.evidence });
    } catch (e) {
      results.push({ ...base, itemId: SUBJECT_ITEM, outcome: 'fail', evidence: { message: `the check could not run: ${(e as Error).message}`, messageCode: 'check_failed' } });
    }
  }
  return {
    schemeId: scheme.id,
    schemeVersion: scheme.version,
    stage,
    subject: { type: subject.type, id: subject.id, metadata: subject.metadata, items: subject.items.length },
    startedAt,
    finishedAt: now(),
    results,
    summary: summarise(results),
  };
}

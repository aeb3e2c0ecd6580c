/**
 * Matching rules as data (archive-rules/matching/*.yaml), validated against
 * archive-rules/schema/matching-rule.schema.json before use, so a policy change is a reviewed data change and a
 * bad file is refused with the file and the JSON path of every problem.
 */
import Ajv from 'ajv';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { JoinKey, Tier } from './types';

export type JournalField = 'summary' | 'counterparties' | JoinKey;
export type VoucherField = 'names' | 'text' | 'kind' | JoinKey;

interface ConditionBase {
  id: string;
  weight: number;
  required?: boolean;
  inexactTier?: 'suggest';
}
export type Condition =
  | (ConditionBase & { match: 'join'; key: JoinKey })
  | (ConditionBase & { match: 'exact'; journal: JournalField; voucher: VoucherField })
  | (ConditionBase & { match: 'any' | 'all'; journal: JournalField; words: string[] })
  | (ConditionBase & { match: 'regex'; journal?: JournalField; voucher?: VoucherField; pattern: string })
  | (ConditionBase & { match: 'fuzzy'; journal: JournalField; voucher: VoucherField; maxEdits?: number; minSimilarity?: number })
  | (ConditionBase & { match: 'amount'; tolerance: { fen?: number; percent?: number }; sumOfMany?: boolean })
  | (ConditionBase & { match: 'date'; window: { before: number; after: number } });

export interface MatchingRule {
  id: string;
  version: number;
  description: string;
  enabled?: boolean;
  scope: { voucherKinds?: string[]; accountPrefixes?: string[] };
  amountBasis?: 'total' | 'scope-net' | 'scope-abs';
  candidates: { by: 'key'; key: JoinKey } | { by: 'amount' };
  conditions: Condition[];
  tiers: { auto: number; suggest: number };
  maxTier?: Exclude<Tier, 'never'>;
  fallback?: boolean;
  unique?: { perJournal?: boolean; perVoucher?: boolean };
}

export interface RuleSet {
  rules: MatchingRule[];
  /** SHA-256 over the canonical rules: two runs with the same digest applied the same policy. */
  digest: string;
  source: string;
}

export class RuleError extends Error {
  constructor(
    message: string,
    readonly problems: { file: string; path: string; problem: string }[],
  ) {
    super(message);
  }
}

/** archive-rules/ at the repository root (same depth from server/src and server/dist). */
export const DEFAULT_RULES_DIR = resolve(__dirname, '..', '..', '..', '..', '..', 'archive-rules', 'matching');
const SCHEMA_PATH = resolve(__dirname, '..', '..', '..', '..', '..', 'archive-rules', 'schema', 'matching-rule.schema.json');

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(): ReturnType<Ajv['compile']> {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  }
  return validator;
}

/**
 * Checks one parsed rule: the JSON Schema, then what a schema cannot say (unique condition ids, compilable
 * regexes, a candidate key the rule also joins on, tier thresholds in order).
 */
export function checkRule(raw: unknown, file: string): { rule?: MatchingRule; problems: { file: string; path: string; problem: string }[] } {
  const v = validate();
  if (!v(raw)) {
    // oneOf failures list every branch; the most specific messages (deepest paths) are the useful ones.
    const errors = (v.errors ?? []).filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'const' && e.keyword !== 'allOf');
    const list = (errors.length ? errors : v.errors ?? []).map((e) => ({ file, path: e.instancePath || '/', problem: `${e.message}${e.params && 'additionalProperty' in e.params ? ` (${(e.params as any).additionalProperty})` : ''}` }));
    return { problems: dedupe(list) };
  }
  const rule = raw as MatchingRule;
  const problems: { file: string; path: string; problem: string }[] = [];
  const ids = new Set<string>();
  rule.conditions.forEach((c, i) => {
    if (ids.has(c.id)) problems.push({ file, path: `/conditions/${i}/id`, problem: `condition id "${c.id}" is used twice` });
    ids.add(c.id);
    if (c.match === 'regex') {
      try {
        new RegExp(c.pattern, 'u');
      } catch (e) {
        problems.push({ file, path: `/conditions/${i}/pattern`, problem: `not a valid regular expression: ${(e as Error).message}` });
      }
      if (!c.journal && !c.voucher) problems.push({ file, path: `/conditions/${i}`, problem: 'regex needs a journal or a voucher field' });
    }
    if (c.match === 'fuzzy' && c.maxEdits === undefined && c.minSimilarity === undefined)
      problems.push({ file, path: `/conditions/${i}`, problem: 'fuzzy needs maxEdits (numbers) or minSimilarity (names)' });
  });
  if (rule.tiers.suggest > rule.tiers.auto) problems.push({ file, path: '/tiers', problem: 'suggest threshold is above the auto threshold' });
  if (rule.candidates.by === 'amount' && !rule.conditions.some((c) => c.match === 'amount' && c.required))
    problems.push({ file, path: '/candidates', problem: 'candidates by amount need a required amount condition' });
  if (rule.candidates.by === 'key') {
    const key = rule.candidates.key;
    if (!rule.conditions.some((c) => c.match === 'join' && c.key === key && c.required))
      problems.push({ file, path: '/candidates', problem: `candidates by key ${key} need a required join condition on ${key}` });
  }
  return problems.length ? { problems } : { rule, problems };
}

function dedupe<T>(xs: T[]): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = JSON.stringify(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Reads every *.yaml / *.yml in `dir` (sorted by name); throws RuleError listing every problem of every file. */
export function loadRules(dir: string = DEFAULT_RULES_DIR): RuleSet {
  if (!existsSync(dir)) throw new RuleError(`rules folder not found: ${dir}`, [{ file: dir, path: '/', problem: 'not found' }]);
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const rules: MatchingRule[] = [];
  const problems: { file: string; path: string; problem: string }[] = [];
  for (const f of files) {
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(join(dir, f), 'utf8'));
    } catch (e) {
      problems.push({ file: f, path: '/', problem: `not YAML: ${(e as Error).message.split('\n')[0]}` });
      continue;
    }
    const r = checkRule(raw, f);
    problems.push(...r.problems);
    if (r.rule) rules.push(r.rule);
  }
  const seen = new Map<string, string>();
  for (const r of rules) {
    if (seen.has(r.id)) problems.push({ file: r.id, path: '/id', problem: `rule id "${r.id}" is defined twice` });
    seen.set(r.id, r.id);
  }
  if (problems.length)
    throw new RuleError(`${problems.length} problem(s) in ${dir}:\n${problems.map((p) => `  ${p.file} ${p.path}: ${p.problem}`).join('\n')}`, problems);
  if (rules.length === 0) throw new RuleError(`no rules in ${dir}`, [{ file: dir, path: '/', problem: 'no *.yaml files' }]);
  return ruleSet(rules, dir);
}

export function ruleSet(rules: MatchingRule[], source = 'inline'): RuleSet {
  const enabled = rules.filter((r) => r.enabled !== false);
  const digest = createHash('sha256').update(JSON.stringify(enabled)).digest('hex');
  return { rules: enabled, digest, source };
}

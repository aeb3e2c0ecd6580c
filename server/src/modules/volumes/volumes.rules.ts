/**
 * Volume assembly rules (组卷/组件) and 档号 patterns as data: archive-rules/volumes.yaml, validated against
 * archive-rules/schema/volumes.schema.json. Pure: no Nest, no database.
 */
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';
import { ValidationError } from '../../platform/errors/errors';
import { RULES_ROOT, type ArchiveCategory, type RetentionPeriod } from '../retention/retention.rules';

export const VOLUME_RULES_PATH = resolve(RULES_ROOT, 'volumes.yaml');
const SCHEMA_PATH = resolve(RULES_ROOT, 'schema', 'volumes.schema.json');

export type SourceType = 'journal_voucher' | 'account_book' | 'report' | 'other';

export interface CategoryRule {
  code: string;
  name: string;
  /** How items are grouped in time: by month, quarter, year, or each item's own period (reports). */
  period: 'month' | 'quarter' | 'year' | 'source';
  sourceTypes: SourceType[];
  maxItems: number;
  orderBy: ('number' | 'date')[];
  numberGapCheck: boolean;
  includeLinkedOriginals: boolean;
}

export interface VolumeRules {
  id: string;
  version: number;
  codes: { volume: string; item: string; subItem: string };
  retentionCodes: Record<string, string>;
  categories: Record<ArchiveCategory, CategoryRule>;
  titles: { volume: string };
}

const TOKENS = {
  volume: ['fonds', 'unit', 'year', 'month', 'period', 'category', 'retention', 'volume'],
  item: ['fonds', 'unit', 'year', 'month', 'period', 'category', 'retention', 'volume', 'volumeCode', 'item'],
  subItem: ['fonds', 'unit', 'year', 'month', 'period', 'category', 'retention', 'volume', 'volumeCode', 'item', 'itemCode', 'sub'],
  title: ['unitName', 'fondsName', 'year', 'periodName', 'categoryName', 'first', 'last', 'count', 'retentionName'],
} as const;

function tokensOf(pattern: string): string[] {
  return [...pattern.matchAll(/\{([a-zA-Z]+)(?::\d)?\}/g)].map((m) => m[1]);
}

export function parseVolumeRules(doc: unknown, origin = 'volume rules'): VolumeRules {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  if (!validate(doc)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new ValidationError(`${origin}: does not match volumes.schema.json: ${problems.join('; ')}`, { problems }, 'invalid_rules');
  }
  const rules = doc as VolumeRules;
  const problems: string[] = [];
  const check = (what: string, pattern: string, allowed: readonly string[], required: string[]) => {
    for (const t of tokensOf(pattern)) if (!allowed.includes(t)) problems.push(`${what}: unknown token {${t}} (allowed: ${allowed.join(', ')})`);
    // Without its running number a pattern would give every volume (item) the same 档号.
    for (const t of required) if (!tokensOf(pattern).includes(t)) problems.push(`${what}: must contain {${t}}`);
  };
  // Volumes are numbered within (fonds, year, category, retention), so the code must name all of them.
  check('codes.volume', rules.codes.volume, TOKENS.volume, ['fonds', 'year', 'category', 'retention', 'volume']);
  check('codes.item', rules.codes.item, TOKENS.item, ['item']);
  if (!/\{(volumeCode|volume)(:\d)?\}/.test(rules.codes.item)) problems.push('codes.item: must contain {volumeCode} or {volume}');
  check('codes.subItem', rules.codes.subItem, TOKENS.subItem, ['sub']);
  check('titles.volume', rules.titles.volume, TOKENS.title, []);
  const codes = Object.values(rules.categories).map((c) => c.code);
  if (new Set(codes).size !== codes.length) problems.push(`categories: category codes must differ (${codes.join(', ')})`);
  const claimed = new Map<string, string>();
  for (const [name, c] of Object.entries(rules.categories)) {
    for (const s of c.sourceTypes) {
      if (claimed.has(s)) problems.push(`categories.${name}: source type ${s} already belongs to ${claimed.get(s)}`);
      claimed.set(s, name);
    }
  }
  if (problems.length) throw new ValidationError(`${origin}: ${problems.join('; ')}`, { problems }, 'invalid_rules');
  return rules;
}

export function loadVolumeRules(path = VOLUME_RULES_PATH): VolumeRules {
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ValidationError(`${path}: cannot read the volume rules: ${(e as Error).message}`, { path }, 'invalid_rules');
  }
  return parseVolumeRules(doc, path);
}

/** Fills `{token}` / `{token:width}` (width = zero-padded digits) from `values`; a missing value is an error. */
export function formatPattern(pattern: string, values: Record<string, string | number | null | undefined>): string {
  return pattern.replace(/\{([a-zA-Z]+)(?::(\d))?\}/g, (_, name: string, width?: string) => {
    const v = values[name];
    if (v === undefined || v === null) throw new ValidationError(`pattern "${pattern}": no value for {${name}}`, { pattern, token: name });
    const s = String(v);
    return width ? s.padStart(Number(width), '0') : s;
  });
}

/** 保管期限代码 for a retention period (Y, D30, D10 with the default rules). */
export function retentionCode(rules: VolumeRules, period: RetentionPeriod): string {
  const key = period === 'permanent' ? 'permanent' : typeof period === 'number' ? String(period) : 'afterDisposal';
  const code = rules.retentionCodes[key];
  if (!code) throw new ValidationError(`volume rules ${rules.id} v${rules.version}: no retention code for period ${key} (add it under retentionCodes)`, { period: key });
  return code;
}

export function categoryOfSource(rules: VolumeRules, sourceType: SourceType): ArchiveCategory {
  for (const [name, c] of Object.entries(rules.categories)) if (c.sourceTypes.includes(sourceType)) return name as ArchiveCategory;
  throw new ValidationError(`volume rules: no category takes source type ${sourceType}`, { sourceType });
}

/**
 * The retention tables (会计档案保管期限表, 令第79号 附表1/附表2) as data: archive-rules/retention.yaml, validated
 * against archive-rules/schema/retention.schema.json before use. Pure: no Nest, no database.
 */
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';
import { ValidationError } from '../../platform/errors/errors';

/** archive-rules/ at the repository root (same depth from server/src and server/dist). */
export const RULES_ROOT = resolve(__dirname, '..', '..', '..', '..', 'archive-rules');
export const RETENTION_RULES_PATH = resolve(RULES_ROOT, 'retention.yaml');
const SCHEMA_PATH = resolve(RULES_ROOT, 'schema', 'retention.schema.json');

export type ArchiveCategory = 'voucher' | 'ledger' | 'report' | 'other';
export const ARCHIVE_CATEGORIES: readonly ArchiveCategory[] = ['voucher', 'ledger', 'report', 'other'];

/** 永久, 定期 N years, or N years after the asset is disposed of (固定资产卡片). */
export type RetentionPeriod = 'permanent' | number | { afterDisposal: number };

export interface RetentionRow {
  no: number;
  category: ArchiveCategory;
  item: string;
  itemKeys: string[];
  period: RetentionPeriod;
  receivedPeriod?: number;
  notes?: string;
  confidence?: 'C' | 'S' | 'I';
}

export interface RetentionRegime {
  name: string;
  table: string;
  rows: RetentionRow[];
}

export interface RetentionRules {
  id: string;
  version: number;
  source: string;
  defaultRegime: string;
  regimes: Record<string, RetentionRegime>;
}

/** What a stored item remembers of the decision: the period, and which table row and version gave it. */
export interface RetentionDecision {
  /** 'permanent', '30y', '10y' or 'disposal+5y' — also the search document's retention value. */
  retention: string;
  period: RetentionPeriod;
  regime: string;
  rowNo: number;
  item: string;
  ruleId: string;
  ruleVersion: number;
}

/** Validates and indexes a parsed rules document; throws ValidationError naming every problem. */
export function parseRetentionRules(doc: unknown, origin = 'retention rules'): RetentionRules {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  if (!validate(doc)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new ValidationError(`${origin}: does not match retention.schema.json: ${problems.join('; ')}`, { problems }, 'invalid_rules');
  }
  const rules = doc as RetentionRules;
  const problems: string[] = [];
  if (!rules.regimes[rules.defaultRegime]) problems.push(`defaultRegime "${rules.defaultRegime}" is not one of the regimes`);
  for (const [name, regime] of Object.entries(rules.regimes)) {
    const seen = new Map<string, number>();
    for (const row of regime.rows) {
      for (const key of row.itemKeys) {
        // One item kind must resolve to exactly one row, or the period of an item would depend on row order.
        if (seen.has(key)) problems.push(`regime ${name}: item key "${key}" appears in rows ${seen.get(key)} and ${row.no}`);
        seen.set(key, row.no);
      }
    }
  }
  if (problems.length) throw new ValidationError(`${origin}: ${problems.join('; ')}`, { problems }, 'invalid_rules');
  return rules;
}

export function loadRetentionRules(path = RETENTION_RULES_PATH): RetentionRules {
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ValidationError(`${path}: cannot read the retention rules: ${(e as Error).message}`, { path }, 'invalid_rules');
  }
  return parseRetentionRules(doc, path);
}

export function retentionLabel(period: RetentionPeriod): string {
  if (period === 'permanent') return 'permanent';
  if (typeof period === 'number') return `${period}y`;
  return `disposal+${period.afterDisposal}y`;
}

/** The row governing `itemKey` for a unit of `regime`; throws naming both when the table has none. */
export function retentionFor(rules: RetentionRules, regime: string, itemKey: string): RetentionDecision {
  const r = rules.regimes[regime];
  if (!r) throw new ValidationError(`retention regime "${regime}" is not defined in ${rules.id} v${rules.version} (known: ${Object.keys(rules.regimes).join(', ')})`, { regime });
  const row = r.rows.find((x) => x.itemKeys.includes(itemKey));
  if (!row) throw new ValidationError(`retention: no row for item kind "${itemKey}" in regime ${regime} (${r.name}) of ${rules.id} v${rules.version}`, { regime, itemKey }, 'no_retention_row');
  return { retention: retentionLabel(row.period), period: row.period, regime, rowNo: row.no, item: row.item, ruleId: rules.id, ruleVersion: rules.version };
}

/**
 * Expiry (到期日) of an item of `fiscalYear`: the period runs from 1 January after the fiscal year, so N years
 * end on 31 December of fiscalYear + N. Permanent items never expire; after-disposal items have no date until
 * the disposal is known (null for both).
 */
export function expiryDate(fiscalYear: number, period: RetentionPeriod): string | null {
  if (!Number.isInteger(fiscalYear) || fiscalYear < 1900 || fiscalYear > 9999) throw new ValidationError(`fiscal year ${fiscalYear}: expected a four-digit year`, { fiscalYear });
  if (typeof period !== 'number') return null;
  return `${fiscalYear + period}-12-31`;
}

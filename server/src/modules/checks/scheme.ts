/**
 * Check schemes (四性检测方案) as data: archive-rules/checks/*.yaml, each validated against
 * archive-rules/schema/check-scheme.schema.json before use. Pure: no Nest, no database.
 */
import Ajv from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';
import { ValidationError } from '../../platform/errors/errors';

/** archive-rules/ at the repository root (same depth from server/src and server/dist). */
export const RULES_ROOT = resolve(__dirname, '..', '..', '..', '..', 'archive-rules');
export const CHECK_SCHEMES_DIR = resolve(RULES_ROOT, 'checks');
const SCHEMA_PATH = resolve(RULES_ROOT, 'schema', 'check-scheme.schema.json');

export type Stage = 'GD' | 'YJ' | 'BC';
export type Nature = 'ZS' | 'WZ' | 'KY' | 'AQ';
export const STAGES: readonly Stage[] = ['GD', 'YJ', 'BC'];
export const NATURES: readonly Nature[] = ['ZS', 'WZ', 'KY', 'AQ'];
export const STAGE_NAMES: Record<Stage, string> = { GD: '归档', YJ: '移交与接收', BC: '长期保存' };
export const NATURE_NAMES: Record<Nature, string> = { ZS: '真实性', WZ: '完整性', KY: '可用性', AQ: '安全性' };

export type CheckFnName =
  | 'fixity' | 'signature_verdict' | 'metadata_domain' | 'metadata_format' | 'file_properties' | 'uniqueness'
  | 'archival_code' | 'content_consistency' | 'package_structure' | 'attachment_count' | 'mandatory_metadata'
  | 'sequence_gaps' | 'linked_present' | 'package_complete' | 'format_allowed' | 'renders' | 'no_encryption'
  | 'virus_scan' | 'storage_readable' | 'audit_chain';

export interface SchemeItem {
  code: string;
  stage: Stage;
  nature: Nature;
  name: string;
  clause: string;
  severity: 'veto' | 'warn';
  description?: string;
  check: { fn: CheckFnName; params: Record<string, unknown> };
}

export interface CheckScheme {
  id: string;
  version: number;
  title: string;
  standard?: string;
  items: SchemeItem[];
  /** The file it came from, for messages. */
  source: string;
}

let validator: ((d: unknown) => boolean) & { errors?: unknown } | undefined;
function validate(doc: unknown, source: string): void {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  }
  if (!validator(doc)) {
    throw new ValidationError(`check scheme ${source} does not match check-scheme.schema.json`, { errors: validator.errors }, 'invalid_check_scheme');
  }
}

/** Parses and validates one scheme document; codes must be unique. */
export function parseScheme(text: string, source = '(inline)'): CheckScheme {
  let doc: any;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new ValidationError(`check scheme ${source} is not valid YAML: ${(e as Error).message}`, undefined, 'invalid_check_scheme');
  }
  validate(doc, source);
  const seen = new Set<string>();
  const items: SchemeItem[] = doc.items.map((it: any) => {
    if (seen.has(it.code)) throw new ValidationError(`check scheme ${source} lists ${it.code} twice`, { code: it.code }, 'invalid_check_scheme');
    seen.add(it.code);
    const [stage, nature] = it.code.split('-') as [Stage, Nature];
    return { ...it, stage, nature, check: { fn: it.check.fn, params: it.check.params ?? {} } };
  });
  return { id: doc.id, version: doc.version, title: doc.title, standard: doc.standard, items, source };
}

const cache = new Map<string, CheckScheme>();

/** Every scheme under archive-rules/checks (or `dir`), keyed by id; read once per process. */
export function loadSchemes(dir = CHECK_SCHEMES_DIR): Map<string, CheckScheme> {
  const out = new Map<string, CheckScheme>();
  for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const path = resolve(dir, f);
    const s = cache.get(path) ?? parseScheme(readFileSync(path, 'utf8'), `archive-rules/checks/${f}`);
    cache.set(path, s);
    if (out.has(s.id)) throw new ValidationError(`two check schemes have the id ${s.id}`, { id: s.id }, 'invalid_check_scheme');
    out.set(s.id, s);
  }
  return out;
}

export const DEFAULT_SCHEME_ID = 'dat70-accounting';

export function loadScheme(id = DEFAULT_SCHEME_ID): CheckScheme {
  const s = loadSchemes().get(id);
  if (!s) throw new ValidationError(`no check scheme with id ${id} under archive-rules/checks`, { id }, 'unknown_check_scheme');
  return s;
}

export function stageItems(scheme: CheckScheme, stage: Stage): SchemeItem[] {
  return scheme.items.filter((i) => i.stage === stage);
}

export function parseStage(s: string | undefined): Stage {
  const v = (s ?? 'GD').toUpperCase();
  if (!(STAGES as readonly string[]).includes(v)) throw new ValidationError(`stage must be one of ${STAGES.join(', ')}, got ${s}`, undefined, 'invalid_stage');
  return v as Stage;
}

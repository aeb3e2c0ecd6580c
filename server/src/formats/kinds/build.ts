/**
 * Element map + facts → Voucher. The map (schemas/xbrl/<configId>.json) says which element goes to which Voucher
 * field, `extra` path or tuple key, and with which value type; this function is the one interpreter of that data.
 * Rules: the first mapping (in map order) that yields a value wins a target; nil and empty facts carry nothing;
 * a fact whose value is its own element name is test-data filler and is ignored; facts the map does not know
 * are kept verbatim under `extra.otherFacts` (top level and inside mapped tuples), so new elements of a newer
 * taxonomy are not silently dropped. Paths through non-repeating groups (ntrev) mark the whole group as read.
 */
import { FormatError } from '../errors';
import { VOUCHER_KIND_NAMES, type LineItem, type Voucher } from '../voucher';
import type { ElementMap, FactMapping, TupleMapping, XbrlFact, XbrlItem, XbrlTuple } from '../xbrl/model';
import { embeddedJson, normaliseValue } from './values';

const LINE_ITEM_KEYS: ReadonlySet<string> = new Set<keyof LineItem>([
  'name',
  'specification',
  'unit',
  'quantity',
  'unitPrice',
  'amount',
  'taxRate',
  'taxAmount',
]);

export function emptyVoucher(kind: Voucher['kind']): Voucher {
  return { kind, lineItems: [], extra: {}, sources: {}, signatures: [], signatureVerdict: 'unsigned', warnings: [] };
}

export function buildVoucher(map: ElementMap, items: XbrlItem[]): Voucher {
  const v = emptyVoucher(map.kind);
  const warnings = v.warnings;
  const used = new Set<XbrlItem>();
  const target: Record<string, unknown> = {};

  for (const fm of map.facts) {
    const fact = findFact(items, fm.element.split('/'), used);
    if (fact) assign(target, fm, factValue(fact, fm, warnings));
  }
  for (const tm of map.tuples) {
    const found = findTuples(items, tm.element.split('/'), used);
    if (found.length === 0) continue;
    const rows = found.map((t) => tupleObject(t, tm, warnings));
    if (tm.to === 'lineItems') {
      v.lineItems = rows.map(pickLineItem);
      const extras = rows.map(omitLineItemKeys);
      if (extras.some((e) => Object.keys(e).length > 0)) setPath(target, 'extra.lineItemExtras', extras);
    } else setPath(target, tm.to, rows);
  }

  const other: Record<string, unknown> = {};
  for (const item of items) if (!used.has(item)) other[item.name] = plain(item);
  if (Object.keys(other).length > 0) setPath(target, 'extra.otherFacts', other);

  const { extra, ...fields } = target as { extra?: Record<string, unknown> } & Record<string, unknown>;
  for (const [k, val] of Object.entries(fields)) {
    (v as unknown as Record<string, unknown>)[k] = val;
    v.sources[k] = 'xbrl';
  }
  v.extra = extra ?? {};
  if (!v.title) v.title = map.title ?? VOUCHER_KIND_NAMES[map.kind];
  return v;
}

function factValue(fact: XbrlFact, fm: FactMapping, warnings: string[]): unknown {
  if (fact.nil) return undefined;
  const field = fact.name;
  if (fact.value.trim() === fact.name) {
    warnings.push(`${field}: value is the element's own name (placeholder), ignored`);
    return undefined;
  }
  return normaliseValue(fact.value, fm.type, field, warnings);
}

function tupleObject(t: XbrlTuple, tm: TupleMapping, warnings: string[]): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  const used = new Set<XbrlItem>();
  for (const fm of tm.facts) {
    const fact = findFact(t.children, fm.element.split('/'), used);
    if (fact) assign(obj, fm, factValue(fact, fm, warnings));
  }
  for (const sub of tm.tuples ?? []) {
    const rows = findTuples(t.children, sub.element.split('/'), used).map((c) => tupleObject(c, sub, warnings));
    if (rows.length) setPath(obj, sub.to, rows);
  }
  const other: Record<string, unknown> = {};
  for (const c of t.children) if (!used.has(c)) other[c.name] = plain(c);
  if (Object.keys(other).length > 0) obj.otherFacts = other;
  return obj;
}

/** Sets the mapping's target unless an earlier mapping already did; a `json` value also gets its parsed form. */
function assign(obj: Record<string, unknown>, fm: FactMapping, value: unknown): void {
  if (value === undefined || getPath(obj, fm.to) !== undefined) return;
  setPath(obj, fm.to, value);
  if (fm.type === 'json') {
    const parsed = embeddedJson(String(value));
    if (parsed) setPath(obj, fm.to + 'Json', parsed);
  }
}

/** Follows single-occurrence groups down `path`; marks the fact (and the groups it went through) as used. */
function findFact(items: XbrlItem[], path: string[], used: Set<XbrlItem>): XbrlFact | undefined {
  const [head, ...rest] = path;
  for (const item of items) {
    if (item.name !== head) continue;
    if (rest.length === 0) {
      if (item.type !== 'fact') throw new FormatError('invalid_field', `${head}: expected a value, found a group of elements`);
      used.add(item);
      return item;
    }
    if (item.type === 'tuple') {
      const f = findFact(item.children, rest, used);
      if (f) {
        used.add(item);
        return f;
      }
    }
  }
  return undefined;
}

function findTuples(items: XbrlItem[], path: string[], used: Set<XbrlItem>): XbrlTuple[] {
  const [head, ...rest] = path;
  const out: XbrlTuple[] = [];
  for (const item of items) {
    if (item.name !== head) continue;
    if (item.type !== 'tuple') {
      // An empty tuple written as an empty element (or as "" in JSON) has no rows.
      if (item.value.trim() === '') used.add(item);
      continue;
    }
    used.add(item);
    if (rest.length === 0) out.push(item);
    else out.push(...findTuples(item.children, rest, used));
  }
  return out;
}

function plain(item: XbrlItem): unknown {
  if (item.type === 'fact') return item.nil ? null : item.value;
  const obj: Record<string, unknown> = {};
  for (const c of item.children) {
    const val = plain(c);
    if (c.name in obj) {
      const prev = obj[c.name];
      obj[c.name] = Array.isArray(prev) && c.type === 'tuple' ? [...prev, val] : [prev, val];
    } else obj[c.name] = c.type === 'tuple' ? [val] : val;
  }
  return obj;
}

function pickLineItem(row: Record<string, unknown>): LineItem {
  const li: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(row)) if (LINE_ITEM_KEYS.has(k)) li[k] = val;
  return li as LineItem;
}

function omitLineItemKeys(row: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(row)) if (!LINE_ITEM_KEYS.has(k)) o[k] = val;
  return o;
}

export function getPath(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split('.')) {
    if (cur == null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] == null || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}

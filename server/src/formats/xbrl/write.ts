/**
 * Voucher → MoF e-voucher XBRL instance or toolkit JSON, through the same element maps the readers use. For the
 * voucher pool's receiver (入账) files: set `voucher.extra.accounting` (entity, flags, `documents[]`) and write
 * with a `*_receiver` configId (or `efi`, `ctp`). Reading what this writes gives the same Voucher back (tested
 * for every toolkit sample).
 */
import type { Voucher } from '../voucher';
import { getPath } from '../kinds/build';
import { elementMap } from './element-maps';
import type { ElementMap, FactMapping, TupleMapping } from './model';

export interface WriteXbrlOptions {
  /** Context entity identifier (the toolkit uses the accounting entity's or issuer's code). */
  entityIdentifier: string;
  /** Context period instant, YYYY-MM-DD (the toolkit uses the issue or posting date). */
  instant: string;
  /** Defaults to the map's taxonomy date (that of the toolkit samples). */
  taxonomyDate?: string;
}

/** One node of the written document: a fact (string value) or a group/tuple (children). */
type Node = { name: string; value: string; monetary: boolean; decimals?: string } | { name: string; children: Node[] };

export function writeXbrl(configId: string, voucher: Voucher, options: WriteXbrlOptions): string {
  const map = elementMap(configId);
  const date = options.taxonomyDate ?? map.taxonomyDate;
  const p = map.prefix;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<xbrl xmlns="http://www.xbrl.org/2003/instance" xmlns:${p}="http://xbrl.mof.gov.cn/taxonomy/${date}/${p}" xmlns:link="http://www.xbrl.org/2003/linkbase" xmlns:iso4217="http://www.xbrl.org/2003/iso4217" xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xlink="http://www.w3.org/1999/xlink">`,
    `  <link:schemaRef xlink:type="simple" xlink:href="${map.entryPoint}_${date}.xsd"/>`,
    `  <context id="c1"><entity><identifier scheme="http://xbrl.mof.gov.cn">${esc(options.entityIdentifier)}</identifier></entity><period><instant>${esc(options.instant)}</instant></period></context>`,
    '  <unit id="u1"><measure>iso4217:CNY</measure></unit>',
  ];
  const emit = (n: Node, indent: string) => {
    if ('children' in n) {
      out.push(`${indent}<${p}:${n.name}>`);
      for (const c of n.children) emit(c, indent + '  ');
      out.push(`${indent}</${p}:${n.name}>`);
    } else {
      const unit = n.monetary || n.decimals ? ` unitRef="u1" decimals="${n.decimals ?? '2'}"` : '';
      out.push(`${indent}<${p}:${n.name} contextRef="c1"${unit}>${esc(n.value)}</${p}:${n.name}>`);
    }
  };
  for (const n of voucherNodes(map, voucher)) emit(n, '  ');
  out.push('</xbrl>', '');
  return out.join('\n');
}

/** The toolkit's JSON form: element names as keys, tuples (and the 非税 groups) as arrays of objects. */
export function writeVoucherJson(configId: string, voucher: Voucher): Record<string, unknown> {
  const toJson = (nodes: Node[]): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (const n of nodes) {
      if ('children' in n) ((o[n.name] ??= []) as unknown[]).push(toJson(n.children));
      else o[n.name] = n.value;
    }
    return o;
  };
  return toJson(voucherNodes(elementMap(configId), voucher));
}

function voucherNodes(map: ElementMap, v: Voucher): Node[] {
  const root: Node[] = [];
  const written = new Set<string>();
  // Top-level fields without a recorded source (the map's default title) were not read from a file: not written.
  const source: Record<string, unknown> = { extra: v.extra };
  for (const [k, val] of Object.entries(v)) if (v.sources[k] !== undefined) source[k] = val;
  for (const fm of map.facts) {
    if (!emits(fm, map.prefix) || written.has(fm.element)) continue;
    const value = lastValue(map.facts, fm.element, map.prefix, source);
    if (value === undefined) continue;
    written.add(fm.element);
    place(root, fm.element.split('/'), fact(fm, value));
  }
  for (const tm of map.tuples) {
    for (const row of tupleRows(tm, v)) place(root, tm.element.split('/'), { name: '', children: rowNodes(tm, row, map.prefix) });
  }
  return root;
}

/**
 * Several mappings may read one element into different targets (JournalAccountOfBookkeeping → bankSerialNumber and
 * extra.journalNumber): the writer takes the last, most specific one that has a value.
 */
function lastValue(facts: FactMapping[], element: string, prefix: string, source: Record<string, unknown>): unknown {
  let value: unknown;
  for (const fm of facts) if (fm.element === element && emits(fm, prefix)) value = getPath(source, fm.to) ?? value;
  return value;
}

function emits(fm: FactMapping, prefix: string): boolean {
  if (fm.prefixes && !fm.prefixes.includes(prefix)) return false;
  return !fm.exceptPrefixes?.includes(prefix);
}

function tupleRows(tm: TupleMapping, v: Voucher): Record<string, unknown>[] {
  if (tm.to !== 'lineItems') return (getPath(v as unknown as Record<string, unknown>, tm.to) as Record<string, unknown>[] | undefined) ?? [];
  const extras = (v.extra.lineItemExtras as Record<string, unknown>[] | undefined) ?? [];
  return v.lineItems.map((li, i) => ({ ...extras[i], ...li }));
}

function rowNodes(tm: TupleMapping, row: Record<string, unknown>, prefix: string): Node[] {
  const nodes: Node[] = [];
  for (const fm of tm.facts) {
    if (!emits(fm, prefix)) continue;
    const value = getPath(row, fm.to);
    if (value !== undefined) place(nodes, fm.element.split('/'), fact(fm, value));
  }
  for (const sub of tm.tuples ?? [])
    for (const r of (getPath(row, sub.to) as Record<string, unknown>[] | undefined) ?? [])
      nodes.push({ name: sub.element, children: rowNodes(sub, r, prefix) });
  return nodes;
}

function fact(fm: FactMapping, value: unknown): Node {
  return { name: '', value: typeof value === 'string' ? value : typeof value === 'boolean' ? String(value) : JSON.stringify(value), monetary: fm.type === 'monetary', decimals: fm.decimals };
}

/** Puts `node` at `path` below `nodes`, creating (or reusing the single) groups on the way. */
function place(nodes: Node[], path: string[], node: Node): void {
  const [head, ...rest] = path;
  if (rest.length === 0) {
    nodes.push({ ...node, name: head });
    return;
  }
  let group = nodes.find((n): n is Extract<Node, { children: Node[] }> => n.name === head && 'children' in n);
  if (!group) nodes.push((group = { name: head, children: [] }));
  place(group.children, rest, node);
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

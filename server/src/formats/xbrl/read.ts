/**
 * MoF e-voucher XBRL instance (电子凭证会计数据标准) → facts, contexts, units and the normalised Voucher.
 *
 * Accepts what real producers write: root `xbrl` in the default namespace or `xbrli:xbrl`, contexts with or without
 * the `xbrli:` prefix, CDATA values, `xsi:nil` facts, tuples (nested for the 非税 e-bill), `<instant>null</instant>`
 * (MoF jar extractor). The configId comes from the schemaRef entry point, the taxonomy prefix and the facts.
 */
import { FormatError } from '../errors';
import { attr, child, childrenNamed, parseXml, type XmlElement } from '../xmlsafe/xml';
import { normaliseVoucher } from '../kinds';
import { buildVoucher } from '../kinds/build';
import { parseDate } from '../kinds/dates';
import type { Voucher, VoucherKind } from '../voucher';
import { resolveConfigId } from './config';
import { elementMap } from './element-maps';
import type { Taxonomy, VoucherRole, XbrlContext, XbrlItem, XbrlUnit } from './model';

export interface XbrlDocument {
  /** Toolkit configId, e.g. `bker_issuer`, `einv_ord_receiver`, `bkrs`. */
  configId: string;
  kind: VoucherKind;
  role: VoucherRole;
  taxonomy: Taxonomy;
  contexts: XbrlContext[];
  units: XbrlUnit[];
  /** Facts and tuples in document order. */
  facts: XbrlItem[];
  voucher: Voucher;
}

export interface ReadXbrlOptions {
  /** Where the bytes came from (an OFD entry path, a file name), for error messages. */
  path?: string;
  /** File name, used only to break a tie between configIds that fit equally well. */
  filename?: string;
}

const XBRLI_NS = 'http://www.xbrl.org/2003/instance';
const MOF_NS = /^https?:\/\/xbrl\.mof\.gov\.cn\/taxonomy\/(\d{4}-\d{2}-\d{2})\/([A-Za-z_]+)\/?$/;
const NOT_FACTS = new Set(['schemaRef', 'linkbaseRef', 'roleRef', 'arcroleRef', 'context', 'unit', 'footnoteLink']);

export function readXbrl(bytes: Uint8Array | string, options: ReadXbrlOptions = {}): XbrlDocument {
  const root = parseXml(bytes, { path: options.path });
  return readXbrlElement(root, options);
}

/** For callers that already parsed the XML (the OFD reader looking at an attachment's root). */
export function readXbrlElement(root: XmlElement, options: ReadXbrlOptions = {}): XbrlDocument {
  const where = options.path;
  if (root.local !== 'xbrl') throw new FormatError('unknown_format', `root element <${root.name}> is not an XBRL instance (<xbrl>)`, where);
  const warnings: string[] = [];
  const ns = namespaces(root);
  if (!Object.values(ns).includes(XBRLI_NS)) warnings.push(`<${root.name}> does not declare the XBRL instance namespace ${XBRLI_NS}`);

  const taxonomy: Taxonomy = {};
  const schemaRef = child(root, 'schemaRef');
  const href = attr(schemaRef, 'href');
  if (href) {
    taxonomy.schemaRef = href;
    const m = /([A-Za-z_]+_entry_point)(?:_(\d{4}-\d{2}-\d{2}))?\.xsd$/.exec(href.split('/').pop() ?? '');
    if (m) {
      taxonomy.entryPoint = m[1];
      taxonomy.date = m[2];
    } else warnings.push(`schemaRef ${href} does not name a MoF entry point`);
  } else warnings.push('no schemaRef: the taxonomy is inferred from the facts');

  const contexts = childrenNamed(root, 'context').map((c) => readContext(c, warnings));
  const units = childrenNamed(root, 'unit').map(readUnit);
  const facts = root.children.filter((c) => !NOT_FACTS.has(c.local)).map(readItem);

  const prefix = facts.find((f) => f.prefix)?.prefix;
  if (prefix && ns[prefix]) {
    taxonomy.namespace = ns[prefix];
    const m = MOF_NS.exec(ns[prefix]);
    if (m) {
      taxonomy.prefix = m[2];
      taxonomy.date ??= m[1];
    } else warnings.push(`facts use namespace ${ns[prefix]}, which is not a MoF e-voucher taxonomy`);
  } else if (prefix) taxonomy.prefix = prefix;

  checkReferences(facts, new Set(contexts.map((c) => c.id)), new Set(units.map((u) => u.id)), warnings);

  const configId = resolveConfigId(facts, { entryPoint: taxonomy.entryPoint, prefix: taxonomy.prefix, filename: options.filename });
  if (!configId)
    throw new FormatError(
      'unknown_format',
      `XBRL instance of no known MoF e-voucher taxonomy (schemaRef ${href ?? 'missing'}, fact prefix ${prefix ?? 'none'})`,
      where,
    );
  const map = elementMap(configId);
  const draft = buildVoucher(map, facts);
  draft.warnings.unshift(...warnings);
  const voucher = normaliseVoucher(draft);
  return { configId, kind: voucher.kind, role: map.role, taxonomy, contexts, units, facts, voucher };
}

function namespaces(root: XmlElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(root.attrs)) {
    if (k === 'xmlns') out[''] = v;
    else if (k.startsWith('xmlns:')) out[k.slice(6)] = v;
  }
  return out;
}

function readContext(el: XmlElement, warnings: string[]): XbrlContext {
  const id = attr(el, 'id') ?? '';
  if (!id) warnings.push('a context has no id');
  const identifier = child(child(el, 'entity'), 'identifier');
  const period = child(el, 'period');
  const ctx: XbrlContext = {
    id,
    entity: { scheme: attr(identifier, 'scheme'), identifier: identifier?.text.trim() },
    period: {},
  };
  for (const name of ['instant', 'startDate', 'endDate'] as const) {
    const p = child(period, name);
    if (!p) continue;
    const raw = p.text.trim();
    if (raw === '' || raw === 'null') {
      ctx.period[name] = null;
      warnings.push(`context ${id}: period ${name} is "${raw}", not a date`);
      continue;
    }
    try {
      ctx.period[name] = parseDate(raw, `context ${id} ${name}`);
    } catch {
      ctx.period[name] = raw;
      warnings.push(`context ${id}: period ${name} "${raw}" is not a date`);
    }
  }
  if (child(period, 'forever')) ctx.period.forever = true;
  return ctx;
}

function readUnit(el: XmlElement): XbrlUnit {
  const measures: string[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) if (c.local === 'measure') measures.push(c.text.trim());
    else walk(c);
  };
  walk(el);
  return { id: attr(el, 'id') ?? '', measures };
}

function readItem(el: XmlElement): XbrlItem {
  const colon = el.name.lastIndexOf(':');
  const prefix = colon > 0 ? el.name.slice(0, colon) : undefined;
  if (el.children.length > 0) return { type: 'tuple', name: el.local, prefix, children: el.children.map(readItem) };
  return {
    type: 'fact',
    name: el.local,
    prefix,
    value: el.text,
    nil: attr(el, 'nil') === 'true',
    contextRef: attr(el, 'contextRef'),
    unitRef: attr(el, 'unitRef'),
    decimals: attr(el, 'decimals'),
  };
}

function checkReferences(items: XbrlItem[], contexts: Set<string>, units: Set<string>, warnings: string[]): void {
  for (const it of items) {
    if (it.type === 'tuple') {
      checkReferences(it.children, contexts, units, warnings);
      continue;
    }
    if (!it.contextRef) warnings.push(`fact ${it.name} has no contextRef`);
    else if (!contexts.has(it.contextRef)) warnings.push(`fact ${it.name}: contextRef ${it.contextRef} names no context`);
    if (it.unitRef && !units.has(it.unitRef)) warnings.push(`fact ${it.name}: unitRef ${it.unitRef} names no unit`);
  }
}

/**
 * Small helpers the XML invoice readers share: reading a value by local-name path, and turning one source value
 * into a Voucher field with its normalisation and source recorded.
 */
import { at, descendants, type XmlElement } from '../xmlsafe/xml';
import type { FactValueType } from '../xbrl/model';
import { normaliseValue } from '../kinds/values';
import type { FieldSource, Voucher } from '../voucher';

/** Text at a local-name path below `el`, trimmed; undefined when the element is missing or empty. */
export function textOf(el: XmlElement | undefined, ...path: string[]): string | undefined {
  const e = path.length ? at(el, ...path) : el;
  const t = e?.text.trim();
  return t ? t : undefined;
}

/**
 * Text at the path, or — for hypothesised layouts (数电票) — of the first descendant with the last path segment's
 * name anywhere below `root`, so a different nesting of the same element still reads.
 */
export function textNear(root: XmlElement, ...path: string[]): string | undefined {
  const exact = textOf(root, ...path);
  if (exact !== undefined) return exact;
  const name = path[path.length - 1];
  for (const d of descendants(root, name)) {
    const t = d.text.trim();
    if (t && d.children.length === 0) return t;
  }
  return undefined;
}

type TopField = Exclude<keyof Voucher, 'kind' | 'lineItems' | 'extra' | 'sources' | 'signatures' | 'signatureVerdict' | 'warnings'>;

/** Normalises `raw` by type and sets the Voucher field (unless already set), recording `source`. */
export function setField(v: Voucher, field: TopField, raw: string | undefined, type: FactValueType, element: string, source: FieldSource): void {
  if (raw === undefined || v[field] !== undefined) return;
  const value = normaliseValue(raw, type, element, v.warnings);
  if (value === undefined) return;
  (v as unknown as Record<string, unknown>)[field] = value;
  v.sources[field] = source;
}

/** Same for a key under `extra`. */
export function setExtra(v: Voucher, key: string, raw: string | undefined, type: FactValueType, element: string): void {
  if (raw === undefined || v.extra[key] !== undefined) return;
  const value = normaliseValue(raw, type, element, v.warnings);
  if (value !== undefined) v.extra[key] = value;
}

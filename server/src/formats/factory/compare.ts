/**
 * Comparing what a reader produced with the factory's ground truth. Every field the expected Voucher sets must
 * come back equal: scalars, line items (all of them, every key), each `extra` key it names, each `sources`
 * entry it names, and the signature verdict. Fields the expected Voucher leaves out are not compared (readers
 * add their own extras, e.g. the XML's DocID).
 */
import type { Voucher } from '../voucher';

/** One sentence per difference; empty when the voucher matches. */
export function voucherDifferences(expected: Voucher, actual: Partial<Voucher>): string[] {
  const out: string[] = [];
  const show = (v: unknown) => JSON.stringify(v);
  const same = (a: unknown, b: unknown) => show(canonical(a)) === show(canonical(b));
  for (const [k, v] of Object.entries(expected) as [keyof Voucher, unknown][]) {
    if (k === 'extra' || k === 'sources' || k === 'warnings' || k === 'signatures') continue;
    if (k === 'signatureVerdict' && expected.signatures.length === 0 && v === 'unsigned' && actual.signatureVerdict === undefined) continue;
    if (!same(v, actual[k])) out.push(`${k}: expected ${show(v)}, got ${show(actual[k])}`);
  }
  for (const [k, v] of Object.entries(expected.extra)) if (!same(v, actual.extra?.[k])) out.push(`extra.${k}: expected ${show(v)}, got ${show(actual.extra?.[k])}`);
  for (const [k, v] of Object.entries(expected.sources)) if (v !== actual.sources?.[k]) out.push(`sources.${k}: expected ${v}, got ${actual.sources?.[k]}`);
  return out;
}

/** Objects with sorted keys and no undefined members, so key order never makes two equal values differ. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if ((v as Record<string, unknown>)[k] !== undefined) o[k] = canonical((v as Record<string, unknown>)[k]);
    return o;
  }
  return v;
}

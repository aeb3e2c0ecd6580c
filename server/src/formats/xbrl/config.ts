/**
 * Which toolkit configId a set of facts belongs to. The XBRL schemaRef names the entry point (`inv_issuer_entry_point`
 * …) and the fact prefix names the taxonomy, but several configIds share one entry point (普通/专用 invoices) and
 * the JSON form has neither: there the element names decide, by how well they fit each element map.
 */
import type { VoucherKind } from '../voucher';
import { kindFromInvoiceCode } from '../kinds/invoices';
import { CONFIG_IDS, elementMap, topLevelElements } from './element-maps';
import type { XbrlItem } from './model';

/** Elements that only the special-invoice receiver views have (进项税 transfer-out and 用途确认 of 专票). */
const SPECIAL_ONLY = [
  'WhetherInputVatHasBeenTransferredOut',
  'AmountOfTransferredOutInputVat',
  'WhetherInvoiceUsageHasBeenConfirmed',
  'WhetherEinvoiceUsageHasBeenConfirmed',
  'UsageConfirmation',
  'PeriodOfUsageConfirmation',
];

export interface ConfigHints {
  entryPoint?: string;
  prefix?: string;
  /** A file name such as `inv_ord_issuer_20220901_….xml` or `einv_spcl_receiver.json`; only breaks ties. */
  filename?: string;
}

/** Returns the configId, or undefined when no map fits at all. */
export function resolveConfigId(items: XbrlItem[], hints: ConfigHints): string | undefined {
  let candidates = CONFIG_IDS;
  if (hints.entryPoint) candidates = candidates.filter((c) => elementMap(c).entryPoint === hints.entryPoint);
  if (candidates.length === 0 || (!hints.entryPoint && hints.prefix)) {
    const byPrefix = CONFIG_IDS.filter((c) => elementMap(c).prefix === hints.prefix);
    if (byPrefix.length) candidates = byPrefix;
  }
  const names = items.map((i) => i.name);
  let best: string[] = [];
  let bestScore = -Infinity;
  for (const c of candidates) {
    const known = topLevelElements(elementMap(c));
    const hits = names.filter((n) => known.has(n)).length;
    const misses = names.length - hits;
    const score = hits - 2 * misses;
    if (hits === 0 && !hints.entryPoint) continue;
    if (score > bestScore) [best, bestScore] = [[c], score];
    else if (score === bestScore) best.push(c);
  }
  if (best.length <= 1) return best[0];
  const byName = best.find((c) => hints.filename && new RegExp(`(^|[^a-z])${c}([^a-z]|$)`).test(hints.filename));
  return byName ?? refineInvoiceKind(best, items) ?? best[0];
}

/** Chooses between the 普通 and 专用 variants of one taxonomy from what the facts say. */
function refineInvoiceKind(candidates: string[], items: XbrlItem[]): string | undefined {
  // The first candidate of each kind (CONFIG_IDS order puts issuer views first).
  const kinds = new Map<VoucherKind, string>();
  for (const c of candidates) if (!kinds.has(elementMap(c).kind)) kinds.set(elementMap(c).kind, c);
  const value = (name: string) => {
    const f = items.find((i) => i.name === name);
    return f?.type === 'fact' ? f.value.trim() : undefined;
  };
  const special = kinds.get('inv_spcl') ?? kinds.get('einv_spcl');
  const ordinary = kinds.get('inv_ord') ?? kinds.get('einv_ord');
  if (!special || !ordinary) return undefined;
  const title = value('TypeOfInvoice');
  if (title?.includes('专用')) return special;
  if (title?.includes('普通')) return ordinary;
  const code = value('CodeOfInvoice') ?? value('UniqueCodeOfInvoice')?.slice(0, 12);
  const byCode = kindFromInvoiceCode(code);
  if (byCode) return byCode === 'inv_spcl' ? special : ordinary;
  return items.some((i) => SPECIAL_ONLY.includes(i.name)) ? special : ordinary;
}

/**
 * The fact model shared by the XBRL instance reader and the JSON interchange reader: both forms of a MoF
 * e-voucher become the same list of facts and tuples, so one element map turns either into a Voucher.
 */
import type { VoucherKind } from '../voucher';

/** One XBRL item fact (or one string value of the JSON form). */
export interface XbrlFact {
  type: 'fact';
  /** Local element name, e.g. `TaxIncludedAmountInFigures`, `TotalTax-includedAmount`, `PAID_AMT`. */
  name: string;
  /** Namespace prefix as written (`inv`, `bker` …); absent in the JSON form. */
  prefix?: string;
  /** Character content, entities expanded; '' for empty and nil facts. */
  value: string;
  /** `xsi:nil="true"` (or JSON null). */
  nil: boolean;
  contextRef?: string;
  unitRef?: string;
  decimals?: string;
}

/** An XBRL tuple (`…Tuple`, or an upper-snake group such as `EINVOICE_DATA`); a JSON object. */
export interface XbrlTuple {
  type: 'tuple';
  name: string;
  prefix?: string;
  children: XbrlItem[];
}

export type XbrlItem = XbrlFact | XbrlTuple;

export interface XbrlContext {
  id: string;
  entity: { scheme?: string; identifier?: string };
  /** `instant` is null when the producer wrote the literal `null` (seen from the MoF jar's OFD extractor). */
  period: { instant?: string | null; startDate?: string | null; endDate?: string | null; forever?: boolean };
}

export interface XbrlUnit {
  id: string;
  /** e.g. `iso4217:CNY` */
  measures: string[];
}

export type VoucherRole = 'issuer' | 'receiver';

export interface Taxonomy {
  /** Taxonomy prefix, the last path segment of the namespace: `inv`, `einv`, `bker` … */
  prefix?: string;
  /** e.g. `http://xbrl.mof.gov.cn/taxonomy/2023-12-31/inv` */
  namespace?: string;
  /** Taxonomy date from the namespace or the entry point, e.g. `2023-12-31`. */
  date?: string;
  /** The schemaRef href, e.g. `inv_issuer_entry_point_2023-12-31.xsd`. */
  schemaRef?: string;
  /** The entry point stem, e.g. `inv_issuer_entry_point`. */
  entryPoint?: string;
}

/** Value types of the element maps (see schemas/xbrl/README.md). */
export type FactValueType = 'text' | 'code' | 'monetary' | 'decimal' | 'rate' | 'date' | 'yearMonth' | 'boolean' | 'taxId' | 'json';

export interface FactMapping {
  /** Local element name; `/`-separated path through non-repeating groups for nested forms (ntrev). */
  element: string;
  /** Voucher field, dotted path under `extra.`, or (inside a tuple) a key of the tuple's object. */
  to: string;
  type: FactValueType;
  /** XBRL `decimals` a writer should emit for numeric facts (monetary facts default to 2). */
  decimals?: string;
  /** Writer only: emit this element only in these taxonomies (where several names alias one target). */
  prefixes?: string[];
  /** Writer only: never emit this element in these taxonomies. */
  exceptPrefixes?: string[];
  $comment?: string;
}

export interface TupleMapping {
  element: string;
  to: string;
  facts: FactMapping[];
  tuples?: TupleMapping[];
  $comment?: string;
}

/** The element map of one toolkit configId, with `include` / `sameAs` already resolved. */
export interface ElementMap {
  configId: string;
  kind: VoucherKind;
  role: VoucherRole;
  prefix: string;
  /** Taxonomy date of the toolkit samples; the writer's default. */
  taxonomyDate: string;
  entryPoint: string;
  title?: string;
  facts: FactMapping[];
  tuples: TupleMapping[];
}

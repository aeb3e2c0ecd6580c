/**
 * MoF XBRL instances embedded as OFD attachments (bker, bkrs, rai, inv …; voucher-formats.md §5).
 *
 * The complete reading of every taxonomy belongs to `formats/xbrl` (the XBRL engineer's element maps). This file
 * is the OFD reader's minimal view: it recognises the kind from the taxonomy namespace / schemaRef and takes the
 * document-level facts the OFD reader cross-checks (numbers, dates, amounts, parties), so an OFD is readable
 * even where the full XBRL reader is not wired in.
 */
import type { LineItem, VoucherKind } from '../voucher';
import { attr, child, type XmlElement } from '../xmlsafe/xml';
import { ELEMENT_FIELDS, type OfdField } from './values';

export interface EmbeddedXbrl {
  kind?: VoucherKind;
  /** Taxonomy prefix (`bker`, `rai` …) and date, when recognisable. */
  taxonomy?: { prefix: string; date?: string };
  /** Raw fact values by Voucher field. */
  fields: Partial<Record<OfdField, string>>;
  lineItems: LineItem[];
  extra: Record<string, unknown>;
  warnings: string[];
}

const PREFIX_KIND: Record<string, VoucherKind> = {
  inv: 'inv_ord',
  einv: 'einv_ord',
  rai: 'rai',
  atr: 'atr',
  efi: 'efi',
  ntrev: 'ntrev',
  bker: 'bker',
  bkrs: 'bkrs',
  ctp: 'ctp',
};

/** Facts that only exist in one taxonomy and mean a Voucher field there. */
const KIND_FACTS: Partial<Record<VoucherKind, Record<string, OfdField>>> = {
  rai: { Fare: 'totalAmount', TaxAmount: 'taxAmount' },
  bkrs: { PrintDate: 'issueDate' },
};

export function readEmbeddedXbrl(_bytes: Uint8Array, root: XmlElement, path: string): EmbeddedXbrl {
  const out: EmbeddedXbrl = { fields: {}, lineItems: [], extra: {}, warnings: [] };
  const taxonomy = taxonomyOf(root);
  if (taxonomy) {
    out.taxonomy = taxonomy;
    out.kind = PREFIX_KIND[taxonomy.prefix];
  } else out.warnings.push(`xbrl (${path}): taxonomy not recognised (no xbrl.mof.gov.cn namespace or schemaRef)`);
  const kindFacts = (out.kind && KIND_FACTS[out.kind]) || {};
  let tuples = 0;
  for (const fact of root.children) {
    if (fact.local === 'context' || fact.local === 'unit' || fact.local === 'schemaRef') continue;
    if (fact.children.length > 0) {
      tuples++;
      continue;
    }
    if (attr(fact, 'nil') === 'true') continue;
    const value = fact.text.trim();
    if (!value) continue;
    const field = kindFacts[fact.local] ?? ELEMENT_FIELDS[fact.local];
    if (field && out.fields[field] === undefined) out.fields[field] = value;
  }
  if (out.kind === 'inv_ord' && /专用/.test(textOf(root, 'TypeOfInvoice') ?? '')) out.kind = 'inv_spcl';
  if (out.kind === 'bkrs') {
    // A statement has an account holder, not a payer and payee.
    const account = textOf(root, 'CustomerSettlementBankAccount');
    const name = textOf(root, 'NameOfCustomerAccount');
    if (account) out.extra.account = account;
    if (name) out.extra.accountName = name;
  }
  if (tuples) out.extra.xbrlTuples = tuples;
  return out;
}

function textOf(root: XmlElement, local: string): string | undefined {
  return child(root, local)?.text.trim() || undefined;
}

/** `http://xbrl.mof.gov.cn/taxonomy/<date>/<prefix>` on any namespace declaration, else the schemaRef href. */
export function taxonomyOf(root: XmlElement): { prefix: string; date?: string } | undefined {
  for (const [k, v] of Object.entries(root.attrs)) {
    if (!k.startsWith('xmlns')) continue;
    const m = /xbrl\.mof\.gov\.cn\/taxonomy\/(\d{4}-\d{2}-\d{2})\/([a-z_]+)\/?$/.exec(v.trim());
    if (m && PREFIX_KIND[m[2]]) return { prefix: m[2], date: m[1] };
  }
  const href = attr(child(root, 'schemaRef'), 'href') ?? '';
  const m = /(?:^|\/)([a-z]+)_(?:[a-z_]*?)entry_point_?(\d{4}-\d{2}-\d{2})?/.exec(href);
  if (m && PREFIX_KIND[m[1]]) return { prefix: m[1], date: m[2] };
  return undefined;
}

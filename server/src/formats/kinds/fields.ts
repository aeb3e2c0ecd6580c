/**
 * The Voucher's field names in the order of `voucher.ts`, for output that lists fields (CLI `inspect --json`,
 * the table view) and for the test that keeps schemas/voucher.schema.json equal to the TypeScript model.
 */
import type { Voucher } from '../voucher';

export const VOUCHER_FIELDS = [
  'kind',
  'title',
  'invoiceCode',
  'invoiceNumber',
  'checkCode',
  'issueDate',
  'amountExTax',
  'taxAmount',
  'totalAmount',
  'currency',
  'sellerName',
  'sellerTaxId',
  'buyerName',
  'buyerTaxId',
  'payerName',
  'payerAccount',
  'payerBank',
  'payeeName',
  'payeeAccount',
  'payeeBank',
  'bankSerialNumber',
  'lineItems',
  'extra',
  'sources',
  'signatures',
  'signatureVerdict',
  'warnings',
] as const satisfies readonly (keyof Voucher)[];

/** The same voucher with its keys in model order (absent optional fields stay absent). */
export function orderVoucher(v: Voucher): Voucher {
  const out: Record<string, unknown> = {};
  for (const k of VOUCHER_FIELDS) if (v[k] !== undefined) out[k] = v[k];
  return out as unknown as Voucher;
}

/**
 * Per-kind normalisation: derived fields and kind-specific checks after a reader has mapped the source fields.
 * Every reader (XBRL, JSON, the XML invoices, and the OFD/PDF readers if they wish) calls `normaliseVoucher` last.
 */
import type { Voucher, VoucherKind } from '../voucher';
import { checkAccounting } from './accounting';
import { orderVoucher } from './fields';
import { normaliseBankReceipt, normaliseBankStatement } from './bank';
import { normaliseFiscalReceipt, normaliseNonTaxPayment, normaliseTreasuryPayment } from './fiscal';
import { normaliseDigitalInvoice, normaliseVatInvoice } from './invoices';
import { normaliseAirItinerary, normaliseRailwayTicket } from './travel';

const NORMALISERS: Record<VoucherKind, (v: Voucher) => Voucher> = {
  inv_ord: normaliseVatInvoice,
  inv_spcl: normaliseVatInvoice,
  einv_ord: normaliseDigitalInvoice,
  einv_spcl: normaliseDigitalInvoice,
  rai: normaliseRailwayTicket,
  atr: normaliseAirItinerary,
  efi: normaliseFiscalReceipt,
  ntrev: normaliseNonTaxPayment,
  bker: normaliseBankReceipt,
  bkrs: normaliseBankStatement,
  ctp: normaliseTreasuryPayment,
  other: (v) => v,
};

export function normaliseVoucher(v: Voucher): Voucher {
  NORMALISERS[v.kind](v);
  checkAccounting(v);
  return orderVoucher(v);
}

export * from './money';
export * from './dates';
export * from './taxid';
export { checkTotals, checkLineItemSums, checkAmountInWords } from './checks';
export { parseAmountInWords } from './words';
export { kindFromInvoiceCode } from './invoices';
export { buildVoucher, emptyVoucher } from './build';
export { VOUCHER_FIELDS, orderVoucher } from './fields';

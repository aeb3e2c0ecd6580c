/**
 * Normalisers of the tax invoices: 增值税电子普通/专用发票 (inv_ord, inv_spcl; 12-digit code + 8-digit number) and
 * 数电票 (einv_ord, einv_spcl; 20-digit number, no code).
 */
import type { Voucher, VoucherKind } from '../voucher';
import { checkAmountInWords, checkLineItemSums, checkShape, checkTotals, derive, markRed } from './checks';

/**
 * The last two digits of a 12-digit electronic invoice code give its type: 11 增值税电子普通发票, 12 通行费电子普票,
 * 13 增值税电子专用发票. Undefined when the code says nothing.
 */
export function kindFromInvoiceCode(code: string | undefined): VoucherKind | undefined {
  if (!code || !/^\d{12}$/.test(code)) return undefined;
  const t = code.slice(10);
  return t === '13' ? 'inv_spcl' : t === '11' || t === '12' ? 'inv_ord' : undefined;
}

/** 增值税电子普通发票 / 专用发票 */
export function normaliseVatInvoice(v: Voucher): Voucher {
  // Receiver views carry only UniqueCodeOfInvoice = invoice code (12) + number (8).
  const unique = typeof v.extra.uniqueCode === 'string' ? v.extra.uniqueCode : undefined;
  if (unique && /^\d{20}$/.test(unique)) {
    derive(v, 'invoiceCode', unique.slice(0, 12));
    derive(v, 'invoiceNumber', unique.slice(12));
    if (v.invoiceCode + (v.invoiceNumber ?? '') !== unique)
      v.warnings.push(`UniqueCodeOfInvoice ${unique} is not invoiceCode + invoiceNumber (${v.invoiceCode}${v.invoiceNumber ?? ''})`);
  }
  checkShape(v, 'invoiceCode', /^(\d{10}|\d{12})$/, '10 or 12 digits');
  checkShape(v, 'invoiceNumber', /^\d{8}$/, '8 digits');
  checkShape(v, 'checkCode', /^\d{20}$/, '20 digits');
  const byCode = kindFromInvoiceCode(v.invoiceCode);
  if (byCode && byCode !== v.kind) v.warnings.push(`invoice code ${v.invoiceCode} denotes ${byCode}, but the voucher says ${v.kind}`);
  checkTotals(v);
  checkLineItemSums(v);
  checkAmountInWords(v);
  markRed(v);
  return v;
}

/** 数电票 (全面数字化的电子发票) */
export function normaliseDigitalInvoice(v: Voucher): Voucher {
  checkShape(v, 'invoiceNumber', /^\d{20}$/, '20 digits');
  if (v.invoiceCode !== undefined) v.warnings.push(`invoiceCode "${v.invoiceCode}" given, but 数电票 have no invoice code`);
  checkTotals(v);
  checkLineItemSums(v);
  checkAmountInWords(v);
  markRed(v);
  return v;
}

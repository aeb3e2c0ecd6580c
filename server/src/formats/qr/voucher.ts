/**
 * A QR payload as a Voucher layer. Used alone for photos of paper invoices and as one layer among several for
 * PDFs; every field it fills is marked `sources[field] = 'qr'`.
 */
import { VOUCHER_KIND_NAMES, type Voucher } from '../voucher';
import type { QrInvoice } from './payload';

export function voucherFromQr(qr: QrInvoice): Voucher {
  const v: Voucher = {
    kind: qr.kind,
    title: VOUCHER_KIND_NAMES[qr.kind],
    lineItems: [],
    extra: {},
    sources: {},
    signatures: [],
    signatureVerdict: 'unsigned',
    warnings: [...qr.warnings],
  };
  const set = <K extends keyof Voucher>(field: K, value: Voucher[K] | undefined) => {
    if (value === undefined) return;
    v[field] = value;
    v.sources[field] = 'qr';
  };
  set('invoiceCode', qr.invoiceCode);
  set('invoiceNumber', qr.invoiceNumber);
  set('issueDate', qr.issueDate);
  set('amountExTax', qr.amountExTax);
  set('totalAmount', qr.totalAmount);
  set('checkCode', qr.checkCode);
  if (qr.totalAmount !== undefined || qr.amountExTax !== undefined) set('currency', 'CNY');
  if (qr.typeCode) v.extra.qrTypeCode = qr.typeCode;
  return v;
}

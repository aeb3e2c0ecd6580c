/**
 * The Voucher fields an OFD can supply, the names each source uses for them, and how a raw value becomes the
 * model's form (money: two-decimal string; dates: YYYY-MM-DD; codes without spaces).
 */
import { toIsoDate, toMoney } from '../qr/values';
import type { Voucher } from '../voucher';

/** Scalar Voucher fields filled from OFD data layers. */
export const OFD_FIELDS = [
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
] as const satisfies readonly (keyof Voucher)[];
export type OfdField = (typeof OFD_FIELDS)[number];

export const MONEY_FIELDS: ReadonlySet<OfdField> = new Set(['amountExTax', 'taxAmount', 'totalAmount']);
const CODE_FIELDS: ReadonlySet<OfdField> = new Set(['invoiceCode', 'invoiceNumber', 'checkCode', 'sellerTaxId', 'buyerTaxId', 'payerAccount', 'payeeAccount', 'bankSerialNumber', 'currency']);

/**
 * Element local names → field, shared by the 2019 `eInvoice` XML, the 数电票 `EInvoice` XML, custom tag files
 * (whose element names copy those schemas, or carry the XBRL name in `ContextRef`) and flat MoF XBRL facts.
 * Only names that mean the document-level value in every schema where they occur are listed: line-level names
 * (`Amount`, `TaxAmount` in goods lines) are not.
 */
export const ELEMENT_FIELDS: Record<string, OfdField> = {
  InvoiceCode: 'invoiceCode',
  CodeOfInvoice: 'invoiceCode',
  InvoiceNo: 'invoiceNumber',
  InvoiceNumber: 'invoiceNumber',
  NumberOfInvoice: 'invoiceNumber',
  EIid: 'invoiceNumber',
  ElectronicInvoiceRailwayETicketNumber: 'invoiceNumber',
  ElectronicInvoiceAirTransportReceiptNumber: 'invoiceNumber',
  NumberOfBankElectronicReceipt: 'invoiceNumber',
  InvoiceCheckCode: 'checkCode',
  IdentifyingCode: 'checkCode',
  IssueDate: 'issueDate',
  DateOfIssue: 'issueDate',
  RequestTime: 'issueDate',
  IssueTime: 'issueDate',
  TaxExclusiveTotalAmount: 'amountExTax',
  TotalAmWithoutTax: 'amountExTax',
  TotalAmountExcludingTax: 'amountExTax',
  TaxTotalAmount: 'taxAmount',
  TotalTaxAm: 'taxAmount',
  TotalTaxAmount: 'taxAmount',
  TaxInclusiveTotalAmount: 'totalAmount',
  'TotalTax-includedAmount': 'totalAmount',
  TaxIncludedAmountInFigures: 'totalAmount',
  TransactionAmountInFigures: 'totalAmount',
  Currency: 'currency',
  SellerName: 'sellerName',
  NameOfSeller: 'sellerName',
  SellerTaxID: 'sellerTaxId',
  SellerIdNum: 'sellerTaxId',
  UnifiedSocialCreditCodeOfSeller: 'sellerTaxId',
  TaxpayerIdentificationNumberUnifiedSocialCreditCodeOfSeller: 'sellerTaxId',
  BuyerName: 'buyerName',
  NameOfPurchaser: 'buyerName',
  BuyerTaxID: 'buyerTaxId',
  BuyerIdNum: 'buyerTaxId',
  UnifiedSocialCreditCodeOfPurchaser: 'buyerTaxId',
  TaxpayerIdentificationNumberUnifiedSocialCreditCodeOfPurchaser: 'buyerTaxId',
  AccountNameOfPayer: 'payerName',
  AccountNumberOfPayer: 'payerAccount',
  OpeningBankOfPayer: 'payerBank',
  AccountNameOfPayee: 'payeeName',
  AccountNumberOfPayee: 'payeeAccount',
  OpeningBankOfPayee: 'payeeBank',
  BusinessSerialNumber: 'bankSerialNumber',
  JournalAccountOfBookkeeping: 'bankSerialNumber',
  TypeOfVoucher: 'title',
};

/** `OFD.xml` CustomData names (tax-bureau invoices) → field. */
export const CUSTOM_DATA_FIELDS: Record<string, OfdField> = {
  发票代码: 'invoiceCode',
  发票号码: 'invoiceNumber',
  开票日期: 'issueDate',
  校验码: 'checkCode',
  合计金额: 'amountExTax',
  合计税额: 'taxAmount',
  价税合计: 'totalAmount',
  销售方名称: 'sellerName',
  销售方纳税人识别号: 'sellerTaxId',
  购买方名称: 'buyerName',
  购买方纳税人识别号: 'buyerTaxId',
};

/** Full-width digits, letters and punctuation → ASCII (U+FF01–FF5E), ideographic space → space. */
export function toHalfWidth(s: string): string {
  return s.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

export interface Normalised {
  value?: string;
  /** Set when the raw value could not be read as the field's type (kept out of the voucher). */
  problem?: string;
}

/**
 * Raw text → the field's model form. `***` (old invoices mask a zero tax that way) and empty values give no
 * value; unreadable money or dates give a `problem` sentence instead of a value.
 */
export function normaliseField(field: OfdField, raw: string | undefined): Normalised {
  if (raw === undefined) return {};
  const text = raw.replace(/\s+/g, ' ').trim();
  if (text === '') return {};
  if (MONEY_FIELDS.has(field)) {
    const t = toHalfWidth(text).replace(/\s+/g, '').replace(/元$/, '');
    if (/^\*+$/.test(t)) return { problem: `${field}: amount is masked ("${text}"), treated as absent` };
    const m = toMoney(t);
    return m === undefined ? { problem: `${field}: "${preview(text)}" is not an amount` } : { value: m };
  }
  if (field === 'issueDate') {
    const t = toHalfWidth(text);
    // ISO date-times (数电票 RequestTime, XBRL) keep only their date part.
    const d = toIsoDate(t.replace(/[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/, ''));
    return d === undefined ? { problem: `issueDate: "${preview(text)}" is not a date` } : { value: d };
  }
  if (CODE_FIELDS.has(field)) {
    const v = toHalfWidth(text).replace(/\s+/g, '');
    return { value: field === 'sellerTaxId' || field === 'buyerTaxId' || field === 'currency' ? v.toUpperCase() : v };
  }
  return { value: text };
}

function preview(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** Equality after normalisation (amounts as numbers of fen, codes without spaces). */
export function sameValue(field: OfdField, a: string, b: string): boolean {
  if (a === b) return true;
  if (field === 'sellerName' || field === 'buyerName' || field === 'payerName' || field === 'payeeName' || field === 'payerBank' || field === 'payeeBank' || field === 'title') {
    const squash = (s: string) => toHalfWidth(s).replace(/[\s()（）]/g, '');
    return squash(a) === squash(b);
  }
  return false;
}

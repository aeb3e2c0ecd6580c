/**
 * The normalised voucher (电子凭证): what every reader (OFD, PDF, XML, XBRL, JSON, QR, photo) produces, whatever
 * the source format. `schemas/voucher.schema.json` is the same model as JSON Schema; the two are kept equal by
 * a test. Field names are the product's public contract (CLI `inspect --json`, APIs, search).
 *
 * Money is a decimal string with exactly two places ("1234.50", "-36.00" for red invoices) — never a float.
 * Dates are `YYYY-MM-DD`.
 */

/** MoF e-voucher kinds (电子凭证会计数据标准 config ids, issuer/receiver suffix dropped). */
export const VOUCHER_KINDS = [
  'inv_ord', // 增值税电子普通发票
  'inv_spcl', // 增值税电子专用发票
  'einv_ord', // 数电票（普通发票）
  'einv_spcl', // 数电票（增值税专用发票）
  'rai', // 铁路电子客票
  'atr', // 航空运输电子客票行程单
  'efi', // 财政电子票据
  'ntrev', // 非税收入一般缴款书
  'bker', // 银行电子回单
  'bkrs', // 银行电子对账单
  'ctp', // 国库集中支付电子凭证
  'other',
] as const;
export type VoucherKind = (typeof VOUCHER_KINDS)[number];

export const VOUCHER_KIND_NAMES: Record<VoucherKind, string> = {
  inv_ord: '增值税电子普通发票',
  inv_spcl: '增值税电子专用发票',
  einv_ord: '电子发票（普通发票）',
  einv_spcl: '电子发票（增值税专用发票）',
  rai: '铁路电子客票',
  atr: '航空运输电子客票行程单',
  efi: '财政电子票据',
  ntrev: '非税收入一般缴款书',
  bker: '银行电子回单',
  bkrs: '银行电子对账单',
  ctp: '国库集中支付电子凭证',
  other: '其他',
};

/** Where a field's value came from, in the priority order of spec/ofd.md. */
export type FieldSource =
  | 'embedded-xml' // original_invoice.xml / 数电票 EInvoice XML inside the package or given alone
  | 'xbrl' // MoF XBRL instance (embedded or alone) or its JSON interchange form
  | 'custom-tag' // OFD custom tags mapped to page text objects
  | 'custom-data' // OFD.xml CustomData name/value pairs
  | 'page-text' // positional text of the page (labels → values)
  | 'qr' // QR payload printed on the voucher
  | 'ocr'; // OCR of a photo: low confidence by definition

/** 金额：two-decimal string, e.g. "1234.50". */
export type Money = string;

export interface LineItem {
  name?: string;
  specification?: string;
  unit?: string;
  quantity?: string;
  unitPrice?: string;
  amount?: Money;
  taxRate?: string;
  taxAmount?: Money;
}

export type SignatureType = 'seal' | 'sign';
export type SignatureFormat =
  | 'ses-v1' // GM/T 0031-2014
  | 'ses-v4' // GB/T 38540-2020
  | 'pkcs7' // OFD Type=Sign: PKCS#7 / GB/T 35275 SignedData
  | 'pdf-cms' // PDF /Sig with adbe.pkcs7.detached / sha1 / ETSI.CAdES
  | 'xmldsig' // XML Signature
  | 'cms' // detached CMS inside an XML element (e.g. fp:Signature)
  | 'unknown';

export interface SignatureReport {
  type: SignatureType;
  format: SignatureFormat;
  /** Where it sits: OFD signature folder, PDF field name, XML element. */
  location?: string;
  /** Every protected reference's digest matched (null when there is nothing to check or it cannot be read). */
  digestsOk: boolean | null;
  /** The signer's signature over the signed data verified (null: could not be checked). */
  signatureValid: boolean | null;
  signerSubject?: string;
  /** ISO 8601 */
  signingTime?: string;
  /** Certificate chain status against the configured trust anchors. */
  chain?: 'trusted' | 'untrusted' | 'not-checkable';
  /** One sentence per check, passing or failing, e.g. "reference /Doc_0/Pages/Page_0/Content.xml: SM3 digest matches". */
  reasons: string[];
}

export type SignatureVerdict = 'valid' | 'invalid' | 'incomplete' | 'unsigned' | 'unsupported';

export interface Voucher {
  kind: VoucherKind;
  /** Human title as printed, e.g. 电子发票（普通发票）. */
  title?: string;

  // Identity
  invoiceCode?: string;
  invoiceNumber?: string;
  checkCode?: string;
  /** YYYY-MM-DD */
  issueDate?: string;

  // Money
  amountExTax?: Money;
  taxAmount?: Money;
  totalAmount?: Money;
  /** ISO 4217, default CNY */
  currency?: string;

  // Parties
  sellerName?: string;
  sellerTaxId?: string;
  buyerName?: string;
  buyerTaxId?: string;
  payerName?: string;
  payerAccount?: string;
  payerBank?: string;
  payeeName?: string;
  payeeAccount?: string;
  payeeBank?: string;
  bankSerialNumber?: string;

  lineItems: LineItem[];

  /** Kind-specific fields: traveller, route, trainNumber, flight, refundFee, paymentCode (缴款码), statement lines … */
  extra: Record<string, unknown>;

  /** Which layer each field above came from (field name → source). */
  sources: Record<string, FieldSource>;

  signatures: SignatureReport[];
  signatureVerdict: SignatureVerdict;

  /** Disagreements between layers, tolerated oddities, low-confidence fields — one sentence each. */
  warnings: string[];
}

/** The fields a voucher of any kind has at least one of: an identity, an amount, a date or a party. */
const CONTENT_FIELDS = [
  'invoiceCode', 'invoiceNumber', 'issueDate', 'amountExTax', 'taxAmount', 'totalAmount', 'sellerName', 'sellerTaxId',
  'buyerName', 'buyerTaxId', 'payerName', 'payerAccount', 'payeeName', 'payeeAccount', 'bankSerialNumber',
] as const satisfies readonly (keyof Voucher)[];

/**
 * Whether a reading holds a voucher: a recognised kind, or — for kind `other` — at least a number, an amount, a
 * date, a party or a line. An OFD letter, a signed demo document or an image resource read as `other` with none of
 * them is not a voucher (the voucher pool refuses it as `not_a_voucher`).
 */
export function hasVoucherContent(v: Pick<Voucher, 'kind' | 'lineItems'> & Partial<Record<(typeof CONTENT_FIELDS)[number], unknown>>): boolean {
  if (v.kind !== 'other') return true;
  if ((v.lineItems ?? []).length > 0) return true;
  return CONTENT_FIELDS.some((k) => typeof v[k] === 'string' && (v[k] as string).trim() !== '');
}

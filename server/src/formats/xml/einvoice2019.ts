/**
 * The 2019 VAT e-invoice XML (增值税电子发票, `original_invoice.xml` in tax-bureau OFDs, or on its own): root
 * `eInvoice` without a namespace, children prefixed `fp:` (http://www.edrm.org.cn/schema/e-invoice/2019). Element
 * paths as in voucher-formats.md §2 and ofd.md §7. The tax authority's CMS signature sits in `fp:Signature`; it is
 * reported, and verified by the signature module.
 */
import { FormatError } from '../errors';
import { normaliseVoucher } from '../kinds';
import { emptyVoucher } from '../kinds/build';
import { kindFromInvoiceCode } from '../kinds/invoices';
import { moneyEquals } from '../kinds/money';
import { normaliseValue } from '../kinds/values';
import type { LineItem, Voucher } from '../voucher';
import { VOUCHER_KIND_NAMES } from '../voucher';
import { child, childrenNamed, parseXml, type XmlElement } from '../xmlsafe/xml';
import { setExtra, setField, textOf } from './fields';

export const EINVOICE_2019_NS = 'http://www.edrm.org.cn/schema/e-invoice/2019';

export function readEInvoice2019(bytes: Uint8Array | string, options: { path?: string } = {}): Voucher {
  return readEInvoice2019Element(parseXml(bytes, { path: options.path }), options);
}

/** For the OFD reader, which has already parsed `original_invoice.xml`. */
export function readEInvoice2019Element(root: XmlElement, options: { path?: string } = {}): Voucher {
  if (root.local !== 'eInvoice')
    throw new FormatError('unknown_format', `root element <${root.name}> is not a 2019 VAT e-invoice (<eInvoice>)`, options.path);
  const src = 'embedded-xml' as const;
  const code = textOf(root, 'InvoiceCode');
  const v = emptyVoucher(kindFromInvoiceCode(code?.replace(/\s+/g, '')) ?? 'inv_ord');
  v.title = VOUCHER_KIND_NAMES[v.kind];
  setField(v, 'invoiceCode', code, 'code', 'InvoiceCode', src);
  setField(v, 'invoiceNumber', textOf(root, 'InvoiceNo'), 'code', 'InvoiceNo', src);
  setField(v, 'checkCode', textOf(root, 'InvoiceCheckCode'), 'code', 'InvoiceCheckCode', src);
  setField(v, 'issueDate', textOf(root, 'IssueDate'), 'date', 'IssueDate', src);
  setField(v, 'amountExTax', textOf(root, 'TaxExclusiveTotalAmount'), 'monetary', 'TaxExclusiveTotalAmount', src);
  setField(v, 'taxAmount', textOf(root, 'TaxTotalAmount'), 'monetary', 'TaxTotalAmount', src);
  setField(v, 'totalAmount', textOf(root, 'TaxInclusiveTotalAmount'), 'monetary', 'TaxInclusiveTotalAmount', src);
  setField(v, 'buyerName', textOf(root, 'Buyer', 'BuyerName'), 'text', 'Buyer/BuyerName', src);
  setField(v, 'buyerTaxId', textOf(root, 'Buyer', 'BuyerTaxID'), 'taxId', 'Buyer/BuyerTaxID', src);
  setField(v, 'sellerName', textOf(root, 'Seller', 'SellerName'), 'text', 'Seller/SellerName', src);
  setField(v, 'sellerTaxId', textOf(root, 'Seller', 'SellerTaxID'), 'taxId', 'Seller/SellerTaxID', src);

  const extras: [string, string[], 'text' | 'code' | 'monetary'][] = [
    ['docId', ['DocID'], 'code'],
    ['typeCode', ['TypeCode'], 'code'],
    ['areaCode', ['AreaCode'], 'code'],
    ['machineNumber', ['MachineNo'], 'code'],
    ['taxControlCode', ['TaxControlCode'], 'text'],
    ['buyerAddressPhone', ['Buyer', 'BuyerAddrTel'], 'text'],
    ['buyerBankAccount', ['Buyer', 'BuyerFinancialAccount'], 'text'],
    ['sellerAddressPhone', ['Seller', 'SellerAddrTel'], 'text'],
    ['sellerBankAccount', ['Seller', 'SellerFinancialAccount'], 'text'],
    ['totalAmountInWords', ['TaxInclusiveTotalAmountWithWords'], 'text'],
    ['remarks', ['Note'], 'text'],
    ['drawer', ['InvoiceClerk'], 'text'],
    ['payeeClerk', ['Payee'], 'text'],
    ['reviewer', ['Checker'], 'text'],
    ['deductibleAmount', ['DeductibleAmount'], 'monetary'],
    ['originalInvoiceCode', ['OriginalInvoiceCode'], 'code'],
    ['originalInvoiceNumber', ['OriginalInvoiceNo'], 'code'],
    ['redInvoiceReason', ['RedTicketReason'], 'text'],
  ];
  for (const [key, path, type] of extras) setExtra(v, key, textOf(root, ...path), type, path.join('/'));

  v.lineItems = childrenNamed(child(root, 'GoodsInfos'), 'GoodsInfo').map((g) => lineItem(g, v.warnings));

  // fp:GraphCode is the QR payload as text in most files, a base64 PNG of it in some (北京).
  const graph = textOf(root, 'GraphCode');
  if (graph && /^\d{2},/.test(graph)) {
    v.extra.qrPayload = graph;
    crossCheckQr(v, graph);
  }
  if (textOf(root, 'Signature')) {
    v.signatures = [
      {
        type: 'sign',
        format: 'cms',
        location: 'eInvoice/fp:Signature',
        digestsOk: null,
        signatureValid: null,
        reasons: ["tax authority's CMS signature in fp:Signature: not verified by the XML reader"],
      },
    ];
    v.signatureVerdict = 'unsupported';
  }
  return normaliseVoucher(v);
}

function lineItem(g: XmlElement, warnings: string[]): LineItem {
  const li: LineItem = {};
  const put = (key: keyof LineItem, el: string, type: 'text' | 'decimal' | 'monetary' | 'rate') => {
    const raw = textOf(g, el);
    if (raw === undefined) return;
    const val = normaliseValue(raw, type, `GoodsInfo/${el}`, warnings);
    if (typeof val === 'string') li[key] = val;
  };
  put('name', 'Item', 'text');
  put('specification', 'Specification', 'text');
  put('unit', 'MeasurementDimension', 'text');
  put('quantity', 'Quantity', 'decimal');
  put('unitPrice', 'Price', 'decimal');
  put('amount', 'Amount', 'monetary');
  put('taxRate', 'TaxScheme', 'rate');
  put('taxAmount', 'TaxAmount', 'monetary');
  return li;
}

/**
 * QR payload `01,<type>,<code>,<number>,<amount>,<yyyymmdd>,<check>,<crc>`: for the old VAT invoice the amount is
 * the tax-exclusive total. Disagreement with the XML fields is a warning (the XML is the legal original).
 */
function crossCheckQr(v: Voucher, payload: string): void {
  const p = payload.split(',');
  if (p.length < 7) return;
  const [, , code, number, amount, date] = p;
  if (code && v.invoiceCode && code !== v.invoiceCode) v.warnings.push(`QR payload invoice code ${code} differs from InvoiceCode ${v.invoiceCode}`);
  if (number && v.invoiceNumber && number !== v.invoiceNumber) v.warnings.push(`QR payload invoice number ${number} differs from InvoiceNo ${v.invoiceNumber}`);
  if (/^\d{8}$/.test(date) && v.issueDate && date !== v.issueDate.replace(/-/g, '')) v.warnings.push(`QR payload date ${date} differs from IssueDate ${v.issueDate}`);
  if (/^-?\d+(\.\d{1,2})?$/.test(amount) && v.amountExTax) {
    const qr = normaliseValue(amount, 'monetary', 'QR amount', v.warnings) as string;
    if (!moneyEquals(qr, v.amountExTax)) v.warnings.push(`QR payload amount ${qr} differs from TaxExclusiveTotalAmount ${v.amountExTax}`);
  }
}

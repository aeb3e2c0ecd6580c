/**
 * 数电票 (全面数字化的电子发票) XML, root `EInvoice`.
 *
 * BUILT FROM THE SPECIFICATION ONLY (voucher-formats.md §3c, evoucher-standard.md §4): no real file has been seen.
 * The reader is tolerant on purpose — every element is looked for at its documented path first and then anywhere
 * below the root by local name — and says in `warnings` when the two invoice numbers it knows of disagree.
 */
import { FormatError } from '../errors';
import { normaliseVoucher } from '../kinds';
import { emptyVoucher } from '../kinds/build';
import { normaliseValue } from '../kinds/values';
import type { LineItem, Voucher, VoucherKind } from '../voucher';
import { VOUCHER_KIND_NAMES } from '../voucher';
import { child, descendants, parseXml, type XmlElement } from '../xmlsafe/xml';
import { setExtra, setField, textNear, textOf } from './fields';

export function readDigitalInvoiceXml(bytes: Uint8Array | string, options: { path?: string } = {}): Voucher {
  return readDigitalInvoiceElement(parseXml(bytes, { path: options.path }), options);
}

export function readDigitalInvoiceElement(root: XmlElement, options: { path?: string } = {}): Voucher {
  if (root.local !== 'EInvoice') throw new FormatError('unknown_format', `root element <${root.name}> is not a 数电票 XML (<EInvoice>)`, options.path);
  const src = 'embedded-xml' as const;
  const label = (name: string) => ({
    code: textNear(root, 'Header', 'InherentLabel', name, 'LabelCode'),
    name: textNear(root, 'Header', 'InherentLabel', name, 'LabelName'),
  });
  const vat = label('GeneralOrSpecialVAT');
  const type = label('EInvoiceType');
  const issue = label('InIssuType');
  const special = vat.code === '01' || !!vat.name?.includes('专用') || !!type.name?.includes('专用');
  const kind: VoucherKind = special ? 'einv_spcl' : 'einv_ord';
  const v = emptyVoucher(kind);
  v.title = VOUCHER_KIND_NAMES[kind];

  const data = child(root, 'EInvoiceData') ?? root;
  const eiid = textNear(root, 'Header', 'EIid');
  const supervised = textOf(root, 'TaxSupervisionInfo', 'InvoiceNumber');
  setField(v, 'invoiceNumber', eiid ?? supervised, 'code', eiid ? 'Header/EIid' : 'TaxSupervisionInfo/InvoiceNumber', src);
  if (eiid && supervised && eiid.replace(/\s+/g, '') !== supervised.replace(/\s+/g, ''))
    v.warnings.push(`Header/EIid ${eiid} differs from TaxSupervisionInfo/InvoiceNumber ${supervised}`);
  // 开票日期: the tax bureau's IssueTime; the seller's RequestTime when that is missing.
  const issueTime = textOf(root, 'TaxSupervisionInfo', 'IssueTime');
  setField(v, 'issueDate', issueTime ?? textNear(data, 'BasicInformation', 'RequestTime'), 'date', issueTime ? 'TaxSupervisionInfo/IssueTime' : 'RequestTime', src);
  setField(v, 'sellerName', textNear(data, 'SellerInformation', 'SellerName'), 'text', 'SellerName', src);
  setField(v, 'sellerTaxId', textNear(data, 'SellerInformation', 'SellerIdNum'), 'taxId', 'SellerIdNum', src);
  setField(v, 'buyerName', textNear(data, 'BuyerInformation', 'BuyerName'), 'text', 'BuyerName', src);
  setField(v, 'buyerTaxId', textNear(data, 'BuyerInformation', 'BuyerIdNum'), 'taxId', 'BuyerIdNum', src);
  setField(v, 'amountExTax', textNear(data, 'BasicInformation', 'TotalAmWithoutTax'), 'monetary', 'TotalAmWithoutTax', src);
  setField(v, 'taxAmount', textNear(data, 'BasicInformation', 'TotalTaxAm'), 'monetary', 'TotalTaxAm', src);
  setField(v, 'totalAmount', textNear(data, 'BasicInformation', 'TotalTax-includedAmount'), 'monetary', 'TotalTax-includedAmount', src);

  const extras: [string, string[], 'text' | 'code'][] = [
    ['eInvoiceTag', ['Header', 'EInvoiceTag'], 'code'],
    ['version', ['Header', 'Version'], 'text'],
    ['sellerAddress', ['SellerInformation', 'SellerAddr'], 'text'],
    ['sellerPhone', ['SellerInformation', 'SellerTelNum'], 'text'],
    ['sellerBank', ['SellerInformation', 'SellerBankName'], 'text'],
    ['sellerBankAccount', ['SellerInformation', 'SellerBankAccNum'], 'code'],
    ['buyerAddress', ['BuyerInformation', 'BuyerAddr'], 'text'],
    ['buyerPhone', ['BuyerInformation', 'BuyerTelNum'], 'text'],
    ['buyerBank', ['BuyerInformation', 'BuyerBankName'], 'text'],
    ['buyerBankAccount', ['BuyerInformation', 'BuyerBankAccNum'], 'code'],
    ['totalAmountInWords', ['BasicInformation', 'TotalTax-includedAmountInChinese'], 'text'],
    ['drawer', ['BasicInformation', 'Drawer'], 'text'],
    ['remarks', ['AdditionalInformation', 'Remark'], 'text'],
    ['taxBureauCode', ['TaxSupervisionInfo', 'TaxBureauCode'], 'code'],
    ['taxBureauName', ['TaxSupervisionInfo', 'TaxBureauName'], 'text'],
  ];
  for (const [key, path, t] of extras) setExtra(v, key, textNear(root, ...path), t, path.join('/'));
  if (type.name) v.extra.invoiceType = type.name;
  if (issue.code?.toUpperCase() === 'N') v.extra.redInvoice = true;

  const lines = descendants(data, 'IssuItemInformation');
  v.lineItems = lines.map((l) => lineItem(l, v.warnings));
  const lineExtras = lines.map((l) => ({ taxClassificationCode: textOf(l, 'TaxClassificationCode'), totalIncludingTax: textOf(l, 'TotaltaxIncludedAmount') }));
  if (lineExtras.some((e) => e.taxClassificationCode || e.totalIncludingTax)) v.extra.lineItemExtras = lineExtras;

  const specific = child(data, 'SpecificInformation');
  if (specific && specific.children.length) {
    v.extra.specificInformation = plain(specific);
    const traveller = textNear(specific, 'Traveler') ?? textNear(specific, 'TravelerName');
    if (traveller) v.extra.traveller = traveller;
    const from = textNear(specific, 'Departure');
    const to = textNear(specific, 'Destination');
    if (from && to) v.extra.route = `${from}→${to}`;
    const original = textNear(specific, 'OriginalInvoiceNumber') ?? textNear(specific, 'OriginalInvoiceCode');
    if (original) v.extra.originalInvoiceNumber = original;
  }
  const transactions = descendants(data, 'TransactionRecord').map(plain);
  if (transactions.length) v.extra.transactions = transactions;

  const auth = textNear(root, 'SellerAuthentication', 'AuthenticationMethods');
  if (auth) v.extra.sellerAuthentication = auth;
  // An XML Signature anywhere in the document is reported where it sits; the signature module verifies it.
  const sig = descendants(root, 'Signature')[0];
  if (sig) {
    v.signatures = [
      {
        type: 'sign',
        format: 'xmldsig',
        location: pathTo(root, sig),
        digestsOk: null,
        signatureValid: null,
        reasons: [`${sig.name} present: not verified by the XML reader`],
      },
    ];
    v.signatureVerdict = 'unsupported';
  }
  return normaliseVoucher(v);
}

function lineItem(l: XmlElement, warnings: string[]): LineItem {
  const li: LineItem = {};
  const put = (key: keyof LineItem, el: string, type: 'text' | 'decimal' | 'monetary' | 'rate') => {
    const raw = textOf(l, el);
    if (raw === undefined) return;
    const val = normaliseValue(raw, type, `IssuItemInformation/${el}`, warnings);
    if (typeof val === 'string') li[key] = val;
  };
  put('name', 'ItemName', 'text');
  put('specification', 'SpecMod', 'text');
  put('unit', 'MeaUnits', 'text');
  put('quantity', 'Quantity', 'decimal');
  put('unitPrice', 'UnPrice', 'decimal');
  put('amount', 'Amount', 'monetary');
  put('taxRate', 'TaxRate', 'rate');
  put('taxAmount', 'ComTaxAm', 'monetary');
  return li;
}

function plain(el: XmlElement): unknown {
  if (el.children.length === 0) return el.text.trim();
  const o: Record<string, unknown> = {};
  for (const c of el.children) {
    const val = plain(c);
    o[c.local] = c.local in o ? ([] as unknown[]).concat(o[c.local], val) : val;
  }
  return o;
}

/** `EInvoice/…/ds:Signature`: the element path from the root, by qualified names. */
function pathTo(root: XmlElement, target: XmlElement): string {
  const walk = (el: XmlElement, trail: string[]): string[] | undefined => {
    if (el === target) return trail;
    for (const c of el.children) {
      const r = walk(c, [...trail, c.name]);
      if (r) return r;
    }
    return undefined;
  };
  return (walk(root, [root.name]) ?? [root.name, target.name]).join('/');
}

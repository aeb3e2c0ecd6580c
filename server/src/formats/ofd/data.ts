/**
 * Structured data inside an OFD voucher, layer by layer, in the priority order of ofd.md §8 / voucher-formats.md §16:
 *
 *   1. embedded issuer data — attachments: `original_invoice.xml` (2019 `eInvoice`, `fp:` namespace), a 数电票
 *      `EInvoice` XML, or a MoF XBRL instance of any kind (`embedded-xml` / `xbrl`);
 *   2. custom tags — tag files whose leaves point at page text objects by ID (`ObjectRef`) or carry literal
 *      values (`ObjectData`), in every dialect seen (`custom-tag`);
 *   3. `OFD.xml` CustomData name/value pairs with Chinese names (`custom-data`);
 *   4. printed labels on the page (`page-text`).
 *
 * Each layer is returned separately with normalised values, so the reader can pick per field and cross-check
 * the chosen value against what is printed.
 */
import { FormatError } from '../errors';
import { parseQrPayload } from '../qr/payload';
import type { LineItem, Voucher, VoucherKind } from '../voucher';
import { readXbrlElement } from '../xbrl';
import { readDigitalInvoiceElement, readEInvoice2019Element } from '../xml';
import { attr, child, childrenNamed, parseXml, textContent, type XmlElement } from '../xmlsafe/xml';
import type { OfdAttachment, OfdDocument, OfdPage } from './document';
import type { OfdPackage } from './package';
import { fold, pageTextRuns, textById, textLines, valueAfterLabel, valuesAfterLabel, type TextLine } from './text';
import { CUSTOM_DATA_FIELDS, ELEMENT_FIELDS, normaliseField, OFD_FIELDS, type OfdField } from './values';
import { readEmbeddedXbrl } from './xbrl';

export type DataSource = 'embedded-xml' | 'xbrl' | 'custom-tag' | 'custom-data' | 'page-text';

export interface DataLayer {
  source: DataSource;
  /** Where the layer came from: the package path of the file, or `OFD.xml#CustomData`, `page <ID>`. */
  origin: string;
  fields: Partial<Record<OfdField, string>>;
  lineItems: LineItem[];
  extra: Record<string, unknown>;
  /** Kind the layer itself declares (XBRL taxonomy, QR type code, schema label), when it does. */
  kind?: VoucherKind;
  warnings: string[];
}

export interface OfdData {
  /** Non-empty layers, highest priority first. */
  layers: DataLayer[];
  /** Lines of the first page (templates + page + annotations), for title detection and display. */
  lines: TextLine[];
  warnings: string[];
}

export function extractOfdData(pkg: OfdPackage, doc: OfdDocument): OfdData {
  const warnings: string[] = [];
  const layers: DataLayer[] = [];
  const firstPage = doc.pages[0];
  const lines = firstPage ? textLines(pageTextRuns(doc, firstPage, { annotations: true })) : [];

  for (const a of doc.attachments) {
    const layer = attachmentLayer(a, warnings);
    if (layer) layers.push(layer);
  }
  // The XBRL and 2019 XML are both issuer data; when a package carries both, the typed XML comes first.
  layers.sort((p, q) => rank(p.source) - rank(q.source));

  for (const tag of doc.customTags) {
    const layer = customTagLayer(pkg, doc, tag.path, warnings);
    if (layer) layers.push(layer);
  }
  const cd = customDataLayer(doc);
  if (!isEmpty(cd)) layers.push(cd);
  else warnings.push(...cd.warnings); // e.g. only a masked *** amount
  if (firstPage) {
    const pt = pageTextLayer(lines, firstPage);
    if (pt) layers.push(pt);
  }
  return { layers, lines, warnings };
}

function rank(s: DataSource): number {
  return ['embedded-xml', 'xbrl', 'custom-tag', 'custom-data', 'page-text'].indexOf(s);
}

function newLayer(source: DataSource, origin: string): DataLayer {
  return { source, origin, fields: {}, lineItems: [], extra: {}, warnings: [] };
}

/** Sets a field from raw text unless already set (first occurrence wins); unreadable values become warnings. */
function put(layer: DataLayer, field: OfdField, raw: string | undefined) {
  if (layer.fields[field] !== undefined) return;
  const n = normaliseField(field, raw);
  if (n.value !== undefined) layer.fields[field] = n.value;
  else if (n.problem) layer.warnings.push(`${layer.source} (${layer.origin}): ${n.problem}`);
}

function isEmpty(layer: DataLayer): boolean {
  return Object.keys(layer.fields).length === 0 && layer.lineItems.length === 0 && Object.keys(layer.extra).length === 0;
}

// ---- 1. Attachments ----------------------------------------------------------------------------------------

function attachmentLayer(a: OfdAttachment, warnings: string[]): DataLayer | undefined {
  const format = (a.format ?? '').toLowerCase();
  const looksXml = /\.(xml|xbrl)$/i.test(a.path) || format === 'xml' || format === 'xbrl' || format === '';
  if (!looksXml) return undefined;
  let bytes: Uint8Array;
  let root: XmlElement;
  try {
    bytes = a.read();
    root = parseXml(bytes, { path: a.path });
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    warnings.push(`attachment ${a.name} ignored: ${e.message}`);
    return undefined;
  }
  // The full readers of formats/xml and formats/xbrl are used first; when one refuses the file, the OFD
  // reader's own tolerant view below still gets the document-level fields out of it, with a warning.
  const full = fullReader(root);
  if (full) {
    try {
      return layerFromVoucher(full.source, a.path, full.read(root, a.path));
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      warnings.push(`attachment ${a.name}: ${e.message}; read with the OFD reader's tolerant fallback`);
    }
  }
  if (root.local === 'eInvoice') return eInvoice2019Layer(root, a.path);
  if (root.local === 'EInvoice') return digitalInvoiceLayer(root, a.path);
  if (root.local === 'xbrl') {
    const x = readEmbeddedXbrl(bytes, root, a.path);
    const layer = newLayer('xbrl', a.path);
    for (const [f, v] of Object.entries(x.fields)) put(layer, f as OfdField, v);
    layer.lineItems = x.lineItems;
    layer.extra = x.extra;
    layer.kind = x.kind;
    layer.warnings.push(...x.warnings);
    return layer;
  }
  warnings.push(`attachment ${a.name} (${a.path}) has root <${root.name}>, not a known voucher schema; ignored`);
  return undefined;
}

function fullReader(root: XmlElement): { source: DataSource; read: (root: XmlElement, path: string) => Voucher } | undefined {
  if (root.local === 'eInvoice') return { source: 'embedded-xml', read: (r, path) => readEInvoice2019Element(r, { path }) };
  if (root.local === 'EInvoice') return { source: 'embedded-xml', read: (r, path) => readDigitalInvoiceElement(r, { path }) };
  if (root.local === 'xbrl') return { source: 'xbrl', read: (r, path) => readXbrlElement(r, { path, filename: path.slice(path.lastIndexOf('/') + 1) }).voucher };
  return undefined;
}

/** A Voucher from a full reader as a data layer (its values are already normalised). */
function layerFromVoucher(source: DataSource, path: string, v: Voucher): DataLayer {
  const layer = newLayer(source, path);
  for (const f of OFD_FIELDS) {
    const value = v[f];
    if (typeof value === 'string' && value !== '') layer.fields[f] = value;
  }
  layer.lineItems = v.lineItems;
  layer.extra = v.extra;
  layer.kind = v.kind === 'other' ? undefined : v.kind;
  layer.warnings = v.warnings.map((w) => `${source} (${path}): ${w}`);
  return layer;
}

/** Containers of goods/service lines: their children are line-level, never document totals. */
const LINE_CONTAINERS = new Set(['GoodsInfos', 'GoodsInfo', 'IssuItemInformation', 'SpecificInformation']);

/** Walks a data tree and fills document-level fields by element name (first occurrence wins). */
function fillByElementNames(layer: DataLayer, el: XmlElement) {
  for (const c of el.children) {
    if (LINE_CONTAINERS.has(c.local)) continue;
    const field = ELEMENT_FIELDS[c.local];
    if (field && c.children.length === 0) put(layer, field, c.text);
    else if (c.children.length) fillByElementNames(layer, c);
  }
}

/** 2019 VAT e-invoice schema (`eInvoice`, `fp:` elements; ofd.md §7). */
function eInvoice2019Layer(root: XmlElement, path: string): DataLayer {
  const layer = newLayer('embedded-xml', path);
  fillByElementNames(layer, root);
  for (const g of childrenNamed(child(root, 'GoodsInfos'), 'GoodsInfo')) {
    layer.lineItems.push(
      lineItem({
        name: text(child(g, 'Item')),
        specification: text(child(g, 'Specification')),
        unit: text(child(g, 'MeasurementDimension')),
        quantity: text(child(g, 'Quantity')),
        unitPrice: text(child(g, 'Price')),
        amount: text(child(g, 'Amount')),
        taxRate: text(child(g, 'TaxScheme')),
        taxAmount: text(child(g, 'TaxAmount')),
      }, layer),
    );
  }
  const graph = text(child(root, 'GraphCode'));
  // GraphCode is the QR payload as text in most files, a base64 PNG in others (then it is not parseable here).
  if (graph && graph.includes(',')) {
    try {
      const qr = parseQrPayload(graph);
      layer.kind = qr.kind;
      layer.extra.qr = { typeCode: qr.typeCode, invoiceCode: qr.invoiceCode, invoiceNumber: qr.invoiceNumber, amount: qr.amountExTax ?? qr.totalAmount, issueDate: qr.issueDate };
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      layer.warnings.push(`embedded-xml (${path}): GraphCode is not an invoice QR payload (${e.message})`);
    }
  }
  for (const [name, key] of [['MachineNo', 'machineNumber'], ['Note', 'note'], ['InvoiceClerk', 'issuer'], ['Payee', 'payee'], ['Checker', 'checker'], ['TaxControlCode', 'cipherText']] as const) {
    const v = text(child(root, name));
    if (v) layer.extra[key] = v;
  }
  return layer;
}

/** 数电票 XML (`EInvoice`; evoucher-standard.md §4). */
function digitalInvoiceLayer(root: XmlElement, path: string): DataLayer {
  const layer = newLayer('embedded-xml', path);
  fillByElementNames(layer, root);
  const label = text(child(child(child(child(root, 'Header'), 'InherentLabel'), 'GeneralOrSpecialVAT'), 'LabelCode'));
  const labelName = text(child(child(child(child(root, 'Header'), 'InherentLabel'), 'GeneralOrSpecialVAT'), 'LabelName')) ?? '';
  layer.kind = label === '01' || labelName.includes('专用') ? 'einv_spcl' : 'einv_ord';
  for (const item of childrenNamed(child(root, 'EInvoiceData'), 'IssuItemInformation')) {
    layer.lineItems.push(
      lineItem({
        name: text(child(item, 'ItemName')),
        specification: text(child(item, 'SpecMod')),
        unit: text(child(item, 'MeaUnits')),
        quantity: text(child(item, 'Quantity')),
        unitPrice: text(child(item, 'UnPrice')),
        amount: text(child(item, 'Amount')),
        taxRate: text(child(item, 'TaxRate')),
        taxAmount: text(child(item, 'ComTaxAm')),
      }, layer),
    );
  }
  return layer;
}

function lineItem(raw: Record<keyof LineItem, string | undefined>, layer: DataLayer): LineItem {
  const out: LineItem = {};
  for (const [k, v] of Object.entries(raw) as [keyof LineItem, string | undefined][]) {
    if (!v) continue;
    if (k === 'amount' || k === 'taxAmount') {
      const n = normaliseField(k === 'amount' ? 'amountExTax' : 'taxAmount', v);
      if (n.value !== undefined) out[k] = n.value;
      else if (n.problem) layer.warnings.push(`${layer.source} (${layer.origin}): line ${k}: ${n.problem.replace(/^\w+: /, '')}`);
    } else out[k] = v.trim();
  }
  return out;
}

function text(el: XmlElement | undefined): string | undefined {
  const t = el ? textContent(el).trim() : '';
  return t ? t : undefined;
}

// ---- 2. Custom tags ----------------------------------------------------------------------------------------

/**
 * A tag file is recognised by content, not by TypeID (empty in most samples). Leaves are elements holding
 * `ObjectRef` (text object IDs on page `PageRef`, concatenated in order — amounts are often `¥` + number) or
 * `ObjectData` (a literal). The field name is the element's `ContextRef` attribute when present (光大 tags name
 * elements in Chinese and carry the XBRL name there), else its local name.
 */
function customTagLayer(pkg: OfdPackage, doc: OfdDocument, path: string, warnings: string[]): DataLayer | undefined {
  let root: XmlElement;
  try {
    root = parseXml(pkg.read(path), { path });
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    warnings.push(`custom tag file ignored: ${e.message}`);
    return undefined;
  }
  const layer = newLayer('custom-tag', path);
  const texts = new Map<string, Map<string, string>>();
  const pageText = (pageRef: string | undefined): Map<string, string> | undefined => {
    const page: OfdPage | undefined = doc.pages.find((p) => p.id === pageRef) ?? (doc.pages.length === 1 ? doc.pages[0] : undefined);
    if (!page) return undefined;
    if (!texts.has(page.id)) texts.set(page.id, textById(doc, page));
    return texts.get(page.id);
  };
  const occurrences = new Map<string, string[]>();
  const visit = (el: XmlElement) => {
    const refs = el.children.filter((c) => c.local === 'ObjectRef' || c.local === 'ObjectData');
    if (refs.length === 0) {
      el.children.forEach(visit);
      return;
    }
    const key = attr(el, 'ContextRef')?.trim() || el.local;
    const parts: string[] = [];
    for (const r of refs) {
      const v = r.text.trim();
      if (r.local === 'ObjectData') {
        parts.push(v);
        continue;
      }
      if (v === '' || v === '0') continue; // ObjectRef 0: "no object"
      const t = pageText(attr(r, 'PageRef'))?.get(v);
      if (t === undefined) layer.warnings.push(`custom-tag (${path}): ${key} points at object ${v} on page ${attr(r, 'PageRef') ?? '?'}, which does not exist`);
      else parts.push(t);
    }
    const value = parts.join('');
    if (!occurrences.has(key)) occurrences.set(key, []);
    occurrences.get(key)!.push(value);
  };
  visit(root);

  for (const [key, values] of occurrences) {
    const field = ELEMENT_FIELDS[key];
    if (field) put(layer, field, values.find((v) => v.trim() !== ''));
  }
  // Goods lines: one `Item` element per line, the other line tags by the same occurrence index.
  const items = occurrences.get('Item') ?? [];
  items.forEach((name, i) => {
    const at = (k: string) => occurrences.get(k)?.[i];
    layer.lineItems.push(
      lineItem({ name, specification: at('Specification'), unit: at('MeasurementDimension'), quantity: at('Quantity'), unitPrice: at('Price'), amount: at('Amount'), taxRate: at('TaxScheme'), taxAmount: at('TaxAmount') }, layer),
    );
  });
  if (isEmpty(layer)) {
    // Nothing usable, but a dangling reference is still worth reporting.
    warnings.push(...layer.warnings);
    return undefined;
  }
  return layer;
}

// ---- 3. OFD.xml CustomData ---------------------------------------------------------------------------------

function customDataLayer(doc: OfdDocument): DataLayer {
  const layer = newLayer('custom-data', 'OFD.xml#CustomData');
  for (const { name, value } of doc.info.customData) {
    const field = CUSTOM_DATA_FIELDS[name.replace(/\s+/g, '')];
    if (field) put(layer, field, value);
  }
  return layer;
}

// ---- 4. Page text ------------------------------------------------------------------------------------------

const MONEY_TOKEN = /[¥￥]?\s*-?\d[\d,]*\.\d{2}/g;
const NEXT_LABEL = /[\u4e00-\u9fa5（）()]{2,}[:：].*$/;

function pageTextLayer(lines: TextLine[], page: OfdPage): DataLayer | undefined {
  const layer = newLayer('page-text', `page ${page.id}`);
  const after = (label: string | RegExp) => {
    const v = valueAfterLabel(lines, label);
    return v?.replace(NEXT_LABEL, '').trim() || undefined;
  };
  put(layer, 'invoiceCode', after('发票代码'));
  put(layer, 'invoiceNumber', after('发票号码'));
  put(layer, 'issueDate', after('开票日期'));
  put(layer, 'checkCode', after('校验码'));
  put(layer, 'totalAmount', after(/[（(]小写[)）]|小写/));

  // 合计 line: amount excluding tax, then tax.
  const total = lines.find((l) => /^合\s*计/.test(l.text.trim()));
  if (total) {
    const amounts = total.text.match(MONEY_TOKEN) ?? [];
    if (amounts.length >= 2) {
      put(layer, 'amountExTax', amounts[0]);
      put(layer, 'taxAmount', amounts[1]);
    }
  }

  // Buyer and seller: side by side on 数电票 (buyer left), stacked on old invoices (buyer above the goods table).
  const divider = lines.find((l) => /^(合计|价税合计)/.test(fold(l.text.replace(/\s+/g, ''))))?.y;
  const names = partyValues(lines, '名称', divider);
  put(layer, 'buyerName', names.first);
  put(layer, 'sellerName', names.second);
  const ids = partyValues(lines, /统一社会信用代码\/纳税人识别号|纳税人识别号/, divider);
  put(layer, 'buyerTaxId', ids.first);
  put(layer, 'sellerTaxId', ids.second);

  // Bank receipts: explicit payer/payee labels (ICBC and others), or label pairs with the payer on the left
  // (CCB 全称/账号/开户行, CEB 户名/账号/开户银行).
  put(layer, 'payerName', after(/付款人(户名|名称|全称)|付款户名/));
  put(layer, 'payerAccount', after(/付款人账号|付款账号/));
  put(layer, 'payerBank', after(/付款人开户(银)?行|付款行/));
  put(layer, 'payeeName', after(/收款人(户名|名称|全称)|收款户名/));
  put(layer, 'payeeAccount', after(/收款人账号|收款账号/));
  put(layer, 'payeeBank', after(/收款人开户(银)?行|收款行/));
  if (!layer.fields.payerName) {
    const full = partyValues(lines, /全称|户名/, undefined, true);
    if (full.first && full.second) {
      const acct = partyValues(lines, '账号', undefined, true);
      const bank = partyValues(lines, /开户银行|开户行/, undefined, true);
      put(layer, 'payerName', full.first);
      put(layer, 'payeeName', full.second);
      put(layer, 'payerAccount', acct.first);
      put(layer, 'payeeAccount', acct.second);
      put(layer, 'payerBank', bank.first);
      put(layer, 'payeeBank', bank.second);
    }
  }
  if (!layer.fields.totalAmount && (layer.fields.payerName || layer.fields.payeeName)) {
    const line = lines.find((l) => /金额/.test(fold(l.text)) && /[¥￥]/.test(l.text));
    const m = line ? fold(line.text).match(/[¥]\s*-?\d[\d,]*(\.\d{1,2})?/) : null;
    if (m) put(layer, 'totalAmount', m[0]);
  }
  put(layer, 'bankSerialNumber', after(/(会计|交易|业务)?流水号/));
  if (layer.fields.payerName || layer.fields.payeeName) {
    put(layer, 'invoiceNumber', after(/回单编号|电子回单号码|回单号/));
    put(layer, 'issueDate', after(/签发日期|出单日期/));
    put(layer, 'issueDate', after(/记账日期|交易日期|入账日期/));
    if (!layer.fields.issueDate) put(layer, 'issueDate', firstChineseDate(lines));
  }
  return isEmpty(layer) ? undefined : layer;
}

interface PlacedValue {
  value: string;
  x: number;
  y: number;
}

/** Every value printed after `label`, top to bottom and left to right, with the label's position. */
function allValuesAfter(lines: TextLine[], label: string | RegExp): PlacedValue[] {
  return valuesAfterLabel(lines, label)
    .map((v) => ({ value: v.value.replace(NEXT_LABEL, '').trim(), x: v.label.x, y: v.label.y }))
    .filter((v) => v.value !== '');
}

/**
 * The two values of a label printed once per party: side by side on one line → left is first; otherwise, with
 * a divider line (合计), the first above it and the first below it; otherwise in reading order. With
 * `sameLineOnly`, only a pair on one line counts (bank receipts, where a lone label means something else).
 */
function partyValues(lines: TextLine[], label: string | RegExp, divider?: number, sameLineOnly = false): { first?: string; second?: string } {
  const vals = allValuesAfter(lines, label);
  for (let i = 0; i + 1 < vals.length; i++) {
    if (Math.abs(vals[i].y - vals[i + 1].y) < 1) return { first: vals[i].value, second: vals[i + 1].value };
  }
  if (sameLineOnly) return {};
  if (divider !== undefined) {
    return { first: vals.find((v) => v.y < divider)?.value, second: vals.find((v) => v.y > divider)?.value };
  }
  return { first: vals[0]?.value, second: vals[1]?.value };
}

function firstChineseDate(lines: TextLine[]): string | undefined {
  for (const l of lines) {
    const m = /\d{4}年\d{1,2}月\d{1,2}日/.exec(l.text);
    if (m) return m[0];
  }
  return undefined;
}

/**
 * The page-text layer of a PDF voucher: kind from the printed title, fields from label → value on the rebuilt
 * reading lines. Each kind's printed form has its own labels (spec voucher-formats.md §3b, §7, §8); the invoice
 * labels are shared with OCR (ocr/labels.ts). Which 名称 / 纳税人识别号 belongs to the seller is decided by
 * position: the nearest party marker (the vertical 销售方 / 购买方 column) to the left of the label.
 */
import { extractLabelledFields, normaliseLine, type PartyMention } from '../ocr/labels';
import { toIsoDate, toMoney } from '../qr/values';
import { VOUCHER_KIND_NAMES, type Voucher, type VoucherKind } from '../voucher';
import { runAt, valueAfter, valueBelow, type PageLayout, type TextRun } from './layout';

export interface TextLayer {
  kind?: VoucherKind;
  title?: string;
  fields: Partial<Voucher>;
  extra: Record<string, unknown>;
  /** The text carries no usable characters: none at all (`textless`, a scan) or fonts without a Unicode mapping. */
  unreadable: boolean;
  textless: boolean;
}

/** Printed titles → kind, most specific first (the air itinerary title contains 行程单 too). */
const TITLES: Array<[RegExp, VoucherKind, string?]> = [
  [/电子发票[（(]\s*增值税专用发票\s*[)）]/, 'einv_spcl'],
  [/电子发票[（(]\s*普通发票\s*[)）]/, 'einv_ord'],
  [/航空运输电子客票行程单/, 'atr'],
  [/铁路电子客票/, 'rai'],
  // Old VAT titles carry the province or city in front (湖北增值税电子普通发票, 深圳电子普通发票).
  [/[\u4e00-\u9fa5]{0,3}增值税电子专用发票/, 'inv_spcl'],
  [/[\u4e00-\u9fa5]{0,3}(增值税)?电子普通发票/, 'inv_ord'],
  [/财政电子票据|票据\s*[（(]\s*电子\s*[)）]/, 'efi'],
  [/非税收入.*缴款书/, 'ntrev'],
  [/电子对账单/, 'bkrs'],
  [/^回\s*单$|电子回单|回单编号/, 'bker'],
  [/(行程单|行程报销单|TRIP TABLE)/, 'other'],
];

export function readTextLayer(layout: PageLayout): TextLayer {
  const lines = layout.lines.map((l) => l.text);
  const all = lines.join('\n');
  const textless = all.replace(/\s+/g, '') === '';
  const unreadable = textless || isUnreadable(all);
  const layer: TextLayer = { fields: {}, extra: {}, unreadable, textless };
  if (unreadable) return layer;

  for (const [re, kind] of TITLES) {
    const line = lines.find((l) => re.test(normaliseLine(l)));
    if (line) {
      layer.kind = kind;
      const printed = re.exec(normaliseLine(line))?.[0];
      layer.title = kind === 'other' ? normaliseLine(line).split(/\s{3,}/)[0] : kind === 'bker' ? VOUCHER_KIND_NAMES.bker : titleOf(kind, printed);
      break;
    }
  }
  switch (layer.kind) {
    case 'bker':
      readBankReceipt(layout, layer);
      break;
    case 'atr':
      readAirItinerary(layout, layer);
      break;
    case 'other':
      readTripSheet(layout, layer);
      break;
    case 'rai':
      readInvoice(layout, layer);
      readRailwayTicket(layout, layer);
      break;
    case 'efi':
      readFiscalReceipt(layout, layer);
      break;
    default:
      readInvoice(layout, layer);
  }
  return layer;
}

function titleOf(kind: VoucherKind, printed: string | undefined): string {
  if (!printed) return VOUCHER_KIND_NAMES[kind];
  // Keep the printed form (e.g. 湖北增值税电子普通发票 is printed with the province) but normalise brackets.
  return printed.replace(/\(/g, '（').replace(/\)/g, '）').replace(/\s+/g, '');
}

/** Special-business headers printed as their own line above a 数电票 title (spec §3b). */
const SPECIAL_BUSINESS = ['成品油', '旅客运输服务', '货物运输服务', '不动产销售', '不动产经营租赁服务', '建筑服务', '农产品收购', '机动车', '二手车', '稀土', '卷烟', '自产农产品销售', '拖拉机和联合收割机', '矿产品'];

function readInvoice(layout: PageLayout, layer: TextLayer): void {
  const lines = layout.lines.map((l) => l.text);
  const { fields, parties } = extractLabelledFields(lines);
  Object.assign(layer.fields, fields);
  const special = layout.runs.map((r) => r.str.replace(/\s+/g, '')).find((s) => SPECIAL_BUSINESS.includes(s));
  if (special) layer.extra.specialBusiness = special;

  const markers = partyMarkers(layout.runs);
  const located = parties.map((p) => ({ ...p, at: positionOf(layout, p) }));
  const sideOf = (p: (typeof located)[number]): PartyMention['party'] => {
    if (p.party) return p.party;
    if (!p.at) return undefined;
    const near = markers
      .filter((m) => m.run.u <= p.at!.u + 2)
      .map((m) => ({ side: m.side, d: p.at!.u - m.run.u + Math.abs(p.at!.v - m.run.v) }))
      .sort((a, b) => a.d - b.d)[0];
    return near?.side;
  };
  for (const p of located) {
    const side = sideOf(p);
    if (!side) continue;
    const key = side === 'seller' ? (p.field === 'name' ? 'sellerName' : 'sellerTaxId') : p.field === 'name' ? 'buyerName' : 'buyerTaxId';
    layer.fields[key] ??= p.value;
  }
  // Without markers (unusual layouts), both templates print the buyer before the seller.
  if (markers.length === 0) {
    const names = located.filter((p) => p.field === 'name' && !p.party);
    const ids = located.filter((p) => p.field === 'taxId' && !p.party);
    if (names.length >= 2) layer.fields.sellerName ??= names[names.length - 1].value;
    if (ids.length >= 2) layer.fields.sellerTaxId ??= ids[ids.length - 1].value;
  }
  if (layer.fields.totalAmount || layer.fields.amountExTax) layer.fields.currency = 'CNY';
}

function readBankReceipt(layout: PageLayout, layer: TextLayer): void {
  const v = (re: RegExp) => valueAfter(layout.lines, re);
  const f = layer.fields;
  const receiptNo = v(/回单编号\s*[:：]/);
  if (receiptNo) {
    // The receipt's own number is its identity in the archive, like an invoice number.
    f.invoiceNumber = receiptNo;
    layer.extra.receiptNumber = receiptNo;
  }
  const type = v(/回单类型\s*[:：]/);
  if (type) layer.extra.receiptType = type;
  // Banks word the same cells differently (付款人名称 / 付款方户名, 开户行名称 / 开户银行); the first label that has a
  // value wins.
  const first = (...res: RegExp[]) => res.map(v).find((x) => x !== undefined && x !== '');
  f.payerAccount = first(/付款(?:人|方)?账号\s*[:：]/);
  f.payerName = first(/付款(?:人|方)?(?:名称|户名)\s*[:：]/);
  f.payerBank = first(/付款(?:人|方)?开户(?:行|银行)(?:名称)?\s*[:：]/);
  f.payeeAccount = first(/收款(?:人|方)?账号\s*[:：]/);
  f.payeeName = first(/收款(?:人|方)?(?:名称|户名)\s*[:：]/);
  f.payeeBank = first(/收款(?:人|方)?开户(?:行|银行)(?:名称)?\s*[:：]/);
  // 交通银行 prints a bare 开户行名称 under each party, payer first.
  const banks = layout.lines.map((l) => /^开户行名称\s*[:：]\s{0,2}(.*)/.exec(l.text)?.[1]?.split(/\s{3,}/)[0]?.trim() ?? null).filter((x) => x !== null);
  if (banks[0]) f.payerBank ??= banks[0];
  if (banks[1]) f.payeeBank ??= banks[1];
  const amount = first(/(?<!大写)(?:交易)?金额(?:[（(]小写[)）])?\s*[:：]/, /小写金额\s*[:：]/);
  if (amount) f.totalAmount = toMoney(amount);
  const currency = v(/币种\s*[:：]/);
  f.currency = currency && /^[A-Z]{3}/.test(currency) ? currency.slice(0, 3) : currency && /人民币/.test(currency) ? 'CNY' : f.totalAmount ? 'CNY' : undefined;
  const date = first(/记账日期\s*[:：]/, /交易日期\s*[:：]/);
  if (date) f.issueDate = toIsoDate(date.split(/\s/)[0]);
  f.bankSerialNumber = first(/会计流水号\s*[:：]/, /交易流水号\s*[:：]/, /流水号\s*[:：]/);
  const summary = v(/摘要\s*[:：]/);
  if (summary) layer.extra.summary = summary;
  const direction = v(/借贷标志\s*[:：]/);
  if (direction) layer.extra.debitCredit = direction;
  for (const k of Object.keys(f) as Array<keyof Voucher>) if (f[k] === undefined || f[k] === '') delete f[k];
}

function readAirItinerary(layout: PageLayout, layer: TextLayer): void {
  const v = (re: RegExp) => valueAfter(layout.lines, re);
  const f = layer.fields;
  const number = v(/发票号码\s*[:：]/);
  if (number && /^\d{8,20}$/.test(number)) f.invoiceNumber = number;
  const date = v(/填开日期\s*[:：]/);
  if (date) f.issueDate = toIsoDate(date);
  const total = valueBelow(layout, /^合\s*计$/) ?? v(/合\s*计\s*[:：]?/);
  if (total) f.totalAmount = toMoney(total);
  if (f.totalAmount) f.currency = 'CNY';
  const issuer = v(/填开单位\s*[:：]/);
  if (issuer) f.sellerName = issuer;
  const buyer = v(/购买方名称\s*[:：]/);
  if (buyer) f.buyerName = buyer;
  const buyerId = v(/纳税人识别号\s*[:：]/);
  if (buyerId && /^[0-9A-Z]{15,20}$/.test(buyerId)) f.buyerTaxId = buyerId;
  const ticket = v(/电子客票号码\s*[:：]/);
  if (ticket) layer.extra.eTicketNumber = ticket;
  const code = v(/验证码\s*[:：]/);
  if (code) layer.extra.verificationCode = code;
}

/**
 * 电子发票（铁路电子客票）: the fare is printed as 票价 (or 退票费 on a refund) rather than 价税合计, and there is
 * no seller block (the railway is the issuer).
 */
function readRailwayTicket(layout: PageLayout, layer: TextLayer): void {
  const text = layout.lines.map((l) => normaliseLine(l.text)).join('\n');
  const fare = /(票价|退票费)\s*[:：]?\s*[¥￥]?\s*(-?\d[\d,]*\.\d{2})/.exec(text);
  if (fare) {
    layer.fields.totalAmount ??= toMoney(fare[2]);
    layer.fields.currency = 'CNY';
    if (fare[1] === '退票费') layer.extra.refund = true;
  }
  const ticket = /电子客票号\s*[:：]\s*([0-9A-Z]{10,30})/.exec(text)?.[1];
  if (ticket) layer.extra.eTicketNumber = ticket;
  const buyer = valueAfter(layout.lines, /购买方名称\s*[:：]/);
  if (buyer) layer.fields.buyerName ??= buyer;
  const buyerId = valueAfter(layout.lines, /统一社会信用代码\s*[:：]/);
  if (buyerId && /^[0-9A-Z]{15,20}$/.test(buyerId)) layer.fields.buyerTaxId ??= buyerId;
}

/**
 * 财政电子票据 (e.g. 医疗收费票据（电子）): 票据代码 / 票据号码 / 校验码 / 开票日期, the payer (交款人) and the
 * collecting unit (收款单位), the total as 金额合计（小写）.
 */
function readFiscalReceipt(layout: PageLayout, layer: TextLayer): void {
  const v = (re: RegExp) => valueAfter(layout.lines, re);
  const f = layer.fields;
  const code = v(/票据代码\s*[:：]/);
  if (code && /^\d{8}$/.test(code)) f.invoiceCode = code;
  const number = v(/票据号码\s*[:：]/);
  if (number && /^\d{8,10}$/.test(number)) f.invoiceNumber = number;
  const check = v(/校验码\s*[:：]/);
  if (check && /^[0-9A-Za-z]{4,10}$/.test(check)) f.checkCode = check;
  const date = v(/开票日期\s*[:：]/);
  if (date) f.issueDate = toIsoDate(date.split(/\s/)[0]);
  const text = layout.lines.map((l) => normaliseLine(l.text)).join('\n');
  const total = /(?:金额)?合计\s*[（(]?\s*小写\s*[)）]?\s*[:：]?\s*[¥￥]?\s*(-?\d[\d,]*\.\d{2})/.exec(text)?.[1];
  if (total) {
    f.totalAmount = toMoney(total);
    f.currency = 'CNY';
  }
  const payer = v(/交款人\s*[:：]/);
  if (payer) f.payerName = payer;
  const unit = v(/收款单位(?:（章）|\(章\))?\s*[:：]/);
  if (unit) f.sellerName = unit;
}

function readTripSheet(layout: PageLayout, layer: TextLayer): void {
  const text = layout.lines.map((l) => normaliseLine(l.text)).join('\n');
  const total = /合计\s*([\d,]+(?:\.\d{1,2})?)\s*元/.exec(text)?.[1];
  if (total) {
    layer.fields.totalAmount = toMoney(total);
    layer.fields.currency = 'CNY';
  }
  const applied = /申请日期\s*[:：]\s*(\d{4}-\d{2}-\d{2})/.exec(text)?.[1];
  if (applied) layer.fields.issueDate = toIsoDate(applied);
  const trips = /共\s*(\d+)\s*[笔个]行程/.exec(text)?.[1];
  if (trips) layer.extra.tripCount = Number(trips);
  layer.extra.documentType = 'ride-hailing trip sheet (行程单), not an invoice';
}

interface Marker {
  side: 'seller' | 'buyer';
  run: TextRun;
}

/** The vertical party columns: a run that is just 销 / 购 (or 销售方 / 购买方 without a colon). */
function partyMarkers(runs: TextRun[]): Marker[] {
  const out: Marker[] = [];
  for (const run of runs) {
    const s = run.str.replace(/\s+/g, '');
    if (/^(销|销售方|销售方信息|销方)$/.test(s)) out.push({ side: 'seller', run });
    else if (/^(购|购买方|购买方信息|购方)$/.test(s)) out.push({ side: 'buyer', run });
  }
  return out;
}

/** Where a party value sits: the run holding the value on its line (the value is next to its label). */
function positionOf(layout: PageLayout, p: PartyMention): { u: number; v: number } | undefined {
  const line = layout.lines[p.line];
  const offset = line?.text.indexOf(p.value) ?? -1;
  if (!line || offset < 0) return undefined;
  const run = runAt(line, offset);
  return { u: run.u, v: run.v };
}

/** Text from fonts without a Unicode mapping comes out as private-use or control characters, or nothing. */
function isUnreadable(text: string): boolean {
  const chars = [...text.replace(/\s+/g, '')];
  if (chars.length === 0) return true;
  const bad = chars.filter((c) => /[\u0000-\u001f\ue000-\uf8ff\ufffd]/.test(c)).length;
  return bad / chars.length > 0.3;
}

/**
 * QR payloads printed on Chinese invoices (spec voucher-formats.md §4) → typed fields.
 *
 * Two families exist:
 *
 * 1. The tax bureau's comma-separated payload (国家税务总局 发票二维码):
 *      version, type code, 发票代码, 发票号码, amount, 开票日期 (yyyymmdd), 校验码, check[, ""]
 *    - old VAT invoices (type 01/04/08/10/11/14): 12-digit code, 8-digit number, amount EXCLUDING tax,
 *      20-digit 校验码, 4-character check, trailing comma;
 *    - 数电票 (type 31/32) and other fully-digitised invoices (51/61/81/82…): empty code, 20-digit number, amount
 *      = 价税合计 (INCLUDING tax), empty 校验码, 4-hex check;
 *    - tolerated deviations seen in real files: dashed date (2025-11-08, 滴滴), missing check field, an amount
 *      without decimals (620 on the air itinerary).
 * 2. URLs: the Shenzhen blockchain e-invoice (bcfp.shenzhen.chinatax.gov.cn) carries `bill_num` and
 *    `total_amount` in fen (1500 = ¥15.00).
 *
 * Anything else is not an invoice payload: FormatError `invalid_field` naming the reason, so callers can treat
 * a QR on a trip sheet (a short link) as "no invoice QR" rather than crash.
 */
import { FormatError } from '../errors';
import type { Money, VoucherKind } from '../voucher';
import { fenToMoney, toIsoDate, toMoney } from './values';

/** Which amount the payload carries depends on the invoice family (spec §16.5). */
export type QrAmountMeaning = 'excluding-tax' | 'including-tax';

/**
 * Invoice type code (发票种类代码, second field) → kind and amount meaning. Codes 01–14 are the old VAT invoices;
 * 31/32 are what 数电票 QR codes carry (seen in real files); 81/82 are the 数电票 type codes of the tax platform
 * (电子发票（增值税专用发票）/（普通发票）), accepted for the same meaning; 51 and 61 are the railway e-ticket and the
 * air itinerary issued as 数电票.
 */
export const QR_TYPE_CODES: Record<string, { kind: VoucherKind; name: string; amount: QrAmountMeaning }> = {
  '01': { kind: 'inv_spcl', name: '增值税专用发票', amount: 'excluding-tax' },
  '04': { kind: 'inv_ord', name: '增值税普通发票', amount: 'excluding-tax' },
  '08': { kind: 'inv_spcl', name: '增值税电子专用发票', amount: 'excluding-tax' },
  '10': { kind: 'inv_ord', name: '增值税电子普通发票', amount: 'excluding-tax' },
  '11': { kind: 'inv_ord', name: '增值税普通发票（卷式）', amount: 'excluding-tax' },
  '14': { kind: 'inv_ord', name: '增值税电子普通发票（通行费）', amount: 'excluding-tax' },
  '31': { kind: 'einv_spcl', name: '电子发票（增值税专用发票）', amount: 'including-tax' },
  '32': { kind: 'einv_ord', name: '电子发票（普通发票）', amount: 'including-tax' },
  '81': { kind: 'einv_spcl', name: '电子发票（增值税专用发票）', amount: 'including-tax' },
  '82': { kind: 'einv_ord', name: '电子发票（普通发票）', amount: 'including-tax' },
  '51': { kind: 'rai', name: '电子发票（铁路电子客票）', amount: 'including-tax' },
  '61': { kind: 'atr', name: '电子发票（航空运输电子客票行程单）', amount: 'including-tax' },
};

export interface QrInvoice {
  kind: VoucherKind;
  /** Which payload family was recognised. */
  format: 'tax-csv' | 'shenzhen-blockchain-url';
  /** 发票种类代码 as written in the payload (CSV only). */
  typeCode?: string;
  /** 发票代码: 10/12 digits on old VAT invoices, absent on 数电票. */
  invoiceCode?: string;
  /** 发票号码 */
  invoiceNumber: string;
  /** Old VAT invoices print the amount excluding tax. */
  amountExTax?: Money;
  /** 数电票 and URL payloads print 价税合计. */
  totalAmount?: Money;
  /** YYYY-MM-DD; the Shenzhen URL carries no date. */
  issueDate?: string;
  /** 校验码 (20 digits on old VAT invoices). */
  checkCode?: string;
  /** The short check field that closes the CSV payload (not the 校验码). */
  payloadCheck?: string;
  /** Tolerated deviations from the standard layout, one sentence each. */
  warnings: string[];
}

/** Parses a decoded QR text. Throws FormatError `invalid_field` when it is not an invoice payload. */
export function parseQrPayload(text: string): QrInvoice {
  const payload = text.replace(/^\uFEFF/, '').trim();
  if (payload === '') throw invalid('empty QR payload');
  if (/^https?:\/\//i.test(payload)) return parseUrlPayload(payload);
  if (payload.includes(',') || payload.includes('，')) return parseCsvPayload(payload);
  throw invalid(`not an invoice QR payload (neither the tax bureau's comma-separated form nor a known URL): "${preview(payload)}"`);
}

function parseCsvPayload(payload: string): QrInvoice {
  const fields = payload.split(/[,，]/).map((f) => f.trim());
  // A trailing comma leaves one empty field at the end; it carries nothing.
  if (fields.length > 8 && fields[fields.length - 1] === '') fields.pop();
  if (fields.length < 6) throw invalid(`comma-separated QR payload has ${fields.length} fields, at least 6 expected`);
  const [version, typeCode, code, number, amountText, dateText, checkCode, payloadCheck] = fields;
  const warnings: string[] = [];

  if (!/^\d{2}$/.test(version)) throw invalid(`QR payload version "${preview(version)}" is not two digits`);
  const type = QR_TYPE_CODES[typeCode];
  if (!type) throw invalid(`unknown invoice type code "${preview(typeCode)}" in QR payload`);

  if (code !== '' && !/^\d{10,12}$/.test(code)) throw invalid(`发票代码 "${preview(code)}" in QR payload is not 10–12 digits`);
  if (!/^\d{8,20}$/.test(number)) throw invalid(`发票号码 "${preview(number)}" in QR payload is not 8–20 digits`);
  if (type.amount === 'excluding-tax' && code === '') throw invalid(`type ${typeCode} (${type.name}) requires a 发票代码, the field is empty`);

  const amount = toMoney(amountText);
  if (amount === undefined) throw invalid(`amount "${preview(amountText)}" in QR payload is not a decimal number`);
  if (!amountText.includes('.')) warnings.push(`QR amount "${amountText}" has no decimals; read as ${amount}`);

  const issueDate = toIsoDate(dateText);
  if (issueDate === undefined) throw invalid(`开票日期 "${preview(dateText)}" in QR payload is not a valid yyyymmdd date`);
  if (!/^\d{8}$/.test(dateText)) warnings.push(`QR date "${dateText}" is not in the standard yyyymmdd form`);

  if (checkCode !== undefined && checkCode !== '' && !/^\d{5,20}$/.test(checkCode)) {
    throw invalid(`校验码 "${preview(checkCode)}" in QR payload is not digits`);
  }
  if (payloadCheck === undefined || payloadCheck === '') warnings.push('QR payload has no closing check field');

  return {
    kind: type.kind,
    format: 'tax-csv',
    typeCode,
    ...(code !== '' ? { invoiceCode: code } : {}),
    invoiceNumber: number,
    ...(type.amount === 'excluding-tax' ? { amountExTax: amount } : { totalAmount: amount }),
    issueDate,
    ...(checkCode ? { checkCode } : {}),
    ...(payloadCheck ? { payloadCheck } : {}),
    warnings,
  };
}

function parseUrlPayload(payload: string): QrInvoice {
  let url: URL;
  try {
    url = new URL(payload);
  } catch {
    throw invalid(`QR payload is not a valid URL: "${preview(payload)}"`);
  }
  // Only the Shenzhen tax bureau's blockchain invoice is a known URL payload; other links (trip-sheet short
  // links, shop pages) say nothing about an invoice.
  if (!/(^|\.)shenzhen\.chinatax\.gov\.cn$/i.test(url.hostname) || !url.searchParams.has('bill_num')) {
    throw invalid(`URL QR payload from ${url.hostname} is not a known invoice payload`);
  }
  const number = url.searchParams.get('bill_num') ?? '';
  if (!/^\d{6,20}$/.test(number)) throw invalid(`bill_num "${preview(number)}" in the Shenzhen invoice URL is not digits`);
  const fen = url.searchParams.get('total_amount');
  const totalAmount = fen === null ? undefined : fenToMoney(fen);
  if (fen !== null && totalAmount === undefined) throw invalid(`total_amount "${preview(fen)}" in the Shenzhen invoice URL is not an integer amount in fen`);
  return {
    kind: 'inv_ord',
    format: 'shenzhen-blockchain-url',
    invoiceNumber: number,
    ...(totalAmount !== undefined ? { totalAmount } : {}),
    warnings: [],
  };
}

function invalid(message: string): FormatError {
  return new FormatError('invalid_field', message);
}

/** Error messages quote the offending text, shortened: payloads may be long and are user input. */
function preview(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

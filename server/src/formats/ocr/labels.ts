/**
 * Label → value patterns of printed Chinese invoices, applied to text lines. Shared by the OCR fallback (lines
 * recognised from a photo) and the PDF text layer (lines rebuilt from positioned text), because both read the
 * same printed form: 发票代码：…, 发票号码：…, 开票日期：yyyy年mm月dd日, 合计 ¥… ¥…, 价税合计（小写）¥…,
 * 名称：…, 统一社会信用代码/纳税人识别号：….
 *
 * Patterns are deliberately tolerant of what OCR and PDF producers do to the labels: ASCII or full-width colons,
 * spaces between the characters of a label (名 称), `Y` or `￥` for `¥`, `〈`/`<` for `（`.
 */
import type { Money } from '../voucher';
import { toIsoDate, toMoney } from '../qr/values';

export interface LabelledFields {
  invoiceCode?: string;
  invoiceNumber?: string;
  issueDate?: string;
  checkCode?: string;
  amountExTax?: Money;
  taxAmount?: Money;
  totalAmount?: Money;
}

/** A party label (名称 / 纳税人识别号) found on a line; which party it belongs to is decided by the caller. */
export interface PartyMention {
  field: 'name' | 'taxId';
  /** Explicit party when the label says so (销售方名称, 购买方名称); undefined for a bare 名称. */
  party?: 'seller' | 'buyer';
  value: string;
  line: number;
  /** Character offset of the label within the line, to map back to a position. */
  offset: number;
}

const COLON = '[:：]?';
const YEN = '[¥￥Y]?';
const AMOUNT = '(-?\\d[\\d,]*\\.\\d{2})';

/**
 * Removes single spaces between CJK characters and punctuation (OCR and PDF producers write 价 税 合 计) but keeps
 * wider gaps, which separate cells (名称：甲公司   名称：乙公司).
 */
export function normaliseLine(line: string): string {
  return line
    .replace(/[\u3000\t]/g, ' ')
    .replace(/(?<=[^\x00-\x7f ]) (?=[^\x00-\x7f ])/g, '')
    .replace(/(?<=[^\x00-\x7f ]) (?=[:：()])/g, '')
    .replace(/〈/g, '（')
    .replace(/〉/g, '）')
    .trim();
}

export function extractLabelledFields(rawLines: string[]): { fields: LabelledFields; parties: PartyMention[] } {
  const lines = rawLines.map(normaliseLine);
  const fields: LabelledFields = {};
  const parties: PartyMention[] = [];
  const first = <K extends keyof LabelledFields>(key: K, value: string | undefined) => {
    if (value !== undefined && fields[key] === undefined) fields[key] = value;
  };

  lines.forEach((line, index) => {
    first('invoiceCode', match(line, `发\\s*票\\s*代\\s*码\\s*${COLON}\\s*(\\d{10,12})(?!\\d)`));
    first('invoiceNumber', match(line, `发\\s*票\\s*号\\s*码\\s*${COLON}\\s*(\\d{8,20})(?!\\d)`));
    const date = new RegExp(`开\\s*票\\s*日\\s*期\\s*${COLON}\\s*(\\d{4}\\s*(?:年\\s*\\d{1,2}\\s*月\\s*\\d{1,2}\\s*日|-\\d{2}-\\d{2}|\\d{4}))`).exec(line);
    first('issueDate', date ? toIsoDate(date[1]) : undefined);
    const check = match(line, `校\\s*验\\s*码\\s*${COLON}\\s*(\\d[\\d ]{18,30}\\d)`);
    first('checkCode', check?.replace(/\s+/g, ''));
    first('totalAmount', money(match(line, `[（(<]?\\s*小\\s*写\\s*[)）>]?\\s*${YEN}\\s*${AMOUNT}`)));
    // 合计 row: amount excluding tax, then tax (the tax cell may be *** for exempt goods).
    const total = new RegExp(`^合\\s*计\\s*${YEN}\\s*${AMOUNT}(?:\\s*${YEN}\\s*(${AMOUNT.slice(1, -1)}|\\*+))?`).exec(line);
    if (total) {
      first('amountExTax', money(total[1]));
      if (total[2] && !total[2].startsWith('*')) first('taxAmount', money(total[2]));
    }

    // A name runs to the next gap or the next label (cells can touch when OCR loses the gap).
    for (const m of line.matchAll(/(销售方|购买方|销方|购方)?\s*名\s*称\s*[:：]\s*([^\s:：]{2,}?)(?=\s|$|名\s*称|统一社会信用代码|纳税人识别号|[销购]售?买?方)/g)) {
      const value = m[2];
      if (value.length < 2) continue;
      parties.push({ field: 'name', party: partyOf(m[1]), value, line: index, offset: m.index ?? 0 });
    }
    for (const m of line.matchAll(/(销售方|购买方|销方|购方)?\s*(?:统一社会信用代码\s*\/\s*)?纳\s*税\s*人\s*识\s*别\s*号\s*[:：]?\s*([0-9A-Z]{15,20})(?![0-9A-Z])/g)) {
      parties.push({ field: 'taxId', party: partyOf(m[1]), value: m[2], line: index, offset: m.index ?? 0 });
    }
  });
  return { fields, parties };
}

function partyOf(prefix: string | undefined): PartyMention['party'] {
  if (!prefix) return undefined;
  return prefix.startsWith('销') ? 'seller' : 'buyer';
}

function match(line: string, pattern: string): string | undefined {
  return new RegExp(pattern).exec(line)?.[1];
}

function money(text: string | undefined): Money | undefined {
  return text === undefined ? undefined : toMoney(text);
}

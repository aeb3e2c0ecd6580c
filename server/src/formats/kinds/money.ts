/**
 * 金额. Money is a decimal string with exactly two places ("1234.50", "-36.00" for red invoices) and all arithmetic
 * is done on integer fen (分) as BigInt, so no amount ever passes through a float.
 */
import { FormatError } from '../errors';
import type { Money } from '../voucher';
import { toHalfWidth } from './text';

export interface ParsedMoney {
  /** Absent when the source carries no amount (empty, or masked as `***`). */
  value?: Money;
  warnings: string[];
}

/**
 * Reads an amount as printed or stored: `¥1,234.5`, `１２３４．５０`, `-36`, `￥－36.00元`, `CNY 100`. `***` (the mask
 * old invoices print for a zero tax) gives no value and a warning. More than two decimals are rounded half away
 * from zero with a warning (a monetary fact must be in fen). Anything else is a FormatError naming `field`.
 */
export function parseMoney(raw: string | null | undefined, field: string): ParsedMoney {
  if (raw == null) return { warnings: [] };
  let s = toHalfWidth(raw).replace(/[\s\u00a0]+/g, '');
  if (s === '') return { warnings: [] };
  if (/^\*+$/.test(s)) return { warnings: [`${field}: amount is masked ("${raw.trim()}"), treated as absent`] };
  s = s.replace(/^(CNY|RMB)/i, '').replace(/元$/, '');
  let sign = '';
  const signMatch = /^([+-])?[¥￥]?([+-])?/.exec(s)!;
  if (signMatch[1] && signMatch[2]) throw invalid(raw, field);
  sign = signMatch[1] ?? signMatch[2] ?? '';
  s = s.slice(signMatch[0].length);
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?$/.exec(s) ?? /^()\.(\d+)$/.exec(s);
  if (!m) throw invalid(raw, field);
  const whole = (m[1] || '0').replace(/,/g, '');
  const frac = m[2] ?? '';
  const warnings: string[] = [];
  let fen = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
  const rest = frac.slice(2);
  if (/[1-9]/.test(rest)) {
    if (rest[0] >= '5') fen += 1n;
    warnings.push(`${field}: amount "${raw.trim()}" has more than two decimals, rounded to fen`);
  }
  return { value: fromFen(sign === '-' ? -fen : fen), warnings };
}

function invalid(raw: string, field: string): FormatError {
  return new FormatError('invalid_field', `${field}: not an amount: "${raw.length > 40 ? raw.slice(0, 40) + '…' : raw}"`);
}

/** Money → integer fen. Throws on anything that is not a canonical Money string. */
export function toFen(m: Money): bigint {
  const r = /^(-)?(\d+)\.(\d{2})$/.exec(m);
  if (!r) throw new FormatError('invalid_field', `not a canonical amount: "${m}"`);
  const fen = BigInt(r[2]) * 100n + BigInt(r[3]);
  return r[1] ? -fen : fen;
}

export function fromFen(fen: bigint): Money {
  const neg = fen < 0n;
  const abs = neg ? -fen : fen;
  const yuan = abs / 100n;
  const rem = (abs % 100n).toString().padStart(2, '0');
  return `${neg && abs !== 0n ? '-' : ''}${yuan}.${rem}`;
}

export function addMoney(...amounts: Money[]): Money {
  return fromFen(amounts.reduce((sum, m) => sum + toFen(m), 0n));
}

export function subtractMoney(a: Money, b: Money): Money {
  return fromFen(toFen(a) - toFen(b));
}

export function moneyEquals(a: Money, b: Money): boolean {
  return toFen(a) === toFen(b);
}

/** Negative, zero or positive like a comparator. */
export function compareMoney(a: Money, b: Money): number {
  const d = toFen(a) - toFen(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export function isNegativeMoney(m: Money): boolean {
  return toFen(m) < 0n;
}

/**
 * Non-monetary decimals (quantities, unit prices, charge standards) keep their precision but get one spelling, so
 * that `97029.70` in XBRL and `97029.7` in the JSON twin compare equal: no grouping, no trailing fractional zeros.
 */
export function canonicalDecimal(raw: string | null | undefined, field: string): string | undefined {
  if (raw == null) return undefined;
  const s = toHalfWidth(raw).replace(/[\s,]+/g, '');
  if (s === '') return undefined;
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === '' && !m[3])) throw new FormatError('invalid_field', `${field}: not a number: "${raw}"`);
  const whole = m[2].replace(/^0+(?=\d)/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = frac ? `${whole}.${frac}` : whole;
  return m[1] === '-' && /[1-9]/.test(body) ? `-${body}` : body;
}

/**
 * 税率 as a decimal fraction: `13%` and `0.13` both give "0.13"; `免税`, `不征税`, `***` and other words are kept as
 * written (they are legal printed rates, not numbers).
 */
export function normaliseTaxRate(raw: string | null | undefined, field: string): string | undefined {
  if (raw == null) return undefined;
  const s = toHalfWidth(raw).replace(/\s+/g, '');
  if (s === '') return undefined;
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(s);
  if (pct) return shiftDecimal(pct[1], -2);
  if (/^\d+(?:\.\d+)?$/.test(s)) return canonicalDecimal(s, field);
  return raw.trim();
}

/** Moves the decimal point by `places` (negative: left) on a plain non-negative decimal string, exactly. */
function shiftDecimal(num: string, places: number): string {
  const [w, f = ''] = num.split('.');
  let digits = w + f;
  let point = w.length + places;
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  return canonicalDecimal(`${digits.slice(0, point)}.${digits.slice(point)}`, 'rate')!;
}

/**
 * Values as printed on vouchers → the Voucher model's forms: money as a two-decimal string, dates as YYYY-MM-DD.
 * Money never goes through a float: amounts are rewritten digit by digit, so binary rounding cannot creep into
 * an archive.
 */
import type { Money } from '../voucher';

const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/**
 * "510.68" → "510.68", "620" → "620.00", "1,234.5" → "1234.50", "¥ -36" → "-36.00". Returns undefined when the text
 * is not a plain decimal with at most two places (callers decide whether that is an error or a warning).
 */
export function toMoney(text: string): Money | undefined {
  const cleaned = text.replace(/[¥￥,，\s]|CNY|RMB/g, '').replace(/^\+/, '');
  const m = DECIMAL.exec(cleaned);
  if (!m) return undefined;
  const whole = m[2].replace(/^0+(?=\d)/, '');
  const cents = (m[3] ?? '').padEnd(2, '0');
  const negative = m[1] === '-' && !(/^0+$/.test(whole) && cents === '00');
  return `${negative ? '-' : ''}${whole}.${cents}`;
}

/** Integer fen (分) as text, e.g. the Shenzhen blockchain invoice's `total_amount=1500` → "15.00". */
export function fenToMoney(fen: string): Money | undefined {
  const m = /^(-)?(\d+)$/.exec(fen.trim());
  if (!m) return undefined;
  const digits = m[2].replace(/^0+(?=\d)/, '').padStart(3, '0');
  const whole = digits.slice(0, -2).replace(/^0+(?=\d)/, '');
  const negative = m[1] === '-' && !/^0+$/.test(m[2]);
  return `${negative ? '-' : ''}${whole}.${digits.slice(-2)}`;
}

/** Compares two Money strings exactly (same sign, same digits). */
export function sameMoney(a: Money | undefined, b: Money | undefined): boolean {
  return a !== undefined && b !== undefined && toMoney(a) === toMoney(b);
}

/**
 * "20230811", "2023-08-11", "2023/8/11", "2023年08月11日" (spaces tolerated) → "2023-08-11"; undefined when the
 * text is not one of those or names a day that does not exist (20230231).
 */
export function toIsoDate(text: string): string | undefined {
  const t = text.replace(/\s+/g, '');
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(t) ?? /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(t);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return undefined;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > daysInMonth) return undefined;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

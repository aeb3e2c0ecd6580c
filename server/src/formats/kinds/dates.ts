/**
 * 日期. Every reader stores dates as `YYYY-MM-DD`; sources write them as `2020年07月23日` (old VAT XML), `20200723`
 * (QR payloads), `2020-07-23`, `2020/7/23` or an ISO date-time (数电票 `RequestTime`, XBRL instants).
 */
import { FormatError } from '../errors';
import { toHalfWidth } from './text';

const PATTERNS: RegExp[] = [
  /^(\d{4})年(\d{1,2})月(\d{1,2})日$/,
  /^(\d{4})(\d{2})(\d{2})(?:\d{6})?$/, // 20200723 or 20200723101500
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/,
];

/** Returns `YYYY-MM-DD`, or undefined for an empty value; a value that is not a real date is a FormatError. */
export function parseDate(raw: string | null | undefined, field: string): string | undefined {
  if (raw == null) return undefined;
  const s = toHalfWidth(raw).trim().replace(/\s+(?=\d{1,2}:)/, ' ');
  if (s === '') return undefined;
  for (const p of PATTERNS) {
    const m = p.exec(s);
    if (!m) continue;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (!isRealDate(y, mo, d)) break;
    return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  }
  throw new FormatError('invalid_field', `${field}: not a date: "${raw.trim()}"`);
}

export function isRealDate(y: number, m: number, d: number): boolean {
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

/** 会计期间 / 所属期: `YYYY-MM`. Returns a warning sentence when the value has another shape (kept as written). */
export function checkYearMonth(value: string | undefined, field: string): string | undefined {
  if (value === undefined || /^\d{4}-(0[1-9]|1[0-2])$/.test(value)) return undefined;
  return `${field}: "${value}" is not a year-month (YYYY-MM)`;
}

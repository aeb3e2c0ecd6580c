/**
 * Money for generated vouchers: integer fen (bigint) while computing, two-decimal strings out, the printed
 * forms (¥1,234.50 is never used: invoices print ¥1234.50) and 大写 (the amount in Chinese capital numerals that
 * invoices print next to 价税合计).
 */
import { fromFen } from '../kinds/money';

export const money = (fen: bigint): string => fromFen(fen);

/** Tax on `amountFen` at `ratePercent`, rounded half away from zero to the fen (what invoicing software does). */
export function taxOf(amountFen: bigint, ratePercent: number): bigint {
  const scaled = amountFen * BigInt(Math.round(ratePercent * 100)); // fen × basis points
  const q = scaled / 10_000n;
  const r = scaled % 10_000n;
  if (r * 2n >= 10_000n) return q + 1n;
  if (r * 2n <= -10_000n) return q - 1n;
  return q;
}

const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const SMALL = ['', '拾', '佰', '仟'];
const GROUPS = ['', '万', '亿', '万亿'];

/** 大写金额: 1060.50 → 壹仟零陆拾圆伍角; 100.00 → 壹佰圆整; negative amounts get the prefix （负数）. */
export function amountInWords(fen: bigint): string {
  if (fen < 0n) return `（负数）${amountInWords(-fen)}`;
  const yuan = fen / 100n;
  const jiao = Number((fen / 10n) % 10n);
  const cents = Number(fen % 10n);
  let words = '';
  if (yuan > 0n) {
    const s = yuan.toString();
    const groups: string[] = [];
    for (let end = s.length; end > 0; end -= 4) groups.unshift(s.slice(Math.max(0, end - 4), end));
    let zero = false;
    groups.forEach((g, gi) => {
      const groupIndex = groups.length - 1 - gi;
      let part = '';
      const padded = g.padStart(4, '0');
      for (let i = 0; i < 4; i++) {
        const d = Number(padded[i]);
        if (d === 0) {
          if (part !== '' || words !== '') zero = true;
          continue;
        }
        if (zero) part += '零';
        zero = false;
        part += DIGITS[d] + SMALL[3 - i];
      }
      if (part !== '') words += part + GROUPS[groupIndex];
    });
    words += '圆';
  }
  if (jiao === 0 && cents === 0) return (words || '零圆') + '整';
  if (jiao > 0) words += DIGITS[jiao] + '角';
  else if (words) words += '零';
  if (cents > 0) words += DIGITS[cents] + '分';
  return words;
}

/** yyyy年mm月dd日 as invoices print it. */
export function chineseDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${y}年${m}月${d}日`;
}

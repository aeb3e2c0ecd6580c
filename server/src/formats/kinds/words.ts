/**
 * 大写金额: the amount in Chinese capital numerals printed beside the figures (`贰佰陆拾陆元整`, `壹拾壹圆贰角`).
 * Reading it back lets a reader check the figures against the words, the way a bookkeeper does.
 */
import type { Money } from '../voucher';
import { fromFen } from './money';

const DIGITS: Record<string, bigint> = {
  零: 0n, 〇: 0n, 壹: 1n, 一: 1n, 贰: 2n, 二: 2n, 两: 2n, 叁: 3n, 三: 3n, 肆: 4n, 四: 4n,
  伍: 5n, 五: 5n, 陆: 6n, 六: 6n, 柒: 7n, 七: 7n, 捌: 8n, 八: 8n, 玖: 9n, 九: 9n,
};
const SMALL_UNITS: Record<string, bigint> = { 拾: 10n, 十: 10n, 佰: 100n, 百: 100n, 仟: 1000n, 千: 1000n };

/**
 * The amount the words say, as Money (negative when marked 负 / （负数）), or undefined when the text is not an
 * amount in words.
 */
export function parseAmountInWords(raw: string): Money | undefined {
  let s = raw.replace(/[\s（）()]/g, '');
  let negative = false;
  if (/^负数?/.test(s)) {
    negative = true;
    s = s.replace(/^负数?/, '');
  }
  s = s.replace(/^(人民币|￥|¥)/, '').replace(/[整正]$/, '');
  if (s === '') return undefined;
  let total = 0n;
  let section = 0n;
  let digit = 0n;
  let seenDigit = false;
  let yuan = 0n;
  let jiao = 0n;
  let fen = 0n;
  for (const ch of s) {
    if (ch in DIGITS) {
      digit = DIGITS[ch];
      seenDigit = true;
    } else if (ch in SMALL_UNITS) {
      // A bare 拾 at the start of a section means ten (拾元 = 10).
      section += (seenDigit ? digit : 1n) * SMALL_UNITS[ch];
      digit = 0n;
      seenDigit = false;
    } else if (ch === '万' || ch === '萬') {
      total += (section + digit) * 10_000n;
      section = digit = 0n;
      seenDigit = false;
    } else if (ch === '亿' || ch === '億') {
      total = (total + section + digit) * 100_000_000n;
      section = digit = 0n;
      seenDigit = false;
    } else if (ch === '元' || ch === '圆') {
      yuan = total + section + digit;
      total = section = digit = 0n;
      seenDigit = false;
    } else if (ch === '角') {
      jiao = digit;
      digit = 0n;
      seenDigit = false;
    } else if (ch === '分') {
      fen = digit;
      digit = 0n;
      seenDigit = false;
    } else return undefined;
  }
  if (total + section + digit !== 0n) return undefined; // digits after the last unit: not a well-formed amount
  const sum = yuan * 100n + jiao * 10n + fen;
  return fromFen(negative ? -sum : sum);
}

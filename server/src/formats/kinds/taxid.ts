/**
 * 纳税人识别号 / 统一社会信用代码. Since 2015 organisations use the 18-character unified social credit code of
 * GB 32100-2015, whose last character is a mod-31 check character; older taxpayers still appear with 15-, 17- or
 * 20-character identifiers that carry no check. Individuals buying on an invoice may have no tax ID at all.
 */
import { stripSpaces, toHalfWidth } from './text';

/** GB 32100 code alphabet: digits and upper-case letters without I, O, S, V, Z. */
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character (18th) GB 32100 requires for the first 17; undefined if they use a letter outside the alphabet. */
export function usccCheckChar(first17: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARS.indexOf(first17[i]);
    if (v < 0) return undefined;
    sum += v * USCC_WEIGHTS[i];
  }
  return USCC_CHARS[(31 - (sum % 31)) % 31];
}

export function isValidUscc(code: string): boolean {
  return /^[0-9A-HJ-NP-RTUW-Y]{18}$/.test(code) && usccCheckChar(code.slice(0, 17)) === code[17];
}

export interface TaxIdResult {
  value?: string;
  warnings: string[];
}

/**
 * Normalises a tax ID (half-width, upper case, no spaces) and says what is doubtful about it. It never rejects:
 * the value is what the voucher carries, and sample/masked data (`916400007000XXXXXX`) is common.
 */
export function normaliseTaxId(raw: string | null | undefined, field: string): TaxIdResult {
  if (raw == null) return { warnings: [] };
  const v = stripSpaces(toHalfWidth(raw)).toUpperCase();
  if (v === '') return { warnings: [] };
  const warnings: string[] = [];
  if (v.length === 18) {
    if (/[*]|X{3,}/.test(v)) warnings.push(`${field}: tax ID is masked`);
    else if (!isValidUscc(v)) warnings.push(`${field}: unified social credit code fails the GB 32100 check character`);
  } else if (![15, 17, 20].includes(v.length)) {
    warnings.push(`${field}: tax ID has ${v.length} characters (expected 15, 17, 18 or 20)`);
  } else if (!/^[0-9A-Z]+$/.test(v)) {
    warnings.push(`${field}: tax ID contains characters other than digits and letters`);
  }
  return { value: v, warnings };
}

/** Shows only the first 4 and last 2 characters, for logs and reports that must not carry the identifier. */
export function maskTaxId(v: string): string {
  return v.length <= 6 ? '*'.repeat(v.length) : v.slice(0, 4) + '*'.repeat(v.length - 6) + v.slice(-2);
}

/**
 * Converts one source value to its normalised form by value type, collecting warnings. Shared by the element-map
 * builder and the XML readers so every format spells amounts, dates, rates and identifiers the same way.
 */
import { FormatError } from '../errors';
import type { FactValueType } from '../xbrl/model';
import { checkYearMonth, parseDate } from './dates';
import { canonicalDecimal, normaliseTaxRate, parseMoney } from './money';
import { normaliseTaxId } from './taxid';
import { stripSpaces, toHalfWidth } from './text';

export type NormalisedValue = string | boolean | Record<string, unknown> | unknown[];

/**
 * `field` names the source element in warnings and errors. Returns undefined for an empty value. Malformed amounts,
 * dates and booleans are FormatErrors: an archive must not guess those.
 */
export function normaliseValue(raw: string, type: FactValueType, field: string, warnings: string[]): NormalisedValue | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  switch (type) {
    case 'text':
      return text;
    case 'code':
      // Codes are printed in groups ("43555 45760 03143 54972"); the value is the characters without the spaces.
      return stripSpaces(toHalfWidth(text));
    case 'monetary': {
      const m = parseMoney(text, field);
      warnings.push(...m.warnings);
      return m.value;
    }
    case 'decimal':
      return canonicalDecimal(text, field);
    case 'rate':
      return normaliseTaxRate(text, field);
    case 'date':
      return parseDate(text, field);
    case 'yearMonth': {
      const w = checkYearMonth(text, field);
      if (w) warnings.push(w);
      return text;
    }
    case 'boolean':
      return parseBoolean(text, field);
    case 'taxId': {
      const t = normaliseTaxId(text, field);
      warnings.push(...t.warnings);
      return t.value;
    }
    case 'json':
      return text;
  }
}

const TRUE = new Set(['true', '1', 'y', 'yes', '是']);
const FALSE = new Set(['false', '0', 'n', 'no', '否']);

export function parseBoolean(raw: string, field: string): boolean {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new FormatError('invalid_field', `${field}: not a boolean: "${raw.trim()}"`);
}

/** Parses a JSON object or array written into a text element (ICBC puts `{"银行业务编号":""}` into Notes). */
export function embeddedJson(text: string): Record<string, unknown> | unknown[] | undefined {
  const t = text.trim();
  if (!(t.startsWith('{') && t.endsWith('}')) && !(t.startsWith('[') && t.endsWith(']'))) return undefined;
  try {
    const v = JSON.parse(t);
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

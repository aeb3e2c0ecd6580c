/**
 * Calendar dates at the HTTP edge. JavaScript's Date.parse and PostgreSQL disagree about impossible days —
 * `Date.parse('2024-02-30')` is 1 March, PostgreSQL refuses it — so a value shaped like a date is checked here
 * against the calendar, and a request carrying an impossible one is refused with the field named.
 */

/** YYYY-MM-DD, optionally followed by a time of day (ISO 8601 or with a space). */
const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Why a date-shaped value is not a day of the calendar, or undefined when it is one (or is not date-shaped). */
export function impossibleDate(value: string): string | undefined {
  if (value.length > 40) return undefined;
  const m = DATE_SHAPE.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12) return `month ${m[2]} does not exist`;
  const max = daysIn(y, mo);
  if (d < 1 || d > max) return `${m[1]}-${m[2]} has ${max} days`;
  return undefined;
}

/** True for YYYY-MM-DD naming a real day. */
export function isCalendarDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && impossibleDate(value) === undefined;
}

export interface DateProblem {
  field: string;
  value: string;
  problem: string;
}

/**
 * The first date-shaped value in a parsed query string or JSON body that names no day of the calendar, with its
 * dotted path (`entries.0.date`). Bounded: at most `maxNodes` values are looked at (bodies are bounded by the
 * server's body limit anyway).
 */
export function findImpossibleDate(input: unknown, prefix = '', budget = { nodes: 10_000 }): DateProblem | undefined {
  if (--budget.nodes < 0) return undefined;
  if (typeof input === 'string') {
    const problem = impossibleDate(input);
    return problem ? { field: prefix || 'value', value: input, problem } : undefined;
  }
  if (Array.isArray(input)) {
    for (let i = 0; i < input.length; i++) {
      const p = findImpossibleDate(input[i], prefix ? `${prefix}.${i}` : String(i), budget);
      if (p) return p;
    }
    return undefined;
  }
  if (input && typeof input === 'object' && !Buffer.isBuffer(input)) {
    for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
      const p = findImpossibleDate(v, prefix ? `${prefix}.${k}` : k, budget);
      if (p) return p;
    }
  }
  return undefined;
}

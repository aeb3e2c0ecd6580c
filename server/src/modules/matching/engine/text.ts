/**
 * Text helpers for the fuzzy conditions: edit distances on short strings (invoice numbers, names) and the
 * extraction of cited numbers from free text (摘要).
 */

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transposition), stopping early once the
 * distance must exceed `max`: typed numbers mostly suffer one wrong, missing or swapped digit.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n];
}

/** 1 − distance / longer length, on normalised names (company suffixes and spaces do not count against). */
export function similarity(a: string, b: string): number {
  const x = normaliseName(a);
  const y = normaliseName(b);
  if (!x || !y) return 0;
  const len = Math.max(x.length, y.length);
  return 1 - editDistance(x, y) / len;
}

export function normaliseName(s: string): string {
  return s
    .replace(/[\s\u3000（）()·.,，、]/g, '')
    .replace(/(股份有限公司|有限责任公司|有限公司)$/, '')
    .toUpperCase();
}

/**
 * Numbers a bookkeeper writes into a summary: invoice numbers (8 or 20 digits), 缴款码 (often 20 digits),
 * bank serials (letters and digits). Runs of 7–32 alphanumerics with at least 7 digits: seven, because a
 * mistyped 8-digit invoice number that lost a digit must still reach the fuzzy rule.
 */
export function numbersIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[0-9A-Za-z]{7,32}/g)) {
    const s = m[0];
    let digits = 0;
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) digits++;
    if (digits >= 7) out.push(s.toUpperCase());
  }
  return out;
}

export function dayNumber(date: string): number {
  return Math.floor(Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / 86_400_000);
}

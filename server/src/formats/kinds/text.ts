/**
 * Character-level clean-up shared by the money, date and identifier parsers. Chinese producers mix full-width
 * (全角) and half-width forms freely — `１２３．４５`, `￥`, `－36.00`, ideographic spaces — so every parser first
 * folds full-width ASCII to half-width and drops the spaces people put in grouped codes.
 */

/** Full-width ASCII block U+FF01–U+FF5E → U+0021–U+007E; ideographic space U+3000 → space. */
export function toHalfWidth(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCodePoint(c - 0xfee0);
    else if (c === 0x3000) out += ' ';
    else out += ch;
  }
  return out;
}

/** Removes every kind of whitespace, including the no-break and ideographic spaces. */
export function stripSpaces(s: string): string {
  return s.replace(/[\s\u00a0\u3000]+/g, '');
}

/** A value that carries nothing: absent, empty or only whitespace. */
export function isBlank(s: string | null | undefined): s is null | undefined | '' {
  return s == null || s.trim() === '';
}

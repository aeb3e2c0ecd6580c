/**
 * The CJK font for rendered PDFs. pdf-lib subsets fonts through fontkit, and only TrueType-outline CJK fonts
 * subset correctly (design/STACK.md §5): WenQuanYi Micro Hei / Zen Hei (.ttc) or AR PL gbsn00lp (.ttf). Noto
 * CJK (CFF outlines) produces invalid subsets, so it is never picked. A .ttc is handed to pdf-lib through a
 * fontkit wrapper that selects one face by PostScript name.
 */
import { existsSync, readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';

/** Where Debian's packages put usable fonts, in order of preference. */
export const CJK_FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', // fonts-wqy-microhei
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', // fonts-wqy-zenhei
  '/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf', // fonts-arphic-gbsn00lp
];

export class CjkFontMissingError extends Error {
  constructor(looked: string[]) {
    super(
      `no CJK TrueType font found (looked at ${looked.join(', ')}): install the Debian package fonts-wqy-microhei ` +
        `(apt-get install fonts-wqy-microhei) or pass fontPath / set EVARCHIVE_CJK_FONT to a TrueType-outline CJK font`,
    );
    this.name = 'CjkFontMissingError';
  }
}

export interface CjkFont {
  path: string;
  bytes: Uint8Array;
  /** For pdf-lib's registerFontkit: creates the chosen face (the first of a collection). */
  fontkit: { create(bytes: Uint8Array): unknown };
}

const loaded = new Map<string, CjkFont>();

/** The font at `fontPath`, else $EVARCHIVE_CJK_FONT, else the first installed candidate. Read once per path. */
export function loadCjkFont(fontPath?: string): CjkFont {
  const looked = fontPath ? [fontPath] : process.env.EVARCHIVE_CJK_FONT ? [process.env.EVARCHIVE_CJK_FONT] : CJK_FONT_CANDIDATES;
  const path = looked.find((p) => existsSync(p));
  if (!path) throw new CjkFontMissingError(looked);
  const hit = loaded.get(path);
  if (hit) return hit;
  const bytes = new Uint8Array(readFileSync(path));
  const fk = fontkit as unknown as { create(b: Uint8Array, postscriptName?: string): { fonts?: { postscriptName: string }[] } };
  const collection = fk.create(bytes);
  // A collection (.ttc): pdf-lib cannot lay out or subset the collection object, only one face of it.
  const face = collection.fonts?.[0]?.postscriptName;
  // Parsing a 5 MB collection costs about a second; the parsed face is reused by every PDF (pdf-lib only reads
  // it and builds a separate subset object per document).
  let parsed: unknown;
  const create = (b: Uint8Array) => (b === bytes ? (parsed ??= face ? fk.create(b, face) : collection) : face ? fk.create(b, face) : fk.create(b));
  const font: CjkFont = { path, bytes, fontkit: { create } };
  loaded.set(path, font);
  return font;
}

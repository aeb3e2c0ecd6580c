/**
 * Page text with positions: what a person sees on the voucher. Used (1) by custom tags, which point at text
 * objects by ID, (2) to cross-check structured data against what is printed (the signature protects the page,
 * not necessarily the data), and (3) as the last-resort source of fields via printed labels.
 *
 * A character's position follows GB/T 33190 §11.3: the TextCode's X/Y (Y is the baseline) plus the sum of the
 * preceding DeltaX advances, mapped by the object's CTM, offset by its Boundary origin.
 */
import type { OfdDocument, OfdGraphic, OfdPage, OfdTextObject } from './document';

export interface PlacedText {
  text: string;
  /** Start of the run, page space, mm. */
  x: number;
  /** Baseline, page space, mm. */
  y: number;
  /** Approximate end of the run (last advance plus one glyph), mm. */
  xEnd: number;
  /** Font size, mm. */
  size: number;
  /** TextObject ID. */
  id?: string;
  layer: 'template' | 'page' | 'annotation';
}

export interface TextLine {
  y: number;
  items: PlacedText[];
  /** Items left to right, separated by a space where there is a visible gap. */
  text: string;
}

/** Text runs of a page: background templates, page layers, foreground templates, optionally annotations. */
export function pageTextRuns(doc: OfdDocument, page: OfdPage, options: { annotations?: boolean } = {}): PlacedText[] {
  const out: PlacedText[] = [];
  const templates = (z: string) =>
    page.templates.filter((t) => (t.zOrder || 'Background') === z).map((t) => doc.templates.get(t.templateId)).filter((t) => t !== undefined);
  for (const t of templates('Background')) for (const l of t.layers) collect(l.objects, 'template', 0, 0, out);
  for (const l of page.layers) collect(l.objects, 'page', 0, 0, out);
  for (const t of templates('Foreground')) for (const l of t.layers) collect(l.objects, 'template', 0, 0, out);
  if (options.annotations) {
    for (const a of doc.annotations) {
      if (a.pageId !== page.id) continue;
      collect(a.objects, 'annotation', a.boundary?.x ?? 0, a.boundary?.y ?? 0, out);
    }
  }
  return out;
}

function collect(objects: OfdGraphic[], layer: PlacedText['layer'], dx: number, dy: number, out: PlacedText[]) {
  for (const o of objects) {
    if (o.kind === 'block') collect(o.objects, layer, dx, dy, out);
    else if (o.kind === 'text') out.push(...runsOf(o, layer, dx, dy));
  }
}

function runsOf(o: OfdTextObject, layer: PlacedText['layer'], dx: number, dy: number): PlacedText[] {
  const [a, b, c, d, e, f] = o.ctm ?? [1, 0, 0, 1, 0, 0];
  // Size is in object space; the CTM scales it (converters often write Size 10 with a 0.35 CTM).
  const size = (o.size ?? 3.5) * (Math.sqrt(Math.abs(a * d - b * c)) || 1);
  const map = (x: number, y: number) => ({ x: dx + o.boundary.x + a * x + c * y + e, y: dy + o.boundary.y + b * x + d * y + f });
  return o.codes
    .filter((tc) => tc.text.trim() !== '')
    .map((tc) => {
      const chars = [...tc.text];
      let adv = 0;
      for (let i = 0; i < chars.length - 1; i++) adv += tc.deltaX[Math.min(i, tc.deltaX.length - 1)] ?? o.size ?? 3.5;
      const start = map(tc.x, tc.y);
      const end = map(tc.x + adv, tc.y);
      const lastWidth = /[\x00-\xff]/.test(chars[chars.length - 1] ?? '') ? size / 2 : size;
      return { text: tc.text, x: start.x, y: start.y, xEnd: Math.max(end.x, start.x) + lastWidth, size, id: o.id, layer };
    });
}

/**
 * Groups runs into lines: runs whose baselines are within 40 % of the smaller font size (at least 0.8 mm) of
 * each other share a line; lines top to bottom, runs left to right.
 */
export function textLines(runs: PlacedText[]): TextLine[] {
  const sorted = [...runs].sort((p, q) => p.y - q.y || p.x - q.x);
  const lines: { y: number; size: number; items: PlacedText[] }[] = [];
  for (const r of sorted) {
    const last = lines[lines.length - 1];
    if (last && Math.abs(r.y - last.y) <= Math.max(0.8, 0.4 * Math.min(r.size, last.size))) {
      last.items.push(r);
      last.size = Math.min(last.size, r.size);
    } else lines.push({ y: r.y, size: r.size, items: [r] });
  }
  return lines.map((l) => {
    const items = l.items.sort((p, q) => p.x - q.x);
    let text = '';
    items.forEach((it, i) => {
      if (i > 0 && it.x - items[i - 1].xEnd > Math.min(it.size, items[i - 1].size) * 0.6) text += ' ';
      text += it.text;
    });
    return { y: l.y, items, text };
  });
}

/** The page as plain text, one line per printed line. */
export function pageText(doc: OfdDocument, page: OfdPage, options: { annotations?: boolean } = {}): string {
  return textLines(pageTextRuns(doc, page, options))
    .map((l) => l.text)
    .join('\n');
}

/**
 * Graphic unit ID → its text (all TextCodes joined without separator; a 密码区 spans several TextCodes), over the
 * page's own layers and its templates. This is the join key of custom tags (ofd.md §8). Non-text units (an
 * image of a handwritten signature, a path) map to '' so a reference to them is known to exist.
 */
export function textById(doc: OfdDocument, page: OfdPage): Map<string, string> {
  const map = new Map<string, string>();
  const visit = (objects: OfdGraphic[]) => {
    for (const o of objects) {
      if (o.kind === 'block') visit(o.objects);
      if (o.id === undefined || map.has(o.id)) continue;
      map.set(o.id, o.kind === 'text' ? o.codes.map((c) => c.text).join('') : '');
    }
  };
  for (const l of page.layers) visit(l.objects);
  for (const t of page.templates) for (const l of doc.templates.get(t.templateId)?.layers ?? []) visit(l.objects);
  return map;
}

// ---- Labels → values ---------------------------------------------------------------------------------------

const COLON = /^[\s:：]+/;

/**
 * Compatibility folding (NFKC, character by character where it yields one character): full-width forms become
 * ASCII and Kangxi radicals / compatibility ideographs become the unified ideographs some PDF-to-OFD
 * converters avoid (`电⼦发票` with U+2F26 is `电子发票`). Length-preserving, so offsets stay valid. Only the
 * blocks NFKC changes are touched, which keeps this cheap on ordinary text.
 */
const FOLDABLE = /[\u2e80-\u2fdf\u3000\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]/g;
export function fold(s: string): string {
  // Most runs hold nothing foldable: a scan by character code answers that without the replace.
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x2e80 && ((c <= 0x2fdf) || c === 0x3000 || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || c >= 0xff00)) break;
  }
  if (i === s.length) return s;
  return s.replace(FOLDABLE, (c) => {
    const n = c.normalize('NFKC');
    return n.length === 1 ? n : c;
  });
}

/** Only the ideograph look-alikes folded (values keep their full-width punctuation as printed). */
export function foldIdeographs(s: string): string {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x2e80 && c <= 0x2fdf) || (c >= 0xf900 && c <= 0xfaff)) break;
  }
  if (i === s.length) return s;
  return s.replace(/[\u2e80-\u2fdf\uf900-\ufaff]/g, (c) => c.normalize('NFKC'));
}

/** Removes spaces so `开 票 日 期` and `开票日期` compare equal; ideograph look-alikes are folded. */
const SPACE = /[\s\u3000]/;
function squash(s: string): string {
  return foldIdeographs(SPACE.test(s) ? s.replace(/[\s\u3000]+/g, '') : s);
}

export interface LabelledValue {
  value: string;
  /** The run holding the label. */
  label: PlacedText;
}

/**
 * Every value printed after a label, in reading order: either in the label's own run (`发票号码：12345678`) or in
 * the nearest run to its right whose baseline is close — values are often set in another font size, so their
 * baseline sits a little off the label's. A run ending with a colon is the next label: no value. A lone currency
 * sign takes the number after it. Labels may be printed with spaces between characters.
 */
export function valuesAfterLabel(lines: TextLine[], label: string | RegExp): LabelledValue[] {
  const prep = prepared(lines);
  const { runs, squashed: sq, folded: fo, wordy } = prep;
  const out: LabelledValue[] = [];
  const wanted = typeof label === 'string' ? foldedLabel(label) : undefined;
  const re = typeof label === 'string' ? undefined : anchoredOf(label);
  // Only runs whose folded text starts with a character the label can start with (in run order).
  const starts = wanted !== undefined ? (wanted === '' ? undefined : [wanted[0]]) : firstCharsOf(label as RegExp);
  const candidates = starts ? candidatesOf(prep, starts) : undefined;
  const n = candidates ? candidates.length : runs.length;
  for (let k = 0; k < n; k++) {
    const i = candidates ? candidates[k] : k;
    const f = fo[i];
    let m: number | undefined;
    if (wanted !== undefined) m = f.startsWith(wanted) ? wanted.length : undefined;
    else {
      const hit = re!.exec(f);
      m = hit ? hit[0].length : undefined;
    }
    if (m === undefined) continue;
    const run = runs[i];
    const rest = sq[i].slice(m).replace(COLON, '');
    if (rest) {
      out.push({ value: rest, label: run });
      continue;
    }
    // Right of the label, not across the page (the other party's column), and not a bracket or a single
    // vertical caption character drawn between columns.
    // (Indices into `runs`, so the prepared squashed texts serve the value as well.)
    const right: number[] = [];
    for (let j = 0; j < runs.length; j++) {
      const r = runs[j];
      if (r !== run && r.x >= run.xEnd - 3 && r.x > (run.x + run.xEnd) / 2 && r.x - run.xEnd <= 20 && wordy[j]) right.push(j);
    }
    const sameLine = right.filter((j) => Math.abs(runs[j].y - run.y) <= Math.max(0.8, 0.3 * Math.min(runs[j].size, run.size)));
    const near = (sameLine.length ? sameLine : right.filter((j) => Math.abs(runs[j].y - run.y) <= Math.max(2, 0.5 * Math.max(runs[j].size, run.size)))).sort(
      (p, q) => runs[p].x - runs[q].x,
    );
    const parts: string[] = [];
    for (const j of near) {
      const next = sq[j];
      if (/[:：]$/.test(next)) break;
      parts.push(next);
      if (!/^[¥￥]$/.test(next)) break;
    }
    const v = parts.join('').replace(COLON, '');
    if (v) out.push({ value: v, label: run });
  }
  return out;
}

/** The first value printed after `label`, or undefined when the label is not on the page or has no value. */
export function valueAfterLabel(lines: TextLine[], label: string | RegExp): string | undefined {
  return valuesAfterLabel(lines, label)[0]?.value;
}

/**
 * The runs of `lines` with their squashed and folded texts, computed once per set of lines: a page's label
 * lookups (~25 of them) all walk the same runs. Re-derived when the lines were changed in between.
 */
interface PreparedRuns {
  runs: PlacedText[];
  /** Per line, its item count when prepared (a cheap check that the cached runs still describe the lines). */
  counts: number[];
  squashed: string[];
  /** `fold` of the squashed text (same length, so match offsets apply to the squashed text). */
  folded: string[];
  /** The run holds a letter, digit or currency sign (a value candidate right of a label). */
  wordy: boolean[];
  /** Indices of the runs by the first code unit of their folded text, ascending. */
  byFirst: Map<string, number[]>;
}
const preparedLines = new WeakMap<TextLine[], PreparedRuns>();

function prepared(lines: TextLine[]): PreparedRuns {
  const cached = preparedLines.get(lines);
  if (cached && cached.counts.length === lines.length && cached.counts.every((n, i) => lines[i].items.length === n)) {
    let k = 0;
    let same = true;
    for (const l of lines) for (const it of l.items) if (cached.runs[k++] !== it) same = false;
    if (same) return cached;
  }
  const runs = lines.flatMap((l) => l.items);
  const p: PreparedRuns = {
    runs,
    counts: lines.map((l) => l.items.length),
    squashed: [],
    folded: [],
    wordy: runs.map((r) => /[\p{L}\p{N}¥￥]/u.test(r.text)),
    byFirst: new Map(),
  };
  for (let i = 0; i < runs.length; i++) {
    const sq = squash(runs[i].text);
    const fo = fold(sq);
    p.squashed.push(sq);
    p.folded.push(fo);
    if (fo === '') continue;
    const list = p.byFirst.get(fo[0]);
    if (list) list.push(i);
    else p.byFirst.set(fo[0], [i]);
  }
  preparedLines.set(lines, p);
  return p;
}

// Labels are a fixed vocabulary, so their folded and anchored forms are computed once.
const foldedLabels = new Map<string, string>();
function foldedLabel(label: string): string {
  let l = foldedLabels.get(label);
  if (l === undefined) {
    l = fold(squash(label));
    if (foldedLabels.size < 1000) foldedLabels.set(label, l);
  }
  return l;
}

const anchored = new Map<RegExp, RegExp>();

function anchoredOf(label: RegExp): RegExp {
  let re = anchored.get(label);
  if (!re) anchored.set(label, (re = new RegExp(`^(?:${label.source})`, label.flags.replace('g', ''))));
  return re;
}

function candidatesOf(p: PreparedRuns, starts: string[]): number[] {
  if (starts.length === 1) return p.byFirst.get(starts[0]) ?? [];
  const out: number[] = [];
  for (const c of starts) for (const i of p.byFirst.get(c) ?? []) out.push(i);
  return out.sort((a, b) => a - b);
}

const firstChars = new Map<RegExp, string[] | undefined>();

/**
 * The code units a match of the label can start with, read off its source when that is plain: top-level
 * alternatives that each begin with a literal character or a class of literal characters, not made optional.
 * Undefined (try every run) for anything else — groups, escapes, ranges, flags, an empty alternative.
 */
export function firstCharsOf(label: RegExp): string[] | undefined {
  if (firstChars.has(label)) return firstChars.get(label);
  const found = plainFirstChars(label);
  if (firstChars.size < 1000) firstChars.set(label, found);
  return found;
}

function plainFirstChars(label: RegExp): string[] | undefined {
  if (label.flags.replace('g', '') !== '') return undefined;
  const src = label.source;
  // Split into top-level alternatives.
  const alternatives: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      alternatives.push(src.slice(from, i));
      from = i + 1;
    }
  }
  alternatives.push(src.slice(from));
  const out = new Set<string>();
  for (const alt of alternatives) {
    let atom: string[];
    let end: number;
    if (alt[0] === '[') {
      end = alt.indexOf(']');
      const body = alt.slice(1, end);
      if (end < 2 || /[\\^\-\]\[]/.test(body)) return undefined;
      atom = [...body];
      end++;
    } else {
      if (alt === '' || '\\()[]{}.*+?^$|'.includes(alt[0])) return undefined;
      atom = [alt[0]];
      end = 1;
    }
    if (end < alt.length && '?*{'.includes(alt[end])) return undefined;
    // A character outside the basic plane is two code units: its first unit is not a whole character.
    if (atom.some((a) => a.length !== 1)) return undefined;
    for (const a of atom) out.add(a);
  }
  return [...out];
}

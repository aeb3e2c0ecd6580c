/**
 * Positioned text → reading lines. PDF producers write text runs in any order (the 交通银行 receipt writes each
 * value before its label; invoice templates write all labels, then all values), so the stream order says
 * nothing; positions do. Runs are put into their own reading frame (so the air itinerary, drawn rotated by 90°
 * on a `/Rotate 90` page, reads like any other page), grouped into lines by baseline, and joined left to right
 * with gaps rendered as spaces: one space for a word gap, three for a cell gap, which the label patterns use as
 * the end of a value.
 */
import type { RawTextItem } from './engine';

export interface TextRun {
  str: string;
  /** Position in the reading frame: u grows to the right along the baseline, v grows upwards. */
  u: number;
  v: number;
  width: number;
  size: number;
  /** Baseline direction in degrees, a multiple of 90. */
  angle: number;
}

export interface TextLine {
  text: string;
  v: number;
  runs: TextRun[];
  /** Character offset in `text` where each run starts (same order as `runs`). */
  offsets: number[];
}

export interface PageLayout {
  /** Lines of the dominant reading direction, top to bottom. */
  lines: TextLine[];
  runs: TextRun[];
  angle: number;
}

/** Text runs whose baseline is not a multiple of 90° (the round 发票监制章 stamp) are left out. */
export function toRuns(items: RawTextItem[]): TextRun[] {
  const runs: TextRun[] = [];
  for (const it of items) {
    const size = Math.hypot(it.a, it.b);
    if (!(size > 0) || it.str.trim() === '') continue;
    const deg = (Math.atan2(it.b, it.a) * 180) / Math.PI;
    const angle = ((Math.round(deg / 90) * 90) % 360 + 360) % 360;
    if (Math.abs(deg - Math.round(deg / 90) * 90) > 2) continue;
    const rad = (angle * Math.PI) / 180;
    const cos = Math.round(Math.cos(rad));
    const sin = Math.round(Math.sin(rad));
    runs.push({ str: it.str, u: it.x * cos + it.y * sin, v: -it.x * sin + it.y * cos, width: it.width, size, angle });
  }
  return runs;
}

export function layoutPage(items: RawTextItem[]): PageLayout {
  const all = toRuns(items);
  // The dominant direction is the one carrying most characters.
  const weight = new Map<number, number>();
  for (const r of all) weight.set(r.angle, (weight.get(r.angle) ?? 0) + r.str.length);
  const angle = [...weight.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  const runs = all.filter((r) => r.angle === angle);
  return { lines: groupLines(runs), runs, angle };
}

function groupLines(runs: TextRun[]): TextLine[] {
  const sorted = [...runs].sort((a, b) => b.v - a.v || a.u - b.u);
  const groups: TextRun[][] = [];
  let current: TextRun[] = [];
  let lineV = NaN;
  for (const r of sorted) {
    // Same line when the baseline is within ~40 % of the font size of the previous run's: values sit 0.5–4 pt
    // off their labels, and chaining from run to run follows such steps where a fixed anchor would split them.
    if (current.length && Math.abs(r.v - lineV) <= Math.max(2, 0.4 * r.size)) current.push(r);
    else {
      if (current.length) groups.push(current);
      current = [r];
    }
    lineV = r.v;
  }
  if (current.length) groups.push(current);
  return groups.map((g) => joinLine(g.sort((a, b) => a.u - b.u)));
}

function joinLine(runs: TextRun[]): TextLine {
  let text = '';
  const offsets: number[] = [];
  let prevEnd = NaN;
  for (const r of runs) {
    if (text !== '') {
      const gap = r.u - prevEnd;
      text += gap > 1.5 * r.size ? '   ' : gap > 0.2 * r.size ? ' ' : '';
    }
    offsets.push(text.length);
    text += r.str;
    prevEnd = Math.max(prevEnd || -Infinity, r.u + r.width);
  }
  return { text, v: runs[0].v, runs, offsets };
}

/** The run that contains character `offset` of a line. */
export function runAt(line: TextLine, offset: number): TextRun {
  let i = 0;
  while (i + 1 < line.offsets.length && line.offsets[i + 1] <= offset) i++;
  return line.runs[i];
}

/**
 * The text of the cell after a label on the same line: from the end of the label to the next cell gap.
 * `label` must match at a word boundary of the line text; returns undefined when absent or empty.
 */
export function valueAfter(lines: TextLine[], label: RegExp): string | undefined {
  for (const line of lines) {
    const m = label.exec(line.text);
    if (!m) continue;
    const rest = line.text.slice(m.index + m[0].length).replace(/^\s{0,2}/, '');
    // A value ends at a cell gap or where the next label (a few characters and a colon) begins.
    const value = rest.split(/\s{3,}|\s+(?=[^\s:：]{2,8}[:：])/)[0].trim();
    if (value !== '') return value;
  }
  return undefined;
}

/** The run below a label run in the same column (table layouts: 合计 over CNY 620.00). */
export function valueBelow(layout: PageLayout, label: RegExp): string | undefined {
  const head = layout.runs.find((r) => label.test(r.str.trim()));
  if (!head) return undefined;
  // Values in such tables start at or after their column label's left edge and before the next column's: the
  // nearest run below whose left edge is not left of the label is the label's value.
  const below = layout.runs
    .filter((r) => r.v < head.v - 0.5 * head.size && r.v > head.v - 4 * head.size && r.u >= head.u - 0.5 * head.size)
    .sort((a, b) => b.v - a.v || a.u - b.u);
  const row = below.filter((r) => Math.abs(r.v - below[0]?.v) <= 0.4 * r.size).sort((a, b) => a.u - b.u);
  return row[0]?.str.trim();
}

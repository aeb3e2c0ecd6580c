/**
 * The pure part of 组卷: from the archived items of one fonds and year to volume groups, their split into
 * volumes, the order of items, and the gaps in journal voucher numbering. Deterministic: the same items give
 * the same plan in any input order. No database; the service stores what this computes.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../platform/errors/errors';
import { expiryDate, retentionFor, type ArchiveCategory, type RetentionDecision, type RetentionRules } from '../retention/retention.rules';
import { categoryOfSource, formatPattern, retentionCode, type VolumeRules, type SourceType } from './volumes.rules';

/** An original (原始凭证) linked to a journal voucher; it becomes a sub-item (组件) of that voucher. */
export interface LinkedOriginal {
  sourceId: string;
  title: string;
}

/** One item offered for assembly by a source (the ledger module's journal vouchers, books, reports, …). */
export interface SourceItem {
  sourceType: SourceType;
  sourceId: string;
  /** The retention table's item kind: journal_voucher, general_ledger, periodic_report, annual_report, … */
  itemKey: string;
  /** Accounting period of the item: YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY. */
  period: string;
  /** Journal voucher number (记-0001), book or report number. */
  number: string | null;
  /** YYYY-MM-DD */
  date: string | null;
  title: string;
  originals: LinkedOriginal[];
}

export interface PlannedSubItem {
  subNo: number;
  sourceId: string;
  title: string;
}

export interface PlannedItem {
  itemNo: number;
  source: SourceItem;
  subItems: PlannedSubItem[];
}

export interface PlannedVolume {
  category: ArchiveCategory;
  period: string;
  retention: RetentionDecision;
  retentionCode: string;
  /** 1-based part of its group (a group above maxItems splits into consecutive parts). */
  part: number;
  items: PlannedItem[];
  firstNumber: string | null;
  lastNumber: string | null;
  expiresOn: string | null;
}

export interface NumberGap {
  category: ArchiveCategory;
  period: string;
  /** 凭证字 (记, 收, 付, 转, …) — the part before the running number. */
  word: string;
  missing: string;
}

const PERIOD = /^(\d{4})(?:-(\d{2})|-Q([1-4])|-H([12]))?$/;

/** The period a category groups an item under (month, quarter, year, or the item's own). */
export function groupPeriod(kind: 'month' | 'quarter' | 'year' | 'source', itemPeriod: string, date: string | null, what: string): string {
  const m = PERIOD.exec(itemPeriod);
  if (!m || (m[2] && (Number(m[2]) < 1 || Number(m[2]) > 12))) throw new ValidationError(`${what}: period "${itemPeriod}" is not YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY`, { period: itemPeriod });
  const year = m[1];
  if (kind === 'source') return itemPeriod;
  if (kind === 'year') return year;
  const month = m[2] ? Number(m[2]) : date && date.startsWith(year) ? Number(date.slice(5, 7)) : null;
  if (month === null) throw new ValidationError(`${what}: period "${itemPeriod}" has no month to group by ${kind}`, { period: itemPeriod });
  return kind === 'month' ? `${year}-${String(month).padStart(2, '0')}` : `${year}-Q${Math.ceil(month / 3)}`;
}

export function periodName(period: string): string {
  const m = PERIOD.exec(period);
  if (!m) return period;
  if (m[2]) return `${m[1]}年${Number(m[2])}月`;
  if (m[3]) return `${m[1]}年第${m[3]}季度`;
  if (m[4]) return `${m[1]}年${m[4] === '1' ? '上' : '下'}半年`;
  return `${m[1]}年度`;
}

/** Month of a monthly period (1–12), else null — the search document's period. */
export function periodMonth(period: string): number | null {
  const m = PERIOD.exec(period);
  return m?.[2] ? Number(m[2]) : null;
}

interface ParsedNumber {
  word: string;
  n: number;
  width: number;
}

/** 记-0005 → word 记-, 5, width 4. Numbers without a trailing run of digits are not sequence numbers. */
export function parseVoucherNumber(s: string | null): ParsedNumber | null {
  if (!s) return null;
  const m = /^(.*?)(\d+)$/.exec(s.trim());
  return m ? { word: m[1], n: Number(m[2]), width: m[2].length } : null;
}

function compareBy(order: ('number' | 'date')[]) {
  const num = (a: SourceItem, b: SourceItem): number => {
    const pa = parseVoucherNumber(a.number);
    const pb = parseVoucherNumber(b.number);
    if (pa && pb) return pa.word < pb.word ? -1 : pa.word > pb.word ? 1 : pa.n - pb.n;
    if (pa || pb) return pa ? -1 : 1;
    return (a.number ?? '') < (b.number ?? '') ? -1 : (a.number ?? '') > (b.number ?? '') ? 1 : 0;
  };
  const date = (a: SourceItem, b: SourceItem): number => ((a.date ?? '') < (b.date ?? '') ? -1 : (a.date ?? '') > (b.date ?? '') ? 1 : 0);
  return (a: SourceItem, b: SourceItem): number => {
    for (const k of order) {
      const c = k === 'number' ? num(a, b) : date(a, b);
      if (c) return c;
    }
    // The source id breaks remaining ties so any input order gives the same plan.
    return a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0;
  };
}

/** Missing numbers per 凭证字 between 1 and the highest number used in the period. */
export function findNumberGaps(category: ArchiveCategory, period: string, numbers: (string | null)[]): NumberGap[] {
  const byWord = new Map<string, { seen: Set<number>; max: number; width: number }>();
  for (const s of numbers) {
    const p = parseVoucherNumber(s);
    if (!p) continue;
    const w = byWord.get(p.word) ?? { seen: new Set(), max: 0, width: p.width };
    w.seen.add(p.n);
    w.max = Math.max(w.max, p.n);
    w.width = Math.max(w.width, p.width);
    byWord.set(p.word, w);
  }
  const gaps: NumberGap[] = [];
  for (const [word, w] of [...byWord.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (let n = 1; n < w.max; n++) if (!w.seen.has(n)) gaps.push({ category, period, word: word.replace(/[-_\s]+$/, ''), missing: `${word}${String(n).padStart(w.width, '0')}` });
  }
  return gaps;
}

export interface PlanInput {
  rules: VolumeRules;
  retention: RetentionRules;
  regime: string;
  year: number;
  items: SourceItem[];
}

export interface Plan {
  volumes: PlannedVolume[];
  gaps: NumberGap[];
}

/** Groups by (category, period, retention), orders, splits at maxItems and finds voucher number gaps. */
export function planVolumes({ rules, retention, regime, year, items }: PlanInput): Plan {
  const groups = new Map<string, { category: ArchiveCategory; period: string; decision: RetentionDecision; items: SourceItem[] }>();
  const seen = new Set<string>();
  for (const it of items) {
    const what = `${it.sourceType} ${it.number ?? it.sourceId}`;
    const key = `${it.sourceType}:${it.sourceId}`;
    if (seen.has(key)) throw new ValidationError(`${what}: offered twice for assembly`, { sourceId: it.sourceId });
    seen.add(key);
    if (!it.period.startsWith(String(year))) throw new ValidationError(`${what}: period ${it.period} is not in fiscal year ${year}`, { sourceId: it.sourceId });
    const category = categoryOfSource(rules, it.sourceType);
    const period = groupPeriod(rules.categories[category].period, it.period, it.date, what);
    const decision = retentionFor(retention, regime, it.itemKey);
    const gk = `${category}|${period}|${decision.retention}`;
    const g = groups.get(gk) ?? { category, period, decision, items: [] };
    g.items.push(it);
    groups.set(gk, g);
  }
  const volumes: PlannedVolume[] = [];
  const gaps: NumberGap[] = [];
  const ordered = [...groups.values()].sort((a, b) => cmp(a.category, b.category) || cmp(a.period, b.period) || cmp(a.decision.retention, b.decision.retention));
  for (const g of ordered) {
    const rule = rules.categories[g.category];
    const sorted = [...g.items].sort(compareBy(rule.orderBy));
    if (rule.numberGapCheck) gaps.push(...findNumberGaps(g.category, g.period, sorted.filter((i) => i.sourceType === 'journal_voucher').map((i) => i.number)));
    for (let start = 0, part = 1; start < sorted.length; start += rule.maxItems, part++) {
      const chunk = sorted.slice(start, start + rule.maxItems);
      const numbered = chunk.map((i) => i.number).filter((n): n is string => !!n);
      volumes.push({
        category: g.category,
        period: g.period,
        retention: g.decision,
        retentionCode: retentionCode(rules, g.decision.period),
        part,
        items: chunk.map((source, i) => ({
          itemNo: i + 1,
          source,
          subItems: rule.includeLinkedOriginals
            ? [...source.originals].sort((a, b) => cmp(a.sourceId, b.sourceId)).map((o, j) => ({ subNo: j + 1, sourceId: o.sourceId, title: o.title }))
            : [],
        })),
        firstNumber: numbered[0] ?? null,
        lastNumber: numbered[numbered.length - 1] ?? null,
        expiresOn: expiryDate(year, g.decision.period),
      });
    }
  }
  return { volumes, gaps };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface CodeContext {
  fondsCode: string;
  fondsName: string;
  unitCode: string;
  unitName: string;
  year: number;
}

export interface RenderedItem {
  seq: number;
  parentSeq: number | null;
  itemNo: number;
  sourceType: SourceType | 'original';
  sourceId: string;
  itemKey: string;
  number: string | null;
  date: string | null;
  title: string;
  archivalCode: string;
}

export interface RenderedVolume {
  archivalCode: string;
  title: string;
  items: RenderedItem[];
  fingerprint: string;
}

/** 档号 and title of a planned volume given its 卷号, and of every item and sub-item in it. */
export function renderVolume(rules: VolumeRules, ctx: CodeContext, v: PlannedVolume, volumeNo: number): RenderedVolume {
  const month = periodMonth(v.period);
  const base = {
    fonds: ctx.fondsCode,
    unit: ctx.unitCode,
    year: ctx.year,
    month: month === null ? '' : String(month).padStart(2, '0'),
    period: v.period,
    category: rules.categories[v.category].code,
    retention: v.retentionCode,
    volume: volumeNo,
  };
  const archivalCode = formatPattern(rules.codes.volume, base);
  const first = v.firstNumber ?? v.items[0]?.source.date ?? '';
  const last = v.lastNumber ?? v.items[v.items.length - 1]?.source.date ?? '';
  // Books and reports carry no number or date range; an empty range bracket says nothing, so it is dropped.
  const title = formatPattern(rules.titles.volume, {
    unitName: ctx.unitName,
    fondsName: ctx.fondsName,
    year: ctx.year,
    periodName: periodName(v.period),
    categoryName: rules.categories[v.category].name,
    first,
    last,
    count: v.items.length,
    retentionName: v.retention.period === 'permanent' ? '永久' : typeof v.retention.period === 'number' ? `${v.retention.period}年` : `报废清理后${v.retention.period.afterDisposal}年`,
  }).replace(/（至）|\(至\)/g, '');
  const items: RenderedItem[] = [];
  for (const it of v.items) {
    const itemCode = formatPattern(rules.codes.item, { ...base, volumeCode: archivalCode, item: it.itemNo });
    const parentSeq = items.length + 1;
    items.push({ seq: parentSeq, parentSeq: null, itemNo: it.itemNo, sourceType: it.source.sourceType, sourceId: it.source.sourceId, itemKey: it.source.itemKey, number: it.source.number, date: it.source.date, title: it.source.title, archivalCode: itemCode });
    for (const s of it.subItems) {
      items.push({
        seq: items.length + 1,
        parentSeq,
        itemNo: s.subNo,
        sourceType: 'original',
        sourceId: s.sourceId,
        itemKey: 'original_voucher',
        number: null,
        date: null,
        title: s.title,
        archivalCode: formatPattern(rules.codes.subItem, { ...base, volumeCode: archivalCode, item: it.itemNo, itemCode, sub: s.subNo }),
      });
    }
  }
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([archivalCode, title, v.retention.retention, v.expiresOn, rules.id, rules.version, v.retention.ruleVersion, items.map((i) => [i.seq, i.parentSeq, i.itemNo, i.sourceType, i.sourceId, i.archivalCode, i.title, i.number, i.date])]))
    .digest('hex');
  return { archivalCode, title, items, fingerprint };
}

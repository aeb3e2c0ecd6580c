/**
 * The check report (四性检测报告) as PDF and XML. The PDF uses one embedded CJK TrueType subset (wqy-microhei,
 * STACK.md §5) so it reads the same on any machine; the XML carries the same content for systems. Both list
 * the summary per nature, the veto failures and every result with its evidence.
 */
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { loadCjkFont } from '../../formats/render';
import { xmlEscape } from '../archive/manifest';
import { evidenceMessage, type CheckResult, type EngineRun } from './engine';
import { NATURE_NAMES, NATURES, STAGE_NAMES } from './scheme';

export const OUTCOME_LABEL: Record<string, string> = { pass: '通过', fail: '不通过', warn: '警告', not_applicable: '不适用' };
const VERDICT_LABEL: Record<string, string> = { pass: '通过', warn: '通过（有警告）', fail: '不通过' };

export interface ReportMeta {
  runId: string;
  /** Who ran it (user name or system). */
  actor: string;
  /** Installation / unit name printed in the header. */
  organisation?: string;
  /** Item id → label (件号 and 档号) for readability. */
  itemLabels?: Record<string, string>;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 42;

/** Compact evidence: digests and verdicts first, then the rest as JSON, capped so one row cannot fill pages. */
export function evidenceText(r: CheckResult): string {
  const msg = evidenceMessage(r.evidence);
  const files = Array.isArray(r.evidence.files) ? (r.evidence.files as Record<string, any>[]) : [];
  const parts: string[] = [];
  if (msg) parts.push(msg);
  for (const f of files.slice(0, 6)) {
    const bits = [f.name];
    if (f.computed?.sha256) bits.push(`SHA-256 ${f.computed.sha256}`, `SM3 ${f.computed.sm3}`);
    if (f.verdict) bits.push(`签名 ${f.verdict}`);
    if (f.format) bits.push(`格式 ${f.format}`);
    if (f.found) bits.push(`病毒 ${f.found}`);
    parts.push(bits.join(' '));
  }
  if (files.length > 6) parts.push(`… 共 ${files.length} 个文件`);
  if (!parts.length) {
    const json = JSON.stringify(r.evidence);
    if (json && json !== '{}') parts.push(json.length > 400 ? `${json.slice(0, 400)}…` : json);
  }
  return parts.join('；');
}

class Writer {
  page!: PDFPage;
  y = 0;
  pages = 0;
  constructor(
    readonly pdf: PDFDocument,
    readonly font: PDFFont,
    readonly footer: string,
  ) {
    this.newPage();
  }
  newPage() {
    this.page = this.pdf.addPage(A4);
    this.pages++;
    this.y = A4[1] - MARGIN;
    this.page.drawText(`${this.footer}  第 ${this.pages} 页`, { x: MARGIN, y: 20, size: 7, font: this.font, color: rgb(0.4, 0.4, 0.4) });
  }
  private readonly advance = new Map<string, number>();
  /** Width of one character at size 1, measured once: summing them keeps wrapping linear in the text length. */
  private charWidth(ch: string): number {
    let w = this.advance.get(ch);
    if (w === undefined) {
      w = this.font.widthOfTextAtSize(ch, 1);
      this.advance.set(ch, w);
    }
    return w;
  }
  /** Splits text into lines that fit `width` at `size` (character-wise: CJK has no spaces). */
  wrap(text: string, size: number, width: number): string[] {
    const lines: string[] = [];
    let line = '';
    let used = 0;
    for (const ch of [...text.replace(/[\r\n\t]+/g, ' ')]) {
      const w = this.charWidth(ch) * size;
      if (used + w > width && line) {
        lines.push(line);
        line = ch;
        used = w;
      } else {
        line += ch;
        used += w;
      }
    }
    if (line || !lines.length) lines.push(line);
    return lines;
  }
  text(t: string, size = 10, opts: { x?: number; width?: number; color?: [number, number, number] } = {}) {
    const x = opts.x ?? MARGIN;
    const width = opts.width ?? A4[0] - MARGIN - x;
    for (const l of this.wrap(t, size, width)) {
      if (this.y - size < MARGIN) this.newPage();
      this.y -= size * 1.35;
      this.page.drawText(l, { x, y: this.y, size, font: this.font, color: rgb(...(opts.color ?? [0, 0, 0])) });
    }
  }
  /** A row of columns; each column wraps inside its width and the row takes the tallest column. */
  row(cells: { text: string; width: number; color?: [number, number, number] }[], size = 8) {
    const wrapped = cells.map((c) => this.wrap(c.text, size, c.width - 4));
    const height = Math.max(...wrapped.map((w) => w.length)) * size * 1.3 + 3;
    if (this.y - height < MARGIN) this.newPage();
    let x = MARGIN;
    wrapped.forEach((lines, i) => {
      lines.forEach((l, j) => this.page.drawText(l, { x, y: this.y - size * 1.3 * (j + 1), size, font: this.font, color: rgb(...(cells[i].color ?? [0, 0, 0])) }));
      x += cells[i].width;
    });
    this.y -= height;
    this.page.drawLine({ start: { x: MARGIN, y: this.y + 1 }, end: { x: A4[0] - MARGIN, y: this.y + 1 }, thickness: 0.3, color: rgb(0.75, 0.75, 0.75) });
  }
  gap(h = 6) {
    this.y -= h;
  }
}

const OUTCOME_COLOR: Record<string, [number, number, number]> = { pass: [0, 0.45, 0], fail: [0.8, 0, 0], warn: [0.75, 0.45, 0], not_applicable: [0.4, 0.4, 0.4] };

export async function renderReportPdf(run: EngineRun, meta: ReportMeta, opts: { fontPath?: string } = {}): Promise<Uint8Array> {
  const cjk = loadCjkFont(opts.fontPath);
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(cjk.fontkit as Parameters<PDFDocument['registerFontkit']>[0]);
  const font = await pdf.embedFont(cjk.bytes, { subset: true });
  // Fixed metadata dates keep the bytes a function of the run (the report is signed and packaged).
  pdf.setTitle(`四性检测报告 ${String(run.subject.metadata.archivalCode ?? run.subject.id)}`);
  pdf.setProducer('evarchive');
  pdf.setCreator('evarchive checks');
  pdf.setCreationDate(run.finishedAt);
  pdf.setModificationDate(run.finishedAt);
  const w = new Writer(pdf, font, `四性检测报告 · 检测批次 ${meta.runId}`);
  const m = run.subject.metadata;
  const s = run.summary;
  w.text('电子会计档案四性检测报告', 18);
  w.text('四性检测报告（真实性、完整性、可用性、安全性）', 10, { color: [0.3, 0.3, 0.3] });
  w.gap();
  const info: [string, string][] = [
    ['检测环节', `${STAGE_NAMES[run.stage]}（${run.stage}）`],
    ['检测方案', `${run.schemeId} 第 ${run.schemeVersion} 版`],
    ['检测对象', `${run.subject.type === 'volume' ? '案卷' : run.subject.type === 'journal_voucher' ? '记账凭证' : '凭证集合'} ${String(m.archivalCode ?? run.subject.id)}`],
    ['题名', String(m.title ?? '')],
    ['全宗号 / 年度 / 保管期限', `${String(m.fonds ?? '')} / ${String(m.year ?? '')} / ${String(m.retention ?? '')}`],
    ['件数', String(run.subject.items)],
    ['检测时间', `${run.startedAt.toISOString()} 至 ${run.finishedAt.toISOString()}`],
    ['检测人', meta.actor],
    ['检测批次', meta.runId],
    ['结论', VERDICT_LABEL[s.verdict]],
  ];
  if (meta.organisation) info.unshift(['单位', meta.organisation]);
  for (const [k, v] of info) w.row([{ text: k, width: 140 }, { text: v, width: A4[0] - 2 * MARGIN - 140, color: k === '结论' ? OUTCOME_COLOR[s.verdict] : undefined }], 9);
  w.gap(10);
  w.text('一、检测结果汇总', 13);
  w.row([{ text: '性质', width: 120 }, { text: '通过', width: 90 }, { text: '不通过', width: 90 }, { text: '警告', width: 90 }, { text: '不适用', width: 90 }], 9);
  for (const n of NATURES) {
    const c = s.byNature[n];
    w.row([{ text: `${NATURE_NAMES[n]}（${n}）`, width: 120 }, { text: String(c.pass), width: 90 }, { text: String(c.fail), width: 90 }, { text: String(c.warn), width: 90 }, { text: String(c.notApplicable), width: 90 }], 9);
  }
  w.row([{ text: '合计', width: 120 }, { text: String(s.pass), width: 90 }, { text: String(s.fail), width: 90 }, { text: String(s.warn), width: 90 }, { text: String(s.notApplicable), width: 90 }], 9);
  w.gap(10);
  w.text(`二、否决项不通过（${s.vetoFailures.length}）`, 13);
  if (!s.vetoFailures.length) w.text('无', 9);
  for (const v of s.vetoFailures) w.text(`${v.code} ${v.name} · ${meta.itemLabels?.[v.itemId] ?? v.itemId}：${v.message}`, 9, { color: OUTCOME_COLOR.fail });
  w.gap(10);
  w.text('三、逐项检测结果', 13);
  const cols = [58, 110, 70, 40, A4[0] - 2 * MARGIN - 278];
  w.row(['检测项编号', '检测项', '对象', '结果', '证据'].map((t, i) => ({ text: t, width: cols[i] })), 8);
  for (const r of run.results) {
    w.row(
      [
        { text: r.code, width: cols[0] },
        { text: `${r.name}${r.severity === 'veto' ? '' : '（警告项）'}`, width: cols[1] },
        { text: r.itemId === '*' ? '整体' : (meta.itemLabels?.[r.itemId] ?? r.itemId), width: cols[2] },
        { text: OUTCOME_LABEL[r.outcome], width: cols[3], color: OUTCOME_COLOR[r.outcome] },
        { text: evidenceText(r), width: cols[4] },
      ],
      7,
    );
  }
  w.gap(10);
  w.text('四、检测依据', 13);
  const seen = new Set<string>();
  for (const r of run.results) {
    if (seen.has(r.code)) continue;
    seen.add(r.code);
    w.text(`${r.code}：${r.clause}`, 8);
  }
  w.gap(6);
  w.text('本报告由系统以安装签名证书（SM2/SM3）作分离式签名，可用 evarchive report verify 核验。', 8, { color: [0.3, 0.3, 0.3] });
  return pdf.save({ useObjectStreams: false });
}

export function renderReportXml(run: EngineRun, meta: ReportMeta): string {
  const m = run.subject.metadata;
  const s = run.summary;
  const a = (o: Record<string, unknown>) =>
    Object.entries(o)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
      .join('');
  const natures = NATURES.map((n) => `<性质${a({ 代码: n, 名称: NATURE_NAMES[n], 通过: s.byNature[n].pass, 不通过: s.byNature[n].fail, 警告: s.byNature[n].warn, 不适用: s.byNature[n].notApplicable })}/>`).join('');
  const vetoes = s.vetoFailures.map((v) => `<否决项${a({ 编号: v.code, 对象: v.itemId })}>${xmlEscape(v.message)}</否决项>`).join('');
  const results = run.results
    .map(
      (r) =>
        `<检测结果${a({ 编号: r.code, 性质: r.nature, 名称: r.name, 级别: r.severity, 对象: r.itemId, 对象名: meta.itemLabels?.[r.itemId], 结果: r.outcome })}>` +
        `<依据>${xmlEscape(r.clause)}</依据><证据>${xmlEscape(JSON.stringify(r.evidence))}</证据></检测结果>`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<四性检测报告${a({ 检测批次: meta.runId, 环节: run.stage, 方案: run.schemeId, 方案版本: run.schemeVersion, 开始: run.startedAt.toISOString(), 结束: run.finishedAt.toISOString(), 检测人: meta.actor })}>` +
    `<检测对象${a({ 类型: run.subject.type, 标识: run.subject.id, 档号: m.archivalCode, 题名: m.title, 全宗号: m.fonds, 年度: m.year, 保管期限: m.retention, 件数: run.subject.items })}/>` +
    `<汇总${a({ 结论: s.verdict, 合计: s.total, 通过: s.pass, 不通过: s.fail, 警告: s.warn, 不适用: s.notApplicable })}>${natures}</汇总>` +
    `<否决项不通过>${vetoes}</否决项不通过>` +
    `<检测结果列表>${results}</检测结果列表>` +
    `<签名/>` +
    `</四性检测报告>`
  );
}

/**
 * OFD page → PDF (pdf-lib), good enough for invoices and receipts (spec ofd.md §5, §10): page size from the
 * PhysicalBox, background templates, layers in order (text at its DeltaX positions in one embedded CJK
 * TrueType subset, paths with their CTM, PNG/JPEG images), foreground templates, annotations, and last the
 * seal pictures at each signature's StampAnnot. Seals whose picture is itself an OFD (or GIF/BMP/SVG) are drawn
 * as a red labelled box with the seal's name.
 *
 * Not drawn: clips, DrawParam resources, embedded OFD fonts (every glyph comes from the CJK font), composite
 * objects, pattern/shading fills.
 */
import {
  PDFDocument,
  closePath,
  concatTransformationMatrix,
  degrees,
  drawObject,
  fill,
  fillAndStroke,
  lineTo,
  moveTo,
  appendBezierCurve,
  appendQuadraticCurve,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  setFillingRgbColor,
  setLineWidth,
  setStrokingRgbColor,
  stroke,
  type PDFFont,
  type PDFImage,
  type PDFOperator,
  type PDFPage,
} from 'pdf-lib';
import { FormatError } from '../errors';
import { openOfd } from '../ofd/container';
import { readOfdDocument, type OfdBox, type OfdDocument, type OfdGraphic, type OfdLayer, type OfdPage, type OfdTextObject } from '../ofd/document';
import type { OfdPackage } from '../ofd/package';
import { verifyOfdSignatures } from '../signatures';
import { attr, child, parseXml, type XmlElement } from '../xmlsafe';
import { loadCjkFont } from './font';

export interface RenderOptions {
  /** A TrueType-outline CJK font (.ttf or .ttc); default: wqy-microhei (see font.ts). */
  fontPath?: string;
  /** Zero-based page indexes to render (default all). */
  pages?: number[];
  /** Draw the seal pictures of the signatures (default true). */
  seals?: boolean;
}

const MM = 72 / 25.4;
type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** a ∘ b: apply b first, then a (both as OFD/PDF [a b c d e f] affine matrices). */
function compose(a: Matrix, b: Matrix): Matrix {
  return [a[0] * b[0] + a[2] * b[1], a[1] * b[0] + a[3] * b[1], a[0] * b[2] + a[2] * b[3], a[1] * b[2] + a[3] * b[3], a[0] * b[4] + a[2] * b[5] + a[4], a[1] * b[4] + a[3] * b[5] + a[5]];
}
const apply = (m: Matrix, x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

/** Renders an OFD file (bytes or an opened package) to PDF bytes. */
export async function renderOfdToPdf(input: Uint8Array | OfdPackage, options: RenderOptions = {}): Promise<Uint8Array> {
  const pkg = input instanceof Uint8Array ? openOfd(input) : input;
  const doc = readOfdDocument(pkg);
  const cjk = loadCjkFont(options.fontPath);
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(cjk.fontkit as Parameters<PDFDocument['registerFontkit']>[0]);
  const font = await pdf.embedFont(cjk.bytes, { subset: true });
  const seals = options.seals === false ? [] : sealPlacements(pkg);
  const ctx: Ctx = { pdf, pkg, doc, font, images: new Map(), styles: new Map() };
  const indexes = options.pages ?? doc.pages.map((_, i) => i);
  for (const i of indexes) {
    const page = doc.pages[i];
    if (!page) throw new FormatError('missing_entry', `page ${i} does not exist (the document has ${doc.pages.length})`);
    await renderPage(ctx, page, seals.filter((s) => s.pageRef === page.id || (s.pageRef === undefined && i === 0)));
  }
  return pdf.save({ useObjectStreams: false });
}

interface Ctx {
  pdf: PDFDocument;
  pkg: OfdPackage;
  doc: OfdDocument;
  font: PDFFont;
  images: Map<string, PDFImage | null>;
  /** Per content file: object ID → its element (colours and line widths are not in the document model). */
  styles: Map<string, Map<string, XmlElement>>;
}

interface SealPlacement {
  pageRef?: string;
  boundary: OfdBox;
  name?: string;
  picture?: { type: string; data: Uint8Array };
}

function sealPlacements(pkg: OfdPackage): SealPlacement[] {
  let details;
  try {
    details = verifyOfdSignatures(pkg).details;
  } catch {
    return []; // an unreadable signature list leaves the page itself drawable
  }
  const out: SealPlacement[] = [];
  for (const d of details)
    for (const s of d.stampAnnots) {
      const b = s.boundary?.trim().split(/[\s,]+/).map(Number);
      if (!b || b.length < 4 || !b.every(Number.isFinite)) continue;
      out.push({ pageRef: s.pageRef, boundary: { x: b[0], y: b[1], w: b[2], h: b[3] }, name: d.seal?.name, picture: d.seal?.picture ? { type: d.seal.picture.type, data: d.seal.picture.data } : undefined });
    }
  return out;
}

async function renderPage(ctx: Ctx, page: OfdPage, seals: SealPlacement[]) {
  const area = page.area ?? ctx.doc.pageArea ?? { x: 0, y: 0, w: 210, h: 297 };
  const pdfPage = ctx.pdf.addPage([area.w * MM, area.h * MM]);
  // OFD page space (mm, origin top-left, y down) → PDF user space (pt, origin bottom-left, y up).
  const pageMatrix: Matrix = [MM, 0, 0, -MM, -area.x * MM, (area.h + area.y) * MM];
  const draw = async (layers: OfdLayer[], file: string, offset: Matrix = IDENTITY) => {
    for (const l of layers) for (const o of l.objects) await drawGraphic(ctx, pdfPage, o, compose(pageMatrix, offset), file);
  };
  const templates = page.templates.map((t) => ({ ref: t, tpl: ctx.doc.templates.get(t.templateId) })).filter((t) => t.tpl);
  for (const { ref, tpl } of templates) if (ref.zOrder !== 'Foreground') await draw(tpl!.layers, tpl!.path);
  // Background layers of the page first, then body, then foreground (GB/T 33190 layer types).
  const order = (t: string) => (t === 'Background' ? 0 : t === 'Foreground' ? 2 : 1);
  await draw([...page.layers].sort((a, b) => order(a.type) - order(b.type)), page.path);
  for (const { ref, tpl } of templates) if (ref.zOrder === 'Foreground') await draw(tpl!.layers, tpl!.path);
  for (const a of ctx.doc.annotations.filter((x) => x.pageId === page.id && x.boundary))
    await draw([{ type: 'Body', objects: a.objects }], '', [1, 0, 0, 1, a.boundary!.x, a.boundary!.y]);
  for (const s of seals) await drawSeal(ctx, pdfPage, s, pageMatrix);
}

function styleOf(ctx: Ctx, file: string, id: string | undefined): XmlElement | undefined {
  if (!file || !id) return undefined;
  let map = ctx.styles.get(file);
  if (!map) {
    map = new Map();
    try {
      const walk = (el: XmlElement) => {
        const i = attr(el, 'ID');
        if (i && !map!.has(i)) map!.set(i, el);
        el.children.forEach(walk);
      };
      walk(parseXml(ctx.pkg.read(file), { path: file }));
    } catch {
      // the document reader already parsed this file; a failure here only loses colours
    }
    ctx.styles.set(file, map);
  }
  return map.get(id);
}

/** `Value="r g b"` (0–255) of a colour child, or undefined. */
function colour(el: XmlElement | undefined, name: 'FillColor' | 'StrokeColor') {
  const v = attr(child(el, name), 'Value');
  const n = v?.trim().split(/\s+/).map(Number);
  if (!n || n.length < 3 || !n.every(Number.isFinite)) return undefined;
  return rgb(clamp(n[0] / 255), clamp(n[1] / 255), clamp(n[2] / 255));
}
const clamp = (x: number) => Math.min(1, Math.max(0, x));

async function drawGraphic(ctx: Ctx, page: PDFPage, o: OfdGraphic, toPdf: Matrix, file: string): Promise<void> {
  if (o.kind === 'block') {
    for (const c of o.objects) await drawGraphic(ctx, page, c, toPdf, file);
    return;
  }
  const b = o.boundary;
  // Object space → boundary space (CTM) → page space (boundary origin) → PDF.
  const m = compose(compose(toPdf, [1, 0, 0, 1, b.x, b.y]), (o.ctm as Matrix | undefined) ?? IDENTITY);
  if (o.kind === 'text') drawText(ctx, page, o, m, styleOf(ctx, file, o.id));
  else if (o.kind === 'path') drawPath(page, o.data, m, o.stroke, o.fill, styleOf(ctx, file, o.id));
  else if (o.kind === 'image') {
    const media = o.resourceId ? ctx.doc.media.get(o.resourceId) : undefined;
    const img = media?.file ? await embedImage(ctx, media.file) : undefined;
    // Images fill the unit square of object space; without a CTM, the boundary.
    const unit = o.ctm ? m : compose(compose(toPdf, [1, 0, 0, 1, b.x, b.y]), [b.w, 0, 0, b.h, 0, 0]);
    if (img) drawImage(page, img, unit);
  }
}

function drawText(ctx: Ctx, page: PDFPage, o: OfdTextObject, m: Matrix, style: XmlElement | undefined) {
  const sizeMm = o.size ?? 3.5;
  // Glyph scale and rotation from the combined matrix (y is flipped, hence the sign of the angle).
  const scale = Math.sqrt(Math.abs(m[0] * m[3] - m[1] * m[2]));
  const sizePt = sizeMm * scale;
  if (!(sizePt > 0)) return;
  const angle = (Math.atan2(-m[1], m[0]) * 180) / Math.PI;
  const color = colour(style, 'FillColor') ?? rgb(0, 0, 0);
  for (const code of o.codes) {
    const chars = [...code.text];
    let x = code.x;
    let y = code.y;
    for (let i = 0; i < chars.length; i++) {
      const [px, py] = apply(m, x, y);
      if (chars[i].trim()) page.drawText(chars[i], { x: px, y: py, size: sizePt, font: ctx.font, color, rotate: degrees(angle) });
      // Missing advances: the font's own width (converted back to object space).
      x += code.deltaX[i] ?? code.deltaX[code.deltaX.length - 1] ?? ctx.font.widthOfTextAtSize(chars[i], sizeMm);
      y += code.deltaY[i] ?? 0;
    }
  }
}

/** OFD AbbreviatedData (S/M start, L line, Q quadratic, B cubic, A arc, C close) → PDF path operators. */
function drawPath(page: PDFPage, data: string | undefined, m: Matrix, doStroke: boolean, doFill: boolean, style: XmlElement | undefined) {
  if (!data || (!doStroke && !doFill)) return;
  const t = data.trim().split(/[\s,]+/);
  const ops: PDFOperator[] = [pushGraphicsState(), concatTransformationMatrix(...m)];
  const num = (i: number) => Number(t[i]);
  // The current point, needed by arcs (their start is implicit) and kept for every command.
  let cx = 0;
  let cy = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < t.length; ) {
    const c = t[i++];
    if (c === 'S' || c === 'M') ops.push(moveTo((cx = sx = num(i)), (cy = sy = num(i + 1)))), (i += 2);
    else if (c === 'L') ops.push(lineTo((cx = num(i)), (cy = num(i + 1)))), (i += 2);
    else if (c === 'Q') ops.push(appendQuadraticCurve(num(i), num(i + 1), (cx = num(i + 2)), (cy = num(i + 3)))), (i += 4);
    else if (c === 'B') ops.push(appendBezierCurve(num(i), num(i + 1), num(i + 2), num(i + 3), (cx = num(i + 4)), (cy = num(i + 5)))), (i += 6);
    else if (c === 'A') {
      for (const b of arcToBeziers(cx, cy, num(i), num(i + 1), num(i + 2), num(i + 3) !== 0, num(i + 4) !== 0, num(i + 5), num(i + 6))) ops.push(appendBezierCurve(...b));
      cx = num(i + 5);
      cy = num(i + 6);
      i += 7;
    } else if (c === 'C') ops.push(closePath()), (cx = sx), (cy = sy);
    else if (!Number.isFinite(Number(c))) return; // unknown command: leave the path out rather than draw garbage
  }
  const width = Number(attr(style, 'LineWidth') ?? 0.353);
  ops.push(setLineWidth(Number.isFinite(width) && width > 0 ? width : 0.353));
  const s = colour(style, 'StrokeColor') ?? rgb(0, 0, 0);
  const f = colour(style, 'FillColor') ?? rgb(0, 0, 0);
  ops.push(setStrokingRgbColor(s.red, s.green, s.blue), setFillingRgbColor(f.red, f.green, f.blue));
  ops.push(doStroke && doFill ? fillAndStroke() : doFill ? fill() : stroke(), popGraphicsState());
  page.pushOperators(...ops);
}

/**
 * An elliptical arc (OFD `A rx ry angle large-arc sweep x y`, the SVG arc model) from (x1, y1) as cubic Béziers,
 * at most 90° each: endpoint → centre parameterisation (SVG 1.1 implementation notes F.6.5), then the usual
 * 4/3·tan(θ/4) control points. Degenerate radii make a straight segment.
 */
export function arcToBeziers(x1: number, y1: number, rx: number, ry: number, angleDeg: number, large: boolean, sweep: boolean, x2: number, y2: number): [number, number, number, number, number, number][] {
  if (![x1, y1, rx, ry, angleDeg, x2, y2].every(Number.isFinite)) return [];
  if (rx === 0 || ry === 0 || (x1 === x2 && y1 === y2)) return [[x1, y1, x2, y2, x2, y2]];
  rx = Math.abs(rx);
  ry = Math.abs(ry);
  const phi = (angleDeg * Math.PI) / 180;
  const cos = Math.cos(phi);
  const sin = Math.sin(phi);
  const dx = (x1 - x2) / 2;
  const dy = (y1 - y2) / 2;
  const x1p = cos * dx + sin * dy;
  const y1p = -sin * dx + cos * dy;
  const lambda = (x1p * x1p) / (rx * rx) + (y1p * y1p) / (ry * ry);
  if (lambda > 1) {
    rx *= Math.sqrt(lambda);
    ry *= Math.sqrt(lambda);
  }
  const num = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p;
  const den = rx * rx * y1p * y1p + ry * ry * x1p * x1p;
  const coef = (large === sweep ? -1 : 1) * Math.sqrt(Math.max(0, num / den));
  const cxp = (coef * rx * y1p) / ry;
  const cyp = (-coef * ry * x1p) / rx;
  const cx = cos * cxp - sin * cyp + (x1 + x2) / 2;
  const cy = sin * cxp + cos * cyp + (y1 + y2) / 2;
  const angle = (ux: number, uy: number, vx: number, vy: number) => Math.atan2(ux * vy - uy * vx, ux * vx + uy * vy);
  const theta1 = angle(1, 0, (x1p - cxp) / rx, (y1p - cyp) / ry);
  let delta = angle((x1p - cxp) / rx, (y1p - cyp) / ry, (-x1p - cxp) / rx, (-y1p - cyp) / ry);
  if (!sweep && delta > 0) delta -= 2 * Math.PI;
  if (sweep && delta < 0) delta += 2 * Math.PI;
  const parts = Math.max(1, Math.ceil(Math.abs(delta) / (Math.PI / 2) - 1e-9));
  const step = delta / parts;
  const k = (4 / 3) * Math.tan(step / 4);
  const point = (a: number): [number, number] => [cx + rx * Math.cos(a) * cos - ry * Math.sin(a) * sin, cy + rx * Math.cos(a) * sin + ry * Math.sin(a) * cos];
  const deriv = (a: number): [number, number] => [-rx * Math.sin(a) * cos - ry * Math.cos(a) * sin, -rx * Math.sin(a) * sin + ry * Math.cos(a) * cos];
  const out: [number, number, number, number, number, number][] = [];
  for (let p = 0; p < parts; p++) {
    const a = theta1 + p * step;
    const b = a + step;
    const [ax, ay] = point(a);
    const [bx, by] = point(b);
    const [dax, day] = deriv(a);
    const [dbx, dby] = deriv(b);
    out.push([ax + k * dax, ay + k * day, bx - k * dbx, by - k * dby, bx, by]);
  }
  return out;
}

function imageKind(bytes: Uint8Array): 'png' | 'jpeg' | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpeg';
  return undefined;
}

async function embedBytes(pdf: PDFDocument, bytes: Uint8Array): Promise<PDFImage | null> {
  const kind = imageKind(bytes);
  try {
    if (kind === 'png') return await pdf.embedPng(bytes);
    if (kind === 'jpeg') return await pdf.embedJpg(bytes);
  } catch {
    // a broken image is left out; the rest of the page still renders
  }
  return null;
}

async function embedImage(ctx: Ctx, file: string): Promise<PDFImage | null> {
  if (!ctx.images.has(file)) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = ctx.pkg.read(file);
    } catch {
      bytes = undefined;
    }
    ctx.images.set(file, bytes ? await embedBytes(ctx.pdf, bytes) : null);
  }
  return ctx.images.get(file) ?? null;
}

/** Draws `img` into the OFD unit square mapped by `unit` (OFD image rows go down, PDF image space goes up). */
function drawImage(page: PDFPage, img: PDFImage, unit: Matrix) {
  const m = compose(unit, [1, 0, 0, -1, 0, 1]);
  const name = page.node.newXObject('Image', img.ref);
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(...m), drawObject(name), popGraphicsState());
}

async function drawSeal(ctx: Ctx, page: PDFPage, s: SealPlacement, pageMatrix: Matrix) {
  const b = s.boundary;
  const unit = compose(pageMatrix, [b.w, 0, 0, b.h, b.x, b.y]);
  const img = s.picture && (s.picture.type.toLowerCase() === 'png' || /^jpe?g$/i.test(s.picture.type)) ? await embedBytes(ctx.pdf, s.picture.data) : null;
  if (img) {
    drawImage(page, img, unit);
    return;
  }
  // OFD-format (or unsupported) seal pictures: a red box with the seal's name, so the reader sees a seal is there.
  const [x0, y0] = apply(pageMatrix, b.x, b.y + b.h);
  const red = rgb(0.85, 0.1, 0.1);
  page.drawRectangle({ x: x0, y: y0, width: b.w * MM, height: b.h * MM, borderColor: red, borderWidth: 1.2 });
  const label = `[印章] ${s.name ?? ''}`.trim();
  const size = Math.min(9, Math.max(4, (b.w * MM - 6) / Math.max(1, [...label].length)));
  page.drawText(label, { x: x0 + 3, y: y0 + (b.h * MM) / 2 - size / 2, size, font: ctx.font, color: red });
}

/**
 * The OFD document model (GB/T 33190 §7–§16) as the archive needs it: entry file, document, resources, pages
 * with their graphic units, templates, annotations, attachments and custom tags. Positions are millimetres in
 * page space (origin top-left, y downwards).
 *
 * Core files (OFD.xml, Document.xml, page contents) must parse or the package is rejected; auxiliary files
 * (resources, annotations, attachment and tag lists) that are missing or broken become warnings, because a
 * voucher whose pages and data are intact is still a voucher.
 */
import { FormatError } from '../errors';
import { attr, child, childrenNamed, parseXml, textAt, type XmlElement } from '../xmlsafe/xml';
import { dirOf, normalisePackagePath, resolvePath, resolveRef } from './container';
import type { OfdPackage } from './package';

/** x, y, width, height in mm. */
export interface OfdBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface OfdCustomData {
  name: string;
  value: string;
}

export interface OfdDocInfo {
  docId?: string;
  title?: string;
  author?: string;
  subject?: string;
  creator?: string;
  creatorVersion?: string;
  creationDate?: string;
  modDate?: string;
  customData: OfdCustomData[];
}

export interface OfdFont {
  id: string;
  name?: string;
  family?: string;
  /** Package path of the embedded font file, when there is one. */
  fontFile?: string;
}

export interface OfdMedia {
  id: string;
  type?: string;
  format?: string;
  /** Package path of the media file (resolved against the resource file and its BaseLoc). */
  file?: string;
}

export interface OfdTextCode {
  /** Baseline start, relative to the object's boundary (as written, before CTM). */
  x: number;
  y: number;
  deltaX: number[];
  deltaY: number[];
  text: string;
}

interface OfdGraphicBase {
  id?: string;
  boundary: OfdBox;
  ctm?: number[];
}

export interface OfdTextObject extends OfdGraphicBase {
  kind: 'text';
  font?: string;
  /** Font size in mm. */
  size?: number;
  codes: OfdTextCode[];
}

export interface OfdPathObject extends OfdGraphicBase {
  kind: 'path';
  data?: string;
  stroke: boolean;
  fill: boolean;
}

export interface OfdImageObject extends OfdGraphicBase {
  kind: 'image';
  resourceId?: string;
}

export interface OfdCompositeObject extends OfdGraphicBase {
  kind: 'composite';
  resourceId?: string;
}

/** A PageBlock: a group of graphic units. */
export interface OfdBlock {
  kind: 'block';
  id?: string;
  objects: OfdGraphic[];
}

export type OfdGraphic = OfdTextObject | OfdPathObject | OfdImageObject | OfdCompositeObject | OfdBlock;

export interface OfdLayer {
  id?: string;
  /** Body (default), Background or Foreground. */
  type: string;
  objects: OfdGraphic[];
}

export interface OfdTemplateRef {
  templateId: string;
  /** Background (default) or Foreground. */
  zOrder: string;
}

export interface OfdTemplate {
  id: string;
  path: string;
  zOrder?: string;
  area?: OfdBox;
  layers: OfdLayer[];
}

export interface OfdPage {
  /** Page object ID (what PageRef refers to; not the index). */
  id: string;
  index: number;
  path: string;
  /** PhysicalBox of the page, or the document's default. */
  area?: OfdBox;
  templates: OfdTemplateRef[];
  layers: OfdLayer[];
}

export interface OfdAnnotation {
  id?: string;
  type?: string;
  subtype?: string;
  pageId: string;
  parameters: Record<string, string>;
  /** Appearance boundary in page space. */
  boundary?: OfdBox;
  /** Graphic units of the appearance, relative to `boundary`. */
  objects: OfdGraphic[];
}

export interface OfdAttachment {
  id?: string;
  name: string;
  format?: string;
  /** Package path of the attached file. */
  path: string;
  size?: string;
  visible?: boolean;
  usage?: string;
  creationDate?: string;
  /** The attached bytes (read lazily; throws FormatError when the file is missing). */
  read(): Uint8Array;
}

export interface OfdCustomTag {
  typeId?: string;
  nameSpace?: string;
  /** Package path of the tag file. */
  path: string;
  schemaPath?: string;
}

export interface OfdDocument {
  version?: string;
  docType?: string;
  info: OfdDocInfo;
  /** Package path of Document.xml. */
  docRoot: string;
  /** Package path of the signature list (Signatures.xml), absent for unsigned documents. */
  signaturesPath?: string;
  pageArea?: OfdBox;
  /** Package paths of the CommonData PublicRes and DocumentRes files that exist. */
  publicRes: string[];
  documentRes: string[];
  fonts: Map<string, OfdFont>;
  media: Map<string, OfdMedia>;
  templates: Map<string, OfdTemplate>;
  pages: OfdPage[];
  annotations: OfdAnnotation[];
  attachments: OfdAttachment[];
  customTags: OfdCustomTag[];
  /** Tolerated problems, one sentence each, naming the file. */
  warnings: string[];
}

/** Reads the document model of the first DocBody. */
export function readOfdDocument(pkg: OfdPackage): OfdDocument {
  const warnings: string[] = [];
  const ofd = readXml(pkg, 'OFD.xml');
  if (ofd.local !== 'OFD') throw new FormatError('bad_xml', `root element is <${ofd.name}>, expected <ofd:OFD>`, 'OFD.xml');
  const bodies = childrenNamed(ofd, 'DocBody');
  if (bodies.length === 0) throw new FormatError('missing_entry', 'OFD.xml has no DocBody', 'OFD.xml');
  if (bodies.length > 1) warnings.push(`OFD.xml: ${bodies.length} DocBody elements; only the first document is read`);
  const body = bodies[0];
  const info = readDocInfo(child(body, 'DocInfo'));

  const docRootRef = textAt(body, 'DocRoot');
  if (!docRootRef) throw new FormatError('missing_entry', 'DocBody has no DocRoot', 'OFD.xml');
  const docRoot = resolveRef(pkg, 'OFD.xml', docRootRef);
  if (!docRoot) throw new FormatError('missing_entry', `DocRoot ${docRootRef} does not exist in the package`, 'OFD.xml');

  const sigRef = textAt(body, 'Signatures');
  let signaturesPath: string | undefined;
  if (sigRef) {
    signaturesPath = resolveRef(pkg, 'OFD.xml', sigRef) ?? safeResolve('OFD.xml', sigRef);
    if (signaturesPath && !pkg.has(signaturesPath)) warnings.push(`OFD.xml: signature list ${sigRef} is missing from the package`);
  }

  const doc = readXml(pkg, docRoot);
  const common = child(doc, 'CommonData');
  const pageArea = parseBox(textAt(common, 'PageArea', 'PhysicalBox'));

  const fonts = new Map<string, OfdFont>();
  const media = new Map<string, OfdMedia>();
  const resPaths = (local: string) =>
    childrenNamed(common, local)
      .map((r) => readResources(pkg, docRoot, r.text.trim(), fonts, media, warnings))
      .filter((p): p is string => p !== undefined);
  const publicRes = resPaths('PublicRes');
  const documentRes = resPaths('DocumentRes');

  const templates = new Map<string, OfdTemplate>();
  for (const t of childrenNamed(common, 'TemplatePage')) {
    const id = attr(t, 'ID');
    const loc = attr(t, 'BaseLoc');
    if (!id || !loc) {
      warnings.push(`${docRoot}: TemplatePage without ID or BaseLoc ignored`);
      continue;
    }
    const path = resolveRef(pkg, docRoot, loc);
    if (!path) {
      warnings.push(`${docRoot}: template page ${loc} is missing from the package`);
      continue;
    }
    const root = readXml(pkg, path);
    readPageResources(pkg, path, root, fonts, media, warnings);
    templates.set(id, { id, path, zOrder: attr(t, 'ZOrder'), area: parseBox(textAt(root, 'Area', 'PhysicalBox')), layers: readLayers(root) });
  }

  const pages: OfdPage[] = [];
  childrenNamed(child(doc, 'Pages'), 'Page').forEach((p, index) => {
    const id = attr(p, 'ID') ?? String(index);
    const loc = attr(p, 'BaseLoc');
    if (!loc) throw new FormatError('missing_entry', `page ${id} has no BaseLoc`, docRoot);
    const path = resolveRef(pkg, docRoot, loc);
    if (!path) throw new FormatError('missing_entry', `content of page ${id} (${loc}) is missing from the package`, docRoot);
    const root = readXml(pkg, path);
    readPageResources(pkg, path, root, fonts, media, warnings);
    pages.push({
      id,
      index,
      path,
      area: parseBox(textAt(root, 'Area', 'PhysicalBox')) ?? pageArea,
      templates: childrenNamed(root, 'Template')
        .map((t) => ({ templateId: attr(t, 'TemplateID') ?? '', zOrder: attr(t, 'ZOrder') ?? 'Background' }))
        .filter((t) => t.templateId),
      layers: readLayers(root),
    });
  });
  if (pages.length === 0) warnings.push(`${docRoot}: the document has no pages`);

  return {
    version: attr(ofd, 'Version'),
    docType: attr(ofd, 'DocType'),
    info,
    docRoot,
    signaturesPath,
    pageArea,
    publicRes,
    documentRes,
    fonts,
    media,
    templates,
    pages,
    annotations: optional(warnings, () => readAnnotations(pkg, docRoot, textAt(doc, 'Annotations'), warnings)),
    attachments: optional(warnings, () => readAttachments(pkg, docRoot, textAt(doc, 'Attachments'), warnings)),
    customTags: optional(warnings, () => readCustomTags(pkg, docRoot, textAt(doc, 'CustomTags'), warnings)),
    warnings,
  };
}

function readDocInfo(el: XmlElement | undefined): OfdDocInfo {
  return {
    docId: textAt(el, 'DocID'),
    title: textAt(el, 'Title'),
    author: textAt(el, 'Author'),
    subject: textAt(el, 'Subject'),
    creator: textAt(el, 'Creator'),
    creatorVersion: textAt(el, 'CreatorVersion'),
    creationDate: textAt(el, 'CreationDate'),
    modDate: textAt(el, 'ModDate'),
    customData: childrenNamed(child(el, 'CustomDatas'), 'CustomData').map((c) => ({ name: (attr(c, 'Name') ?? '').trim(), value: c.text.trim() })),
  };
}

// ---- Resources ---------------------------------------------------------------------------------------------

function readPageResources(pkg: OfdPackage, pagePath: string, page: XmlElement, fonts: Map<string, OfdFont>, media: Map<string, OfdMedia>, warnings: string[]) {
  for (const r of childrenNamed(page, 'PageRes')) readResources(pkg, pagePath, r.text.trim(), fonts, media, warnings);
}

/**
 * Resource IDs are document-global (ofd.md §4): every Res file feeds the same maps. Returns the resolved path of
 * the resource file when it could be read.
 */
function readResources(pkg: OfdPackage, referrer: string, ref: string, fonts: Map<string, OfdFont>, media: Map<string, OfdMedia>, warnings: string[]): string | undefined {
  if (!ref) return undefined;
  const path = resolveRef(pkg, referrer, ref);
  if (!path) {
    warnings.push(`${referrer}: resource file ${ref} is missing from the package`);
    return undefined;
  }
  let res: XmlElement;
  try {
    res = readXml(pkg, path);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    warnings.push(`resource file unreadable: ${e.message}`);
    return undefined;
  }
  const baseLoc = attr(res, 'BaseLoc')?.trim();
  const baseDir = baseLoc ? `${safeResolve(path, baseLoc) ?? ''}/` : dirOf(path);
  const locate = (file: string | undefined): string | undefined => {
    if (!file) return undefined;
    // BaseLoc + file is the rule; some producers write the file relative to the Res file or the root instead.
    return resolveRef(pkg, baseDir, file) ?? resolveRef(pkg, path, file) ?? safeResolve(baseDir, file);
  };
  for (const f of childrenNamed(child(res, 'Fonts'), 'Font')) {
    const id = attr(f, 'ID');
    if (!id) continue;
    fonts.set(id, { id, name: attr(f, 'FontName'), family: attr(f, 'FamilyName'), fontFile: locate(textAt(f, 'FontFile')) });
  }
  for (const m of childrenNamed(child(res, 'MultiMedias'), 'MultiMedia')) {
    const id = attr(m, 'ID');
    if (!id) continue;
    media.set(id, { id, type: attr(m, 'Type'), format: attr(m, 'Format'), file: locate(textAt(m, 'MediaFile')) });
  }
  return path;
}

// ---- Page content ------------------------------------------------------------------------------------------

function readLayers(page: XmlElement): OfdLayer[] {
  return childrenNamed(child(page, 'Content'), 'Layer').map((l) => ({
    id: attr(l, 'ID'),
    type: attr(l, 'Type') ?? 'Body',
    objects: readGraphics(l),
  }));
}

function readGraphics(container: XmlElement): OfdGraphic[] {
  const out: OfdGraphic[] = [];
  for (const el of container.children) {
    switch (el.local) {
      case 'TextObject':
        out.push({ kind: 'text', ...base(el), font: attr(el, 'Font'), size: num(attr(el, 'Size')), codes: readTextCodes(el) });
        break;
      case 'PathObject':
        out.push({
          kind: 'path',
          ...base(el),
          data: textAt(el, 'AbbreviatedData'),
          stroke: attr(el, 'Stroke') !== 'false',
          fill: attr(el, 'Fill') === 'true',
        });
        break;
      case 'ImageObject':
        out.push({ kind: 'image', ...base(el), resourceId: attr(el, 'ResourceID') });
        break;
      case 'CompositeObject':
        out.push({ kind: 'composite', ...base(el), resourceId: attr(el, 'ResourceID') });
        break;
      case 'PageBlock':
        out.push({ kind: 'block', id: attr(el, 'ID'), objects: readGraphics(el) });
        break;
      default:
      // Actions, Clips and unknown extensions carry nothing the archive reads.
    }
  }
  return out;
}

function base(el: XmlElement): OfdGraphicBase {
  const boundary = parseBox(attr(el, 'Boundary'));
  const ctm = numbers(attr(el, 'CTM'));
  return {
    id: attr(el, 'ID'),
    // A graphic unit without Boundary is invalid per the standard; keep it at the origin rather than failing the page.
    boundary: boundary ?? { x: 0, y: 0, w: 0, h: 0 },
    ...(ctm && ctm.length === 6 ? { ctm } : {}),
  };
}

function readTextCodes(el: XmlElement): OfdTextCode[] {
  const codes: OfdTextCode[] = [];
  let prev: OfdTextCode | undefined;
  for (const tc of childrenNamed(el, 'TextCode')) {
    const deltaX = parseDeltas(attr(tc, 'DeltaX'));
    const deltaY = parseDeltas(attr(tc, 'DeltaY'));
    const text = tc.text;
    // X/Y may be omitted on continuation TextCodes: they continue where the previous one ended.
    const x = num(attr(tc, 'X')) ?? (prev ? prev.x + advance(prev.deltaX, [...prev.text].length) : 0);
    const y = num(attr(tc, 'Y')) ?? (prev ? prev.y + advance(prev.deltaY, [...prev.text].length) : 0);
    const code = { x, y, deltaX, deltaY, text };
    codes.push(code);
    prev = code;
  }
  return codes;
}

function advance(deltas: number[], chars: number): number {
  let s = 0;
  for (let i = 0; i < chars - 1; i++) s += deltas[Math.min(i, deltas.length - 1)] ?? 0;
  return s;
}

/**
 * DeltaX/DeltaY (GB/T 33190 §11.3): whitespace-separated advances; `g N d` stands for N copies of d
 * (`g 4 1.5875 3.175 g 2 1.5875` = four 1.5875s, one 3.175, two 1.5875s).
 */
export function parseDeltas(value: string | undefined): number[] {
  if (!value) return [];
  const tokens = splitSimple(value) ?? value.trim().split(/[\s,]+/).filter(Boolean);
  const out: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === 'g') {
      const n = Number(tokens[i + 1]);
      const d = Number(tokens[i + 2]);
      if (Number.isFinite(n) && Number.isFinite(d) && n >= 0 && n <= 100_000) for (let k = 0; k < n; k++) out.push(d);
      i += 2;
    } else {
      const d = Number(tokens[i]);
      if (Number.isFinite(d)) out.push(d);
    }
  }
  return out;
}

// ---- Annotations, attachments, custom tags ----------------------------------------------------------------

function readAnnotations(pkg: OfdPackage, docRoot: string, ref: string | undefined, warnings: string[]): OfdAnnotation[] {
  if (!ref) return [];
  const listPath = locateListed(pkg, docRoot, ref, 'annotation list', warnings);
  if (!listPath) return [];
  const list = readXml(pkg, listPath);
  const out: OfdAnnotation[] = [];
  for (const p of childrenNamed(list, 'Page')) {
    const pageId = attr(p, 'PageID') ?? '';
    const loc = textAt(p, 'FileLoc');
    if (!loc) continue;
    const path = locateListed(pkg, listPath, loc, 'page annotation file', warnings);
    if (!path) continue;
    const pageAnnot = readXml(pkg, path);
    for (const a of childrenNamed(pageAnnot, 'Annot')) {
      const parameters: Record<string, string> = {};
      for (const prm of childrenNamed(child(a, 'Parameters'), 'Parameter')) parameters[attr(prm, 'Name') ?? ''] = prm.text.trim();
      const appearance = child(a, 'Appearance');
      out.push({
        id: attr(a, 'ID'),
        type: attr(a, 'Type'),
        subtype: attr(a, 'Subtype'),
        pageId,
        parameters,
        boundary: parseBox(attr(appearance, 'Boundary')),
        objects: appearance ? readGraphics(appearance) : [],
      });
    }
  }
  return out;
}

function readAttachments(pkg: OfdPackage, docRoot: string, ref: string | undefined, warnings: string[]): OfdAttachment[] {
  if (!ref) return [];
  const listPath = locateListed(pkg, docRoot, ref, 'attachment list', warnings);
  if (!listPath) return [];
  const list = readXml(pkg, listPath);
  const out: OfdAttachment[] = [];
  for (const a of childrenNamed(list, 'Attachment')) {
    // Some producers (MoF pilot bank receipts) write the location as the element's text instead of <FileLoc>.
    const loc = textAt(a, 'FileLoc') ?? (a.text.trim() || undefined);
    if (!loc) continue;
    const path = resolveRef(pkg, listPath, loc) ?? safeResolve(listPath, loc);
    if (!path) continue;
    if (!pkg.has(path)) warnings.push(`${listPath}: attachment ${loc} is missing from the package`);
    const visible = attr(a, 'Visible');
    out.push({
      id: attr(a, 'ID'),
      name: attr(a, 'Name') ?? path.slice(path.lastIndexOf('/') + 1),
      format: attr(a, 'Format'),
      path,
      size: attr(a, 'Size'),
      visible: visible === undefined ? undefined : visible !== 'false',
      usage: attr(a, 'Usage'),
      creationDate: attr(a, 'CreationDate'),
      read: () => pkg.read(path),
    });
  }
  return out;
}

function readCustomTags(pkg: OfdPackage, docRoot: string, ref: string | undefined, warnings: string[]): OfdCustomTag[] {
  if (!ref) return [];
  const listPath = locateListed(pkg, docRoot, ref, 'custom tag list', warnings);
  if (!listPath) return [];
  const list = readXml(pkg, listPath);
  const out: OfdCustomTag[] = [];
  for (const t of childrenNamed(list, 'CustomTag')) {
    const loc = textAt(t, 'FileLoc');
    if (!loc) continue;
    const path = resolveRef(pkg, listPath, loc);
    if (!path) {
      warnings.push(`${listPath}: custom tag file ${loc} is missing from the package`);
      continue;
    }
    const schema = textAt(t, 'SchemaLoc');
    out.push({ typeId: attr(t, 'TypeID'), nameSpace: attr(t, 'NameSpace'), path, schemaPath: schema ? safeResolve(listPath, schema) : undefined });
  }
  return out;
}

function locateListed(pkg: OfdPackage, referrer: string, ref: string, what: string, warnings: string[]): string | undefined {
  const path = resolveRef(pkg, referrer, ref);
  if (!path) warnings.push(`${referrer}: ${what} ${ref} is missing from the package`);
  return path;
}

/** Runs an auxiliary reader; a broken auxiliary file becomes a warning instead of failing the document. */
function optional<T>(warnings: string[], fn: () => T[]): T[] {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    warnings.push(e.message);
    return [];
  }
}

// ---- Small helpers -----------------------------------------------------------------------------------------

/** Reads and parses one XML entry of the package; errors name the entry. */
export function readXml(pkg: OfdPackage, path: string): XmlElement {
  return parseXml(pkg.read(path), { path: normalisePackagePath(path) });
}

function safeResolve(base: string, ref: string): string | undefined {
  try {
    return resolvePath(base, ref);
  } catch {
    return undefined;
  }
}

export function parseBox(value: string | undefined): OfdBox | undefined {
  const n = numbers(value);
  if (!n || n.length < 4) return undefined;
  return { x: n[0], y: n[1], w: n[2], h: n[3] };
}

function numbers(value: string | undefined): number[] | undefined {
  if (!value) return undefined;
  const simple = decimalList(value);
  if (simple) return simple;
  const n = (splitSimple(value) ?? value.trim().split(/[\s,]+/)).map(Number);
  return n.every(Number.isFinite) ? n : undefined;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Boundaries and CTMs as producers write them (`157 10 23.86 4.445`): plain decimals of at most 15 digits
 * separated by single spaces, read in one pass without substrings. The digits are an exact integer and the power
 * of ten is exact, so the one division rounds exactly as `Number` of the text does. Undefined for anything else
 * (exponents, `+`, commas, other spacing), which takes the general path.
 */
function decimalList(value: string): number[] | undefined {
  const out: number[] = [];
  const n = value.length;
  let i = 0;
  while (true) {
    const neg = value.charCodeAt(i) === 0x2d;
    if (neg) i++;
    let int = 0;
    let digits = 0;
    let scale = 0;
    let dot = false;
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x30 && c <= 0x39) {
        int = int * 10 + (c - 0x30);
        digits++;
        if (dot) scale++;
      } else if (c === 0x2e && !dot) dot = true;
      else break;
    }
    if (digits === 0 || digits > 15) return undefined;
    const v = scale ? int / POW10[scale] : int;
    out.push(neg ? -v : v);
    if (i === n) return out;
    if (value.charCodeAt(i) !== 0x20 || i + 1 === n) return undefined;
    i++;
  }
}

/**
 * The tokens of a number list as producers almost always write it — ASCII tokens separated by single spaces, no
 * space at either end — with a plain split; undefined for anything else (tabs, commas, runs of spaces …), which
 * then takes the general `trim` + `/[\s,]+/` path. Both give the same tokens where this one answers.
 */
function splitSimple(value: string): string[] | undefined {
  const last = value.length - 1;
  if (value.charCodeAt(0) === 0x20 || value.charCodeAt(last) === 0x20) return undefined;
  for (let i = 0; i <= last; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x20) {
      if (value.charCodeAt(i + 1) === 0x20) return undefined;
    } else if (c <= 0x20 || c === 0x2c || c >= 0x7f) return undefined;
  }
  return value.split(' ');
}

function num(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

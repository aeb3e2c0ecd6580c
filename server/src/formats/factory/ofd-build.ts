/**
 * Writing OFD packages the way the tax bureau's and banks' producers lay them out (spec ofd.md §1–§9): OFD.xml
 * with DocInfo/CustomDatas, Doc_0/Document.xml, PublicRes, a template page with the labels, the page with the
 * values (TextObjects with DeltaX advances, table rules as PathObjects, the QR as an ImageObject), custom tags
 * pointing at the value objects, attachments, and a GB/T 38540 seal over every file.
 */
import { sm3 } from '../crypto/hash';
import { writeZip } from '../zip/write';
import { signedValue, type TestPki } from './pki';

export const OFD_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"';
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Advance of one character in mm at font size `size` (mm): CJK full width; everything else 0.6 em, the advance
 * of Courier New, which tax-bureau layouts use for codes and amounts.
 */
export function advanceOf(ch: string, size: number): number {
  return /[\u2E80-\u9FFF\uFF00-\uFFEF\u3000-\u303F]/.test(ch) ? size : size * 0.6;
}

/** Sum of the advances of `text`: the width it takes when drawn with `textObject`. */
export function textWidth(text: string, size: number): number {
  return [...text].reduce((w, ch) => w + advanceOf(ch, size), 0);
}

/** Compact DeltaX: runs of equal advances as `g N d` (GB/T 33190 §11.3). */
function deltaX(text: string, size: number): string {
  const d = [...text].slice(0, -1).map((ch) => +advanceOf(ch, size).toFixed(4));
  const out: string[] = [];
  for (let i = 0; i < d.length; ) {
    let j = i;
    while (j < d.length && d[j] === d[i]) j++;
    out.push(j - i > 1 ? `g ${j - i} ${d[i]}` : `${d[i]}`);
    i = j;
  }
  return out.join(' ');
}

/**
 * A TextObject whose baseline starts at (x, y + size) in page mm: Boundary is the text's box, TextCode X=0 and
 * Y=size (the baseline, relative to the boundary), one advance per character.
 */
export function textObject(id: number, x: number, y: number, text: string, size = 3.175, font = 3): string {
  const w = Math.max(textWidth(text, size), size);
  const dx = [...text].length > 1 ? ` DeltaX="${deltaX(text, size)}"` : '';
  return (
    `<ofd:TextObject ID="${id}" Boundary="${fmt(x)} ${fmt(y)} ${fmt(w + 1)} ${fmt(size * 1.4)}" Font="${font}" Size="${size}">` +
    `<ofd:FillColor Value="0 0 0"/><ofd:TextCode X="0" Y="${size}"${dx}>${xmlEscape(text)}</ofd:TextCode></ofd:TextObject>`
  );
}

/** A straight rule from (x1, y1) to (x2, y2) in page mm. */
export function lineObject(id: number, x1: number, y1: number, x2: number, y2: number, width = 0.25, color = '128 64 0'): string {
  const x = Math.min(x1, x2);
  const y = Math.min(y1, y2);
  return (
    `<ofd:PathObject ID="${id}" Boundary="${fmt(x)} ${fmt(y)} ${fmt(Math.abs(x2 - x1) || width)} ${fmt(Math.abs(y2 - y1) || width)}" LineWidth="${width}">` +
    `<ofd:StrokeColor Value="${color}"/><ofd:AbbreviatedData>M ${fmt(x1 - x)} ${fmt(y1 - y)} L ${fmt(x2 - x)} ${fmt(y2 - y)}</ofd:AbbreviatedData></ofd:PathObject>`
  );
}

/** A rectangle outline in page mm. */
export function rectObject(id: number, x: number, y: number, w: number, h: number, width = 0.25, color = '128 64 0'): string {
  return (
    `<ofd:PathObject ID="${id}" Boundary="${fmt(x)} ${fmt(y)} ${fmt(w)} ${fmt(h)}" LineWidth="${width}">` +
    `<ofd:StrokeColor Value="${color}"/><ofd:AbbreviatedData>M 0 0 L ${fmt(w)} 0 L ${fmt(w)} ${fmt(h)} L 0 ${fmt(h)} C</ofd:AbbreviatedData></ofd:PathObject>`
  );
}

export function imageObject(id: number, resourceId: number, x: number, y: number, w: number, h: number): string {
  return `<ofd:ImageObject ID="${id}" Boundary="${fmt(x)} ${fmt(y)} ${fmt(w)} ${fmt(h)}" CTM="${fmt(w)} 0 0 ${fmt(h)} 0 0" ResourceID="${resourceId}"/>`;
}

const fmt = (n: number) => String(+n.toFixed(3));

export interface OfdPackageSpec {
  docId: string;
  /** YYYY-MM-DD */
  creationDate: string;
  creator: string;
  customData: [name: string, value: string][];
  /** Page size in mm. */
  width: number;
  height: number;
  /** Graphic units of the template page (labels, rules) and of the page (values). */
  templateContent: string;
  pageContent: string;
  /** Images: resource ID → PNG file name under Doc_0/Res. */
  images: { id: number; file: string; bytes: Uint8Array }[];
  /** Invisible XML attachments (original_invoice.xml, an XBRL instance). */
  attachments: { id: number; name: string; file: string; bytes: Uint8Array | string }[];
  /** Custom tag file content (tag tree with ObjectRefs), or none. */
  customTag?: string;
  /** First unused object ID (for MaxUnitID). */
  maxUnitId: number;
}

export interface SealSpec {
  pki: TestPki;
  /** Signing time (SignatureDateTime and TBS_Sign.timeInfo). */
  time: Date;
  /** Where the seal picture goes on page 1 (x, y, w, h in mm). */
  boundary: [number, number, number, number];
}

const PAGE_ID = 1;

/** The package's files in writing order (path → bytes). With `seal`, Signs/ is added and every file signed. */
export function ofdFiles(spec: OfdPackageSpec, seal?: SealSpec): Map<string, Uint8Array> {
  const enc = new TextEncoder();
  const files = new Map<string, Uint8Array>();
  const put = (path: string, data: string | Uint8Array) => files.set(path, typeof data === 'string' ? enc.encode(data) : data);
  const box = `0 0 ${spec.width} ${spec.height}`;

  put(
    'OFD.xml',
    `${XML_HEAD}<ofd:OFD ${OFD_NS} DocType="OFD" Version="1.1"><ofd:DocBody><ofd:DocInfo><ofd:DocID>${spec.docId}</ofd:DocID>` +
      `<ofd:Creator>${xmlEscape(spec.creator)}</ofd:Creator><ofd:CreatorVersion>1.0</ofd:CreatorVersion><ofd:CreationDate>${spec.creationDate}</ofd:CreationDate>` +
      `<ofd:CustomDatas>${spec.customData.map(([k, v]) => `<ofd:CustomData Name="${xmlEscape(k)}">${xmlEscape(v)}</ofd:CustomData>`).join('')}</ofd:CustomDatas>` +
      `</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>${seal ? '<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>' : ''}</ofd:DocBody></ofd:OFD>`,
  );
  put(
    'Doc_0/Document.xml',
    `${XML_HEAD}<ofd:Document ${OFD_NS}><ofd:CommonData><ofd:MaxUnitID>${spec.maxUnitId}</ofd:MaxUnitID>` +
      `<ofd:PageArea><ofd:PhysicalBox>${box}</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>` +
      `<ofd:TemplatePage ID="2" BaseLoc="Tpls/Tpl_0/Content.xml" ZOrder="Background"/></ofd:CommonData>` +
      `<ofd:Pages><ofd:Page ID="${PAGE_ID}" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>` +
      (spec.attachments.length ? '<ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>' : '') +
      (spec.customTag ? '<ofd:CustomTags>Tags/CustomTags.xml</ofd:CustomTags>' : '') +
      `</ofd:Document>`,
  );
  put(
    'Doc_0/PublicRes.xml',
    `${XML_HEAD}<ofd:Res ${OFD_NS} BaseLoc="Res"><ofd:Fonts><ofd:Font ID="3" FontName="宋体" FamilyName="宋体"/><ofd:Font ID="4" FontName="楷体" FamilyName="楷体"/>` +
      `<ofd:Font ID="5" FontName="Courier New" FamilyName="Courier New"/></ofd:Fonts>` +
      (spec.images.length
        ? `<ofd:MultiMedias>${spec.images.map((m) => `<ofd:MultiMedia ID="${m.id}" Type="Image" Format="PNG"><ofd:MediaFile>${m.file}</ofd:MediaFile></ofd:MultiMedia>`).join('')}</ofd:MultiMedias>`
        : '') +
      `</ofd:Res>`,
  );
  for (const m of spec.images) put(`Doc_0/Res/${m.file}`, m.bytes);
  put('Doc_0/Tpls/Tpl_0/Content.xml', `${XML_HEAD}<ofd:Page ${OFD_NS}><ofd:Area><ofd:PhysicalBox>${box}</ofd:PhysicalBox></ofd:Area><ofd:Content><ofd:Layer ID="6" Type="Background">${spec.templateContent}</ofd:Layer></ofd:Content></ofd:Page>`);
  put(
    'Doc_0/Pages/Page_0/Content.xml',
    `${XML_HEAD}<ofd:Page ${OFD_NS}><ofd:Area><ofd:PhysicalBox>${box}</ofd:PhysicalBox></ofd:Area><ofd:Template TemplateID="2" ZOrder="Background"/>` +
      `<ofd:Content><ofd:Layer ID="7">${spec.pageContent}</ofd:Layer></ofd:Content></ofd:Page>`,
  );
  if (spec.attachments.length) {
    put(
      'Doc_0/Attachs/Attachments.xml',
      `${XML_HEAD}<ofd:Attachments ${OFD_NS}>` +
        spec.attachments
          .map((a) => `<ofd:Attachment ID="${a.id}" Name="${xmlEscape(a.name)}" Format="xml" CreationDate="${spec.creationDate}" Visible="false"><ofd:FileLoc>${a.file}</ofd:FileLoc></ofd:Attachment>`)
          .join('') +
        `</ofd:Attachments>`,
    );
    for (const a of spec.attachments) put(`Doc_0/Attachs/${a.file}`, a.bytes);
  }
  if (spec.customTag) {
    put('Doc_0/Tags/CustomTags.xml', `${XML_HEAD}<ofd:CustomTags ${OFD_NS}><ofd:CustomTag TypeID="e-invoice"><ofd:FileLoc>CustomTag.xml</ofd:FileLoc></ofd:CustomTag></ofd:CustomTags>`);
    put('Doc_0/Tags/CustomTag.xml', spec.customTag);
  }
  if (seal) addSeal(files, seal);
  return files;
}

/**
 * Signs the package as tax-bureau invoices are signed (ofd.md §9, S1): Signatures.xml and Seal.esl are written
 * first, Signature.xml references every file (SM3, base64) except itself and SignedValue.dat, and
 * SignedValue.dat is an SES V4 signature over Signature.xml.
 */
function addSeal(files: Map<string, Uint8Array>, seal: SealSpec) {
  const enc = new TextEncoder();
  files.set('Doc_0/Signs/Signatures.xml', enc.encode(`${XML_HEAD}<ofd:Signatures ${OFD_NS}><ofd:MaxSignId>1</ofd:MaxSignId><ofd:Signature ID="s001" Type="Seal" BaseLoc="/Doc_0/Signs/Sign_0/Signature.xml"/></ofd:Signatures>`));
  files.set('Doc_0/Signs/Sign_0/Seal.esl', seal.pki.seal.der);
  const refs = [...files.entries()].map(([p, b]) => `<ofd:Reference FileRef="/${p}"><ofd:CheckValue>${Buffer.from(sm3(b)).toString('base64')}</ofd:CheckValue></ofd:Reference>`).join('');
  const t = seal.time.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  const signatureXml = enc.encode(
    `${XML_HEAD}<ofd:Signature ${OFD_NS}><ofd:SignedInfo><ofd:Provider ProviderName="evarchive-factory" Version="1.0" Company="evarchive 测试"/>` +
      `<ofd:SignatureMethod>1.2.156.10197.1.501</ofd:SignatureMethod><ofd:SignatureDateTime>${t}</ofd:SignatureDateTime>` +
      `<ofd:References CheckMethod="1.2.156.10197.1.401">${refs}</ofd:References>` +
      `<ofd:StampAnnot ID="s001-1" PageRef="${PAGE_ID}" Boundary="${seal.boundary.map(fmt).join(' ')}"/>` +
      `<ofd:Seal><ofd:BaseLoc>/Doc_0/Signs/Sign_0/Seal.esl</ofd:BaseLoc></ofd:Seal></ofd:SignedInfo>` +
      `<ofd:SignedValue>/Doc_0/Signs/Sign_0/SignedValue.dat</ofd:SignedValue></ofd:Signature>`,
  );
  files.set('Doc_0/Signs/Sign_0/Signature.xml', signatureXml);
  files.set('Doc_0/Signs/Sign_0/SignedValue.dat', signedValue(seal.pki, signatureXml, '/Doc_0/Signs/Sign_0/Signature.xml', seal.time));
}

/** The OFD (ZIP) bytes of `files`, deflated, in insertion order, with fixed timestamps. */
export function zipOfd(files: Map<string, Uint8Array>): Uint8Array {
  return writeZip([...files.entries()].map(([name, data]) => ({ name, data })));
}

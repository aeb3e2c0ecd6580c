/**
 * The package manifest (manifest.xml): EEP-style after DA/T 48-2009 — 封装包格式描述, 版本, 被签名对象 with the
 * volume's metadata (全宗号, 档号, 题名, 年度, 保管期限, 件), the item structure and a file list with SHA-256 and
 * SM3 for every other file of the ZIP — followed by 电子签名块 holding one enveloped XML signature over the
 * whole document. Layout described in schemas/package/README.md and schemas/package/manifest.xsd.
 */
import { parseXml, type XmlElement } from '../../formats/xmlsafe';

export const EEP_NS = 'http://www.saac.gov.cn/standards/ERM/encapsulation';
export const FORMAT_DESCRIPTION = '本EEP根据中华人民共和国档案行业标准DA/T 48-2009《基于XML的电子文件封装规范》生成';
export const MANIFEST_PATH = 'manifest.xml';
export const SIGNATURE_LOCATION = "//*[local-name(.)='电子签名块']";

export interface ManifestFile {
  path: string;
  role: string;
  /** 件号 of the item the file belongs to; null for package-level files (the check report). */
  itemSeq: number | null;
  size: number;
  sha256: string;
  sm3: string;
  mediaType: string;
  originalName?: string | null;
}

export interface ManifestItem {
  seq: number;
  id: string;
  archivalCode: string;
  title: string;
  identityKey?: string | null;
  metadata: Record<string, string>;
}

export interface ManifestData {
  createdAt: string;
  creator: string;
  volume: { id: string; fonds: string; archivalCode: string; title: string; year: string; retention: string; unitId?: string | null; importance?: string | null };
  check: { schemeId: string; schemeVersion: number; stage: string; runId: string; verdict: string };
  items: ManifestItem[];
  files: ManifestFile[];
}

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

const el = (name: string, value: string | number | null | undefined) => `<${name}>${xmlEscape(value === null || value === undefined ? '' : String(value))}</${name}>`;
const attrs = (a: Record<string, string | number | null | undefined>) =>
  Object.entries(a)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');

/** The unsigned manifest (with an empty 电子签名块 for the signature to go into). */
export function manifestXml(d: ManifestData): string {
  const v = d.volume;
  const items = d.items
    .map(
      (it) =>
        `<文件实体${attrs({ 件号: it.seq })}>` +
        el('电子文件号', it.id) +
        el('档号', it.archivalCode) +
        el('题名', it.title) +
        el('业务标识', it.identityKey ?? '') +
        `<元数据>${Object.entries(it.metadata)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, val]) => `<项${attrs({ 名称: k })}>${xmlEscape(val)}</项>`)
          .join('')}</元数据>` +
        `</文件实体>`,
    )
    .join('');
  const files = d.files
    .map((f) => `<文件${attrs({ 路径: f.path, 角色: f.role, 件号: f.itemSeq ?? undefined, 大小: f.size, SHA256: f.sha256, SM3: f.sm3, 格式: f.mediaType, 原文件名: f.originalName ?? undefined })}/>`)
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<电子文件封装包 xmlns="${EEP_NS}">` +
    el('封装包格式描述', FORMAT_DESCRIPTION) +
    el('版本', '2009') +
    `<被签名对象 eep版本="2009">` +
    el('封装包类型', '原始型') +
    el('封装包类型描述', '本封装包包含电子会计档案原件（逐字节）及其元数据、四性检测报告，原始封装，未经修改') +
    el('封装包创建时间', d.createdAt) +
    el('封装包创建单位', d.creator) +
    `<封装内容>` +
    `<案卷${attrs({ 标识: v.id })}>` +
    el('全宗号', v.fonds) +
    el('档号', v.archivalCode) +
    el('题名', v.title) +
    el('年度', v.year) +
    el('保管期限', v.retention) +
    el('重要程度', v.importance ?? '') +
    el('件数', d.items.length) +
    `<四性检测${attrs({ 方案: d.check.schemeId, 版本: d.check.schemeVersion, 环节: d.check.stage, 检测批次: d.check.runId, 结论: d.check.verdict })}/>` +
    `</案卷>` +
    `<文件实体块>${items}</文件实体块>` +
    `<文件清单${attrs({ 文件数: d.files.length })}>${files}</文件清单>` +
    `</封装内容>` +
    `</被签名对象>` +
    `<电子签名块/>` +
    `</电子文件封装包>`
  );
}

const kids = (e: XmlElement | undefined, name: string): XmlElement[] => (e?.children ?? []).filter((c) => c.local === name);
const kid = (e: XmlElement | undefined, name: string) => kids(e, name)[0];
const text = (e: XmlElement | undefined) => e?.text ?? '';

export interface ParsedManifest {
  volume: { id: string; fonds: string; archivalCode: string; title: string; year: string; retention: string; items: number };
  files: ManifestFile[];
}

/** Reads the parts of a manifest that verification needs; throws naming what is missing. */
export function parseManifest(xml: string | Uint8Array): ParsedManifest {
  const root = parseXml(xml);
  if (root.local !== '电子文件封装包') throw new Error(`manifest root is <${root.name}>, expected <电子文件封装包>`);
  if (text(kid(root, '封装包格式描述')) !== FORMAT_DESCRIPTION) throw new Error('manifest lacks the DA/T 48 封装包格式描述');
  const content = kid(kid(root, '被签名对象'), '封装内容');
  const vol = kid(content, '案卷');
  const list = kid(content, '文件清单');
  if (!vol || !list) throw new Error('manifest lacks 案卷 or 文件清单');
  const files = kids(list, '文件').map((f) => {
    const a = f.attrs;
    return {
      path: a['路径'],
      role: a['角色'],
      itemSeq: a['件号'] ? Number(a['件号']) : null,
      size: Number(a['大小']),
      sha256: a['SHA256'],
      sm3: a['SM3'],
      mediaType: a['格式'],
      originalName: a['原文件名'] ?? null,
    };
  });
  for (const f of files) if (!f.path || !/^[0-9a-f]{64}$/.test(f.sha256 ?? '') || !/^[0-9a-f]{64}$/.test(f.sm3 ?? '')) throw new Error(`manifest file entry ${f.path ?? '(no path)'} lacks a path or digests`);
  return {
    volume: {
      id: vol.attrs['标识'] ?? '',
      fonds: text(kid(vol, '全宗号')),
      archivalCode: text(kid(vol, '档号')),
      title: text(kid(vol, '题名')),
      year: text(kid(vol, '年度')),
      retention: text(kid(vol, '保管期限')),
      items: Number(text(kid(vol, '件数'))),
    },
    files,
  };
}

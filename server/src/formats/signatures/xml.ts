/**
 * The little XML reading the signature verifier needs (OFD.xml, Signatures.xml, Signature.xml): elements,
 * attributes and text, namespace prefixes dropped. A small scanner instead of a general parser because these
 * files are parsed three times per voucher and a general parser cost as much as the SM2 verification itself
 * (README.md, throughput). It checks what matters for safety and correctness: tags nest and close properly,
 * nesting is bounded, DTDs are refused (entity expansion), entities are decoded; errors are FormatErrors naming
 * the entry.
 */
import { FormatError } from '../errors';

/** An element: attributes as "@name", child elements by local name (always arrays), text as "#text". */
export type XmlNode = { [key: string]: unknown };

const MAX_DEPTH = 128;
const utf8 = new TextDecoder('utf-8');

// One token per match: comment | CDATA | processing instruction | declaration | end tag | start tag | text.
const TOKEN = /<!--([\s\S]*?)-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!([^>]*)>|<\/\s*([^\s>]+)\s*>|<([^\s/>]+)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>|([^<]+)|(<)/g;
const ATTR = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export function parseXml(bytes: Uint8Array, path: string): XmlNode {
  let text = utf8.decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const fail = (msg: string): never => {
    throw new FormatError('bad_xml', `not well-formed XML: ${msg}`, path);
  };
  const doc: XmlNode = {};
  const stack: Array<{ qname: string; node: XmlNode }> = [{ qname: '', node: doc }];
  let sawRoot = false;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    const top = stack[stack.length - 1];
    if (m[1] !== undefined) continue; // comment
    if (m[2] !== undefined) {
      if (stack.length === 1) fail('CDATA outside the root element');
      appendText(top.node, m[2]);
    } else if (m[3] !== undefined) {
      if (/^DOCTYPE|^ENTITY/i.test(m[3].trim())) throw new FormatError('xml_dtd_forbidden', 'DTD / entity declarations are not allowed', path);
      fail(`unexpected declaration <!${m[3].slice(0, 20)}`);
    } else if (m[4] !== undefined) {
      if (stack.length === 1) fail(`end tag </${m[4]}> without a start tag`);
      if (top.qname !== m[4]) fail(`end tag </${m[4]}> does not close <${top.qname}>`);
      stack.pop();
    } else if (m[5] !== undefined) {
      if (stack.length === 1) {
        if (sawRoot) fail(`second root element <${m[5]}>`);
        sawRoot = true;
      }
      if (stack.length > MAX_DEPTH) fail(`elements nested deeper than ${MAX_DEPTH}`);
      const node: XmlNode = {};
      ATTR.lastIndex = 0;
      const rest = m[6].replace(ATTR, (_all, name: string, dq?: string, sq?: string) => {
        node[`@${localName(name)}`] = decodeEntities(dq ?? sq ?? '', fail);
        return '';
      });
      if (rest.trim()) fail(`malformed attributes in <${m[5]}>`);
      const key = localName(m[5]);
      const list = (top.node[key] as XmlNode[] | undefined) ?? [];
      list.push(node);
      top.node[key] = list;
      if (!m[7]) stack.push({ qname: m[5], node });
    } else if (m[8] !== undefined) {
      if (stack.length === 1) {
        if (m[8].trim()) fail('text outside the root element');
        continue;
      }
      appendText(top.node, decodeEntities(m[8], fail));
    } else if (m[9] === undefined) {
      continue; // processing instruction or XML declaration
    } else {
      fail(`stray "<" at offset ${m.index}`);
    }
  }
  if (stack.length > 1) fail(`<${stack[stack.length - 1].qname}> is not closed`);
  if (!sawRoot) fail('no root element');
  return doc;
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

function appendText(node: XmlNode, t: string) {
  node['#text'] = ((node['#text'] as string | undefined) ?? '') + t;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string, fail: (msg: string) => never): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;\s&]{1,10});/g, (all, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      if (!Number.isFinite(code) || code < 0 || code > 0x10ffff) fail(`bad character reference ${all}`);
      return String.fromCodePoint(code);
    }
    const v = NAMED[name];
    if (v === undefined) fail(`unknown entity ${all}`);
    return v;
  });
}

/** Child elements by local name. */
export function children(node: unknown, name: string): XmlNode[] {
  if (!node || typeof node !== 'object') return [];
  const v = (node as XmlNode)[name];
  return Array.isArray(v) ? (v as XmlNode[]) : [];
}

export function child(node: unknown, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

/** Trimmed text content of an element (or of its first child element by name). */
export function text(node: unknown, name?: string): string | undefined {
  const n = name === undefined ? node : child(node, name);
  if (!n || typeof n !== 'object') return undefined;
  const t = (n as XmlNode)['#text'];
  return t === undefined ? undefined : String(t).trim();
}

export function attr(node: unknown, name: string): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const v = (node as XmlNode)[`@${name}`];
  return v === undefined ? undefined : String(v).trim();
}

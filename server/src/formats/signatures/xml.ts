/**
 * The little XML reading the signature verifier needs (OFD.xml, Signatures.xml, Signature.xml), namespace
 * prefixes dropped. Tolerant on purpose — real packages carry odd prefixes and whitespace — but a DTD is
 * refused (entity expansion attacks) and unreadable text is a FormatError naming the entry.
 */
import { XMLParser } from 'fast-xml-parser';
import { FormatError } from '../errors';

const ARRAYS = new Set(['DocBody', 'Signature', 'Reference', 'StampAnnot']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
  trimValues: true,
  isArray: (name) => ARRAYS.has(name),
});

export type XmlNode = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8');

export function parseXml(bytes: Uint8Array, path: string): XmlNode {
  let text = utf8.decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new FormatError('xml_dtd_forbidden', 'DTD / entity declarations are not allowed', path);
  try {
    const doc = parser.parse(text) as XmlNode;
    if (!doc || typeof doc !== 'object') throw new Error('no root element');
    return doc;
  } catch (e) {
    throw new FormatError('bad_xml', `not readable XML: ${(e as Error).message}`, path);
  }
}

/** Child element(s) by local name, always as an array. */
export function children(node: unknown, name: string): XmlNode[] {
  if (!node || typeof node !== 'object') return [];
  const v = (node as XmlNode)[name];
  if (v === undefined || v === null) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((x) => (typeof x === 'object' && x !== null ? (x as XmlNode) : { '#text': String(x) }));
}

export function child(node: unknown, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

/** Text content of an element (or of a child element by name). */
export function text(node: unknown, name?: string): string | undefined {
  const n = name === undefined ? node : child(node, name);
  if (n === undefined || n === null) return undefined;
  if (typeof n !== 'object') return String(n).trim();
  const t = (n as XmlNode)['#text'];
  return t === undefined ? undefined : String(t).trim();
}

export function attr(node: unknown, name: string): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const v = (node as XmlNode)[`@${name}`];
  return v === undefined ? undefined : String(v).trim();
}

/**
 * Safe, namespace-agnostic XML parsing for every format reader.
 *
 * Why a small parser of our own instead of a general one: voucher XML is hostile input (uploads), and the real
 * producers write XML that namespace-aware parsers reject — `<:eInvoice xmlns:="">` (Suwell 2020 CustomTag.xml),
 * `ofd:` prefixes used without a declaration, Chinese element names with full-width parentheses, UTF-8 BOMs.
 * All of those are well-formed XML 1.0 *without* namespaces, so we parse XML 1.0 names as written and give every
 * element its local name (the part after the last colon). Namespaces are never resolved: readers match on local
 * names, as the specifications of OFD and the MoF taxonomies require in practice.
 *
 * Safety by construction: no DTD is ever processed (`<!DOCTYPE` / `<!ENTITY` → `xml_dtd_forbidden`, so entity
 * expansion attacks cannot happen), only the five predefined entities and character references are expanded,
 * and input size, nesting depth, element and attribute counts are capped.
 */
import { FormatError } from '../errors';

export interface XmlElement {
  /** Qualified name as written, e.g. `ofd:TextObject`, `:eInvoice`, `回单类型`. */
  name: string;
  /** Local name: `name` after the last colon (`TextObject`, `eInvoice`). */
  local: string;
  /** Attributes by qualified name as written (`xmlns:*` included). Use {@link attr} to look up by local name. */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own character data (text and CDATA directly inside it, in order), entities expanded. */
  text: string;
  /** 1-based line of the start tag, for error messages. */
  line: number;
}

export interface XmlLimits {
  /** Maximum input size in bytes (default 32 MB). */
  maxBytes?: number;
  /** Maximum element nesting (default 256). */
  maxDepth?: number;
  /** Maximum number of elements (default 1,000,000). */
  maxElements?: number;
  /** Maximum attributes on one element (default 256). */
  maxAttributes?: number;
}

export interface XmlParseOptions extends XmlLimits {
  /** Name of the entry/file, prefixed to every error message. */
  path?: string;
}

const DEFAULTS: Required<XmlLimits> = {
  maxBytes: 32 * 1024 * 1024,
  maxDepth: 256,
  maxElements: 1_000_000,
  maxAttributes: 256,
};

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Parses XML bytes or text into an element tree. Throws FormatError (`bad_xml`, `xml_dtd_forbidden`, `too_large`). */
export function parseXml(input: Uint8Array | string, options: XmlParseOptions = {}): XmlElement {
  const limits: Required<XmlLimits> = {
    maxBytes: options.maxBytes ?? DEFAULTS.maxBytes,
    maxDepth: options.maxDepth ?? DEFAULTS.maxDepth,
    maxElements: options.maxElements ?? DEFAULTS.maxElements,
    maxAttributes: options.maxAttributes ?? DEFAULTS.maxAttributes,
  };
  const path = options.path;
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > limits.maxBytes) {
    throw new FormatError('too_large', `XML document of ${size} bytes exceeds the limit of ${limits.maxBytes}`, path);
  }
  const text = typeof input === 'string' ? stripBom(input) : decodeXmlBytes(input, path);
  return new Parser(text, limits, path).parseDocument();
}

/**
 * Decodes XML bytes: a BOM wins (UTF-8, UTF-16LE/BE), then the `encoding` of the XML declaration (GBK/GB18030 are
 * used by some Chinese producers), else UTF-8. Invalid UTF-8 is an error rather than silently replaced text.
 */
export function decodeXmlBytes(bytes: Uint8Array, path?: string): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decode('utf-8', bytes.subarray(3), path);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decode('utf-16le', bytes.subarray(2), path);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decode('utf-16be', bytes.subarray(2), path);
  // The declaration is ASCII in every ASCII-compatible encoding, so peek at it as latin1.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(200, bytes.byteLength)).toString('latin1');
  const m = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  const declared = m ? m[1].toLowerCase() : 'utf-8';
  let label = declared;
  if (declared === 'gb2312' || declared === 'gbk' || declared === 'cp936') label = 'gbk';
  else if (declared === 'utf8') label = 'utf-8';
  try {
    return decode(label, bytes, path);
  } catch (e) {
    if (e instanceof FormatError) throw e;
    // Unknown label: fall back to UTF-8, which is what real files almost always are regardless of the declaration.
    return decode('utf-8', bytes, path);
  }
}

// Fatal decoders by label, made once (a TextDecoder is stateless between non-streaming decode calls).
const decoders = new Map<string, TextDecoder>();

function decode(label: string, bytes: Uint8Array, path?: string): string {
  let decoder = decoders.get(label);
  if (!decoder) {
    try {
      decoder = new TextDecoder(label, { fatal: true });
    } catch {
      throw new RangeError(`unknown encoding ${label}`);
    }
    decoders.set(label, decoder);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new FormatError('bad_xml', `not valid ${label} text`, path);
  }
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

// XML 1.0 (5th edition) names, generously: anything that is not markup, whitespace or quote. The 5th-edition
// NameChar table admits CJK and full-width punctuation (U+3001–U+D7FF, U+F900–U+FFFD), which the 光大 custom
// tags need; being more permissive than the table costs nothing for a reader.
// (As /[^\s<>\/=?!"'&;]/ and /[ \t\r\n]/, by character code: see readName and skipWs.)
const NOT_NAME_ASCII = new Uint8Array(128);
for (const c of ' \t\n\v\f\r<>/=?!"\'&;') NOT_NAME_ASCII[c.charCodeAt(0)] = 1;

/** A code unit of NAME: not markup, not a quote, not whitespace as JavaScript's `\s` defines it. */
function isNameChar(c: number): boolean {
  if (c < 0x80) return NOT_NAME_ASCII[c] === 0;
  return !(c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff);
}

class Parser {
  private pos = 0;
  private elements = 0;

  constructor(
    private readonly s: string,
    private readonly limits: Required<XmlLimits>,
    private readonly path?: string,
  ) {}

  parseDocument(): XmlElement {
    const s = this.s;
    this.pos = s.charCodeAt(0) === 0xfeff ? 1 : 0;
    let root: XmlElement | undefined;
    while (true) {
      this.skipWs();
      if (this.pos >= s.length) break;
      if (s.startsWith('<?', this.pos)) this.skipPi();
      else if (s.startsWith('<!--', this.pos)) this.skipComment();
      else if (this.startsWithCI('<!DOCTYPE') || s.startsWith('<!ENTITY', this.pos)) {
        throw this.fail('xml_dtd_forbidden', 'DOCTYPE/ENTITY declarations are not accepted (no DTD processing)');
      } else if (s[this.pos] === '<') {
        if (root) throw this.fail('bad_xml', 'content after the root element');
        root = this.parseElement(1);
      } else {
        throw this.fail('bad_xml', 'text outside the root element');
      }
    }
    if (!root) throw this.fail('bad_xml', 'no root element');
    return root;
  }

  // The innermost loop of every format reader: names, whitespace and attribute values are scanned by character
  // code on a local position, written back to `this.pos` before anything that can throw (errors report the line
  // of `this.pos`) and before descending into a child.
  private parseElement(depth: number): XmlElement {
    if (depth > this.limits.maxDepth) throw this.fail('too_large', `elements nested deeper than ${this.limits.maxDepth}`);
    if (++this.elements > this.limits.maxElements) {
      throw this.fail('too_large', `more than ${this.limits.maxElements} elements`);
    }
    const s = this.s;
    const len = s.length;
    const line = this.lineAt(this.pos);
    let p = this.pos + 1; // after '<'
    // Element name; the local name is what follows its last colon.
    const nameStart = p;
    let colon = -1;
    for (let c = s.charCodeAt(p); p < len && isNameChar(c); c = s.charCodeAt(++p)) if (c === 0x3a) colon = p;
    if (p === nameStart) {
      this.pos = p;
      throw this.fail('bad_xml', 'expected element name');
    }
    const name = s.slice(nameStart, p);
    const attrs: Record<string, string> = {};
    const el: XmlElement = { name, local: colon < 0 ? name : s.slice(colon + 1, p), attrs, children: [], text: '', line };
    let attrCount = 0;
    while (true) {
      const ws = p;
      let c = s.charCodeAt(p);
      while (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) c = s.charCodeAt(++p);
      if (c === 0x2f && s.charCodeAt(p + 1) === 0x3e) {
        this.pos = p + 2; // '/>'
        return el;
      }
      if (c === 0x3e) {
        p++; // '>'
        break;
      }
      this.pos = p;
      if (p >= len) throw this.fail('bad_xml', `unterminated start tag <${name}>`);
      if (p === ws) throw this.fail('bad_xml', `expected whitespace before an attribute in <${name}>`);
      const anStart = p;
      for (c = s.charCodeAt(p); p < len && isNameChar(c); c = s.charCodeAt(++p));
      if (p === anStart) throw this.fail('bad_xml', 'expected attribute name');
      const an = s.slice(anStart, p);
      while (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) c = s.charCodeAt(++p);
      this.pos = p;
      if (c !== 0x3d) throw this.fail('bad_xml', `attribute ${an} of <${name}> has no value`);
      for (c = s.charCodeAt(++p); c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a; c = s.charCodeAt(++p));
      this.pos = p;
      if (c !== 0x22 && c !== 0x27) throw this.fail('bad_xml', `attribute ${an} of <${name}> is not quoted`);
      const end = s.indexOf(c === 0x22 ? '"' : "'", p + 1);
      if (end < 0) throw this.fail('bad_xml', `unterminated value of attribute ${an}`);
      // One pass over the value for '<' (an error), '&' (references to expand) and tab/CR/LF (normalised).
      let seen = 0;
      for (let i = p + 1; i < end; i++) {
        const v = s.charCodeAt(i);
        if (v === 0x3c) seen |= 1;
        else if (v === 0x26) seen |= 2;
        else if (v === 0x09 || v === 0x0a || v === 0x0d) seen |= 4;
      }
      if (seen & 1) throw this.fail('bad_xml', `'<' in the value of attribute ${an}`);
      if (Object.prototype.hasOwnProperty.call(attrs, an)) throw this.fail('bad_xml', `duplicate attribute ${an} on <${name}>`);
      if (++attrCount > this.limits.maxAttributes) throw this.fail('too_large', `more than ${this.limits.maxAttributes} attributes on <${name}>`);
      let raw = s.slice(p + 1, end);
      // Attribute-value normalisation (XML 1.0 §3.3.3): literal whitespace characters become spaces, while
      // character references such as &#10; survive — hence normalise before expanding.
      if (seen & 4) raw = raw.replace(/[\t\r\n]/g, ' ');
      attrs[an] = seen & 2 ? this.expand(raw) : raw;
      p = end + 1;
    }
    // Content
    let text = '';
    while (true) {
      // Character data between tags is short (a number, a name): a plain loop beats indexOf's call here.
      let lt = p;
      while (lt < len && s.charCodeAt(lt) !== 0x3c) lt++;
      if (lt === len) {
        this.pos = p;
        throw this.fail('bad_xml', `element <${name}> (line ${line}) is not closed`);
      }
      if (lt > p) {
        this.pos = p;
        text += this.expand(s.slice(p, lt));
      }
      this.pos = lt;
      const next = s.charCodeAt(lt + 1);
      if (next === 0x2f) {
        // '</': the closing tag must repeat the name exactly.
        p = lt + 2;
        if (s.startsWith(name, p) && !(p + name.length < len && isNameChar(s.charCodeAt(p + name.length)))) p += name.length;
        else {
          this.pos = p;
          const close = this.readName('closing tag name');
          throw this.fail('bad_xml', `expected </${name}> (opened at line ${line}), found </${close}>`);
        }
        let c = s.charCodeAt(p);
        while (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) c = s.charCodeAt(++p);
        if (c !== 0x3e) {
          this.pos = p;
          throw this.fail('bad_xml', `malformed closing tag </${name}>`);
        }
        this.pos = p + 1;
        break;
      } else if (next === 0x21) {
        if (s.startsWith('<![CDATA[', lt)) {
          const end = s.indexOf(']]>', lt + 9);
          if (end < 0) throw this.fail('bad_xml', 'unterminated CDATA section');
          text += s.slice(lt + 9, end);
          p = end + 3;
          continue;
        } else if (s.startsWith('<!--', lt)) {
          this.skipComment();
        } else if (this.startsWithCI('<!DOCTYPE') || s.startsWith('<!ENTITY', lt)) {
          throw this.fail('xml_dtd_forbidden', 'DOCTYPE/ENTITY declarations are not accepted (no DTD processing)');
        } else {
          throw this.fail('bad_xml', 'unexpected markup declaration');
        }
      } else if (next === 0x3f) {
        this.skipPi();
      } else {
        el.children.push(this.parseElement(depth + 1));
      }
      p = this.pos;
    }
    el.text = text;
    return el;
  }

  private readName(what: string): string {
    const s = this.s;
    const start = this.pos;
    let p = start;
    while (p < s.length && isNameChar(s.charCodeAt(p))) p++;
    if (p === start) throw this.fail('bad_xml', `expected ${what}`);
    this.pos = p;
    return s.slice(start, p);
  }

  private skipWs(): boolean {
    const s = this.s;
    const start = this.pos;
    let p = start;
    for (let c = s.charCodeAt(p); c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a; c = s.charCodeAt(++p));
    this.pos = p;
    return p > start;
  }

  private skipPi(): void {
    const end = this.s.indexOf('?>', this.pos + 2);
    if (end < 0) throw this.fail('bad_xml', 'unterminated processing instruction');
    this.pos = end + 2;
  }

  private skipComment(): void {
    const end = this.s.indexOf('-->', this.pos + 4);
    if (end < 0) throw this.fail('bad_xml', 'unterminated comment');
    this.pos = end + 3;
  }

  private startsWithCI(token: string): boolean {
    if (this.s.charCodeAt(this.pos + 1) !== token.charCodeAt(1)) return false; // every token here is '<!' + letters
    return this.s.slice(this.pos, this.pos + token.length).toUpperCase() === token.toUpperCase();
  }

  /** Expands the predefined entities and character references; any other entity would need a DTD, so it is an error. */
  private expand(raw: string): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;&\s]{0,32});?/g, (whole, ref: string) => {
      if (!whole.endsWith(';')) throw this.fail('bad_xml', `unescaped '&' in "${truncate(raw)}"`);
      if (ref.startsWith('#x') || ref.startsWith('#X')) return fromCodePoint(parseInt(ref.slice(2), 16), whole, this);
      if (ref.startsWith('#')) return fromCodePoint(parseInt(ref.slice(1), 10), whole, this);
      const v = PREDEFINED[ref];
      if (v === undefined) throw this.fail('bad_xml', `undefined entity &${ref}; (only the XML predefined entities are allowed)`);
      return v;
    });
  }

  // Line numbers are counted incrementally (positions only grow while parsing) and the next newline is cached, so
  // single-line documents — most OFD files — are not rescanned for every element.
  private line = 1;
  private nextNl = -2; // -2: not looked up yet; -1: no further newline
  lineAt(pos: number): number {
    if (this.nextNl === -2) this.nextNl = this.s.indexOf('\n');
    while (this.nextNl >= 0 && this.nextNl < pos) {
      this.line++;
      this.nextNl = this.s.indexOf('\n', this.nextNl + 1);
    }
    return this.line;
  }

  fail(code: 'bad_xml' | 'xml_dtd_forbidden' | 'too_large', msg: string): FormatError {
    const kind = code === 'bad_xml' ? 'not well-formed XML' : code === 'too_large' ? 'XML too large' : 'forbidden XML';
    return new FormatError(code, `${kind} at line ${this.lineAt(this.pos)}: ${msg}`, this.path);
  }
}

function fromCodePoint(cp: number, ref: string, p: Parser): string {
  if (!Number.isFinite(cp) || cp <= 0 || cp > 0x10ffff) throw p.fail('bad_xml', `invalid character reference ${ref}`);
  return String.fromCodePoint(cp);
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

export function localName(qname: string): string {
  const i = qname.lastIndexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

// ---- Navigation by local name -------------------------------------------------------------------------------

/** First child element with this local name. */
export function child(el: XmlElement | undefined, local: string): XmlElement | undefined {
  return el?.children.find((c) => c.local === local);
}

/** All child elements with this local name, in document order. */
export function childrenNamed(el: XmlElement | undefined, local: string): XmlElement[] {
  return el ? el.children.filter((c) => c.local === local) : [];
}

/** Follows a path of local names (`child(child(el,'A'),'B')`). */
export function at(el: XmlElement | undefined, ...locals: string[]): XmlElement | undefined {
  let cur = el;
  for (const l of locals) cur = child(cur, l);
  return cur;
}

/** Trimmed text of the child at the given local-name path, or undefined when absent or empty. */
export function textAt(el: XmlElement | undefined, ...locals: string[]): string | undefined {
  const t = at(el, ...locals)?.text.trim();
  return t ? t : undefined;
}

/** Attribute by local name (`Name` matches `Name` and `ofd:Name`); namespace declarations are never matched. */
export function attr(el: XmlElement | undefined, local: string): string | undefined {
  if (!el) return undefined;
  const attrs = el.attrs;
  if (Object.prototype.hasOwnProperty.call(attrs, local)) return attrs[local];
  // Only a prefixed name ending in `:local` can match; most lookups here are for absent attributes.
  for (const k of Object.keys(attrs)) {
    if (k.length > local.length && k.endsWith(local) && !k.startsWith('xmlns') && localName(k) === local) return attrs[k];
  }
  return undefined;
}

/** Every descendant (depth-first, document order) with this local name. */
export function descendants(el: XmlElement, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (c.local === local) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

/** All character data inside the element, its descendants included, in document order. */
export function textContent(el: XmlElement): string {
  if (el.children.length === 0) return el.text;
  // Interleaving is lost in this model; voucher XML has no mixed content, so own text then children is enough.
  return el.text + el.children.map(textContent).join('');
}

/**
 * What kind of file a voucher upload is, from its bytes (the name is only a hint for nothing here: an OFD saved
 * as `.zip`, an XBRL saved as `.xml` or `.xbrl` are common). OFD = a ZIP with an `OFD.xml` entry, even when a
 * vendor put bytes before the ZIP; XBRL = XML whose root element is `xbrl` (any prefix).
 */
export type DetectedFormat = 'ofd' | 'pdf' | 'xml' | 'xbrl' | 'json' | 'jpeg' | 'png' | 'unknown';

const HEAD = 64 * 1024;

export function detectFormat(bytes: Uint8Array): DetectedFormat {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (indexOf(bytes.subarray(0, 1024), ascii('%PDF-')) >= 0) return 'pdf';
  if (indexOf(bytes.subarray(0, HEAD), [0x50, 0x4b, 0x03, 0x04]) >= 0) return zipHasOfdXml(bytes) ? 'ofd' : 'unknown';
  const text = decodeHead(bytes);
  if (text === undefined) return 'unknown';
  const t = text.replace(/^\s+/, '');
  if (t.startsWith('{') || t.startsWith('[')) return 'json';
  if (t.startsWith('<')) {
    const root = xmlRootName(t);
    if (root === undefined) return 'unknown';
    return root.slice(root.lastIndexOf(':') + 1) === 'xbrl' ? 'xbrl' : 'xml';
  }
  return 'unknown';
}

/** Looks through the ZIP's local and central directory headers for an entry named OFD.xml at the root. */
function zipHasOfdXml(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 46 <= bytes.length; i++) {
    if (bytes[i] !== 0x50 || bytes[i + 1] !== 0x4b) continue;
    let nameLen: number;
    let nameAt: number;
    if (bytes[i + 2] === 0x03 && bytes[i + 3] === 0x04) [nameLen, nameAt] = [view.getUint16(i + 26, true), i + 30];
    else if (bytes[i + 2] === 0x01 && bytes[i + 3] === 0x02) [nameLen, nameAt] = [view.getUint16(i + 28, true), i + 46];
    else continue;
    if (nameLen < 7 || nameLen > 16 || nameAt + nameLen > bytes.length) continue;
    const name = new TextDecoder('latin1').decode(bytes.subarray(nameAt, nameAt + nameLen)).replace(/^(\.\/|\/)/, '');
    if (name.toLowerCase() === 'ofd.xml') return true;
  }
  return false;
}

function decodeHead(bytes: Uint8Array): string | undefined {
  const head = bytes.subarray(0, HEAD);
  if (startsWith(head, [0xff, 0xfe])) return new TextDecoder('utf-16le').decode(head.subarray(2));
  if (startsWith(head, [0xfe, 0xff])) return new TextDecoder('utf-16be').decode(head.subarray(2));
  const body = startsWith(head, [0xef, 0xbb, 0xbf]) ? head.subarray(3) : head;
  // GBK XML still has an ASCII prolog; decoding leniently is enough to find the first character and the root name.
  const text = new TextDecoder('utf-8').decode(body);
  return /[\u0000-\u0008\u000e-\u001f]/.test(text.slice(0, 512)) ? undefined : text;
}

/** The first element name after the prolog (XML declaration, comments, processing instructions, DOCTYPE). */
function xmlRootName(t: string): string | undefined {
  let i = 0;
  for (;;) {
    while (i < t.length && /\s/.test(t[i])) i++;
    if (t.startsWith('<?', i)) i = skipTo(t, '?>', i);
    else if (t.startsWith('<!--', i)) i = skipTo(t, '-->', i);
    else if (t.startsWith('<!', i)) i = skipTo(t, '>', i);
    else break;
    if (i < 0) return undefined;
  }
  const m = /^<([^\s/>]+)/.exec(t.slice(i, i + 512));
  return m?.[1];
}

function skipTo(t: string, end: string, from: number): number {
  const j = t.indexOf(end, from);
  return j < 0 ? -1 : j + end.length;
}

function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

function startsWith(bytes: Uint8Array, sig: number[]): boolean {
  return bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);
}

function indexOf(bytes: Uint8Array, sig: number[]): number {
  outer: for (let i = 0; i + sig.length <= bytes.length; i++) {
    for (let j = 0; j < sig.length; j++) if (bytes[i + j] !== sig[j]) continue outer;
    return i;
  }
  return -1;
}

import { FormatError } from '../errors';
import { at, attr, child, childrenNamed, descendants, parseXml, textAt, textContent } from './xml';

function errorOf(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError');
}

describe('parseXml', () => {
  it('gives local names and attributes regardless of prefixes, declared or not', () => {
    const root = parseXml(
      '<?xml version="1.0"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer ID="3">' +
        '<ofd:TextObject ID="7" Boundary="1 2 3 4"><ofd:TextCode X="0" Y="2">¥510.68</ofd:TextCode></ofd:TextObject>' +
        '</ofd:Layer></ofd:Content><fp:Other>x</fp:Other></ofd:Page>',
    );
    expect(root.local).toBe('Page');
    expect(root.name).toBe('ofd:Page');
    const to = at(root, 'Content', 'Layer', 'TextObject');
    expect(attr(to, 'ID')).toBe('7');
    expect(textAt(to, 'TextCode')).toBe('¥510.68');
    expect(textAt(root, 'Other')).toBe('x');
    expect(descendants(root, 'TextCode')).toHaveLength(1);
  });

  it('reads the not-namespace-well-formed Suwell CustomTag root <:eInvoice xmlns:="">', () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<:eInvoice xmlns:=""><InvoiceCode><ofd:ObjectRef PageRef="1">64</ofd:ObjectRef></InvoiceCode></:eInvoice>',
    );
    expect(root.local).toBe('eInvoice');
    const ref = at(root, 'InvoiceCode', 'ObjectRef');
    expect(attr(ref, 'PageRef')).toBe('1');
    expect(ref?.text).toBe('64');
  });

  it('tolerates a UTF-8 BOM in bytes and in strings', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('<a>发票</a>')]);
    expect(parseXml(bytes).text).toBe('发票');
    expect(parseXml('\ufeff<a>b</a>').text).toBe('b');
  });

  it('decodes GBK when the declaration says so', () => {
    const gbk = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="GBK"?><a>'), Buffer.from([0xb7, 0xa2, 0xc6, 0xb1]), Buffer.from('</a>')]);
    expect(parseXml(gbk).text).toBe('发票');
  });

  it('accepts Chinese element names with full-width parentheses (光大 custom tags)', () => {
    const root = parseXml('<Root><业务（产品种类） ContextRef="BusinessProductType"><ObjectData>转账</ObjectData></业务（产品种类）></Root>');
    expect(root.children[0].local).toBe('业务（产品种类）');
    expect(textAt(root.children[0], 'ObjectData')).toBe('转账');
  });

  it('keeps CDATA verbatim and expands predefined and numeric entities', () => {
    const root = parseXml('<a><b><![CDATA[x < y & z]]></b><c>&lt;&#20320;&#x597D;&amp;</c><d v="a&quot;b&#10;c"/></a>');
    expect(textAt(root, 'b')).toBe('x < y & z');
    expect(textAt(root, 'c')).toBe('<你好&');
    expect(attr(child(root, 'd'), 'v')).toBe('a"b\nc');
  });

  it('skips comments and processing instructions, and keeps element order', () => {
    const root = parseXml('<!-- c --><a><!-- x --><i>1</i><?pi y?><i>2</i><j/><i>3</i></a>');
    expect(childrenNamed(root, 'i').map((e) => e.text)).toEqual(['1', '2', '3']);
    expect(textContent(root)).toBe('123');
  });

  it('rejects a DOCTYPE and with it every entity-expansion attack (billion laughs)', () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
      ']><lolz>&lol9;</lolz>';
    const before = process.memoryUsage().heapUsed;
    const e = errorOf(() => parseXml(lol, { path: 'Doc_0/evil.xml' }));
    expect(e.code).toBe('xml_dtd_forbidden');
    expect(e.message).toMatch(/^Doc_0\/evil\.xml: forbidden XML at line 1: DOCTYPE/);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(20 * 1024 * 1024);
  });

  it('rejects entities that would need a DTD', () => {
    expect(errorOf(() => parseXml('<a>&xxe;</a>')).code).toBe('bad_xml');
    expect(errorOf(() => parseXml('<a>AT&T</a>')).message).toMatch(/unescaped '&'/);
  });

  it('reports mismatched tags with the line of the opening tag', () => {
    const e = errorOf(() => parseXml('<a>\n<b>\n</c></a>', { path: 'Doc_0/Document.xml' }));
    expect(e.code).toBe('bad_xml');
    expect(e.message).toBe('Doc_0/Document.xml: not well-formed XML at line 3: expected </b> (opened at line 2), found </c>');
  });

  it('reports unclosed elements, missing roots, trailing content and duplicate attributes', () => {
    expect(errorOf(() => parseXml('<a><b></b>')).message).toMatch(/element <a> \(line 1\) is not closed/);
    expect(errorOf(() => parseXml('   ')).message).toMatch(/no root element/);
    expect(errorOf(() => parseXml('<a/><b/>')).message).toMatch(/content after the root element/);
    expect(errorOf(() => parseXml('<a x="1" x="2"/>')).message).toMatch(/duplicate attribute x/);
    expect(errorOf(() => parseXml('<a x=1/>')).message).toMatch(/not quoted/);
  });

  it('rejects invalid UTF-8 instead of guessing', () => {
    expect(errorOf(() => parseXml(new Uint8Array([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x61, 0x3e]))).code).toBe('bad_xml');
  });

  it('enforces size, depth and element limits', () => {
    expect(errorOf(() => parseXml('<a>' + 'x'.repeat(2000) + '</a>', { maxBytes: 1000 })).code).toBe('too_large');
    const deep = '<a>'.repeat(300) + '</a>'.repeat(300);
    expect(errorOf(() => parseXml(deep)).message).toMatch(/nested deeper than 256/);
    const many = '<a>' + '<b/>'.repeat(101) + '</a>';
    expect(errorOf(() => parseXml(many, { maxElements: 100 })).message).toMatch(/more than 100 elements/);
  });

  it('parses a 2 MB single-line document quickly (no quadratic line counting)', () => {
    const doc = '<r>' + '<t ID="1" X="0">abc</t>'.repeat(100_000) + '</r>';
    const t0 = Date.now();
    expect(parseXml(doc).children).toHaveLength(100_000);
    // Linear parsing takes well under a second; a quadratic line count would take minutes. The bound is loose so
    // a loaded CI machine does not make it flaky.
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});

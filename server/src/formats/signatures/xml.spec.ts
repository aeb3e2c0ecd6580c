import { FormatError } from '../errors';
import { parseXml, child, children, text, attr } from './xml';

const enc = (s: string) => new TextEncoder().encode(s);
const parse = (s: string) => parseXml(enc(s), 'Doc_0/Signs/Sign_0/Signature.xml');

function fails(s: string, code: string, pattern: RegExp) {
  try {
    parse(s);
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).code).toBe(code);
    expect((e as FormatError).message).toMatch(pattern);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('signature XML scanner', () => {
  it('reads elements, attributes and text with prefixes dropped', () => {
    const doc = parse(`\uFEFF<?xml version="1.0" encoding="UTF-8"?>
<!-- producer comment -->
<ofd:Signature xmlns:ofd="http://www.ofdspec.org/2016">
  <ofd:SignedInfo>
    <ofd:Provider ProviderName="gomain_eseal" Company='gomain'/>
    <ofd:References CheckMethod="1.2.156.10197.1.401">
      <ofd:Reference FileRef="/Doc_0/Pages/Page_0/Content.xml"><ofd:CheckValue> EBRk96qm&#43;LLho= </ofd:CheckValue></ofd:Reference>
      <ofd:Reference FileRef="/Doc_0/a&amp;b.xml"><ofd:CheckValue><![CDATA[x<y]]></ofd:CheckValue></ofd:Reference>
    </ofd:References>
  </ofd:SignedInfo>
  <ofd:SignedValue>/Doc_0/Signs/Sign_0/SignedValue.dat</ofd:SignedValue>
</ofd:Signature>`);
    const root = child(doc, 'Signature');
    const info = child(root, 'SignedInfo');
    expect(attr(child(info, 'Provider'), 'ProviderName')).toBe('gomain_eseal');
    expect(attr(child(info, 'Provider'), 'Company')).toBe('gomain');
    const refs = children(child(info, 'References'), 'Reference');
    expect(refs.map((r) => attr(r, 'FileRef'))).toEqual(['/Doc_0/Pages/Page_0/Content.xml', '/Doc_0/a&b.xml']);
    expect(refs.map((r) => text(r, 'CheckValue'))).toEqual(['EBRk96qm+LLho=', 'x<y']);
    expect(text(root, 'SignedValue')).toBe('/Doc_0/Signs/Sign_0/SignedValue.dat');
    expect(text(root, 'Missing')).toBeUndefined();
  });

  it('refuses DTDs and reports malformed XML with the entry path', () => {
    fails('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 'xml_dtd_forbidden', /^Doc_0\/Signs\/Sign_0\/Signature.xml: DTD/);
    fails('<a><b></a>', 'bad_xml', /end tag <\/a> does not close <b>/);
    fails('<a>', 'bad_xml', /<a> is not closed/);
    fails('<a/><b/>', 'bad_xml', /second root element <b>/);
    fails('<a>&foo;</a>', 'bad_xml', /unknown entity &foo;/);
    fails('<a x=1/>', 'bad_xml', /malformed attributes/);
    fails('', 'bad_xml', /no root element/);
    fails(`${'<a>'.repeat(200)}${'</a>'.repeat(200)}`, 'bad_xml', /nested deeper than 128/);
  });
});

import { zipSync, strToU8 } from 'fflate';
import { detectFormat } from './detect';
import { corpusFiles, describeCorpus, readCorpus } from './kinds/corpus.testing';

const u8 = (s: string) => new TextEncoder().encode(s);

describe('detectFormat', () => {
  it('recognises the magic bytes of PDF, JPEG and PNG', () => {
    expect(detectFormat(u8('%PDF-1.7\n%âãÏÓ\n'))).toBe('pdf');
    expect(detectFormat(u8('junk before %PDF-1.4'))).toBe('pdf');
    expect(detectFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('jpeg');
    expect(detectFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
  });

  it('tells an OFD from any other ZIP by its OFD.xml entry, also with bytes before the ZIP', () => {
    const ofd = zipSync({ 'OFD.xml': strToU8('<ofd:OFD/>'), 'Doc_0/Document.xml': strToU8('<x/>') });
    expect(detectFormat(ofd)).toBe('ofd');
    const prefixed = new Uint8Array([...u8('VENDOR'), ...ofd]);
    expect(detectFormat(prefixed)).toBe('ofd');
    expect(detectFormat(zipSync({ 'a/OFD.xml': strToU8('x'), 'b.txt': strToU8('y') }))).toBe('unknown');
  });

  it('reads the XML root past the declaration, comments, processing instructions and a BOM', () => {
    expect(detectFormat(u8('\ufeff<?xml version="1.0"?>\n<!-- c --><xbrli:xbrl xmlns:xbrli="x"/>'))).toBe('xbrl');
    expect(detectFormat(u8('<xbrl xmlns="http://www.xbrl.org/2003/instance">'))).toBe('xbrl');
    expect(detectFormat(u8('<?xml version="1.0" encoding="utf-8"?><eInvoice xmlns:fp="x">'))).toBe('xml');
    expect(detectFormat(u8('  <EInvoice>'))).toBe('xml');
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from('<xbrl/>', 'utf16le')]);
    expect(detectFormat(utf16)).toBe('xbrl');
  });

  it('recognises JSON and gives up on anything else', () => {
    expect(detectFormat(u8(' {"InvoiceNumber":"1"}'))).toBe('json');
    expect(detectFormat(u8('[{}]'))).toBe('json');
    expect(detectFormat(u8('hello'))).toBe('unknown');
    expect(detectFormat(new Uint8Array([0, 1, 2, 3]))).toBe('unknown');
    expect(detectFormat(new Uint8Array())).toBe('unknown');
    expect(detectFormat(u8('<!-- never closed'))).toBe('unknown');
  });
});

describeCorpus('detectFormat on the corpus', () => {
  it('says ofd for every .ofd and the OFD saved as .zip, pdf for every .pdf', () => {
    for (const f of corpusFiles('.ofd', '.zip')) expect([f, detectFormat(readCorpus(f))]).toEqual([f, 'ofd']);
    for (const f of corpusFiles('.pdf')) expect([f, detectFormat(readCorpus(f))]).toEqual([f, 'pdf']);
  });
  it('says xbrl for the toolkit instances and the extracted .xbrl, json for the JSON samples', () => {
    const xbrl = corpusFiles('.xml', '.xbrl').filter((f) => f.includes('xbrl'));
    expect(xbrl.length).toBeGreaterThanOrEqual(19);
    for (const f of xbrl) expect([f, detectFormat(readCorpus(f))]).toEqual([f, 'xbrl']);
    for (const f of corpusFiles('.json')) expect([f, detectFormat(readCorpus(f))]).toEqual([f, 'json']);
  });
  it('says xml for OFD internals and png/unknown for the rest', () => {
    for (const f of corpusFiles('.xml').filter((x) => !x.includes('xbrl'))) expect([f, detectFormat(readCorpus(f))]).toEqual([f, 'xml']);
    for (const f of corpusFiles('.png')) expect([f, detectFormat(readCorpus(f))]).toEqual([f, 'png']);
    expect(detectFormat(readCorpus('AnnXF__esl-demo/Seal.esl'))).toBe('unknown');
  });
});

import { FormatError } from '../errors';
import { openOfd } from './container';
import { parseDeltas, readOfdDocument } from './document';
import { pageText, pageTextRuns, textById } from './text';
import { originalInvoiceXml, syntheticInvoiceOfd } from './testing/synthetic';

function errorOf(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError');
}

describe('parseDeltas', () => {
  it('expands the g N d repetition syntax (2020年02月20日 from ofd.md §5)', () => {
    expect(parseDeltas('g 4 1.5875 3.175 g 2 1.5875 3.175 g 2 1.5875')).toEqual([1.5875, 1.5875, 1.5875, 1.5875, 3.175, 1.5875, 1.5875, 3.175, 1.5875, 1.5875]);
    expect(parseDeltas('4.95 4.91  4.95')).toEqual([4.95, 4.91, 4.95]);
    expect(parseDeltas(undefined)).toEqual([]);
  });
});

describe('readOfdDocument', () => {
  const doc = readOfdDocument(openOfd(syntheticInvoiceOfd({ originalInvoice: originalInvoiceXml() })));

  it('reads DocInfo, CustomData, DocRoot and the absence of a signature list', () => {
    expect(doc.version).toBe('1.1');
    expect(doc.info.docId).toBe('0123456789abcdef0123456789abcdef');
    expect(doc.info.customData).toContainEqual({ name: '发票号码', value: '12345678' });
    expect(doc.docRoot).toBe('Doc_0/Document.xml');
    expect(doc.signaturesPath).toBeUndefined();
    expect(doc.pageArea).toEqual({ x: 0, y: 0, w: 210, h: 140 });
  });

  it('resolves resources with the Res BaseLoc, templates and pages by ID', () => {
    expect([doc.publicRes, doc.documentRes]).toEqual([['Doc_0/PublicRes.xml'], []]);
    expect(doc.fonts.get('3')).toEqual({ id: '3', name: '宋体', family: 'SimSun', fontFile: undefined });
    expect(doc.media.get('4')).toMatchObject({ type: 'Image', format: 'PNG', file: 'Doc_0/Res/qr.png' });
    expect(doc.templates.get('2')?.path).toBe('Doc_0/Tpls/Tpl_0/Content.xml');
    expect(doc.pages.map((p) => [p.id, p.path])).toEqual([['1', 'Doc_0/Pages/Page_0/Content.xml']]);
    const objects = doc.pages[0].layers[0].objects;
    expect(objects.filter((o) => o.kind === 'text')).toHaveLength(13);
    expect(objects.find((o) => o.kind === 'path')).toMatchObject({ boundary: { x: 4.5, y: 30, w: 201, h: 0.25 }, data: 'M 0 0 L 201 0', stroke: true, fill: false });
    expect(objects.find((o) => o.kind === 'image')).toMatchObject({ resourceId: '4', ctm: [20, 0, 0, 20, 0, 0] });
  });

  it('reads annotations (stamp parameters), attachments with lazy bytes, and custom tags', () => {
    expect(doc.annotations).toHaveLength(1);
    expect(doc.annotations[0]).toMatchObject({ type: 'Stamp', subtype: 'SignatureInFile', pageId: '1', parameters: { 'fp.NativeSign': 'original_invoice' } });
    expect(doc.attachments.map((a) => [a.name, a.format, a.path, a.visible])).toEqual([['original_invoice', 'xml', 'Doc_0/Attachs/original_invoice.xml', false]]);
    expect(new TextDecoder().decode(doc.attachments[0].read())).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><eInvoice/);
    expect(doc.customTags).toEqual([{ typeId: '', nameSpace: undefined, path: 'Doc_0/Tags/CustomTag.xml', schemaPath: undefined }]);
    expect(doc.warnings).toEqual([]);
  });

  it('places characters by X + DeltaX in page millimetres and keeps template labels and page values on one line', () => {
    const runs = pageTextRuns(doc, doc.pages[0]);
    const number = runs.find((r) => r.id === '22')!;
    expect(number).toMatchObject({ text: '12345678', x: 168, y: 18, layer: 'page' });
    expect(number.xEnd).toBeCloseTo(168 + 7 * 1.5875 + 3.175 / 2, 5);
    expect(pageText(doc, doc.pages[0]).split('\n')).toContain('发票号码： 12345678');
    expect(textById(doc, doc.pages[0]).get('7')).toBe('发票代码：'); // template objects are addressable too
    expect(textById(doc, doc.pages[0]).get('35')).toBe(''); // the QR image exists but carries no text
    expect(pageText(doc, doc.pages[0], { annotations: true })).toContain('下载次数：1');
  });

  it('rejects packages whose core files are broken, naming the file', () => {
    expect(errorOf(() => readOfdDocument(openOfd(syntheticInvoiceOfd({ entries: { 'OFD.xml': '<ofd:OFD><ofd:DocBody></ofd:OFD>' } }))))).toMatchObject({
      code: 'bad_xml',
      message: 'OFD.xml: not well-formed XML at line 1: expected </ofd:DocBody> (opened at line 1), found </ofd:OFD>',
    });
    expect(errorOf(() => readOfdDocument(openOfd(syntheticInvoiceOfd({ entries: { 'Doc_0/Document.xml': null } }))))).toMatchObject({
      code: 'missing_entry',
      message: 'OFD.xml: DocRoot Doc_0/Document.xml does not exist in the package',
    });
    expect(errorOf(() => readOfdDocument(openOfd(syntheticInvoiceOfd({ entries: { 'Doc_0/Pages/Page_0/Content.xml': null } }))))).toMatchObject({
      code: 'missing_entry',
      message: 'Doc_0/Document.xml: content of page 1 (Pages/Page_0/Content.xml) is missing from the package',
    });
  });

  it('turns broken auxiliary files into warnings', () => {
    const d = readOfdDocument(openOfd(syntheticInvoiceOfd({ entries: { 'Doc_0/Annots/Page_0/Annotation.xml': '<ofd:PageAnnot>', 'Doc_0/PublicRes.xml': null } })));
    expect(d.warnings).toEqual([
      'Doc_0/Document.xml: resource file PublicRes.xml is missing from the package',
      'Doc_0/Annots/Page_0/Annotation.xml: not well-formed XML at line 1: element <ofd:PageAnnot> (line 1) is not closed',
    ]);
    expect(d.pages).toHaveLength(1);
  });
});

import { inspectFile, loadOptionalReader } from './inspect';
import { corpusFiles, describeCorpus, label, readCorpus, toolkitConfigIds, toolkitJson, toolkitXbrl } from './kinds/corpus.testing';
import { readFileSync } from 'node:fs';

const u8 = (s: string) => new TextEncoder().encode(s);

describe('inspectFile', () => {
  it('reports unknown bytes without throwing', async () => {
    expect(await inspectFile(u8('hello'), 'a.txt')).toEqual({ file: 'a.txt', format: 'unknown', errors: ['unknown format: not OFD, PDF, XML, XBRL, JSON, JPEG or PNG'] });
  });

  it('turns a FormatError into an error line with its code', async () => {
    expect(await inspectFile(u8('<xbrl><a></xbrl>'), 'bad.xbrl')).toMatchObject({ format: 'xbrl', errors: [expect.stringMatching(/^bad_xml: not well-formed XML at line 1/)] });
    expect(await inspectFile(u8('{"foo":"1"}'), 'x.json')).toEqual({ file: 'x.json', format: 'json', errors: ['unknown_format: JSON keys fit no MoF e-voucher element map (foo…)'] });
  });

  it('puts file and format first, then the Voucher fields in model order, then errors', async () => {
    const r = await inspectFile(u8('{"XPayAmt":"990","VoucherNo":"409633000562090030000800001","VouDate":"2024-05-30"}'), 'ctp.json');
    expect(Object.keys(r)).toEqual(['file', 'format', 'kind', 'title', 'invoiceNumber', 'issueDate', 'totalAmount', 'lineItems', 'extra', 'sources', 'signatures', 'signatureVerdict', 'warnings', 'errors']);
    expect(r).toMatchObject({ kind: 'ctp', totalAmount: '990.00', errors: [] });
  });

  it('names a reader that is not available instead of failing', () => {
    expect(loadOptionalReader('ofd', { module: './no-such-module/read', name: 'readOfdVoucher' })).toBe('unsupported format: ofd (reader not available)');
    expect(loadOptionalReader('ofd', { module: './errors', name: 'readOfdVoucher' })).toBe('unsupported format: ofd (reader not available)');
    expect(loadOptionalReader('ofd', undefined)).toBe('unsupported format: ofd');
  });
});

describeCorpus('inspectFile on every XML, XBRL and JSON file of the corpus', () => {
  const files = corpusFiles('.xml', '.xbrl', '.json');
  it.each(files.map((f) => [label(f), f]))('%s', async (_l, rel) => {
    const r = await inspectFile(readCorpus(rel), rel);
    if (r.format === 'xml') {
      // OFD internals and an OFD Signature.xml: not vouchers, rejected by their root.
      expect(r.errors).toEqual([expect.stringMatching(/^unknown_format: XML root <ofd:[A-Za-z]+> is not a voucher \(expected <xbrl>, <eInvoice>, <EInvoice> or <EINVOICE>\)$/)]);
      expect(r.kind).toBeUndefined();
    } else {
      expect(['xbrl', 'json']).toContain(r.format);
      expect(r.errors).toEqual([]);
      expect(r.kind).not.toBe('other');
    }
  });

  it.each(toolkitConfigIds())('%s: XBRL and JSON give the same fields', async (id) => {
    const x = await inspectFile(readFileSync(toolkitXbrl(id)), 'f');
    const j = await inspectFile(readFileSync(toolkitJson(id)), 'f');
    expect({ ...j, format: 'xbrl' }).toEqual(x);
  });

  it('dispatches an OFD to the OFD reader', async () => {
    const r = await inspectFile(readCorpus('ofdrw__ofdrw/ofdrw-converter__src__test__resources__1.ofd'), '1.ofd');
    expect(r.format).toBe('ofd');
    if (r.errors.length === 0) expect(r.invoiceNumber).toBe('83089647');
    else expect(r.errors[0]).toMatch(/^unsupported format: ofd|: /);
  });
});

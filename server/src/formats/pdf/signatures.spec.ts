import { createHash } from 'node:crypto';
import { decodeTextString, parseObject, pdfDateToIso } from './objects';
import { extractPdfSignatures, verifyPdfSignature, type CmsCheck } from './signatures';

const CMS = '3003020100'; // DER SEQUENCE { INTEGER 0 }: a stand-in, the tests inject the verifier

/**
 * A minimal signed PDF built by hand, the way signing tools do it: /Contents reserved with zero padding, the
 * /ByteRange filled in afterwards with the offsets around it (padded with spaces so no offset moves).
 */
function signedPdf(subFilter = 'adbe.pkcs7.detached'): Buffer {
  const parts = [
    '%PDF-1.7\n',
    '1 0 obj\n<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>\nendobj\n',
    '2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n',
    '3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n',
    '4 0 obj\n<< /FT /Sig /T (\\376\\377\\000S\\000i\\000g\\000 \\000A) /V 5 0 R /Subtype /Widget /Rect [0 0 0 0] >>\nendobj\n',
    `5 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /${subFilter} /M (D:20240102030405+08'00') /Reason (approval)\n`,
    '/ByteRange [0 XXXXXXXXXX XXXXXXXXXX XXXXXXXXXX]\n/Contents <',
    CMS + '0'.repeat(64),
    '> >>\nendobj\ntrailer\n<< /Root 1 0 R /Size 6 >>\n%%EOF\n',
  ];
  let text = parts.join('');
  const lt = text.indexOf('/Contents <') + '/Contents '.length;
  const gt = text.indexOf('>', lt) + 1;
  const range = `[0 ${lt} ${gt} ${text.length - gt}]`.padEnd('[0 XXXXXXXXXX XXXXXXXXXX XXXXXXXXXX]'.length, ' ');
  text = text.replace('[0 XXXXXXXXXX XXXXXXXXXX XXXXXXXXXX]', range);
  return Buffer.from(text, 'latin1');
}

const ok: CmsCheck = { digestsOk: true, signatureValid: true, signerSubject: 'CN=Test', chain: 'not-checkable', reasons: ['signer verified'] };

describe('extractPdfSignatures', () => {
  it('reads the signature dictionary, its field name and the signed ranges', () => {
    const pdf = signedPdf();
    const [sig, ...rest] = extractPdfSignatures(pdf);
    expect(rest).toEqual([]);
    const lt = pdf.indexOf('<' + CMS);
    const gt = pdf.indexOf('>', lt) + 1;
    expect(sig).toMatchObject({
      fieldName: 'Sig A',
      objectNumber: 5,
      type: 'Sig',
      filter: 'Adobe.PPKLite',
      subFilter: 'adbe.pkcs7.detached',
      signingTime: '2024-01-02T03:04:05+08:00',
      reason: 'approval',
      byteRange: [0, lt, gt, pdf.length - gt],
      coversWholeFile: true,
      problems: [],
    });
    expect(Buffer.from(sig.cms).toString('hex')).toBe(CMS); // zero padding cut at the DER length
    expect(Buffer.from(sig.signedContent).equals(Buffer.concat([pdf.subarray(0, lt), pdf.subarray(gt)]))).toBe(true);
  });

  it('reports bytes appended after signing as not covered', () => {
    const pdf = Buffer.concat([signedPdf(), Buffer.from('% appended\n')]);
    const [sig] = extractPdfSignatures(pdf);
    expect(sig.coversWholeFile).toBe(false);
    expect(sig.problems).toEqual([`11 bytes after offset ${pdf.length - 11} were added after signing and are not covered by this signature`]);
  });

  it('reports a gap that is not exactly /Contents, and never calls such a signature valid', () => {
    const good = signedPdf().toString('latin1');
    const m = /\/ByteRange \[0 (\d+) (\d+) (\d+)\]/.exec(good)!;
    const shifted = good.replace(m[0], `/ByteRange [0 ${Number(m[1]) - 5} ${m[2]} ${Number(m[3])}]`.padEnd(m[0].length, ' '));
    const [sig] = extractPdfSignatures(Buffer.from(shifted, 'latin1'));
    expect(sig.problems[0]).toMatch(/^the unsigned gap \d+–\d+ is not exactly the \/Contents value/);
    const report = verifyPdfSignature(sig, () => ok);
    expect(report.digestsOk).toBe(false);
  });

  it('reports a range beyond the end of a truncated file', () => {
    const pdf = signedPdf();
    const [sig] = extractPdfSignatures(pdf.subarray(0, pdf.length - 20));
    expect(sig.problems[0]).toMatch(/beyond the end of the file .* the file is truncated$/);
    expect(sig.signedContent.length).toBe(0);
    expect(verifyPdfSignature(sig, () => ok).digestsOk).toBe(false);
  });

  it('finds nothing in an unsigned PDF', () => {
    expect(extractPdfSignatures(Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n'))).toEqual([]);
  });
});

describe('verifyPdfSignature', () => {
  it('hands the CMS and the signed byte ranges to the verifier (detached)', () => {
    const [sig] = extractPdfSignatures(signedPdf());
    const verifier = jest.fn(() => ok);
    const report = verifyPdfSignature(sig, verifier);
    expect(verifier).toHaveBeenCalledWith(sig.cms, { detachedContent: sig.signedContent });
    expect(report).toEqual({
      type: 'sign',
      format: 'pdf-cms',
      location: 'Sig A',
      digestsOk: true,
      signatureValid: true,
      signingTime: '2024-01-02T03:04:05+08:00',
      signerSubject: 'CN=Test',
      chain: 'not-checkable',
      reasons: ['SubFilter adbe.pkcs7.detached', 'ByteRange covers the whole file except /Contents', 'signer verified'],
    });
  });

  it('adbe.pkcs7.sha1: compares the encapsulated SHA-1 with the byte ranges', () => {
    const [sig] = extractPdfSignatures(signedPdf('adbe.pkcs7.sha1'));
    const sha1 = createHash('sha1').update(sig.signedContent).digest();
    const good = verifyPdfSignature(sig, () => ({ ...ok, digestsOk: null, content: sha1 }));
    expect(good.digestsOk).toBe(true);
    expect(good.reasons).toContain('encapsulated SHA-1 equals the SHA-1 of the signed byte ranges');
    const bad = verifyPdfSignature(sig, () => ({ ...ok, content: Buffer.alloc(20) }));
    expect(bad.digestsOk).toBe(false);
  });

  it('without a verifier: nothing claimed, the reason says so', () => {
    const [sig] = extractPdfSignatures(signedPdf());
    const report = verifyPdfSignature(sig);
    expect([report.digestsOk, report.signatureValid]).toEqual([null, null]);
    expect(report.reasons).toContain('CMS not verified: no CMS verifier configured');
  });

  it('marks unreadable CMS as invalid instead of throwing', () => {
    const [sig] = extractPdfSignatures(signedPdf());
    const report = verifyPdfSignature(sig, () => {
      throw new Error('ContentInfo holds 1.2.3, not SignedData');
    });
    expect([report.digestsOk, report.signatureValid]).toEqual([false, false]);
    expect(report.reasons).toContain('CMS SignedData unreadable: ContentInfo holds 1.2.3, not SignedData');
  });
});

describe('PDF object syntax', () => {
  it('parses dictionaries with references, arrays, names with # escapes and strings', () => {
    const { value } = parseObject(Buffer.from('<< /V 12 0 R /A [1 2 0 R /N#20x] /S (a\\(b\\)\\101) /H <4142> /F false >>'), 0);
    expect(value.type).toBe('dict');
    const e = (value as Extract<typeof value, { type: 'dict' }>).entries;
    expect(e.get('V')).toEqual({ type: 'ref', num: 12, gen: 0 });
    expect(e.get('A')).toEqual({ type: 'array', items: [{ type: 'number', value: 1 }, { type: 'ref', num: 2, gen: 0 }, { type: 'name', value: 'N x' }] });
    const s = e.get('S') as { bytes: Uint8Array };
    expect(Buffer.from(s.bytes).toString('latin1')).toBe('a(b)A');
    expect(Buffer.from((e.get('H') as { bytes: Uint8Array }).bytes).toString()).toBe('AB');
    expect(e.get('F')).toEqual({ type: 'bool', value: false });
  });

  it('refuses nesting bombs with a syntax error', () => {
    expect(() => parseObject(Buffer.from('['.repeat(100)), 0)).toThrow('objects nested too deeply');
  });

  it('decodes text strings and dates', () => {
    expect(decodeTextString(Uint8Array.from([0xfe, 0xff, 0x53, 0x70, 0x7b, 0x7e]))).toBe('印签');
    expect(decodeTextString(Uint8Array.from([0xff, 0xfe, 0x65, 0x00]))).toBe('e');
    expect(pdfDateToIso("D:20230811101010+08'00'")).toBe('2023-08-11T10:10:10+08:00');
    expect(pdfDateToIso('D:20230811101010Z')).toBe('2023-08-11T10:10:10Z');
    expect(pdfDateToIso('yesterday')).toBeUndefined();
  });
});

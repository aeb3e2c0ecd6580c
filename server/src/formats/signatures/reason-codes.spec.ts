import { createFactory } from '../factory';
import { inspectFile } from '../inspect';
import { reasonCode, withReasonCodes } from './reason-codes';

describe('reason codes of signature reports', () => {
  it('every reason of a factory-made sealed OFD invoice has a code', async () => {
    const g = createFactory({ seed: 'reason-codes-spec' }).ofdInvoice({ kind: 'inv_ord' });
    const r = await inspectFile(g.bytes, 'invoice.ofd');
    const reports = r.signatures ?? [];
    expect(reports.length).toBeGreaterThan(0);
    for (const s of reports) {
      const served = withReasonCodes(s);
      expect(served.reasons).toEqual(s.reasons);
      served.reasonCodes.forEach((c, i) => expect([s.reasons[i], c]).toEqual([s.reasons[i], expect.objectContaining({ code: expect.any(String) })]));
    }
  });

  it('names the values of a sentence, and knows none it was not taught', () => {
    expect(reasonCode('reference /Doc_0/Pages/Page_0/Content.xml: SM3 digest matches')).toEqual({ code: 'reference_ok', params: { path: '/Doc_0/Pages/Page_0/Content.xml', algorithm: 'SM3' } });
    expect(reasonCode('reference /Doc_0/Document.xml: SM3 digest mismatch (file changed after signing)')).toMatchObject({ code: 'reference_mismatch', params: { path: '/Doc_0/Document.xml' } });
    expect(reasonCode('certificate chain not checkable: no trust anchors configured')).toEqual({ code: 'chain_no_anchors', params: {} });
    expect(reasonCode('seal "发票专用章" (ES001, vendor VENDOR)')).toEqual({ code: 'seal', params: { name: '发票专用章', esId: 'ES001', vendor: 'VENDOR' } });
    expect(reasonCode('fp:SignatureValue present: not verified by the XML reader')).toEqual({ code: 'not_verified_by_xml_reader', params: { element: 'fp:SignatureValue' } });
    expect(reasonCode('something no verifier writes')).toBeNull();
  });

  it('names the signer and the seal maker by name alone, as the SES verifier writes them', async () => {
    const g = createFactory({ seed: 'reason-codes-spec' }).ofdInvoice({ kind: 'inv_ord' });
    const codes = (await inspectFile(g.bytes, 'invoice.ofd')).signatures!.flatMap((s) => withReasonCodes(s).reasonCodes);
    expect(codes).toContainEqual({ code: 'signer_signature_ok', params: { algorithm: 'SM2/SM3', signer: expect.not.stringContaining('"'), extra: '' } });
    expect(codes).toContainEqual({ code: 'seal_maker_ok_named', params: { seal: expect.any(String), esId: expect.any(String), maker: expect.not.stringContaining('"') } });
    expect(reasonCode('signature invalid: SM2/SM3 signature of signer "示例税务局" over TBS_Sign does not verify')).toEqual({
      code: 'signer_signature_bad',
      params: { algorithm: 'SM2/SM3', signer: '示例税务局', extra: '' },
    });
  });
});

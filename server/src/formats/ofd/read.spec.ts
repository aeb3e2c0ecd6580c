import { constants, deflateRawSync } from 'node:zlib';
import { FormatError } from '../errors';
import { writeZip } from '../zip';
import { readOfdVoucher } from './read';
import { NS, originalInvoiceXml, syntheticInvoiceOfd } from './testing/synthetic';
import { normaliseField } from './values';

const enc = new TextEncoder();

describe('normaliseField', () => {
  it('writes money with two decimals from printed forms, and treats *** as absent', () => {
    expect(normaliseField('totalAmount', '¥1,234.5')).toEqual({ value: '1234.50' });
    expect(normaliseField('totalAmount', '￥１２３．４５')).toEqual({ value: '123.45' });
    expect(normaliseField('amountExTax', '400000')).toEqual({ value: '400000.00' });
    expect(normaliseField('taxAmount', '-36')).toEqual({ value: '-36.00' });
    expect(normaliseField('taxAmount', '***')).toEqual({ problem: 'taxAmount: amount is masked ("***"), treated as absent' });
    expect(normaliseField('taxAmount', '1.2.3')).toEqual({ problem: 'taxAmount: "1.2.3" is not an amount' });
  });

  it('writes dates as YYYY-MM-DD and codes without spaces', () => {
    expect(normaliseField('issueDate', '2020年07月23日')).toEqual({ value: '2020-07-23' });
    expect(normaliseField('issueDate', '2024-05-31T14:17:33+08:00')).toEqual({ value: '2024-05-31' });
    expect(normaliseField('issueDate', '20200230')).toEqual({ problem: 'issueDate: "20200230" is not a date' });
    expect(normaliseField('checkCode', '16197 83356 74145 07415')).toEqual({ value: '16197833567414507415' });
    expect(normaliseField('sellerTaxId', ' 91110000ma00000000 ')).toEqual({ value: '91110000MA00000000' });
    expect(normaliseField('sellerName', '  ')).toEqual({});
  });
});

describe('readOfdVoucher on synthetic invoices', () => {
  const expected = {
    kind: 'inv_ord',
    title: '北京增值税电子普通发票',
    invoiceCode: '011002100111',
    invoiceNumber: '12345678',
    issueDate: '2021-03-04',
    checkCode: '11111222223333344444',
    amountExTax: '100.00',
    taxAmount: '6.00',
    totalAmount: '106.00',
    sellerName: '示例科技有限公司',
    sellerTaxId: '91110000MA0000000H',
    buyerName: '样例贸易有限公司',
    buyerTaxId: '91320000MA1111111L',
  };

  it('reads the malformed Suwell custom tag (<:eInvoice xmlns:="">) mapped to page text by object ID', () => {
    const { voucher } = readOfdVoucher(syntheticInvoiceOfd());
    expect(voucher).toMatchObject(expected);
    expect(voucher.sources).toMatchObject({ invoiceNumber: 'custom-tag', totalAmount: 'custom-tag', amountExTax: 'custom-tag', title: 'page-text' });
    expect(voucher.warnings).toEqual([]);
    expect(voucher.signatureVerdict).toBe('unsigned');
    expect(voucher.signatures).toEqual([]);
  });

  it('prefers original_invoice.xml (read by formats/xml), with goods lines', () => {
    const { voucher, attachments } = readOfdVoucher(syntheticInvoiceOfd({ originalInvoice: originalInvoiceXml() }));
    expect(voucher).toMatchObject(expected);
    expect(voucher.sources).toMatchObject({ invoiceNumber: 'embedded-xml', totalAmount: 'embedded-xml', lineItems: 'embedded-xml' });
    expect(voucher.lineItems).toEqual([expect.objectContaining({ name: '*信息技术服务*技术服务费', amount: '100.00', taxAmount: '6.00' })]);
    expect(attachments.map((a) => a.name)).toEqual(['original_invoice']);
    expect(voucher.warnings).toEqual([]);
  });

  it('warns when the printed page disagrees with the embedded data', () => {
    const { voucher } = readOfdVoucher(syntheticInvoiceOfd({ originalInvoice: originalInvoiceXml(), printed: { total: '160.00' } }));
    expect(voucher.totalAmount).toBe('106.00');
    expect(voucher.warnings).toEqual(['totalAmount: embedded-xml says 106.00, custom-tag says 160.00', 'totalAmount: embedded-xml says 106.00, page text says 160.00']);
  });

  it('falls back to OFD.xml CustomData, reporting a masked *** amount', () => {
    const { voucher } = readOfdVoucher(
      syntheticInvoiceOfd({ customTag: null, customData: { 发票代码: '011002100111', 发票号码: '12345678', 开票日期: '2021年03月04日', 合计金额: '100.00', 合计税额: '***' } }),
    );
    expect(voucher).toMatchObject({ invoiceCode: '011002100111', issueDate: '2021-03-04', amountExTax: '100.00', taxAmount: '6.00' });
    expect(voucher.sources).toMatchObject({ invoiceCode: 'custom-data', amountExTax: 'custom-data', taxAmount: 'page-text' });
    expect(voucher.warnings).toEqual(['custom-data (OFD.xml#CustomData): taxAmount: amount is masked ("***"), treated as absent']);
  });

  it('still reports a masked amount when it is all the CustomData holds', () => {
    const { voucher } = readOfdVoucher(syntheticInvoiceOfd({ customTag: null, customData: { 合计税额: '***' } }), { verifySignatures: false });
    expect(voucher.taxAmount).toBe('6.00');
    expect(voucher.sources.taxAmount).toBe('page-text');
    expect(voucher.warnings).toEqual(['custom-data (OFD.xml#CustomData): taxAmount: amount is masked ("***"), treated as absent']);
  });

  it('reads everything from printed labels when there is no structured data', () => {
    const { voucher } = readOfdVoucher(syntheticInvoiceOfd({ customTag: null, customData: {} }));
    expect(voucher).toMatchObject(expected);
    for (const f of ['invoiceCode', 'invoiceNumber', 'issueDate', 'totalAmount', 'sellerName', 'buyerTaxId']) expect(voucher.sources[f]).toBe('page-text');
  });

  it('reads the BOM-prefixed fp:ObjectRef dialect (Tag_Invoice.xml) and ObjectData literals', () => {
    const tag =
      '\ufeff<?xml version="1.0" encoding="UTF-8"?><fp:eInvoice xmlns:fp="http://www.edrm.org.cn/schema/e-invoice/2019">' +
      '<fp:InvoiceNo><fp:ObjectRef PageRef="1">22</fp:ObjectRef></fp:InvoiceNo><fp:TypeCode><ofd:ObjectData>0</ofd:ObjectData></fp:TypeCode>' +
      '<fp:TaxInclusiveTotalAmount><fp:ObjectRef PageRef="1">31</fp:ObjectRef></fp:TaxInclusiveTotalAmount>' +
      '<fp:Seller><fp:SellerName><ofd:ObjectData>示例科技有限公司</ofd:ObjectData></fp:SellerName></fp:Seller></fp:eInvoice>';
    const { voucher } = readOfdVoucher(syntheticInvoiceOfd({ customTag: tag, customData: {} }));
    expect(voucher).toMatchObject({ invoiceNumber: '12345678', totalAmount: '106.00', sellerName: '示例科技有限公司' });
    expect(voucher.sources).toMatchObject({ invoiceNumber: 'custom-tag', totalAmount: 'custom-tag', sellerName: 'custom-tag', invoiceCode: 'page-text' });
  });

  it('names dangling object references', () => {
    const tag = `<ofd:root ${NS}><ofd:InvoiceNo><ofd:ObjectRef PageRef="1">999</ofd:ObjectRef></ofd:InvoiceNo></ofd:root>`;
    const { voucher } = readOfdVoucher(syntheticInvoiceOfd({ customTag: tag, customData: {} }));
    expect(voucher.warnings).toContain('custom-tag (Doc_0/Tags/CustomTag.xml): InvoiceNo points at object 999 on page 1, which does not exist');
    expect(voucher.sources.invoiceNumber).toBe('page-text');
  });

  it('reads bank receipt tags with Chinese element names and ContextRef (光大 dialect)', () => {
    const tag =
      '<:Root xmlns:=""><回单类型 ContextRef="TypeOfBankElectronicReceipt"><ObjectData>普通回单</ObjectData></回单类型>' +
      '<付款人户名 ContextRef="AccountNameOfPayer"><ObjectData>示例付款单位</ObjectData></付款人户名>' +
      '<业务（产品种类） ContextRef="BusinessProductType"><ObjectData/></业务（产品种类）>' +
      '<交易金额 ContextRef="TransactionAmountInFigures"><ObjectData>1,000.5</ObjectData></交易金额></:Root>';
    const { voucher } = readOfdVoucher(syntheticInvoiceOfd({ customTag: tag, customData: {} }));
    expect(voucher).toMatchObject({ payerName: '示例付款单位', totalAmount: '1000.50' });
    expect(voucher.sources.payerName).toBe('custom-tag');
  });

  it('keeps reading when a tag file is not XML at all, with a warning', () => {
    const { voucher } = readOfdVoucher(syntheticInvoiceOfd({ customTag: '<<<not xml', customData: {} }));
    expect(voucher.invoiceNumber).toBe('12345678');
    expect(voucher.warnings[0]).toMatch(/^custom tag file ignored: Doc_0\/Tags\/CustomTag\.xml: not well-formed XML at line 1/);
  });

  it('reads 数电票 EInvoice XML attachments and their kind label', () => {
    const einv =
      '<EInvoice><Header><EIid>21320000000000000001</EIid><InherentLabel><GeneralOrSpecialVAT><LabelCode>02</LabelCode><LabelName>普通发票</LabelName></GeneralOrSpecialVAT></InherentLabel></Header>' +
      '<EInvoiceData><SellerInformation><SellerIdNum>91110000MA0000000H</SellerIdNum><SellerName>示例科技有限公司</SellerName></SellerInformation>' +
      '<BasicInformation><TotalAmWithoutTax>100.00</TotalAmWithoutTax><TotalTaxAm>6.00</TotalTaxAm><TotalTax-includedAmount>106.00</TotalTax-includedAmount><RequestTime>2021-03-04 10:00:00</RequestTime></BasicInformation>' +
      '<IssuItemInformation><ItemName>*信息技术服务*技术服务费</ItemName><Amount>100.00</Amount><TaxRate>0.06</TaxRate><ComTaxAm>6.00</ComTaxAm></IssuItemInformation></EInvoiceData></EInvoice>';
    const { voucher } = readOfdVoucher(syntheticInvoiceOfd({ originalInvoice: einv, customTag: null, customData: {}, printed: { number: '21320000000000000001', code: '' } }));
    expect(voucher).toMatchObject({ invoiceNumber: '21320000000000000001', issueDate: '2021-03-04', totalAmount: '106.00', sellerTaxId: '91110000MA0000000H' });
    expect(voucher.lineItems).toEqual([expect.objectContaining({ name: '*信息技术服务*技术服务费', amount: '100.00', taxAmount: '6.00' })]);
    // The XML declares 普通发票 (einv_ord); the page template prints an old-style title, which is another family.
    expect(voucher.kind).toBe('einv_ord');
    expect(voucher.warnings).toContain('kind: the data says einv_ord, the printed title says inv_ord; using einv_ord');
  });

  it('reports a signed document as incomplete when verification is switched off, and uses an injected verifier', () => {
    const signed = syntheticInvoiceOfd({
      entries: {
        'OFD.xml': `<ofd:OFD ${NS}><ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot><ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures></ofd:DocBody></ofd:OFD>`,
        'Doc_0/Signs/Signatures.xml': `<ofd:Signatures ${NS}/>`,
      },
    });
    expect(readOfdVoucher(signed, { verifySignatures: false }).voucher.signatureVerdict).toBe('incomplete');
    const seen: string[] = [];
    const r = readOfdVoucher(signed, {
      verifySignatures: (pkg, doc) => {
        seen.push(doc.signaturesPath!, String(pkg.has('Doc_0/Signs/Signatures.xml')));
        return { signatures: [{ type: 'seal', format: 'ses-v4', digestsOk: true, signatureValid: true, reasons: ['test'] }], verdict: 'valid' };
      },
    });
    expect(seen).toEqual(['Doc_0/Signs/Signatures.xml', 'true']);
    expect(r.voucher.signatureVerdict).toBe('valid');
    expect(r.voucher.signatures).toHaveLength(1);
  });

  it('rejects non-OFD input with a FormatError, never another error', () => {
    for (const bytes of [enc.encode('hello'), new Uint8Array(0), writeZip([{ name: 'x.txt', data: 'x' }]), writeZip([{ name: 'OFD.xml', data: '<html/>' }])]) {
      let err: unknown;
      try {
        readOfdVoucher(bytes);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FormatError);
    }
  });
});

describe('embedded data the full readers refuse', () => {
  it('is read by the tolerant fallback, keeping what is readable', () => {
    const xml = originalInvoiceXml({ total: '1,06.0.0' });
    const { voucher } = readOfdVoucher(syntheticInvoiceOfd({ originalInvoice: xml }), { verifySignatures: false });
    expect(voucher.invoiceNumber).toBe('12345678');
    expect(voucher.sources.invoiceNumber).toBe('embedded-xml');
    // The unreadable total comes from the next layer, the custom tags over the printed page.
    expect(voucher.totalAmount).toBe('106.00');
    expect(voucher.sources.totalAmount).toBe('custom-tag');
    expect(voucher.warnings).toContainEqual(expect.stringMatching(/^attachment original_invoice: .*; read with the OFD reader's tolerant fallback$/));
    expect(voucher.warnings).toContain('embedded-xml (Doc_0/Attachs/original_invoice.xml): totalAmount: "1,06.0.0" is not an amount');
  });
});

describe('hostile OFD packages', () => {
  it('refuse a zip bomb disguised as OFD.xml with a FormatError and bounded memory', () => {
    const block = deflateRawSync(Buffer.alloc(1 << 20, 0x20), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
    const bomb = Buffer.concat([...Array(512).fill(block), Buffer.from([0x03, 0x00])]);
    const bytes = writeZip([{ name: 'OFD.xml', data: new Uint8Array(0), rawDeflate: bomb, declaredSize: 30 * 1024 * 1024 }]);
    const before = process.memoryUsage();
    let err: unknown;
    try {
      readOfdVoucher(bytes);
    } catch (e) {
      err = e;
    }
    const after = process.memoryUsage();
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).code).toBe('compression_ratio');
    expect((err as FormatError).message).toMatch(/^OFD\.xml: entry inflates at more than 200:1/);
    expect(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuse entity expansion inside a package file', () => {
    const evil = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><ofd:OFD>&b;</ofd:OFD>';
    let err: unknown;
    try {
      readOfdVoucher(writeZip([{ name: 'OFD.xml', data: evil }]));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'xml_dtd_forbidden', message: 'OFD.xml: forbidden XML at line 1: DOCTYPE/ENTITY declarations are not accepted (no DTD processing)' });
  });

  it('refuse a path that climbs out of the package', () => {
    const bytes = syntheticInvoiceOfd({ entries: { 'OFD.xml': `<ofd:OFD ${NS}><ofd:DocBody><ofd:DocRoot>../../Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>` } });
    let err: unknown;
    try {
      readOfdVoucher(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'missing_entry', message: 'OFD.xml: DocRoot ../../Doc_0/Document.xml does not exist in the package' });
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FormatError } from '../errors';
import { corpusFiles, describeCorpus, label, ofdAttachments } from '../kinds/corpus.testing';
import { isValidUscc } from '../kinds/taxid';
import { readDigitalInvoiceXml } from './einvoice-digital';
import { readEInvoice2019 } from './einvoice2019';
import { readVoucherXml } from './read';

function formatError(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError');
}

const SYNTHETIC = readFileSync(path.join(__dirname, 'fixtures/einvoice-digital-synthetic.xml'), 'utf8');

describe('数电票 EInvoice XML (reader built from the spec; synthetic file)', () => {
  it('reads the documented layout', () => {
    const v = readDigitalInvoiceXml(SYNTHETIC);
    expect(v).toMatchObject({
      kind: 'einv_spcl',
      title: '电子发票（增值税专用发票）',
      invoiceNumber: '25110000000000000123',
      issueDate: '2025-04-01',
      amountExTax: '1000.00',
      taxAmount: '60.00',
      totalAmount: '1060.00',
      sellerName: '示例软件有限公司',
      sellerTaxId: '91110108MA0000001D',
      buyerTaxId: '91440300MA5F00002D',
    });
    expect(v.lineItems).toEqual([
      { name: '*信息技术服务*软件维护费', specification: '年度', unit: '项', quantity: '1', unitPrice: '1100', amount: '1100.00', taxRate: '0.06', taxAmount: '66.00' },
      { name: '*信息技术服务*软件维护费', amount: '-100.00', taxRate: '0.06', taxAmount: '-6.00' },
    ]);
    expect(v.extra).toMatchObject({
      eInvoiceTag: 'SWEI1100',
      sellerBankAccount: '1100000000000001',
      remarks: '合同号 HT-2025-001',
      taxBureauName: '国家税务总局北京市税务局',
      transactions: [{ PaymentChannel: '银行转账', TransactionNumber: 'T0001' }],
    });
    expect(v.extra.redInvoice).toBeUndefined();
    expect(v.sources.totalAmount).toBe('embedded-xml');
    expect(v.warnings).toEqual([]);
  });

  it('reads a red ordinary invoice whose elements sit at other depths, and reports disagreeing numbers', () => {
    const xml = `<EInvoice><Header><EIid>25110000000000000999</EIid><InherentLabel><InIssuType><LabelCode>N</LabelCode></InIssuType>
      <EInvoiceType><LabelName>普通发票</LabelName></EInvoiceType></InherentLabel></Header>
      <SellerIdNum>91110108MA0000001D</SellerIdNum>
      <TotalAmWithoutTax>-100</TotalAmWithoutTax><TotalTaxAm>-6</TotalTaxAm><TotalTax-includedAmount>-106.00</TotalTax-includedAmount>
      <RequestTime>2025-05-06T08:00:00</RequestTime>
      <SpecificInformation><RedEInvoice><OriginalInvoiceNumber>25110000000000000123</OriginalInvoiceNumber></RedEInvoice></SpecificInformation>
      <TaxSupervisionInfo><InvoiceNumber>25110000000000000998</InvoiceNumber></TaxSupervisionInfo></EInvoice>`;
    const v = readDigitalInvoiceXml(xml);
    expect(v).toMatchObject({ kind: 'einv_ord', invoiceNumber: '25110000000000000999', issueDate: '2025-05-06', totalAmount: '-106.00', sellerTaxId: '91110108MA0000001D' });
    expect(v.extra).toMatchObject({ redInvoice: true, originalInvoiceNumber: '25110000000000000123' });
    expect(v.warnings).toEqual(['Header/EIid 25110000000000000999 differs from TaxSupervisionInfo/InvoiceNumber 25110000000000000998']);
  });

  it('reports an XML signature where it sits', () => {
    const v = readDigitalInvoiceXml(SYNTHETIC.replace('</EInvoice>', '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignatureValue>AA==</ds:SignatureValue></ds:Signature></EInvoice>'));
    expect(v.signatures).toEqual([
      { type: 'sign', format: 'xmldsig', location: 'EInvoice/ds:Signature', digestsOk: null, signatureValid: null, reasons: ['ds:Signature present: not verified by the XML reader'] },
    ]);
    expect(v.signatureVerdict).toBe('unsupported');
  });

  it('rejects other roots and malformed amounts precisely', () => {
    expect(formatError(() => readDigitalInvoiceXml('<eInvoice/>')).message).toBe('root element <eInvoice> is not a 数电票 XML (<EInvoice>)');
    const e = formatError(() => readDigitalInvoiceXml(SYNTHETIC.replace('<TotalTaxAm>60.00</TotalTaxAm>', '<TotalTaxAm>六十</TotalTaxAm>')));
    expect(e.message).toBe('TotalTaxAm: not an amount: "六十"');
  });
});

describe('2019 eInvoice XML on synthetic input', () => {
  const xml = (body: string) => `<?xml version="1.0" encoding="utf-8"?><eInvoice xmlns:fp="http://www.edrm.org.cn/schema/e-invoice/2019" Version="1.0">${body}</eInvoice>`;

  it('checks the QR payload against the fields', () => {
    const v = readEInvoice2019(
      xml(`<fp:InvoiceCode>033002000211</fp:InvoiceCode><fp:InvoiceNo>00000001</fp:InvoiceNo><fp:IssueDate>2020年07月23日</fp:IssueDate>
        <fp:TaxExclusiveTotalAmount>100.00</fp:TaxExclusiveTotalAmount><fp:TaxTotalAmount>3.00</fp:TaxTotalAmount><fp:TaxInclusiveTotalAmount>103.00</fp:TaxInclusiveTotalAmount>
        <fp:GraphCode>01,10,033002000211,00000002,100.01,20200724,12345678901234567890,0941,</fp:GraphCode>`),
    );
    expect(v.warnings).toEqual([
      'QR payload invoice number 00000002 differs from InvoiceNo 00000001',
      'QR payload date 20200724 differs from IssueDate 2020-07-23',
      'QR payload amount 100.01 differs from TaxExclusiveTotalAmount 100.00',
    ]);
    expect(v.signatureVerdict).toBe('unsigned');
  });

  it('marks a red invoice and keeps the original invoice it reverses', () => {
    const v = readEInvoice2019(
      xml(`<fp:InvoiceCode>052002100113</fp:InvoiceCode><fp:InvoiceNo>00000003</fp:InvoiceNo><fp:TaxExclusiveTotalAmount>-100.00</fp:TaxExclusiveTotalAmount>
        <fp:TaxTotalAmount>-13.00</fp:TaxTotalAmount><fp:TaxInclusiveTotalAmount>-113.00</fp:TaxInclusiveTotalAmount>
        <fp:OriginalInvoiceCode>052002100113</fp:OriginalInvoiceCode><fp:OriginalInvoiceNo>00000002</fp:OriginalInvoiceNo>`),
    );
    expect(v).toMatchObject({ kind: 'inv_spcl', totalAmount: '-113.00', extra: { redInvoice: true, originalInvoiceNumber: '00000002' } });
    expect(v.warnings).toEqual([]);
  });

  it('rejects other roots', () => {
    const e = formatError(() => readEInvoice2019('<EInvoice/>', { path: 'Doc_0/Attachs/original_invoice.xml' }));
    expect(e.code).toBe('unknown_format');
    expect(e.message).toBe('Doc_0/Attachs/original_invoice.xml: root element <EInvoice> is not a 2019 VAT e-invoice (<eInvoice>)');
  });
});

describe('readVoucherXml dispatch', () => {
  it('routes by root element', () => {
    expect(readVoucherXml(SYNTHETIC).format).toBe('einvoice-digital');
    expect(readVoucherXml('<eInvoice xmlns:fp="x"><fp:InvoiceNo>1</fp:InvoiceNo></eInvoice>').format).toBe('einvoice-2019');
    expect(formatError(() => readVoucherXml('<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>', { path: 'OFD.xml' })).message).toBe(
      'OFD.xml: XML root <ofd:OFD> is not a voucher (expected <xbrl>, <eInvoice>, <EInvoice> or <EINVOICE>)',
    );
  });
});

describeCorpus('2019 eInvoice XML attached to tax-bureau OFDs', () => {
  const originals = corpusFiles('.ofd').flatMap((ofd) =>
    Object.entries(ofdAttachments(ofd))
      .filter(([name]) => name.endsWith('original_invoice.xml'))
      .map(([name, bytes]) => ({ ofd, name, bytes })),
  );
  const find = (suffix: string) => originals.find((o) => o.ofd.endsWith(suffix))!;

  it('finds the seven original_invoice.xml attachments', () => expect(originals).toHaveLength(7));

  it.each(originals.map((o) => [label(o.ofd), o]))('%s: reads', (_l, o) => {
    const v = readEInvoice2019(o.bytes, { path: o.name });
    expect(['inv_ord', 'inv_spcl']).toContain(v.kind);
    expect(v.invoiceCode).toMatch(/^\d{12}$/);
    expect(v.invoiceNumber).toMatch(/^\d{8}$/);
    expect(v.issueDate).toMatch(/^20\d\d-\d\d-\d\d$/);
    expect(v.signatures[0]?.location).toBe('eInvoice/fp:Signature');
  });

  it('浙江 1.ofd: fields, a 3% line, the QR payload agreeing with the XML', () => {
    const v = readEInvoice2019(find('resources__1.ofd').bytes);
    expect(v).toMatchObject({
      kind: 'inv_ord',
      invoiceCode: '033002000211',
      invoiceNumber: '83089647',
      checkCode: '16197833567414507415',
      issueDate: '2020-07-23',
      amountExTax: '510.68',
      taxAmount: '15.32',
      totalAmount: '526.00',
    });
    expect(v.lineItems).toEqual([{ name: '*餐饮服务*餐费', unitPrice: '510.679612', quantity: '1', amount: '510.68', taxRate: '0.03', taxAmount: '15.32' }]);
    expect(v.extra.qrPayload).toBe('01,10,033002000211,83089647,510.68,20200723,16197833567414507415,0941,');
    expect(isValidUscc(v.buyerTaxId!)).toBe(true);
    expect(v.warnings).toEqual([]);
  });

  it('贵州 专票5.ofd: a special invoice by its code', () => {
    const v = readEInvoice2019(find('增值税电子专票5.ofd').bytes);
    expect(v).toMatchObject({ kind: 'inv_spcl', title: '增值税电子专用发票', invoiceCode: '052002100113', invoiceNumber: '00008006', totalAmount: '25254.62', issueDate: '2022-05-05' });
  });

  it('999.ofd: BOM-prefixed XML with 100 goods lines that add up', () => {
    const v = readEInvoice2019(find('resources__999.ofd').bytes);
    expect(v.lineItems).toHaveLength(100);
    expect(v).toMatchObject({ amountExTax: '10000.00', taxAmount: '600.00', totalAmount: '10600.00', issueDate: '2020-08-05' });
    expect(v.warnings).toEqual(['Seller/SellerTaxID: unified social credit code fails the GB 32100 check character']);
  });

  it('no_page_container.ofd: the *** tax mask', () => {
    const v = readEInvoice2019(find('no_page_container.ofd').bytes);
    expect(v.taxAmount).toBeUndefined();
    expect(v.totalAmount).toBe('57.00');
    expect(v.warnings).toEqual(['TaxTotalAmount: amount is masked ("***"), treated as absent', 'GoodsInfo/TaxAmount: amount is masked ("***"), treated as absent']);
  });
});

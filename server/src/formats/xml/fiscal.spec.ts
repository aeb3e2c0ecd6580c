import { FormatError } from '../errors';
import { readFiscalReceiptXml, readNonTaxPaymentXml } from './fiscal';
import { readVoucherXml } from './read';

// Synthetic files: no 非税 or 财政 XML is in the corpus. Layouts as documented in fiscal.ts; values invented.
const NTREV = `<?xml version="1.0" encoding="UTF-8"?>
<EINVOICE>
  <HEADER><EINVOICE_TAG>CZ-EI-00</EINVOICE_TAG><EINVOICE_ID>1100000000-00000001</EINVOICE_ID><VERSION>2.0.0.1</VERSION></HEADER>
  <EINVOICE_DATA>
    <MAIN>
      <EINVOICE_NAME>中央非税收入缴款书_电子票</EINVOICE_NAME><EINVOICE_CODE>00030121</EINVOICE_CODE>
      <NON_TAX_PAY_NO>0000000001</NON_TAX_PAY_NO><NON_TAX_PAY_CODE>11000025000000000017</NON_TAX_PAY_CODE>
      <RANDOM_NUMBER>a1b2c3</RANDOM_NUMBER><BILL_DATE>20250301</BILL_DATE><BILL_TIME>10:00:00</BILL_TIME><PAID_AMT>150.00</PAID_AMT>
      <EXEC_AGENCY_PARTY><EXEC_AGENCY_CODE>000001</EXEC_AGENCY_CODE><EXEC_AGENCY_NAME>示例执收单位</EXEC_AGENCY_NAME>
        <PAYEE_ACCT_NAME>示例财政专户</PAYEE_ACCT_NAME><PAYEE_ACCT_NO>110000000001</PAYEE_ACCT_NO><PAYEE_ACCT_BANK_NAME>示例银行</PAYEE_ACCT_BANK_NAME></EXEC_AGENCY_PARTY>
      <PAYER_PARTY><PAYER_PARTY_TYPE_CODE>2</PAYER_PARTY_TYPE_CODE><PAYER_NAME>示例缴款单位</PAYER_NAME><PAYER_ACC_NO></PAYER_ACC_NO></PAYER_PARTY>
    </MAIN>
    <DETAILS>
      <ITEM><NON_TAX_NAME>考试费</NON_TAX_NAME><PAY_NUMBER>1.0000</PAY_NUMBER><CHARGE_STAND>100.0000</CHARGE_STAND><PAID_DETAIL_AMT>100.00</PAID_DETAIL_AMT></ITEM>
      <ITEM><NON_TAX_NAME>证书费</NON_TAX_NAME><PAY_NUMBER>1</PAY_NUMBER><CHARGE_STAND>50</CHARGE_STAND><PAID_DETAIL_AMT>50.00</PAID_DETAIL_AMT></ITEM>
    </DETAILS>
  </EINVOICE_DATA>
  <EINVOICE_SIGNATURE>
    <SIGNATURE ID="InvoicingParty"><SIGNED_INFO><REFERENCE>/EINVOICE/HEADER|/EINVOICE/EINVOICE_DATA</REFERENCE><SIGNATURE_ALGORITHM>SHA256withRSAEncryption</SIGNATURE_ALGORITHM></SIGNED_INFO>
      <SIGNATURE_TIME>20250301100001+0800</SIGNATURE_TIME><SIGNATURE_VALUE>MIIBAA==</SIGNATURE_VALUE></SIGNATURE>
  </EINVOICE_SIGNATURE>
</EINVOICE>`;

const EFI = `<?xml version="1.0" encoding="UTF-8"?>
<EInvoice>
  <Header><EInvoiceTag>CZ-EI-32</EInvoiceTag><Version>1.0</Version></Header>
  <EInvoiceData>
    <Main>
      <EInvoiceName>示例市医疗门诊收费票据</EInvoiceName><EInvoiceCode>32060125</EInvoiceCode><EInvoiceNumber>0000012345</EInvoiceNumber>
      <RandomNumber>9f3a1c</RandomNumber><TotalAmount>35.50</TotalAmount><IssueDate>20250302</IssueDate><IssueTime>09:15:00</IssueTime>
      <InvoicingParty><InvoicingPartyCode>12110000MB0000001X</InvoicingPartyCode><InvoicingPartyName>示例医院</InvoicingPartyName><RecAcct>320000000001</RecAcct></InvoicingParty>
      <PayerParty><PayerPartyType>1</PayerPartyType><PayerPartyName>某某</PayerPartyName></PayerParty>
      <HandlingPerson>收费员01</HandlingPerson>
    </Main>
    <Details>
      <Item><ItemCode>01</ItemCode><ItemName>挂号费</ItemName><ItemQuantity>1</ItemQuantity><ItemStd>5.50</ItemStd><ItemAmount>5.50</ItemAmount></Item>
      <Item><ItemCode>02</ItemCode><ItemName>诊查费</ItemName><ItemQuantity>1</ItemQuantity><ItemStd>30</ItemStd><ItemAmount>30.00</ItemAmount></Item>
    </Details>
  </EInvoiceData>
  <EInvoiceSignature><InvoicingPartySignature><SignatureValue>MIIBAA==</SignatureValue></InvoicingPartySignature></EInvoiceSignature>
</EInvoice>`;

describe('非税 e-bill XML (EINVOICE)', () => {
  it('reads through the ntrev element map, with XML as the source and the signature located in the XML', () => {
    const v = readNonTaxPaymentXml(NTREV);
    expect(v).toMatchObject({
      kind: 'ntrev',
      title: '中央非税收入缴款书_电子票',
      invoiceCode: '00030121',
      invoiceNumber: '0000000001',
      checkCode: 'a1b2c3',
      issueDate: '2025-03-01',
      totalAmount: '150.00',
      payeeName: '示例财政专户',
      payerName: '示例缴款单位',
      extra: { paymentCode: '11000025000000000017', eInvoiceId: '1100000000-00000001' },
    });
    expect(v.payerAccount).toBeUndefined();
    expect(v.lineItems.map((l) => [l.name, l.quantity, l.unitPrice, l.amount])).toEqual([
      ['考试费', '1', '100', '100.00'],
      ['证书费', '1', '50', '50.00'],
    ]);
    expect(v.sources.totalAmount).toBe('embedded-xml');
    expect(v.signatures).toHaveLength(1);
    expect(v.signatures[0]).toMatchObject({ format: 'cms', location: "EINVOICE/EINVOICE_SIGNATURE/SIGNATURE[@ID='InvoicingParty']", signingTime: '2025-03-01T10:00:01+08:00' });
    expect(v.warnings).toEqual([]);
  });

  it('warns when the items do not add up to the paid amount', () => {
    const v = readNonTaxPaymentXml(NTREV.replace('<PAID_AMT>150.00</PAID_AMT>', '<PAID_AMT>160.00</PAID_AMT>'));
    expect(v.warnings).toEqual(['line amounts add up to 150.00, but totalAmount is 160.00']);
  });
});

describe('财政电子票据 XML (EInvoice with Main)', () => {
  it('reads code, number, check code, parties and items', () => {
    const v = readFiscalReceiptXml(EFI);
    expect(v).toMatchObject({
      kind: 'efi',
      title: '示例市医疗门诊收费票据',
      invoiceCode: '32060125',
      invoiceNumber: '0000012345',
      checkCode: '9f3a1c',
      issueDate: '2025-03-02',
      totalAmount: '35.50',
      sellerName: '示例医院',
      payerName: '某某',
      payeeAccount: '320000000001',
      extra: { eInvoiceTag: 'CZ-EI-32', payerType: '1', payeeClerk: '收费员01' },
    });
    expect(v.lineItems).toEqual([
      { name: '挂号费', quantity: '1', unitPrice: '5.5', amount: '5.50' },
      { name: '诊查费', quantity: '1', unitPrice: '30', amount: '30.00' },
    ]);
    expect(v.signatures).toEqual([
      { type: 'sign', format: 'cms', location: 'EInvoice/EInvoiceSignature/InvoicingPartySignature', digestsOk: null, signatureValid: null, reasons: ['InvoicingPartySignature present: not verified by the XML reader'] },
    ]);
    expect(v.signatureVerdict).toBe('unsupported');
  });

  it('is told apart from a 数电票 EInvoice by readVoucherXml', () => {
    expect(readVoucherXml(EFI).format).toBe('fiscal-receipt');
    expect(readVoucherXml(NTREV).format).toBe('non-tax-payment');
    expect(readVoucherXml('<EInvoice><Header><EIid>25110000000000000123</EIid></Header></EInvoice>').format).toBe('einvoice-digital');
  });

  it('rejects other roots', () => {
    expect(() => readFiscalReceiptXml('<EInvoice><Header/></EInvoice>')).toThrow(FormatError);
    expect(() => readNonTaxPaymentXml('<EInvoice/>')).toThrow('root element <EInvoice> is not a 非税 e-bill (<EINVOICE>)');
  });
});

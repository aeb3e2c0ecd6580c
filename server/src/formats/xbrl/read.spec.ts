import { FormatError } from '../errors';
import { isValidUscc } from '../kinds/taxid';
import { CONFIG_IDS } from './element-maps';
import { readXbrl } from './read';
import { corpusFiles, describeCorpus, label, ofdAttachments, readCorpus, toolkitConfigIds, toolkitXbrl } from '../kinds/corpus.testing';
import { readFileSync } from 'node:fs';

function formatError(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError');
}

const NS = 'xmlns="http://www.xbrl.org/2003/instance" xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:link="http://www.xbrl.org/2003/linkbase" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

function instance(body: string, opts: { schemaRef?: string | null; ns?: string; prefix?: string } = {}): string {
  const prefix = opts.prefix ?? 'bker';
  const ref = opts.schemaRef === null ? '' : `<link:schemaRef xlink:type="simple" xlink:href="${opts.schemaRef ?? 'bker_issuer_entry_point_2021-11-30.xsd'}"/>`;
  return `<?xml version="1.0" encoding="UTF-8"?><xbrl ${NS} xmlns:${prefix}="${opts.ns ?? `http://xbrl.mof.gov.cn/taxonomy/2021-11-30/${prefix}`}">${ref}<context id="c1"><entity><identifier scheme="http://xbrl.mof.gov.cn">C1</identifier></entity><period><instant>2022-06-28</instant></period></context><unit id="u1"><measure>iso4217:CNY</measure></unit>${body}</xbrl>`;
}

describe('readXbrl on synthetic instances', () => {
  it('reads a bank receipt with a prefixed xbrli: root, contexts, units and a JSON Notes string', () => {
    const xml = `<xbrli:xbrl xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:link="http://www.xbrl.org/2003/linkbase" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:bker="http://xbrl.mof.gov.cn/taxonomy/2021-11-30/bker">
      <link:schemaRef xlink:type="simple" xlink:href="bker_issuer_entry_point_2021-11-30.xsd"/>
      <xbrli:context id="As_of_2022_12_31"><xbrli:entity><xbrli:identifier scheme="http://xbrl.mof.gov.cn">00102100099996</xbrli:identifier></xbrli:entity>
        <xbrli:period><xbrli:instant>2022-12-31</xbrli:instant></xbrli:period></xbrli:context>
      <xbrli:unit id="CNY"><xbrli:measure>iso4217:CNY</xbrli:measure></xbrli:unit>
      <bker:NumberOfBankElectronicReceipt contextRef="As_of_2022_12_31">22179000012</bker:NumberOfBankElectronicReceipt>
      <bker:TransactionAmountInFigures decimals="2" contextRef="As_of_2022_12_31" unitRef="CNY">40,000.00</bker:TransactionAmountInFigures>
      <bker:IssueDate contextRef="As_of_2022_12_31">2022-06-28</bker:IssueDate>
      <bker:Notes contextRef="As_of_2022_12_31">{"银行业务编号":"A1"}</bker:Notes>
      <bker:Usage contextRef="As_of_2022_12_31"><![CDATA[货款 & 运费]]></bker:Usage>
    </xbrli:xbrl>`;
    const d = readXbrl(xml);
    expect(d.configId).toBe('bker_issuer');
    expect(d.role).toBe('issuer');
    expect(d.taxonomy).toEqual({
      schemaRef: 'bker_issuer_entry_point_2021-11-30.xsd',
      entryPoint: 'bker_issuer_entry_point',
      date: '2021-11-30',
      namespace: 'http://xbrl.mof.gov.cn/taxonomy/2021-11-30/bker',
      prefix: 'bker',
    });
    expect(d.contexts).toEqual([{ id: 'As_of_2022_12_31', entity: { scheme: 'http://xbrl.mof.gov.cn', identifier: '00102100099996' }, period: { instant: '2022-12-31' } }]);
    expect(d.units).toEqual([{ id: 'CNY', measures: ['iso4217:CNY'] }]);
    expect(d.facts[1]).toEqual({ type: 'fact', name: 'TransactionAmountInFigures', prefix: 'bker', value: '40,000.00', nil: false, contextRef: 'As_of_2022_12_31', unitRef: 'CNY', decimals: '2' });
    expect(d.voucher).toMatchObject({ kind: 'bker', invoiceNumber: '22179000012', totalAmount: '40000.00', issueDate: '2022-06-28', title: '银行电子回单' });
    expect(d.voucher.extra).toMatchObject({ notes: '{"银行业务编号":"A1"}', notesJson: { 银行业务编号: 'A1' }, usage: '货款 & 运费' });
    expect(d.voucher.sources.totalAmount).toBe('xbrl');
    expect(d.voucher.warnings).toEqual([]);
  });

  it('keeps a literal <instant>null</instant> as a null period with a warning', () => {
    const xml = instance('<bkrs:Currency contextRef="c1">CNY</bkrs:Currency>', { prefix: 'bkrs', schemaRef: 'bkrs_entry_point_2021-11-30.xsd' }).replace(
      '<instant>2022-06-28</instant>',
      '<instant>null</instant>',
    );
    const d = readXbrl(xml);
    expect(d.configId).toBe('bkrs');
    expect(d.contexts[0].period).toEqual({ instant: null });
    expect(d.voucher.warnings).toContain('context c1: period instant is "null", not a date');
  });

  it('ignores nil facts and reports unknown context and unit references', () => {
    const d = readXbrl(
      instance(
        '<bker:IssueDate contextRef="c1" xsi:nil="true"/><bker:TransactionAmountInFigures contextRef="c9" unitRef="u7" decimals="0">201027</bker:TransactionAmountInFigures>',
      ),
    );
    expect(d.voucher.issueDate).toBeUndefined();
    expect(d.voucher.totalAmount).toBe('201027.00');
    expect(d.voucher.warnings).toEqual(['fact TransactionAmountInFigures: contextRef c9 names no context', 'fact TransactionAmountInFigures: unitRef u7 names no unit']);
  });

  it('infers the configId from the fact prefix when there is no schemaRef', () => {
    const d = readXbrl(instance('<rai:TrainNumber contextRef="c1">G7101</rai:TrainNumber><rai:Fare contextRef="c1" unitRef="u1" decimals="2">181.00</rai:Fare>', { prefix: 'rai', schemaRef: null }));
    expect(d.configId).toBe('rai_issuer');
    expect(d.voucher.totalAmount).toBe('181.00');
    expect(d.voucher.warnings).toContain('no schemaRef: the taxonomy is inferred from the facts');
  });

  it('tells ordinary and special VAT invoices apart by TypeOfInvoice, then by the invoice code', () => {
    const spcl = readXbrl(instance('<inv:TypeOfInvoice contextRef="c1">增值税电子专用发票</inv:TypeOfInvoice>', { prefix: 'inv', schemaRef: 'inv_issuer_entry_point_2023-12-31.xsd' }));
    expect(spcl.configId).toBe('inv_spcl_issuer');
    const byCode = readXbrl(instance('<inv:CodeOfInvoice contextRef="c1">052002100113</inv:CodeOfInvoice>', { prefix: 'inv', schemaRef: 'inv_issuer_entry_point_2023-12-31.xsd' }));
    expect(byCode.configId).toBe('inv_spcl_issuer');
    const ord = readXbrl(instance('<inv:CodeOfInvoice contextRef="c1">033002000211</inv:CodeOfInvoice>', { prefix: 'inv', schemaRef: 'inv_issuer_entry_point_2023-12-31.xsd' }));
    expect(ord.configId).toBe('inv_ord_issuer');
  });

  it('keeps facts the map does not know under extra.otherFacts', () => {
    const d = readXbrl(instance('<bker:SomethingNew contextRef="c1">x</bker:SomethingNew>'));
    expect(d.voucher.extra.otherFacts).toEqual({ SomethingNew: 'x' });
  });

  it('rejects a root that is not <xbrl>', () => {
    const e = formatError(() => readXbrl('<eInvoice/>', { path: 'Doc_0/Attachs/x.xml' }));
    expect(e.code).toBe('unknown_format');
    expect(e.message).toBe('Doc_0/Attachs/x.xml: root element <eInvoice> is not an XBRL instance (<xbrl>)');
  });

  it('rejects an instance of no MoF taxonomy', () => {
    const e = formatError(() => readXbrl(instance('<us:Revenue contextRef="c1">1</us:Revenue>', { prefix: 'us', ns: 'http://fasb.org/us-gaap/2020', schemaRef: 'us-gaap-2020.xsd' })));
    expect(e.code).toBe('unknown_format');
    expect(e.message).toBe('XBRL instance of no known MoF e-voucher taxonomy (schemaRef us-gaap-2020.xsd, fact prefix us)');
  });

  it('rejects a malformed amount naming the element', () => {
    const e = formatError(() => readXbrl(instance('<bker:TransactionAmountInFigures contextRef="c1" unitRef="u1" decimals="2">12元5角</bker:TransactionAmountInFigures>')));
    expect(e.code).toBe('invalid_field');
    expect(e.message).toBe('TransactionAmountInFigures: not an amount: "12元5角"');
  });

  it('rejects a DOCTYPE before anything is expanded', () => {
    const e = formatError(() => readXbrl('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><xbrl>&a;</xbrl>'));
    expect(e.code).toBe('xml_dtd_forbidden');
  });

  it('rejects XML that is not well-formed', () => {
    expect(formatError(() => readXbrl('<xbrl><a></xbrl>')).code).toBe('bad_xml');
  });
});

describeCorpus('readXbrl on every toolkit sample (17 configIds)', () => {
  const ids = toolkitConfigIds();
  it('finds all 17 configIds in the corpus, and has a map for each', () => {
    expect(ids).toHaveLength(17);
    expect([...ids].sort()).toEqual([...CONFIG_IDS].sort());
  });
  it.each(ids)('%s: the configId read from the instance is the file\'s', (id) => {
    const d = readXbrl(readFileSync(toolkitXbrl(id)));
    expect(d.configId).toBe(id);
    expect(d.taxonomy.date).toBe(id === 'ctp' ? '2024-05-30' : '2023-12-31');
    expect(d.contexts).toHaveLength(1);
    expect(d.units).toEqual([{ id: 'u1', measures: ['iso4217:CNY'] }]);
  });
});

describeCorpus('field values of toolkit XBRL samples', () => {
  const read = (id: string) => readXbrl(readFileSync(toolkitXbrl(id)));

  it('inv_ord_issuer: codes, amounts, a discount line, masked seller tax ID', () => {
    const d = read('inv_ord_issuer');
    expect(d.contexts[0]).toEqual({ id: 'c1', entity: { scheme: 'http://xbrl.mof.gov.cn', identifier: '916400007000XXXXXX' }, period: { instant: '2020-03-28' } });
    const v = d.voucher;
    expect(v).toMatchObject({
      kind: 'inv_ord',
      title: '增值税电子普通发票',
      invoiceCode: '011001900211',
      invoiceNumber: '22595386',
      checkCode: '43555457600314354972',
      issueDate: '2020-03-28',
      amountExTax: '235.40',
      taxAmount: '30.60',
      totalAmount: '266.00',
    });
    expect(v.lineItems).toEqual([
      { name: '*汽油*92# 京标VI汽油', unit: '升', quantity: '45.41', unitPrice: '5.885487', amount: '267.26', taxRate: '0.13', taxAmount: '34.74' },
      { name: '*汽油*92# 汽油', unit: '升', amount: '-31.86', taxRate: '0.13', taxAmount: '-4.14' },
    ]);
    expect(v.extra).toMatchObject({ specialInvoiceType: '成品油', lineItemExtras: [{ nature: '普通行' }, { nature: '折扣行' }], incomePeriodFrom: '2020-03' });
    expect(v.warnings).toEqual(['TaxpayerIdentificationNumberUnifiedSocialCreditCodeOfSeller: tax ID is masked']);
  });

  it('inv_spcl_issuer: special invoice with canonical unit price and a 1% rate', () => {
    const v = read('inv_spcl_issuer').voucher;
    expect(v).toMatchObject({ kind: 'inv_spcl', invoiceCode: '062002100113', invoiceNumber: '00341001', totalAmount: '98000.00' });
    expect(v.lineItems[0]).toMatchObject({ unitPrice: '97029.7', amount: '97029.70', taxRate: '0.01' });
    expect(v.warnings).toContain('checkCode "177458479993998670745" is not 20 digits');
  });

  it('inv_ord_receiver: code and number from UniqueCodeOfInvoice, the booking in extra.accounting', () => {
    const v = read('inv_ord_receiver').voucher;
    expect(v).toMatchObject({ kind: 'inv_ord', invoiceCode: '011001900211', invoiceNumber: '22595386', totalAmount: '266.00' });
    expect(v.extra.accounting).toMatchObject({
      entityName: 'ABC',
      isRedInvoice: false,
      checked: true,
      booked: true,
      documents: [
        {
          number: '12345678',
          postingDate: '2020-08-31',
          period: '2020-08',
          summary: '加油费报销',
          entries: [
            { direction: '借方', generalLedgerSubject: '管理费用', subsidiaryLedgerSubject: '燃油费', amount: '266.00' },
            { direction: '贷方', generalLedgerSubject: '应付账款', subsidiaryLedgerSubject: '燃油费', amount: '266.00' },
          ],
        },
      ],
    });
  });

  it('inv_spcl_receiver: recognised as special by its input-VAT facts', () => {
    const v = read('inv_spcl_receiver').voucher;
    expect(v.kind).toBe('inv_spcl');
    expect(v.extra.accounting).toMatchObject({ contractNumber: 'HT1234567890', inputVatTransferredOut: false, inputVatTransferredOutAmount: '0.00', bankReceiptNumber: '202001319029660024300000000001' });
  });

  it('einv_ord_receiver / einv_spcl_receiver: 数电票 numbers and totals, special told apart', () => {
    const ord = read('einv_ord_receiver').voucher;
    expect(ord).toMatchObject({ kind: 'einv_ord', invoiceNumber: '22442000000921300354', amountExTax: '500.00', taxAmount: '0.00', totalAmount: '500.00', issueDate: '2022-07-15' });
    expect(isValidUscc(ord.sellerTaxId!)).toBe(true);
    expect(ord.extra.accounting).toMatchObject({ matchingState: '三单匹配', depreciationMethod: '直线法', documents: [{ number: '07654' }] });
    const spcl = read('einv_spcl_receiver').voucher;
    expect(spcl).toMatchObject({ kind: 'einv_spcl', invoiceNumber: '22442000000921291350', totalAmount: '10170.00', title: '电子发票（增值税专用发票）' });
    expect(spcl.extra.accounting).toMatchObject({ inputVatTransferredOutAmount: '1170.00', usageConfirmed: true });
  });

  it('rai_issuer: traveller, route, train, seat and fare', () => {
    const v = read('rai_issuer').voucher;
    expect(v).toMatchObject({ kind: 'rai', issueDate: '2021-11-12', amountExTax: '393.58', taxAmount: '35.42', totalAmount: '429.00', sellerTaxId: '91100000000013477B' });
    expect(v.extra).toMatchObject({ trainNumber: 'Z37', route: '北京西→襄樊', seat: '021号下铺', seatLevel: '软卧', fare: '429.00', taxRate: '0.09', businessType: '售', travelDate: '2021-11-10' });
    expect(v.extra.travellerIdNumber).toMatch(/\*{4}/);
    expect(v.extra.refundFee).toBeUndefined();
  });

  it('rai_receiver: total derived from ex-tax + tax', () => {
    const v = read('rai_receiver').voucher;
    expect(v).toMatchObject({ totalAmount: '429.00', issueDate: '2021-11-12' });
    expect(v.extra.accounting).toMatchObject({ deducted: true, deductionTaxPeriod: '2021-12' });
  });

  it('atr_issuer: segments, route and the fare breakdown', () => {
    const v = read('atr_issuer').voucher;
    expect(v).toMatchObject({ kind: 'atr', invoiceNumber: '12345678901234567891', checkCode: '7890', totalAmount: '620.00', taxAmount: '47.07', issueDate: '2021-07-28' });
    expect(v.amountExTax).toBeUndefined();
    expect(v.extra).toMatchObject({ route: '合肥 HFE→广州 CAN→北海 BHY', flights: ['CZ8866'], eTicketNumber: '7841234567890', fuelSurcharge: '45.87', otherTaxes: '0.00' });
    expect((v.extra.segments as object[])[1]).toEqual({ from: '广州 CAN', to: '北海 BHY', segment: '2', carrier: '南航', flight: 'CZ8866', class: 'V', date: '2021-07-27', time: '22:50', fareBasis: 'Y50', freeBaggage: '20K' });
    expect(v.warnings).toEqual([]);
  });

  it('atr_receiver: the sample\'s malformed accounting period is reported', () => {
    expect(read('atr_receiver').voucher.warnings).toEqual(['AccountingPeriod: "20121-07" is not a year-month (YYYY-MM)']);
  });

  it('bker_issuer / bker_receiver: payer, payee, amount, serial; the settled invoice', () => {
    const v = read('bker_issuer').voucher;
    expect(v).toMatchObject({ kind: 'bker', invoiceNumber: '201903039029660024300000000001', totalAmount: '1000000.00', currency: 'CNY', bankSerialNumber: 'XXXXXXXXXX', issueDate: '2019-12-31' });
    expect(v.extra).toMatchObject({ transactionCode: '42062', bookkeepingDate: '2019-11-30', journalNumber: 'XX交易记录' });
    const r = read('bker_receiver').voucher;
    expect(r).toMatchObject({ checkCode: 'C10303110004552019030390296600243000000000019444', totalAmount: '1000000.00' });
    expect(r.extra.accounting).toMatchObject({ settledInvoice: { type: '增值税电子专用发票', issueDate: '2019-12-14', uniqueCode: '06200210011300341001' }, reconciled: true, transferredToBank: false });
  });

  it('bkrs: statement lines, balances and the period', () => {
    const v = read('bkrs').voucher;
    expect(v.extra).toMatchObject({ statementPeriod: '2021-08', closingBalance: '95601.54', availableBalance: '95601.54' });
    const lines = v.extra.statementLines as Record<string, unknown>[];
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ bookkeepingDate: '2021-08-15', amount: '156.22', balance: '95601.54', creditOrDebit: '1', receiptNumber: '202108157549660024300000000001' });
    expect(v.warnings).toEqual([]);
  });

  it('efi: 票据代码-票据号码 split from EInvoiceID', () => {
    const v = read('efi').voucher;
    expect(v).toMatchObject({ kind: 'efi', invoiceCode: '2800070000', invoiceNumber: '12103000', totalAmount: '8500.00', issueDate: '2023-06-28', sellerName: 'A单位' });
  });

  it('ntrev_gpm_issuer: nested groups, 缴款码, items and where the two signatures sit', () => {
    const v = read('ntrev_gpm_issuer').voucher;
    expect(v).toMatchObject({ kind: 'ntrev', title: '中央非税收入缴款书_电子票', invoiceCode: '00030121', invoiceNumber: '0000700082', checkCode: '90007d', totalAmount: '200.00', issueDate: '2021-08-24' });
    expect(v.extra).toMatchObject({ paymentCode: '0000002100042048', eInvoiceId: '2800070000-12103000', executingAgencyName: '非试点单位' });
    expect(v.lineItems).toEqual([
      { name: '电信网码号资源占用费', specification: '电信网码号资源占用费', unit: '元', quantity: '1', unitPrice: '100', amount: '100.00' },
      { name: '电信网码号资源占用费', specification: '电信网码号资源占用费', unit: '元', quantity: '1', unitPrice: '100', amount: '100.00' },
    ]);
    expect(v.signatures.map((s) => [s.location, s.format, s.signingTime, s.signatureValid])).toEqual([
      ['EINVOICE_SIGNATURE/INVOICING_PARTY_SIGNATURE', 'cms', '2021-08-25T10:26:03+08:00', null],
      ['EINVOICE_SIGNATURE/SUPERVISOR_PARTY_SIGNATURE', 'cms', '2021-08-25T10:26:04+08:00', null],
    ]);
    expect(v.signatureVerdict).toBe('unsupported');
    expect((v.extra.signatureElements as Record<string, { value: string }>).invoicingParty.value).toMatch(/^MIID0wYJKoZIhvcNAQcC/);
  });

  it('ntrev_gpm_receiver and ctp: receiver views', () => {
    const n = read('ntrev_gpm_receiver').voucher;
    expect(n).toMatchObject({ totalAmount: '200.00', issueDate: '2021-08-24', extra: { eInvoiceId: '2800070000-12103000', accounting: { booked: false } } });
    const c = read('ctp').voucher;
    expect(c).toMatchObject({ kind: 'ctp', invoiceNumber: '409633000562090030000800001', totalAmount: '990.00', issueDate: '2024-05-30' });
    expect(c.extra).toMatchObject({ voucherTypeCode: '5214', adminDivisionCode: '500000', fiscalYear: '2024' });
    expect((c.extra.accounting as { documents: { entries: unknown[] }[] }).documents[0].entries).toHaveLength(4);
  });
});

describeCorpus('XBRL outside the toolkit', () => {
  it('extracted_ofd.xbrl: instant "null", two facts, a bank statement without lines', () => {
    const d = readXbrl(readCorpus('hyg__js.sample/xbrl__extracted_ofd.xbrl'));
    expect(d.configId).toBe('bkrs');
    expect(d.taxonomy.date).toBe('2021-11-30');
    expect(d.contexts[0]).toMatchObject({ id: 'As_Of_null', period: { instant: null } });
    expect(d.voucher).toMatchObject({ kind: 'bkrs', currency: 'CNY', extra: { issuerCode: 'C1030131001288' } });
    expect(d.voucher.warnings).toEqual([
      'context As_Of_null: period instant is "null", not a date',
      'bank statement has no transaction lines (InformationOfReconcileDetailsTuple)',
    ]);
  });

  const embedded = (ofd: string) => {
    const entries = Object.entries(ofdAttachments(ofd));
    expect(entries).toHaveLength(1);
    return readXbrl(entries[0][1], { path: entries[0][0] });
  };

  it('ICBC receipt (gonghang_1.ofd): xbrli: root, JSON in Notes', () => {
    const d = embedded('itlabers__ofd-go/samples__gonghang_1.ofd');
    expect(d.configId).toBe('bker_issuer');
    expect(d.contexts[0].id).toBe('As_of_2022_12_31');
    const v = d.voucher;
    expect(v).toMatchObject({ invoiceNumber: '22179000012', totalAmount: '40000.00', issueDate: '2022-06-28', currency: 'CNY' });
    expect(v.extra.notesJson).toEqual({ 银行业务编号: '' });
    expect(v.payerAccount).toHaveLength(19);
    expect(v.warnings).toEqual([]);
  });

  it('State Grid receipt (gh11.ofd): an amount with decimals="0"', () => {
    const d = embedded('itlabers__ofd-go/samples__gh11.ofd');
    expect(d.facts.find((f) => f.name === 'TransactionAmountInFigures')).toMatchObject({ value: '201027', decimals: '0' });
    expect(d.voucher).toMatchObject({ totalAmount: '201027.00', issueDate: '2022-06-30', bankSerialNumber: '00821220621000013396' });
  });

  it('CEB receipt (bank_receipt_1.ofd): attachment not named after its configId', () => {
    const d = embedded('itlabers__ofd-go/samples__bank_receipt_1.ofd');
    expect(d.configId).toBe('bker_issuer');
    expect(d.voucher).toMatchObject({ invoiceNumber: '202006229013100000510000000001', totalAmount: '400000.00', issueDate: '2020-06-22' });
  });

  it('ICBC test-data receipt: element names as values are ignored with warnings', () => {
    const d = embedded('itlabers__ofd-go/samples__0200216819200056225_001_21253000001_20220101_acc.ofd');
    expect(d.voucher.totalAmount).toBe('67.00');
    expect(d.voucher.warnings).toEqual([
      "TypeOfSourceDocument: value is the element's own name (placeholder), ignored",
      "NumberOfSourceDocument: value is the element's own name (placeholder), ignored",
      "Usage: value is the element's own name (placeholder), ignored",
    ]);
  });

  it('12306 ticket (售票换开样例.ofd): rai 2021-11-30 with nil facts', () => {
    const d = embedded('itlabers__ofd-go/samples__售票换开样例.ofd');
    expect(d.taxonomy.date).toBe('2021-11-30');
    const v = d.voucher;
    expect(v).toMatchObject({ kind: 'rai', invoiceNumber: '22119130671000000049', totalAmount: '181.00', amountExTax: '166.05', taxAmount: '14.95', issueDate: '2022-03-17' });
    expect(v.extra).toMatchObject({ trainNumber: 'G7101', route: '南京→上海虹桥', originalInvoiceNumber: '22119130671000000048', eTicketNumber: '306712A086012090014302022' });
    expect(v.extra.issueParty).toBeUndefined();
    expect(v.extra.travellerIdNumber).toMatch(/^\d{10}\*{4}\d{4}$/);
  });

  it('nuonuo 清单 invoice (SignScaleError.ofd): inv 2021-09-30 with CDATA values', () => {
    const d = embedded('ofdrw__ofdrw/ofdrw-converter__src__test__resources__SignScaleError.ofd');
    expect(d.configId).toBe('inv_ord_issuer');
    expect(d.taxonomy.date).toBe('2021-09-30');
    const v = d.voucher;
    expect(v).toMatchObject({ invoiceCode: '033002200211', invoiceNumber: '99934328', amountExTax: '9.91', taxAmount: '1.29', totalAmount: '11.20', issueDate: '2022-09-01' });
    expect(isValidUscc(v.sellerTaxId!)).toBe(true);
    expect(isValidUscc(v.buyerTaxId!)).toBe(true);
  });

  it('bank statement OFD (voucher_issuer.xbrl) and the MoF pilot receipt', () => {
    const s = embedded('itlabers__ofd-go/samples__bkrs_issuer_20220309_C1030311000455.ofd');
    expect(s.voucher).toMatchObject({ kind: 'bkrs', issueDate: '2021-08-21' });
    expect(s.voucher.extra.statementLines).toHaveLength(2);
    const r = embedded('itlabers__ofd-go/samples__bker_issuer_20191231_C10303110004552019030390296600243000000000019444.ofd');
    expect(r.voucher).toMatchObject({ totalAmount: '1000000.00', invoiceNumber: '201903039029660024300000000001' });
  });
});

describeCorpus('every XML and XBRL file of the corpus is read or rejected precisely', () => {
  const files = corpusFiles('.xml', '.xbrl');
  it('has XML files to check', () => expect(files.length).toBeGreaterThan(30));
  it.each(files.map((f) => [label(f), f]))('%s', (_l, rel) => {
    const bytes = readCorpus(rel);
    let root = '';
    try {
      const d = readXbrl(bytes, { path: rel });
      expect(CONFIG_IDS).toContain(d.configId);
      return;
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
      root = (e as FormatError).message;
    }
    // Non-XBRL XML of the corpus is OFD internals and the ofdrw Signature.xml: rejected by its root element.
    expect(root).toMatch(/: root element <(ofd:)?[A-Za-z]+> is not an XBRL instance \(<xbrl>\)$/);
  });
});

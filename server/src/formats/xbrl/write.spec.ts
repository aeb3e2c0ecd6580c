import { readFileSync } from 'node:fs';
import { readVoucherJson } from '../json/read';
import { describeCorpus, toolkitConfigIds, toolkitXbrl } from '../kinds/corpus.testing';
import { emptyVoucher } from '../kinds/build';
import { readXbrl } from './read';
import { writeVoucherJson, writeXbrl } from './write';

describe('writeXbrl / writeVoucherJson for a receiver (入账) file', () => {
  const v = emptyVoucher('einv_ord');
  Object.assign(v, { invoiceNumber: '25110000000000000123', totalAmount: '1060.00', issueDate: '2025-04-01' });
  v.sources = { invoiceNumber: 'embedded-xml', totalAmount: 'embedded-xml', issueDate: 'embedded-xml' };
  v.extra.accounting = {
    entityTaxId: '91110108MA0000001D',
    entityName: '示例单位',
    booked: true,
    documents: [{ number: '记-0007', postingDate: '2025-04-03', period: '2025-04', entries: [{ direction: '借方', generalLedgerSubjectCode: '5001', generalLedgerSubject: '业务活动费用', amount: '1060.00' }, { direction: '贷方', generalLedgerSubject: '银行存款', amount: '1060.00' }] }],
  };

  it('writes the einv names of the receiver elements, with units on money, and reads back', () => {
    const xml = writeXbrl('einv_ord_receiver', v, { entityIdentifier: '91110108MA0000001D', instant: '2025-04-03' });
    expect(xml).toContain('<link:schemaRef xlink:type="simple" xlink:href="einv_entry_point_2023-12-31.xsd"/>');
    expect(xml).toContain('<einv:TotalTax-includedAmount contextRef="c1" unitRef="u1" decimals="2">1060.00</einv:TotalTax-includedAmount>');
    expect(xml).toContain('<einv:WhetherEinvoiceHasBeenBooked contextRef="c1">true</einv:WhetherEinvoiceHasBeenBooked>');
    expect(xml).not.toContain('WhetherInvoiceHasBeenBooked');
    expect(xml).toContain('<einv:CodeOfGeneralLedgerSubject contextRef="c1">5001</einv:CodeOfGeneralLedgerSubject>');
    const back = readXbrl(xml);
    expect(back.configId).toBe('einv_ord_receiver');
    expect(back.contexts).toEqual([{ id: 'c1', entity: { scheme: 'http://xbrl.mof.gov.cn', identifier: '91110108MA0000001D' }, period: { instant: '2025-04-03' } }]);
    expect(back.voucher).toMatchObject({ invoiceNumber: '25110000000000000123', totalAmount: '1060.00', issueDate: '2025-04-01', extra: { accounting: v.extra.accounting } });
  });

  it('writes the JSON form with tuples as arrays', () => {
    expect(writeVoucherJson('einv_ord_receiver', v)).toEqual({
      InvoiceNumber: '25110000000000000123',
      'TotalTax-includedAmount': '1060.00',
      RequestTime: '2025-04-01',
      UnifiedSocialCreditCodeOfAccountingEntity: '91110108MA0000001D',
      NameOfAccountingEntity: '示例单位',
      WhetherEinvoiceHasBeenBooked: 'true',
      InformationOfAccountingDocumentsTuple: [
        {
          NumberOfAccountingDocuments: '记-0007',
          PostingDate: '2025-04-03',
          AccountingPeriod: '2025-04',
          InformationOfDebitAndCreditEntryTuple: [
            { DebitOrCredit: '借方', CodeOfGeneralLedgerSubject: '5001', NameOfGeneralLedgerSubject: '业务活动费用', RecordedAmount: '1060.00' },
            { DebitOrCredit: '贷方', NameOfGeneralLedgerSubject: '银行存款', RecordedAmount: '1060.00' },
          ],
        },
      ],
    });
  });

  it('escapes markup in values', () => {
    const b = emptyVoucher('bker');
    Object.assign(b, { invoiceNumber: 'A<1>&"' });
    b.sources.invoiceNumber = 'xbrl';
    const xml = writeXbrl('bker_issuer', b, { entityIdentifier: 'C1', instant: '2022-01-01' });
    expect(xml).toContain('<bker:NumberOfBankElectronicReceipt contextRef="c1">A&lt;1&gt;&amp;&quot;</bker:NumberOfBankElectronicReceipt>');
    expect(readXbrl(xml).voucher.invoiceNumber).toBe('A<1>&"');
  });
});

describeCorpus('every toolkit sample survives read → write → read', () => {
  it.each(toolkitConfigIds())('%s', (id) => {
    const d = readXbrl(readFileSync(toolkitXbrl(id)));
    const ctx = d.contexts[0];
    const xml = writeXbrl(id, d.voucher, { entityIdentifier: ctx.entity.identifier!, instant: ctx.period.instant! });
    const again = readXbrl(xml);
    expect(again.configId).toBe(id);
    expect(again.voucher).toEqual(d.voucher);
    expect(readVoucherJson(JSON.stringify(writeVoucherJson(id, d.voucher))).voucher).toEqual(d.voucher);
  });
});

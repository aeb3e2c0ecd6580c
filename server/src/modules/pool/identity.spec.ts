import { businessIdentity, differences, searchText } from './identity';
import type { Voucher } from '../../formats/voucher';

const base = (over: Partial<Voucher>): Partial<Voucher> => ({ lineItems: [], extra: {}, warnings: [], ...over });
const SHA = 'ab'.repeat(32);

describe('businessIdentity', () => {
  test('VAT invoices need code and number; 数电票 the number alone', () => {
    expect(businessIdentity(base({ kind: 'inv_ord', invoiceCode: '011001700112', invoiceNumber: '10113872' }), SHA)).toEqual({ key: 'vat:011001700112:10113872', business: true });
    expect(businessIdentity(base({ kind: 'inv_spcl', invoiceNumber: '10113872' }), SHA)).toEqual({ key: `sha256:${SHA}`, business: false });
    expect(businessIdentity(base({ kind: 'einv_ord', invoiceCode: '', invoiceNumber: '26427000000316294884' }), SHA).key).toBe('einv:26427000000316294884');
  });
  test('railway/air ticket numbers, fiscal code+number, 缴款码, bank serial, statement account+period', () => {
    expect(businessIdentity(base({ kind: 'rai', extra: { eTicketNumber: 'E123' } }), SHA).key).toBe('rai:E123');
    expect(businessIdentity(base({ kind: 'efi', invoiceCode: '32010121', invoiceNumber: '0000123' }), SHA).key).toBe('efi:32010121:0000123');
    expect(businessIdentity(base({ kind: 'ntrev', invoiceCode: '1', invoiceNumber: '2', extra: { paymentCode: ' 3201 0000 ' } }), SHA).key).toBe('ntrev:32010000');
    expect(businessIdentity(base({ kind: 'bker', bankSerialNumber: 'c1030', invoiceNumber: 'R9' }), SHA).key).toBe('bker:C1030');
    expect(businessIdentity(base({ kind: 'bkrs', extra: { account: '6222 01', statementPeriod: '2022-03' } }), SHA).key).toBe('bkrs:622201:2022-03');
    expect(businessIdentity(base({ kind: 'other' }), SHA)).toEqual({ key: `sha256:${SHA}`, business: false });
  });
});

describe('differences', () => {
  test('amounts compare as money, parties ignoring spaces and case; fields only one side has do not count', () => {
    const a = base({ totalAmount: '100.00', sellerTaxId: '91320000MA1234567X', buyerTaxId: '1' });
    expect(differences(a, base({ totalAmount: '100.00', sellerTaxId: '91320000ma1234567x' }))).toEqual([]);
    expect(differences(a, base({ totalAmount: '100.01', buyerTaxId: '2' }))).toEqual([
      { field: 'totalAmount', existing: '100.00', incoming: '100.01' },
      { field: 'buyerTaxId', existing: '1', incoming: '2' },
    ]);
  });
});

test('searchText joins names and numbers once each', () => {
  expect(searchText(base({ invoiceNumber: '1', sellerName: '甲公司', buyerName: '甲公司', lineItems: [{ name: '办公用品' }] }))).toBe('1 甲公司 办公用品');
  // A bank statement is found in the pool by its account number and account name.
  expect(searchText(base({ extra: { account: '6222000000000000999', accountName: '示例市测试局' } }))).toBe('6222000000000000999 示例市测试局');
});

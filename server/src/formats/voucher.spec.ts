import { hasVoucherContent } from './voucher';

describe('hasVoucherContent: what makes a reading a voucher', () => {
  it('a recognised kind is a voucher whatever it holds', () => {
    expect(hasVoucherContent({ kind: 'inv_ord', lineItems: [] })).toBe(true);
  });
  it('kind other with nothing a voucher has is not one (an OFD letter, a seal image)', () => {
    expect(hasVoucherContent({ kind: 'other', lineItems: [] })).toBe(false);
    expect(hasVoucherContent({ kind: 'other', lineItems: [], invoiceNumber: '  ' })).toBe(false);
  });
  it('kind other with a number, an amount, a date, a party or a line is one (a taxi itinerary)', () => {
    expect(hasVoucherContent({ kind: 'other', lineItems: [], totalAmount: '17.14' })).toBe(true);
    expect(hasVoucherContent({ kind: 'other', lineItems: [], issueDate: '2025-10-07' })).toBe(true);
    expect(hasVoucherContent({ kind: 'other', lineItems: [], payeeName: '某出行平台' })).toBe(true);
    expect(hasVoucherContent({ kind: 'other', lineItems: [{ name: '打车费' } as never] })).toBe(true);
  });
});

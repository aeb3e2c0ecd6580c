import { checkShape, checkTotals } from './kinds/checks';
import { parseMoney } from './kinds/money';
import { normaliseTaxId } from './kinds/taxid';
import { OCR_WARNING } from './ocr/ocr';
import type { Voucher } from './voucher';
import { warningCode, warningCodes } from './warning-codes';

// Sentences as their producers write them (the producers are called where they can be), read back as codes.
const voucher = (v: Partial<Voucher>) => ({ kind: 'inv_ord', warnings: [], ...v }) as Voucher;

test('tax ID, money and consistency warnings of the readers get their codes and values', () => {
  const [masked] = normaliseTaxId('91110108MA01****8X', 'sellerTaxId').warnings;
  expect(warningCode(masked)).toEqual({ code: 'tax_id_masked', params: { field: 'sellerTaxId' } });
  const [check] = normaliseTaxId('91110108MA01ABCD81', 'Seller/SellerTaxID').warnings;
  expect(warningCode(check)).toEqual({ code: 'tax_id_check_char', params: { field: 'Seller/SellerTaxID' } });
  const [length] = normaliseTaxId('1234567', 'buyerTaxId').warnings;
  expect(warningCode(length)).toEqual({ code: 'tax_id_length', params: { field: 'buyerTaxId', length: '7' } });
  expect(warningCode(parseMoney('***', 'TaxTotalAmount').warnings[0])).toEqual({ code: 'amount_masked', params: { field: 'TaxTotalAmount', raw: '***' } });

  const v = voucher({ amountExTax: '100.00', taxAmount: '6.00', totalAmount: '106.01', invoiceNumber: '12AB' });
  checkTotals(v);
  checkShape(v, 'invoiceNumber', /^\d{8}$/, '8 digits');
  expect(warningCodes(v.warnings)).toEqual([
    { code: 'amounts_sum', params: { ex: '100.00', tax: '6.00', sum: '106.00', total: '106.01' } },
    { code: 'format_mismatch', params: { field: 'invoiceNumber', value: '12AB', expected: '8 digits' } },
  ]);
  expect(warningCode(OCR_WARNING)).toEqual({ code: 'ocr_low_confidence', params: {} });
});

test('a layer warning keeps its inner warning coded; a signature warning its failing reason', () => {
  expect(warningCode('embedded-xml (Doc_0/Attachs/original_invoice.xml): Buyer/BuyerTaxID: unified social credit code fails the GB 32100 check character')).toEqual({
    code: 'layer',
    params: { source: 'embedded-xml', path: 'Doc_0/Attachs/original_invoice.xml' },
    detail: { code: 'tax_id_check_char', params: { field: 'Buyer/BuyerTaxID' } },
  });
  expect(warningCode('xbrl (Doc_0/Attachs/a.xml): something no template knows')).toEqual({ code: 'layer', params: { source: 'xbrl', path: 'Doc_0/Attachs/a.xml' }, detail: null });
  expect(warningCode('signature invalid: reference /Doc_0/Document.xml: SM3 digest mismatch (file changed after signing)')).toEqual({
    code: 'signature_invalid',
    params: { detail: 'reference /Doc_0/Document.xml: SM3 digest mismatch (file changed after signing)' },
    reason: { code: 'reference_mismatch', params: { path: '/Doc_0/Document.xml', algorithm: 'SM3' } },
  });
  expect(warningCode('no business identity found for kind other: deduplicated by content only')).toEqual({ code: 'no_business_identity', params: { kind: 'other' } });
  expect(warningCode('Doc_0/Document.xml: resource file PublicRes.xml is missing from the package')).toEqual({
    code: 'entry_missing',
    params: { referrer: 'Doc_0/Document.xml', what: 'resource file', entry: 'PublicRes.xml' },
  });
});

test('a sentence no template knows gets null (shown as written); no warnings, no codes', () => {
  expect(warningCode('a brand-new kind of warning')).toBeNull();
  expect(warningCodes(undefined)).toEqual([]);
});

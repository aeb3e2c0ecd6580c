import { FormatError } from '../errors';
import { parseQrPayload } from './payload';
import { fenToMoney, toIsoDate, toMoney } from './values';

describe('parseQrPayload: tax bureau comma-separated payloads (spec §4)', () => {
  it('reads an old VAT e-普票 (type 10): code, number, amount excluding tax, date, 校验码, check', () => {
    const qr = parseQrPayload('01,10,033002000211,83089647,510.68,20200723,16197833567414507415,0941,');
    expect(qr).toEqual({
      kind: 'inv_ord',
      format: 'tax-csv',
      typeCode: '10',
      invoiceCode: '033002000211',
      invoiceNumber: '83089647',
      amountExTax: '510.68',
      issueDate: '2020-07-23',
      checkCode: '16197833567414507415',
      payloadCheck: '0941',
      warnings: [],
    });
  });

  it('maps the old VAT type codes 01/04/08 to special/ordinary kinds', () => {
    expect(parseQrPayload('01,01,3200191130,01234567,1000.00,20190101,,ABCD,').kind).toBe('inv_spcl');
    expect(parseQrPayload('01,04,3200191130,01234567,1000.00,20190101,12345678901234567890,ABCD,').kind).toBe('inv_ord');
    expect(parseQrPayload('01,08,052002000111,01234567,1000.00,20220101,,ABCD,').kind).toBe('inv_spcl');
  });

  it('reads a 数电票 专票 (type 31): empty code, 20-digit number, amount = 价税合计', () => {
    const qr = parseQrPayload('01,31,,25924000000001260164,379.00,20250401,,8924');
    expect(qr).toEqual({
      kind: 'einv_spcl',
      format: 'tax-csv',
      typeCode: '31',
      invoiceNumber: '25924000000001260164',
      totalAmount: '379.00',
      issueDate: '2025-04-01',
      payloadCheck: '8924',
      warnings: [],
    });
    expect(qr.amountExTax).toBeUndefined();
  });

  it('reads a 数电票 普票 (type 32)', () => {
    const qr = parseQrPayload('01,32,,26427000000145892896,220.00,20260108,,1001');
    expect(qr.kind).toBe('einv_ord');
    expect(qr.totalAmount).toBe('220.00');
    expect(qr.issueDate).toBe('2026-01-08');
  });

  it('tolerates the non-conforming 滴滴 variant (dashed date, no check field) with warnings', () => {
    const qr = parseQrPayload('01,32,,25317000002856140513,73.20,2025-11-08,,');
    expect(qr.issueDate).toBe('2025-11-08');
    expect(qr.totalAmount).toBe('73.20');
    expect(qr.payloadCheck).toBeUndefined();
    expect(qr.warnings).toEqual([
      'QR date "2025-11-08" is not in the standard yyyymmdd form',
      'QR payload has no closing check field',
    ]);
  });

  it('reads the air itinerary (type 61) whose amount has no decimals', () => {
    const qr = parseQrPayload('01,61,,9223372036854775807,620,20210728,,7890');
    expect(qr.kind).toBe('atr');
    expect(qr.totalAmount).toBe('620.00');
    expect(qr.checkCode).toBeUndefined();
    expect(qr.payloadCheck).toBe('7890');
    expect(qr.warnings).toEqual(['QR amount "620" has no decimals; read as 620.00']);
  });

  it('keeps a red (credit) invoice amount negative', () => {
    expect(parseQrPayload('01,32,,26427000000145892897,-36.00,20260109,,1002').totalAmount).toBe('-36.00');
  });

  it('accepts a full-width comma separator and surrounding whitespace', () => {
    const qr = parseQrPayload(' 01，32，，26427000000145892896，220.00，20260108，，1001\n');
    expect(qr.invoiceNumber).toBe('26427000000145892896');
  });
});

describe('parseQrPayload: URL payloads', () => {
  it('reads the Shenzhen blockchain invoice URL with total_amount in fen', () => {
    const qr = parseQrPayload('https://bcfp.shenzhen.chinatax.gov.cn/verify/scan?hash=00ab&bill_num=17367455&total_amount=1500');
    expect(qr).toEqual({ kind: 'inv_ord', format: 'shenzhen-blockchain-url', invoiceNumber: '17367455', totalAmount: '15.00', warnings: [] });
  });

  it('rejects other URLs (a trip sheet short link) as not an invoice payload', () => {
    expect(() => parseQrPayload('https://v.didi.cn/p/abc')).toThrow('URL QR payload from v.didi.cn is not a known invoice payload');
  });
});

describe('parseQrPayload: rejections are FormatError invalid_field with the reason', () => {
  const cases: Array<[string, string]> = [
    ['', 'empty QR payload'],
    ['hello world', 'not an invoice QR payload'],
    ['01,10,033002000211', 'has 3 fields, at least 6 expected'],
    ['01,99,,25924000000001260164,379.00,20250401,,8924', 'unknown invoice type code "99"'],
    ['01,31,,2592400000000126016X,379.00,20250401,,8924', '发票号码 "2592400000000126016X"'],
    ['01,31,,25924000000001260164,3.7.9,20250401,,8924', 'amount "3.7.9"'],
    ['01,31,,25924000000001260164,379.00,20250231,,8924', '开票日期 "20250231"'],
    ['01,10,,83089647,510.68,20200723,16197833567414507415,0941,', 'requires a 发票代码'],
    ['https://bcfp.shenzhen.chinatax.gov.cn/verify/scan?bill_num=17367455&total_amount=15.5', 'total_amount "15.5"'],
  ];
  it.each(cases)('%j → %s', (payload, reason) => {
    let error: unknown;
    try {
      parseQrPayload(payload);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).code).toBe('invalid_field');
    expect((error as FormatError).message).toContain(reason);
  });
});

describe('values', () => {
  it('toMoney never goes through floats and pads to two places', () => {
    expect(toMoney('620')).toBe('620.00');
    expect(toMoney('¥1,234.5')).toBe('1234.50');
    expect(toMoney('CNY 477.06')).toBe('477.06');
    expect(toMoney('-0')).toBe('0.00');
    expect(toMoney('0.1')).toBe('0.10');
    expect(toMoney('12345678901234567.89')).toBe('12345678901234567.89');
    expect(toMoney('1.234')).toBeUndefined();
    expect(toMoney('abc')).toBeUndefined();
  });
  it('fenToMoney', () => {
    expect(fenToMoney('1500')).toBe('15.00');
    expect(fenToMoney('7')).toBe('0.07');
    expect(fenToMoney('-250')).toBe('-2.50');
    expect(fenToMoney('1.5')).toBeUndefined();
  });
  it('toIsoDate', () => {
    expect(toIsoDate('20230811')).toBe('2023-08-11');
    expect(toIsoDate('2023年8月1日')).toBe('2023-08-01');
    expect(toIsoDate('2024 年 02 月 29 日')).toBe('2024-02-29');
    expect(toIsoDate('20230229')).toBeUndefined();
    expect(toIsoDate('2023-13-01')).toBeUndefined();
  });
});

import { FormatError } from '../errors';
import { emptyVoucher } from './build';
import { checkAccounting } from './accounting';
import { normaliseBankStatement } from './bank';
import { checkLineItemSums, checkTotals } from './checks';
import { checkYearMonth, parseDate } from './dates';
import { addMoney, canonicalDecimal, compareMoney, fromFen, moneyEquals, normaliseTaxRate, parseMoney, subtractMoney, toFen } from './money';
import { isValidUscc, maskTaxId, normaliseTaxId, usccCheckChar } from './taxid';
import { kindFromInvoiceCode } from './invoices';
import { parseAmountInWords } from './words';
import { checkAmountInWords } from './checks';

function formatError(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError');
}

describe('parseMoney', () => {
  it.each([
    ['¥1,234.5', '1234.50'],
    ['1234.5', '1234.50'],
    ['１２３４．５０', '1234.50'],
    ['￥５１０．６８', '510.68'],
    ['-36', '-36.00'],
    ['¥-36.00', '-36.00'],
    ['-¥36.00', '-36.00'],
    ['－３６．００元', '-36.00'],
    ['0', '0.00'],
    ['400000', '400000.00'],
    ['.5', '0.50'],
    [' 98,000.00 ', '98000.00'],
    ['CNY 620', '620.00'],
  ])('%s → %s', (raw, expected) => {
    expect(parseMoney(raw, 'TotalAmount')).toEqual({ value: expected, warnings: [] });
  });

  it('treats the *** mask as absent, with a warning naming the field', () => {
    expect(parseMoney('***', '合计税额')).toEqual({ warnings: ['合计税额: amount is masked ("***"), treated as absent'] });
  });

  it('gives nothing for an empty value', () => {
    expect(parseMoney('  ', 'x')).toEqual({ warnings: [] });
    expect(parseMoney(undefined, 'x')).toEqual({ warnings: [] });
  });

  it('rounds more than two decimals half away from zero, with a warning', () => {
    expect(parseMoney('510.675', 'Amount').value).toBe('510.68');
    expect(parseMoney('-0.005', 'Amount').value).toBe('-0.01');
    expect(parseMoney('1.1049', 'Amount')).toEqual({ value: '1.10', warnings: ['Amount: amount "1.1049" has more than two decimals, rounded to fen'] });
    expect(parseMoney('2.500', 'Amount')).toEqual({ value: '2.50', warnings: [] });
  });

  it.each(['abc', '12.3.4', '1,23', '--5', '¥', '12元5角'])('rejects %s with a FormatError naming the field', (raw) => {
    const e = formatError(() => parseMoney(raw, 'TransactionAmountInFigures'));
    expect(e.code).toBe('invalid_field');
    expect(e.message).toContain('TransactionAmountInFigures: not an amount');
  });
});

describe('exact money arithmetic', () => {
  it('adds without float error', () => {
    expect(addMoney('0.10', '0.20')).toBe('0.30');
    expect(addMoney('267.26', '-31.86')).toBe('235.40');
    expect(addMoney('97029.70', '970.30')).toBe('98000.00');
    expect(addMoney('99999999999999999.99', '0.01')).toBe('100000000000000000.00');
  });
  it('subtracts, compares and converts to fen', () => {
    expect(subtractMoney('620.00', '47.07')).toBe('572.93');
    expect(subtractMoney('1.00', '1.01')).toBe('-0.01');
    expect(moneyEquals('500.00', '500.00')).toBe(true);
    expect(compareMoney('-1.00', '0.00')).toBe(-1);
    expect(toFen('-36.05')).toBe(-3605n);
    expect(fromFen(5n)).toBe('0.05');
    expect(fromFen(-0n)).toBe('0.00');
  });
  it('refuses non-canonical input', () => {
    expect(() => toFen('1.5')).toThrow(FormatError);
  });
});

describe('canonicalDecimal and normaliseTaxRate', () => {
  it('spells quantities and unit prices one way', () => {
    expect(canonicalDecimal('97029.70', 'UnitPrice')).toBe('97029.7');
    expect(canonicalDecimal('1.0000', 'PAY_NUMBER')).toBe('1');
    expect(canonicalDecimal('5.885487', 'UnitPrice')).toBe('5.885487');
    expect(canonicalDecimal('007', 'q')).toBe('7');
    expect(() => canonicalDecimal('1,5x', 'q')).toThrow('q: not a number');
  });
  it('writes rates as fractions', () => {
    expect(normaliseTaxRate('13%', 'TaxRate')).toBe('0.13');
    expect(normaliseTaxRate('0.09', 'TaxRate')).toBe('0.09');
    expect(normaliseTaxRate('1%', 'TaxRate')).toBe('0.01');
    expect(normaliseTaxRate('0.5%', 'TaxRate')).toBe('0.005');
    expect(normaliseTaxRate('６%', 'TaxRate')).toBe('0.06');
    expect(normaliseTaxRate('免税', 'TaxRate')).toBe('免税');
  });
});

describe('parseDate', () => {
  it.each([
    ['2020年07月23日', '2020-07-23'],
    ['2020年7月3日', '2020-07-03'],
    ['20200723', '2020-07-23'],
    ['2020-07-23', '2020-07-23'],
    ['2020/7/23', '2020-07-23'],
    ['2020-07-23T10:00:00', '2020-07-23'],
    ['2022-07-15 14:03:22', '2022-07-15'],
    ['2020-07-23T10:00:00+08:00', '2020-07-23'],
    ['２０２０年０７月２３日', '2020-07-23'],
    ['2024-02-29', '2024-02-29'],
  ])('%s → %s', (raw, expected) => {
    expect(parseDate(raw, 'IssueDate')).toBe(expected);
  });
  it.each(['2023-02-29', '2020-13-01', 'null', '23/07/2020', '2020-07'])('rejects %s', (raw) => {
    const e = formatError(() => parseDate(raw, 'DateOfIssue'));
    expect(e.code).toBe('invalid_field');
    expect(e.message).toBe(`DateOfIssue: not a date: "${raw}"`);
  });
  it('checks year-months', () => {
    expect(checkYearMonth('2021-07', 'AccountingPeriod')).toBeUndefined();
    expect(checkYearMonth('20121-07', 'AccountingPeriod')).toBe('AccountingPeriod: "20121-07" is not a year-month (YYYY-MM)');
  });
});

describe('unified social credit code (GB 32100)', () => {
  it('computes the check character of real codes', () => {
    // 中国国家铁路集团有限公司 (public) and the GB 32100 example code.
    expect(usccCheckChar('91100000000013477')).toBe('B');
    expect(isValidUscc('91100000000013477B')).toBe(true);
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
    expect(isValidUscc('91350100M000100Y44')).toBe(false);
    expect(isValidUscc('9135010OM000100Y43')).toBe(false); // letter O is not in the alphabet
  });
  it('normalises and warns instead of rejecting', () => {
    expect(normaliseTaxId(' 91100000000013477b ', 'SellerIdNum')).toEqual({ value: '91100000000013477B', warnings: [] });
    expect(normaliseTaxId('９１１０００００００００１３４７７Ｂ', 'x').value).toBe('91100000000013477B');
    expect(normaliseTaxId('91100000000013477A', 'SellerIdNum').warnings).toEqual([
      'SellerIdNum: unified social credit code fails the GB 32100 check character',
    ]);
    expect(normaliseTaxId('916400007000XXXXXX', 'NameOfSeller').warnings).toEqual(['NameOfSeller: tax ID is masked']);
    expect(normaliseTaxId('110101198001011', 'x')).toEqual({ value: '110101198001011', warnings: [] }); // 15 chars
    expect(normaliseTaxId('91110000073123456', 'x').warnings).toEqual([]); // 17 chars
    expect(normaliseTaxId('12345', 'BuyerTaxID').warnings).toEqual(['BuyerTaxID: tax ID has 5 characters (expected 15, 17, 18 or 20)']);
  });
  it('masks for logs', () => {
    expect(maskTaxId('91100000000013477B')).toBe('9110************7B');
  });
});

describe('invoice code kinds', () => {
  it('reads the type from the last two digits of a 12-digit code', () => {
    expect(kindFromInvoiceCode('033002000211')).toBe('inv_ord');
    expect(kindFromInvoiceCode('052002100113')).toBe('inv_spcl');
    expect(kindFromInvoiceCode('1100191130')).toBeUndefined();
  });
});

describe('consistency checks', () => {
  it('warns when ex-tax + tax ≠ total', () => {
    const v = { ...emptyVoucher('inv_ord'), amountExTax: '510.68', taxAmount: '15.32', totalAmount: '526.00' };
    checkTotals(v);
    expect(v.warnings).toEqual([]);
    v.totalAmount = '526.01';
    checkTotals(v);
    expect(v.warnings).toEqual(['amountExTax 510.68 + taxAmount 15.32 = 526.00, but totalAmount is 526.01']);
  });

  it('adds discount lines into the line sum', () => {
    const v = {
      ...emptyVoucher('inv_ord'),
      amountExTax: '235.40',
      taxAmount: '30.60',
      lineItems: [
        { amount: '267.26', taxAmount: '34.74' },
        { amount: '-31.86', taxAmount: '-4.14' },
      ],
    };
    checkLineItemSums(v);
    expect(v.warnings).toEqual([]);
    v.taxAmount = '30.61';
    checkLineItemSums(v);
    expect(v.warnings).toEqual(['line tax amounts add up to 30.60, but taxAmount is 30.61']);
  });

  it('checks that every journal voucher balances', () => {
    const v = emptyVoucher('efi');
    v.extra.accounting = {
      documents: [
        {
          number: '12345678',
          entries: [
            { direction: '借方', amount: '8500.00' },
            { direction: '贷方', amount: '8400.00' },
            { direction: '平', amount: '1.00' },
          ],
        },
      ],
    };
    checkAccounting(v);
    expect(v.warnings).toEqual([
      'accounting document 12345678: entry direction "平" is neither 借 nor 贷',
      'accounting document 12345678: debits 8500.00 ≠ credits 8400.00',
    ]);
  });

  it('follows the balance through a bank statement', () => {
    const v = emptyVoucher('bkrs');
    v.extra = {
      statementYear: '2021',
      statementMonth: '8',
      closingBalance: '95601.54',
      statementLines: [
        { amount: '15177.33', balance: '95445.32' },
        { amount: '156.22', balance: '95601.54' },
      ],
    };
    normaliseBankStatement(v);
    expect(v.warnings).toEqual([]);
    expect(v.extra.statementPeriod).toBe('2021-08');
    (v.extra.statementLines as { balance: string }[])[1].balance = '95601.55';
    normaliseBankStatement(v);
    expect(v.warnings).toEqual([
      'statement line 2: balance moves by 156.23 from 95445.32 to 95601.55, but the amount is 156.22',
      "closing balance 95601.54 differs from the last line's balance 95601.55",
    ]);
  });
});

describe('amounts in words (大写金额)', () => {
  it.each([
    ['贰佰陆拾陆元整', '266.00'],
    ['壹拾壹圆贰角', '11.20'],
    ['玖万捌仟元整', '98000.00'],
    ['壹仟零陆拾圆整', '1060.00'],
    ['贰万伍仟贰佰伍拾肆圆陆角贰分', '25254.62'],
    ['壹亿零贰佰万元整', '102000000.00'],
    ['拾元整', '10.00'],
    ['伍角', '0.50'],
    ['零元整', '0.00'],
    ['（负数）壹佰壹拾叁圆整', '-113.00'],
  ])('%s → %s', (words, expected) => {
    expect(parseAmountInWords(words)).toBe(expected);
  });
  it.each(['ABC', '壹佰伍', '贰佰元X'])('%s is not an amount', (w) => expect(parseAmountInWords(w)).toBeUndefined());

  it('checks the words against the total', () => {
    const v = { ...emptyVoucher('inv_ord'), totalAmount: '266.00', extra: { totalAmountInWords: '贰佰陆拾陆元整' } };
    checkAmountInWords(v);
    expect(v.warnings).toEqual([]);
    v.totalAmount = '-266.00'; // red invoice whose words carry no sign
    checkAmountInWords(v);
    expect(v.warnings).toEqual([]);
    v.totalAmount = '265.00';
    checkAmountInWords(v);
    expect(v.warnings).toEqual(['amount in words "贰佰陆拾陆元整" says 266.00, but totalAmount is 265.00']);
  });
});

import { ImportRejected, journalDigest, parseCsv, parseJournalJson, parseJournalRows, parseLedgerFile } from './journal';

const rejected = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof ImportRejected) return e.errors;
    throw e;
  }
  throw new Error('expected ImportRejected');
};

describe('reading journal vouchers', () => {
  const head = ['凭证号', '日期', '摘要', '科目编码', '科目名称', '借方金额', '贷方金额', '附件数', '发票号'];

  it('groups CSV rows into vouchers by number, collects list columns and normalises amounts and dates', () => {
    const rows = parseCsv(
      new TextEncoder().encode(
        '\ufeff' +
          [
            head.join(','),
            '0001,2025/3/5,"报销办公用品, 打印纸",500101,办公费,"1,130.00",,2,12345678；87654321',
            '0002,2025年3月6日,付款,2302,应付账款,-50,,,',
            '0001,,,1011,零余额账户用款额度,,¥1130,,',
            '0002,2025-03-06,付款,1002,银行存款,,-50.00,,',
          ].join('\r\n'),
      ),
    );
    const { vouchers, rows: at } = parseJournalRows(rows, { unit: 'A01' });
    expect(at).toEqual([2, 3]);
    expect(vouchers[0]).toMatchObject({
      unit: 'A01',
      number: '0001',
      date: '2025-03-05',
      period: '2025-03',
      summary: '报销办公用品, 打印纸',
      attachmentCount: 2,
      totalDebit: '1130.00',
      totalCredit: '1130.00',
      references: { invoiceNumbers: ['12345678', '87654321'] },
    });
    expect(vouchers[0].entries.map((e) => [e.line, e.accountCode, e.debit, e.credit])).toEqual([
      [1, '500101', '1130.00', '0.00'],
      [2, '1011', '0.00', '1130.00'],
    ]);
    // A red-letter voucher: negative on the same sides.
    expect(vouchers[1]).toMatchObject({ date: '2025-03-06', totalDebit: '-50.00', totalCredit: '-50.00' });
  });

  it('reads GB18030 exports', () => {
    const gbk = Buffer.from('c6bed6a4bac52cc8d5c6da0d0a', 'hex'); // 凭证号,日期
    expect(parseCsv(new Uint8Array(gbk))).toEqual([['凭证号', '日期']]);
  });

  it('names the row and column of every problem, including rows of one voucher that disagree', () => {
    const errors = rejected(() =>
      parseJournalRows([
        head,
        ['0001', '2025-03-05', '报销', '500101', '办公费', '10.001', '', '1', ''],
        ['0001', '2025-03-07', '报销', '1011', '额度', '', '10.00', '1', ''],
        ['0002', '2025-03-05', '报销', '500101', '办公费', '5.00', '5.00', '', ''],
        ['0002', '2025-03-05', '报销', '1011', '额度', '', '', '', ''],
      ]),
    );
    expect(errors).toEqual([
      { row: 2, column: '借方金额', problem: 'amount "10.001" has more than two decimals', code: 'too_many_decimals', params: { value: '10.001' } },
      { row: 3, column: '日期', problem: '"2025-03-07" differs from "2025-03-05" in row 2 of the same voucher', code: 'differs_in_voucher', params: { value: '2025-03-07', previous: '2025-03-05', previousRow: 2 } },
      { row: 4, column: '借方金额', problem: 'an entry has either a debit or a credit amount, not both', code: 'debit_and_credit' },
      { row: 5, column: '借方金额', problem: 'the entry has neither a debit nor a credit amount', code: 'no_amount' },
    ]);
    expect(rejected(() => parseJournalRows([['日期', '摘要']]))[0]).toEqual({ row: 1, column: '凭证号', problem: 'required column missing (any of: 凭证号, 凭证编号, number)', code: 'missing_column', params: { headers: '凭证号, 凭证编号, number' } });
  });

  it('checks JSON against the schema first, by voucher and path, and refuses duplicates', () => {
    expect(rejected(() => parseJournalJson({ journalVouchers: [{ number: '1', date: '2025-03-05', summary: 'x', entries: [], extra: 1 }] }))).toEqual([
      { row: 1, column: '/', problem: 'must NOT have additional properties (extra)', code: 'schema', params: { message: 'must NOT have additional properties (extra)', keyword: 'additionalProperties', additionalProperty: 'extra' } },
      { row: 1, column: '/entries', problem: 'must NOT have fewer than 2 items', code: 'schema', params: { message: 'must NOT have fewer than 2 items', keyword: 'minItems', limit: 2 } },
    ]);
    const v = { number: '1', date: '2025-03-05', summary: 'x', entries: [{ accountCode: '5001', accountName: 'a', debit: '1.00' }, { accountCode: '1002', accountName: 'b', credit: '1.00' }] };
    expect(rejected(() => parseJournalJson({ unit: 'A01', journalVouchers: [v, v] }))).toEqual([{ row: 2, column: '/number', problem: 'voucher 1 of 2025-03 appears twice (first at 1)', code: 'duplicate_voucher', params: { number: '1', period: '2025-03', first: 1 } }]);
    const [a] = parseJournalJson({ unit: 'A01', journalVouchers: [v] }).vouchers;
    const [b] = parseJournalJson({ unit: 'B02', journalVouchers: [{ ...v, summary: 'y' }] }).vouchers;
    expect(journalDigest(a)).not.toBe(journalDigest(b));
    expect(journalDigest(a)).toBe(journalDigest({ ...a, unit: 'other' }));
  });

  describe('damaged CSV', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const csv = [head.join(','), '0001,2025-03-05,"报销办公用品,500101,办公费,10.00,,1,', '0001,2025-03-05,报销,1011,额度,,10.00,1,'].join('\n');

    it('names the row, column and line of a quote that never closes', () => {
      expect(rejected(() => parseCsv(enc(csv)))).toEqual([
        { row: 2, column: '摘要', problem: 'unclosed quote: the quoted cell at row 2, column 3 (line 2) has no closing " before the end of the file', code: 'unclosed_quote', params: { row: 2, column: 3, line: 2 } },
      ]);
      // A quoted cell spanning lines is fine; the row number counts records, the line number lines.
      const multi = [head.join(','), '0001,2025-03-05,"第一行\r\n第二行",500101,办公费,10.00,,1,', '0002,2025-03-05,x,1011,额度,,"10.00'].join('\r\n');
      expect(rejected(() => parseCsv(enc(multi)))).toEqual([
        { row: 3, column: '贷方金额', problem: 'unclosed quote: the quoted cell at row 3, column 7 (line 4) has no closing " before the end of the file', code: 'unclosed_quote', params: { row: 3, column: 7, line: 4 } },
      ]);
    });

    it('names the row and column of a NUL byte', () => {
      const bytes = enc(csv.replace('"报销办公用品', '报销办公用品').replace('1011', '10\u000011'));
      expect(rejected(() => parseCsv(bytes))).toEqual([{ row: 3, column: '科目编码', problem: 'NUL byte at row 3, column 4 (line 3): the file is damaged or not CSV text', code: 'nul_byte', params: { row: 3, column: 4, line: 3 } }]);
    });

    it('refuses binary data and UTF-16 without a byte-order mark as not CSV text, and reads UTF-16 with one', async () => {
      const pdfish = new Uint8Array(600).map((_, i) => (i % 3 === 0 ? 0 : 0x41 + (i % 26)));
      const [e] = rejected(() => parseCsv(pdfish));
      expect(e.row).toBe(0);
      expect(e).toMatchObject({ code: 'not_csv', params: { nuls: 200, bytes: 600 } });
      expect(e.problem).toMatch(/^not a CSV text file: 200 NUL bytes in its first 600 bytes \(binary data, or UTF-16 text without a byte-order mark\)/);
      const utf16 = Buffer.from('凭证号,日期\r\n0001,2025-03-05', 'utf16le');
      expect(rejected(() => parseCsv(new Uint8Array(utf16)))[0].problem).toMatch(/^not a CSV text file/);
      const withBom = new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), utf16]));
      expect(parseCsv(withBom)).toEqual([['凭证号', '日期'], ['0001', '2025-03-05']]);
      // Through the file reader the same problem arrives as an import rejection, nothing parsed.
      await expect(parseLedgerFile(enc(csv), 'march.csv')).rejects.toMatchObject({ errors: [{ row: 2, column: '摘要' }] });
    });
  });
});

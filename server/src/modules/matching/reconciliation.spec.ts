import { reconcile, reconciliationXlsx } from './reconciliation';

describe('银行存款余额调节表', () => {
  it('adjusts both balances by the four kinds of items in transit, and they agree', () => {
    const r = reconcile({
      period: '2025-03',
      account: '1002',
      bookOpening: 100_000n,
      bankOpening: 100_000n,
      bankClosing: 100_000n - 30_000n + 5_000n - 1_200n, // paid 300, received 50 (not booked), fee 12 (not booked)
      lines: [
        { id: 'L1', date: '2025-03-03', amount: -30_000n },
        { id: 'L2', date: '2025-03-30', amount: 5_000n, serial: 'S2' },
        { id: 'L3', date: '2025-03-31', amount: -1_200n, serial: 'S3' },
      ],
      book: [
        { id: 'J1', number: '0001', date: '2025-03-03', summary: '付款', amount: -30_000n },
        { id: 'J2', number: '0002', date: '2025-03-31', summary: '收到还款', amount: 20_000n },
        { id: 'J3', number: '0003', date: '2025-03-31', summary: '开出支票', amount: -7_000n },
      ],
      links: [{ lineId: 'L1', journalId: 'J1' }],
    });
    expect(r).toMatchObject({
      bookBalance: '830.00',
      bankBalance: '738.00',
      bankReceivedNotBooked: [{ id: 'L2', amount: '50.00' }],
      bankPaidNotBooked: [{ id: 'L3', amount: '12.00' }],
      bookReceivedNotBank: [{ id: 'J2', amount: '200.00' }],
      bookPaidNotBank: [{ id: 'J3', amount: '70.00' }],
      adjustedBookBalance: '868.00',
      adjustedBankBalance: '868.00',
      balanced: true,
      difference: '0.00',
      bookOpeningSource: 'given',
    });
  });

  it('writes an Excel workbook with the table and the items in transit', async () => {
    const r = reconcile({ period: '2025-03', account: '1002', bankOpening: 0n, bankClosing: 100n, lines: [{ id: 'L1', amount: 100n }], book: [], links: [] });
    const buf = await reconciliationXlsx(r, '示例单位');
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as any);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['银行存款余额调节表', '未达账项']);
    expect(wb.worksheets[0].getCell('A4').value).toBe('企业银行存款日记账余额');
    expect(wb.worksheets[0].getCell('D7').value).toBe('1.00');
  });
});

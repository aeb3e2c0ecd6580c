/**
 * 银行存款余额调节表: the book balance of the bank account and the bank's statement balance, each adjusted by
 * the items only one side has booked so far. Pure: statement lines, journal movements on the bank account and
 * the links between them in, the report out. Balanced means the adjusted balances are equal.
 */
import { fromFen } from '../../formats/kinds/money';
import type { Money } from '../../formats/voucher';

export interface BankLine {
  id: string;
  date?: string;
  /** Signed: money in positive. */
  amount: bigint;
  serial?: string;
  counterparty?: string;
}

export interface BookItem {
  id: string;
  number: string;
  date: string;
  summary: string;
  /** debit − credit on the bank account: money in positive. */
  amount: bigint;
}

export interface ReconciliationItem {
  id: string;
  date?: string;
  reference?: string;
  description?: string;
  amount: Money;
}

export interface ReconciliationReport {
  period: string;
  account: string;
  bookOpening: Money;
  bookOpeningSource: 'given' | 'bank-opening';
  bookBalance: Money;
  bankBalance: Money;
  /** 银行已收、企业未收 */
  bankReceivedNotBooked: ReconciliationItem[];
  /** 银行已付、企业未付 */
  bankPaidNotBooked: ReconciliationItem[];
  /** 企业已收、银行未收 */
  bookReceivedNotBank: ReconciliationItem[];
  /** 企业已付、银行未付 */
  bookPaidNotBank: ReconciliationItem[];
  adjustedBookBalance: Money;
  adjustedBankBalance: Money;
  balanced: boolean;
  difference: Money;
  matchedPairs: number;
}

const sum = (xs: { amount: bigint }[]) => xs.reduce((s, x) => s + x.amount, 0n);
const neg = (x: bigint) => (x < 0n ? -x : x);

export function reconcile(input: {
  period: string;
  account: string;
  bookOpening?: bigint;
  bankOpening: bigint;
  bankClosing: bigint;
  lines: BankLine[];
  book: BookItem[];
  /** Linked pairs in force (auto or accepted): statement line id ↔ journal voucher id. */
  links: { lineId: string; journalId: string }[];
}): ReconciliationReport {
  const linkedLines = new Set(input.links.map((l) => l.lineId));
  const linkedBook = new Set(input.links.map((l) => l.journalId));
  const openLines = input.lines.filter((l) => !linkedLines.has(l.id));
  const openBook = input.book.filter((b) => !linkedBook.has(b.id) && b.amount !== 0n);
  const bookOpening = input.bookOpening ?? input.bankOpening;
  const bookBalance = bookOpening + sum(input.book);
  const bankReceived = openLines.filter((l) => l.amount > 0n);
  const bankPaid = openLines.filter((l) => l.amount < 0n);
  const bookReceived = openBook.filter((b) => b.amount > 0n);
  const bookPaid = openBook.filter((b) => b.amount < 0n);
  const adjustedBook = bookBalance + sum(bankReceived) - neg(sum(bankPaid));
  const adjustedBank = input.bankClosing + sum(bookReceived) - neg(sum(bookPaid));
  const line = (l: BankLine): ReconciliationItem => ({ id: l.id, date: l.date, reference: l.serial, description: l.counterparty, amount: fromFen(neg(l.amount)) });
  const book = (b: BookItem): ReconciliationItem => ({ id: b.id, date: b.date, reference: b.number, description: b.summary, amount: fromFen(neg(b.amount)) });
  return {
    period: input.period,
    account: input.account,
    bookOpening: fromFen(bookOpening),
    bookOpeningSource: input.bookOpening === undefined ? 'bank-opening' : 'given',
    bookBalance: fromFen(bookBalance),
    bankBalance: fromFen(input.bankClosing),
    bankReceivedNotBooked: bankReceived.map(line),
    bankPaidNotBooked: bankPaid.map(line),
    bookReceivedNotBank: bookReceived.map(book),
    bookPaidNotBank: bookPaid.map(book),
    adjustedBookBalance: fromFen(adjustedBook),
    adjustedBankBalance: fromFen(adjustedBank),
    balanced: adjustedBook === adjustedBank,
    difference: fromFen(adjustedBook - adjustedBank),
    matchedPairs: input.links.length,
  };
}

/** The report as an Excel workbook: the table as it is printed and signed, and the open items in detail. */
export async function reconciliationXlsx(r: ReconciliationReport, unitName: string): Promise<Buffer> {
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('银行存款余额调节表');
  ws.columns = [{ width: 26 }, { width: 18 }, { width: 26 }, { width: 18 }];
  ws.mergeCells('A1:D1');
  ws.getCell('A1').value = '银行存款余额调节表';
  ws.getCell('A1').font = { bold: true, size: 14 };
  ws.getCell('A1').alignment = { horizontal: 'center' };
  ws.addRow([`单位：${unitName}`, '', `期间：${r.period}`, `科目：${r.account}`]);
  ws.addRow(['项目', '金额', '项目', '金额']).font = { bold: true };
  const num = (m: Money) => m; // kept as text: money never passes through a float, not even in a cell
  const rows: [string, Money, string, Money][] = [
    ['企业银行存款日记账余额', r.bookBalance, '银行对账单余额', r.bankBalance],
    ['加：银行已收、企业未收', total(r.bankReceivedNotBooked), '加：企业已收、银行未收', total(r.bookReceivedNotBank)],
    ['减：银行已付、企业未付', total(r.bankPaidNotBooked), '减：企业已付、银行未付', total(r.bookPaidNotBank)],
    ['调节后的存款余额', r.adjustedBookBalance, '调节后的存款余额', r.adjustedBankBalance],
  ];
  for (const x of rows) ws.addRow([x[0], num(x[1]), x[2], num(x[3])]);
  ws.addRow([r.balanced ? '调节后余额相等' : `调节后余额不等，差额 ${r.difference}`]);
  const d = wb.addWorksheet('未达账项');
  d.columns = [{ header: '类别', width: 22 }, { header: '日期', width: 12 }, { header: '凭证号/流水号', width: 24 }, { header: '摘要/对方', width: 40 }, { header: '金额', width: 16 }];
  const add = (label: string, items: ReconciliationItem[]) => items.forEach((i) => d.addRow([label, i.date ?? '', i.reference ?? '', i.description ?? '', i.amount]));
  add('银行已收、企业未收', r.bankReceivedNotBooked);
  add('银行已付、企业未付', r.bankPaidNotBooked);
  add('企业已收、银行未收', r.bookReceivedNotBank);
  add('企业已付、银行未付', r.bookPaidNotBank);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function total(items: ReconciliationItem[]): Money {
  return fromFen(items.reduce((s, i) => s + BigInt(i.amount.replace('.', '')), 0n));
}

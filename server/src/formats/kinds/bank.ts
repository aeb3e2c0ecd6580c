/**
 * Normalisers of the bank vouchers: 银行电子回单 (bker) and 银行电子对账单 (bkrs).
 */
import type { Money, Voucher } from '../voucher';
import { checkAmountInWords } from './checks';
import { fromFen, toFen } from './money';

/** 银行电子回单: the amount is one transaction; currency defaults to CNY only where the receipt states none. */
export function normaliseBankReceipt(v: Voucher): Voucher {
  if (v.totalAmount !== undefined && toFen(v.totalAmount) < 0n)
    v.warnings.push(`TransactionAmountInFigures is negative (${v.totalAmount}); the direction belongs in IdentificationOfCreditOrDebit`);
  checkAmountInWords(v);
  return v;
}

export interface StatementLine {
  bookkeepingDate?: string;
  serialNumber?: string;
  creditOrDebit?: string;
  amount?: Money;
  balance?: Money;
  counterpartyAccount?: string;
  counterpartyName?: string;
  receiptNumber?: string;
  [key: string]: unknown;
}

/**
 * 银行电子对账单: each line's balance must follow from the previous one by exactly the line amount (in either
 * direction: banks code debit/credit as 0/1 inconsistently), and the closing balance must be the last line's.
 */
export function normaliseBankStatement(v: Voucher): Voucher {
  const x = v.extra;
  const lines = (x.statementLines as StatementLine[] | undefined) ?? [];
  if (typeof x.statementYear === 'string' && typeof x.statementMonth === 'string' && /^\d{4}$/.test(x.statementYear) && /^\d{1,2}$/.test(x.statementMonth))
    x.statementPeriod = `${x.statementYear}-${x.statementMonth.padStart(2, '0')}`;
  if (lines.length === 0) {
    v.warnings.push('bank statement has no transaction lines (InformationOfReconcileDetailsTuple)');
    return v;
  }
  for (let i = 1; i < lines.length; i++) {
    const prev = lines[i - 1].balance;
    const { balance, amount } = lines[i];
    if (prev === undefined || balance === undefined || amount === undefined) continue;
    const delta = toFen(balance) - toFen(prev);
    const amt = toFen(amount);
    if (delta !== amt && delta !== -amt)
      v.warnings.push(`statement line ${i + 1}: balance moves by ${fromFen(delta)} from ${prev} to ${balance}, but the amount is ${amount}`);
  }
  const last = lines[lines.length - 1].balance;
  const closing = x.closingBalance as Money | undefined;
  if (last !== undefined && closing !== undefined && toFen(last) !== toFen(closing))
    v.warnings.push(`closing balance ${closing} differs from the last line's balance ${last}`);
  return v;
}

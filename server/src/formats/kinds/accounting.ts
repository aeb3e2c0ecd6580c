/**
 * 入账信息 (receiver view): the journal vouchers (记账凭证) that booked this voucher, as read into
 * `extra.accounting`. The archive links vouchers to journal vouchers through these numbers, so their entries
 * are checked the way a bookkeeper would: every journal voucher balances (借 = 贷).
 */
import type { Money, Voucher } from '../voucher';
import { addMoney, moneyEquals } from './money';

export interface AccountingEntry {
  /** As written: 借方/贷方 or 借/贷. */
  direction?: string;
  generalLedgerSubjectCode?: string;
  generalLedgerSubject?: string;
  subsidiaryLedgerSubjectCode?: string;
  subsidiaryLedgerSubject?: string;
  amount?: Money;
}

export interface AccountingDocument {
  /** 记账凭证号 */
  number?: string;
  postingDate?: string;
  /** 会计期间 YYYY-MM */
  period?: string;
  summary?: string;
  entries?: AccountingEntry[];
}

export function checkAccounting(v: Voucher): void {
  const acc = v.extra.accounting as { documents?: AccountingDocument[] } | undefined;
  for (const [i, doc] of (acc?.documents ?? []).entries()) {
    const debit: Money[] = [];
    const credit: Money[] = [];
    for (const e of doc.entries ?? []) {
      if (e.amount === undefined) continue;
      if (e.direction?.startsWith('借')) debit.push(e.amount);
      else if (e.direction?.startsWith('贷')) credit.push(e.amount);
      else v.warnings.push(`accounting document ${doc.number ?? i + 1}: entry direction "${e.direction ?? ''}" is neither 借 nor 贷`);
    }
    if (debit.length === 0 && credit.length === 0) continue;
    const d = addMoney('0.00', ...debit);
    const c = addMoney('0.00', ...credit);
    if (!moneyEquals(d, c)) v.warnings.push(`accounting document ${doc.number ?? i + 1}: debits ${d} ≠ credits ${c}`);
  }
}

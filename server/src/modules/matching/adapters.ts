/**
 * From the stored models to the engine's view: journal vouchers (ledger) and original vouchers (pool records,
 * with their normalised Voucher) or bank statement lines. Used by the service, the generator and the bench, so
 * the figures measured are those of the real path.
 */
import { toFen } from '../../formats/kinds/money';
import type { Voucher } from '../../formats/voucher';
import type { JournalVoucher } from '../ledger/journal';
import { dayNumber, numbersIn } from './engine/text';
import type { JoinKey, MatchJournal, MatchVoucher } from './engine/types';

const uniq = (xs: (string | undefined | null)[]) => [...new Set(xs.filter((x): x is string => !!x).map((x) => x.trim().toUpperCase()))];

export function journalToMatch(id: string, j: JournalVoucher, unitId?: string | null): MatchJournal {
  // Numbers written into summaries and attachment names may be any kind of key; the join on the voucher side is
  // per key, so offering them to every key costs nothing and catches "发票号12345678" in free text.
  const text = [j.summary, ...j.entries.map((e) => e.summary ?? ''), ...j.references.attachments].join(' ');
  const found = numbersIn(text);
  const refs: Partial<Record<JoinKey, string[]>> = {
    invoiceNumber: uniq([...j.references.invoiceNumbers, ...found]),
    paymentCode: uniq([...j.references.paymentCodes, ...found]),
    bankSerial: uniq([...j.references.bankSerials, ...found]),
    reimbursementId: uniq([...j.references.reimbursementIds, ...found]),
    counterpartyAccount: uniq(j.entries.map((e) => e.counterpartyAccount)),
  };
  return {
    id,
    unitId,
    number: j.number,
    date: j.date,
    day: dayNumber(j.date),
    summary: [j.summary, ...j.entries.map((e) => e.summary ?? '')].join(' '),
    entries: j.entries.map((e) => ({
      accountCode: e.accountCode,
      debit: toFen(e.debit),
      credit: toFen(e.credit),
      counterparty: e.counterparty,
      counterpartyAccount: e.counterpartyAccount,
    })),
    refs,
    counterparties: [...new Set(j.entries.map((e) => e.counterparty).filter((x): x is string => !!x))],
  };
}

/** A pool voucher (its normalised Voucher, plus the pool's claim data when it has any). */
export function voucherToMatch(id: string, v: Voucher, extra: { unitId?: string | null; reimbursementId?: string | null } = {}): MatchVoucher {
  const x = v.extra ?? {};
  const str = (k: string) => (typeof x[k] === 'string' ? (x[k] as string) : undefined);
  return {
    id,
    unitId: extra.unitId,
    kind: v.kind,
    date: v.issueDate,
    day: v.issueDate ? dayNumber(v.issueDate) : undefined,
    amount: v.totalAmount !== undefined ? toFen(v.totalAmount) : undefined,
    keys: {
      invoiceNumber: uniq([v.invoiceNumber, v.invoiceCode && v.invoiceNumber && v.kind === 'efi' ? `${v.invoiceCode}${v.invoiceNumber}` : undefined]),
      paymentCode: uniq([str('paymentCode')]),
      bankSerial: uniq([v.bankSerialNumber]),
      reimbursementId: uniq([extra.reimbursementId, str('reimbursementId')]),
      counterpartyAccount: uniq([v.payerAccount, v.payeeAccount]),
    },
    names: [v.sellerName, v.buyerName, v.payerName, v.payeeName].filter((s): s is string => !!s),
    text: v.lineItems.map((l) => l.name ?? '').join(' '),
  };
}

export interface StatementLineView {
  bookkeepingDate?: string;
  serialNumber?: string;
  creditOrDebit?: string;
  amount?: string;
  balance?: string;
  counterpartyAccount?: string;
  counterpartyName?: string;
}

/**
 * Signed amount of a statement line from the account holder's view: money in is positive. Banks code the
 * direction inconsistently (借/贷, D/C, 0/1, 1/2), so the balance movement decides when it is known; the code
 * only when it is not.
 */
export function statementLineAmount(line: StatementLineView, previousBalance?: string): bigint | undefined {
  if (!line.amount) return undefined;
  const a = toFen(line.amount);
  const mag = a < 0n ? -a : a;
  if (previousBalance && line.balance) {
    const delta = toFen(line.balance) - toFen(previousBalance);
    if (delta === mag || delta === -mag) return delta;
  }
  const code = (line.creditOrDebit ?? '').trim().toUpperCase();
  if (/^(贷|C|CR|CREDIT|2)/.test(code)) return mag;
  if (/^(借|D|DR|DEBIT|1)/.test(code)) return -mag;
  return a;
}

/** Each line of a 银行电子对账单 as its own matchable item: `<voucher id>#<line index>`. */
export function statementLinesToMatch(id: string, v: Voucher, unitId?: string | null): MatchVoucher[] {
  const lines = (v.extra?.statementLines as StatementLineView[] | undefined) ?? [];
  const opening = typeof v.extra?.openingBalance === 'string' ? (v.extra.openingBalance as string) : undefined;
  return lines.map((l, i) => ({
    id: `${id}#${i}`,
    unitId,
    kind: 'bkrs-line',
    date: l.bookkeepingDate,
    day: l.bookkeepingDate ? dayNumber(l.bookkeepingDate) : undefined,
    amount: statementLineAmount(l, i === 0 ? opening : lines[i - 1].balance),
    keys: { bankSerial: uniq([l.serialNumber]), counterpartyAccount: uniq([l.counterpartyAccount]) },
    names: l.counterpartyName ? [l.counterpartyName] : [],
  }));
}

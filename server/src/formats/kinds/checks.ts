/**
 * Consistency checks every normaliser can apply. They never throw: a voucher whose numbers disagree is still the
 * voucher the issuer sent, so each disagreement becomes one warning sentence for the reviewer.
 */
import type { Money, Voucher } from '../voucher';
import { addMoney, isNegativeMoney, moneyEquals, toFen } from './money';
import { parseAmountInWords } from './words';

/** 合计金额 + 合计税额 = 价税合计. */
export function checkTotals(v: Voucher): void {
  const { amountExTax: ex, taxAmount: tax, totalAmount: total } = v;
  if (ex === undefined || tax === undefined || total === undefined) return;
  const sum = addMoney(ex, tax);
  if (!moneyEquals(sum, total)) v.warnings.push(`amountExTax ${ex} + taxAmount ${tax} = ${sum}, but totalAmount is ${total}`);
}

/** Line amounts (discount lines are negative) add up to the header totals. */
export function checkLineItemSums(v: Voucher, amountField: 'amountExTax' | 'totalAmount' = 'amountExTax'): void {
  const lines = v.lineItems;
  if (lines.length === 0) return;
  const header = v[amountField];
  const amounts = lines.map((l) => l.amount).filter((a): a is Money => a !== undefined);
  if (header !== undefined && amounts.length === lines.length) {
    const sum = addMoney(...amounts);
    if (!moneyEquals(sum, header)) v.warnings.push(`line amounts add up to ${sum}, but ${amountField} is ${header}`);
  }
  const taxes = lines.map((l) => l.taxAmount).filter((a): a is Money => a !== undefined);
  if (amountField === 'amountExTax' && v.taxAmount !== undefined && taxes.length === lines.length) {
    const sum = addMoney(...taxes);
    if (!moneyEquals(sum, v.taxAmount)) v.warnings.push(`line tax amounts add up to ${sum}, but taxAmount is ${v.taxAmount}`);
  }
}

/** 红字发票: negative totals. Marks the voucher so lists can show it; not a warning, red invoices are legal. */
export function markRed(v: Voucher): void {
  const total = v.totalAmount ?? v.amountExTax;
  if (total !== undefined && isNegativeMoney(total)) v.extra.redInvoice = true;
}

/** A value that must have a fixed shape (digits of a given length); one warning naming the field otherwise. */
export function checkShape(v: Voucher, field: 'invoiceCode' | 'invoiceNumber' | 'checkCode', pattern: RegExp, expected: string): void {
  const value = v[field];
  if (value !== undefined && !pattern.test(value)) v.warnings.push(`${field} "${value}" is not ${expected}`);
}

/** Sets a derived top-level field only when the source did not carry it, recording where it came from. */
export function derive<K extends 'invoiceCode' | 'invoiceNumber' | 'totalAmount' | 'amountExTax'>(v: Voucher, field: K, value: Voucher[K] | undefined): void {
  if (value === undefined || v[field] !== undefined) return;
  v[field] = value;
  v.sources[field] = v.sources[field] ?? 'xbrl';
}

/** 价税合计（大写）agrees with the figures; the sign is compared only where the words carry one. */
export function checkAmountInWords(v: Voucher, key = 'totalAmountInWords'): void {
  const words = v.extra[key];
  if (typeof words !== 'string' || v.totalAmount === undefined) return;
  const said = parseAmountInWords(words);
  if (said === undefined) {
    v.warnings.push(`amount in words "${words}" cannot be read as an amount`);
    return;
  }
  const abs = (m: string) => (toFen(m) < 0n ? -toFen(m) : toFen(m));
  const same = isNegativeMoney(said) ? moneyEquals(said, v.totalAmount) : abs(said) === abs(v.totalAmount);
  if (!same) v.warnings.push(`amount in words "${words}" says ${said}, but totalAmount is ${v.totalAmount}`);
}

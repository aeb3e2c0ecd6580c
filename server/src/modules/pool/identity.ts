/**
 * Business identity (业务标识) of a voucher, per kind (spec evoucher-standard.md): the key the pool keeps one
 * record for, whatever file or channel brought it. Pure functions over the normalised Voucher.
 */
import type { Voucher } from '../../formats/voucher';
import { moneyEquals } from '../../formats/kinds/money';

export interface BusinessIdentity {
  /** e.g. `vat:011001700112:10113872`, `einv:26427000000316294884`, `bker:<serial>`; `sha256:<digest>` when none. */
  key: string;
  /** false: the file names no identity of its kind, so only its content digest can deduplicate it. */
  business: boolean;
}

const clean = (s: unknown): string | undefined => {
  if (typeof s !== 'string') return undefined;
  const t = s.replace(/\s+/g, '').toUpperCase();
  return t === '' ? undefined : t;
};

/** The identity of `v`, or a content identity from `sha256` when the voucher does not carry its kind's numbers. */
export function businessIdentity(v: Partial<Voucher>, sha256: string): BusinessIdentity {
  const x = (v.extra ?? {}) as Record<string, unknown>;
  const code = clean(v.invoiceCode);
  const num = clean(v.invoiceNumber);
  const key = ((): string | undefined => {
    switch (v.kind) {
      case 'inv_ord':
      case 'inv_spcl':
        // Old VAT e-invoices: the number repeats across codes, so both are needed.
        return code && num ? `vat:${code}:${num}` : undefined;
      case 'einv_ord':
      case 'einv_spcl':
        // 数电票: the 20-digit number is unique nationally; a QR or XBRL may or may not repeat a code.
        return num ? `einv:${num}` : undefined;
      case 'rai':
      case 'atr': {
        const ticket = num ?? clean(x.eTicketNumber);
        return ticket ? `${v.kind}:${ticket}` : undefined;
      }
      case 'efi':
        return code && num ? `efi:${code}:${num}` : undefined;
      case 'ntrev': {
        const payCode = clean(x.paymentCode);
        if (payCode) return `ntrev:${payCode}`;
        return code && num ? `ntrev:${code}:${num}` : undefined;
      }
      case 'bker': {
        const serial = clean(v.bankSerialNumber) ?? num;
        return serial ? `bker:${serial}` : undefined;
      }
      case 'bkrs': {
        const account = clean(x.account);
        const period = clean(x.statementPeriod);
        return account && period ? `bkrs:${account}:${period}` : undefined;
      }
      case 'ctp':
        return num ? `ctp:${code ? `${code}:` : ''}${num}` : undefined;
      default:
        return undefined;
    }
  })();
  return key ? { key, business: true } : { key: `sha256:${sha256}`, business: false };
}

/** Fields whose disagreement between two files of the same identity makes a conflict (amounts and parties). */
export const CONFLICT_FIELDS = ['totalAmount', 'amountExTax', 'taxAmount', 'sellerTaxId', 'buyerTaxId', 'payerAccount', 'payeeAccount'] as const;
const MONEY_FIELDS = new Set(['totalAmount', 'amountExTax', 'taxAmount']);

export interface Difference {
  field: string;
  existing: string;
  incoming: string;
}

/**
 * What two readings of the same identity disagree on. Only fields both carry count: a receiver view or a photo
 * legitimately holds fewer fields than the issuer's file.
 */
export function differences(existing: Partial<Voucher>, incoming: Partial<Voucher>): Difference[] {
  const out: Difference[] = [];
  for (const f of CONFLICT_FIELDS) {
    const a = existing[f];
    const b = incoming[f];
    if (typeof a !== 'string' || typeof b !== 'string' || a === '' || b === '') continue;
    const same = MONEY_FIELDS.has(f) ? safeMoneyEquals(a, b) : clean(a) === clean(b);
    if (!same) out.push({ field: f, existing: a, incoming: b });
  }
  return out;
}

function safeMoneyEquals(a: string, b: string): boolean {
  try {
    return moneyEquals(a, b);
  } catch {
    return a === b;
  }
}

/** Text the pool's party/number search looks in: names, tax ids, numbers, accounts, line item names. */
export function searchText(v: Partial<Voucher>): string {
  const parts = [
    v.invoiceCode,
    v.invoiceNumber,
    v.sellerName,
    v.sellerTaxId,
    v.buyerName,
    v.buyerTaxId,
    v.payerName,
    v.payerAccount,
    v.payeeName,
    v.payeeAccount,
    v.bankSerialNumber,
    // A bank statement names its account only here (its lines' counterparties are in the archive search).
    typeof v.extra?.account === 'string' ? v.extra.account : undefined,
    typeof v.extra?.accountName === 'string' ? v.extra.accountName : undefined,
    ...(v.lineItems ?? []).map((l) => l.name),
  ];
  return [...new Set(parts.filter((p): p is string => typeof p === 'string' && p.trim() !== ''))].join(' ');
}

/**
 * Test input for the pool: small synthetic invoices written as MoF XBRL / toolkit JSON through the product's
 * own writer (formats/xbrl/write.ts), so they read back through the same element maps; obviously made-up
 * parties (示例…公司, USCCs with the "MA" marker).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writeVoucherJson, writeXbrl } from '../../src/formats/xbrl/write';
import type { Voucher } from '../../src/formats/voucher';
import { usccCheckChar } from '../../src/formats/kinds/taxid';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const CORPUS = path.resolve(REPO_ROOT, '../shared/corpus/raw');
export const HAS_CORPUS = existsSync(CORPUS);

/** A GB 32100-shaped credit code with a correct check character, marked synthetic by "MA". */
export function syntheticUscc(n: number): string {
  const body = `91320600MA${String(n).padStart(7, '0')}`;
  return body + usccCheckChar(body)!;
}

export interface InvoiceSpec {
  number: number;
  code?: string;
  total?: string;
  buyerTaxId?: string;
  sellerTaxId?: string;
}

/** The Voucher of a synthetic 增值税电子普通发票 (every field marked as coming from XBRL, so the writer emits it). */
export function invoiceVoucher(s: InvoiceSpec): Voucher {
  const total = s.total ?? '113.00';
  const fen = Math.round(Number(total) * 100);
  const tax = Math.round((fen * 13) / 113);
  const fmt = (f: number) => `${Math.trunc(f / 100)}.${String(Math.abs(f % 100)).padStart(2, '0')}`;
  const fields: Partial<Voucher> = {
    invoiceCode: s.code ?? '032001900111',
    invoiceNumber: String(s.number).padStart(8, '0'),
    issueDate: '2026-11-20',
    amountExTax: fmt(fen - tax),
    taxAmount: fmt(tax),
    totalAmount: fmt(fen),
    sellerName: '示例科技有限公司1',
    sellerTaxId: s.sellerTaxId ?? syntheticUscc(1),
    buyerName: '示例单位',
    buyerTaxId: s.buyerTaxId ?? syntheticUscc(2),
  };
  return {
    kind: 'inv_ord',
    ...fields,
    lineItems: [],
    extra: {},
    sources: Object.fromEntries(Object.keys(fields).map((k) => [k, 'xbrl'])),
    signatures: [],
    signatureVerdict: 'unsigned',
    warnings: [],
  } as Voucher;
}

export function invoiceXbrl(s: InvoiceSpec): Buffer {
  const v = invoiceVoucher(s);
  return Buffer.from(writeXbrl('inv_ord_issuer', v, { entityIdentifier: v.sellerTaxId!, instant: v.issueDate! }), 'utf8');
}

/** The same invoice as the toolkit's JSON form: a second file of the same business identity. */
export function invoiceJson(s: InvoiceSpec): Buffer {
  return Buffer.from(JSON.stringify(writeVoucherJson('inv_ord_issuer', invoiceVoucher(s)), null, 1), 'utf8');
}

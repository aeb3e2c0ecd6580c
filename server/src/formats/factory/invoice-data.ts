/**
 * The content of one generated invoice (what is true about it), from which every rendition is written: the
 * OFD page, original_invoice.xml, the 数电票 EInvoice XML, the QR payload, the PDF — and the expected Voucher.
 * All amounts are integer fen; line amounts and taxes add up to the totals exactly.
 */
import type { LineItem, Voucher } from '../voucher';
import { VOUCHER_KIND_NAMES } from '../voucher';
import { canonicalDecimal } from '../kinds/money';
import { money, taxOf } from './amounts';
import { syntheticCompany, syntheticPerson, syntheticRegion, type Company } from './parties';
import type { Prng } from './prng';

export type InvoiceKind = 'inv_ord' | 'inv_spcl' | 'einv_ord' | 'einv_spcl';
export const INVOICE_KINDS: readonly InvoiceKind[] = ['inv_ord', 'inv_spcl', 'einv_ord', 'einv_spcl'];

export interface InvoiceLine {
  name: string;
  specification?: string;
  unit?: string;
  /** Whole units (so quantity × unit price is exact in fen). */
  quantity: number;
  unitPriceFen: bigint;
  /** 13, 9, 6, 3, 1 … */
  ratePercent: number;
}

export interface InvoiceOverrides {
  seller?: Partial<Company>;
  buyer?: Partial<Company>;
  /** YYYY-MM-DD */
  issueDate?: string;
  invoiceCode?: string;
  invoiceNumber?: string;
  /** Number of goods lines (1–8, default 1–3 at random) or the lines themselves. */
  lines?: number | InvoiceLine[];
  /** 红字发票: every amount negative, referring to the blue invoice it reverses. */
  red?: boolean;
  remarks?: string;
  /** Seal the OFD (default true). */
  sealed?: boolean;
}

export interface InvoiceData {
  kind: InvoiceKind;
  /** Printed title, e.g. 浙江增值税电子普通发票 / 电子发票（普通发票）. */
  title: string;
  invoiceCode?: string;
  invoiceNumber: string;
  checkCode?: string;
  issueDate: string;
  /** Time of day the tax system issued it (HH:MM:SS, Beijing time). */
  issueTime: string;
  seller: Company;
  buyer: Company;
  lines: (InvoiceLine & { amountFen: bigint; taxFen: bigint })[];
  exTaxFen: bigint;
  taxFen: bigint;
  totalFen: bigint;
  drawer: string;
  payee: string;
  reviewer: string;
  remarks?: string;
  red: boolean;
  /** The blue invoice a red one reverses. */
  original?: { code?: string; number: string };
  machineNumber?: string;
  /** The QR text (tax bureau CSV form, voucher-formats.md §4). */
  qrPayload: string;
}

const GOODS: [name: string, unit: string, spec: string, rate: number][] = [
  ['*信息技术服务*技术服务费', '项', '', 6],
  ['*现代服务*咨询服务费', '次', '', 6],
  ['*办公设备*激光打印机', '台', 'LP-200', 13],
  ['*纸制品*复印纸', '箱', 'A4 70g', 13],
  ['*餐饮服务*餐费', '次', '', 6],
  ['*住宿服务*住宿费', '天', '标准间', 6],
  ['*印刷品*宣传册', '本', '16开', 9],
  ['*计算机配套产品*移动硬盘', '个', '2TB', 13],
  ['*交通运输服务*客运服务费', '次', '', 9],
  ['*建筑服务*维修费', '项', '', 9],
];

function randomLines(rng: Prng, n: number): InvoiceLine[] {
  return Array.from({ length: n }, () => {
    const [name, unit, spec, rate] = rng.pick(GOODS);
    return { name, unit, specification: spec || undefined, quantity: rng.int(1, 20), unitPriceFen: BigInt(rng.int(100, 500_000)), ratePercent: rate };
  });
}

function randomDate(rng: Prng, fromYear: number, toYear: number): string {
  const y = rng.int(fromYear, toYear);
  const m = rng.int(1, 12);
  const d = rng.int(1, 28);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * Invoice content. `serial` is the stream's base number plus the item's index, so numbers are unique within a
 * stream (up to 10⁸ items) and differ between seeds.
 */
export function invoiceData(rng: Prng, kind: InvoiceKind, serial: number, o: InvoiceOverrides = {}): InvoiceData {
  const digital = kind.startsWith('einv');
  const special = kind.endsWith('spcl');
  const seller = { ...syntheticCompany(rng), ...o.seller };
  const buyer = { ...syntheticCompany(rng), ...o.buyer };
  const region = syntheticRegion(rng);
  const issueDate = o.issueDate ?? randomDate(rng, digital ? 2023 : 2020, digital ? 2026 : 2022);
  const issueTime = `${String(rng.int(9, 17)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}`;
  const red = o.red ?? false;
  const sign = red ? -1n : 1n;
  const lineInput = Array.isArray(o.lines) ? o.lines : randomLines(rng, o.lines ?? rng.int(1, 3));
  if (lineInput.length < 1 || lineInput.length > 8) throw new RangeError('an invoice page holds 1 to 8 goods lines');
  const lines = lineInput.map((l) => {
    const amountFen = sign * BigInt(l.quantity) * l.unitPriceFen;
    return { ...l, amountFen, taxFen: taxOf(amountFen, l.ratePercent) };
  });
  const exTaxFen = lines.reduce((s, l) => s + l.amountFen, 0n);
  const taxFen = lines.reduce((s, l) => s + l.taxFen, 0n);
  const yy = issueDate.slice(2, 4);
  const seq = (n: number) => String(serial % 10 ** n).padStart(n, '0');

  let invoiceCode: string | undefined;
  let invoiceNumber: string;
  let checkCode: string | undefined;
  let title: string;
  if (digital) {
    // 20 digits: year, region, issuing channel, then a sequence (unique per stream index).
    invoiceNumber = o.invoiceNumber ?? `${yy}${region.code.slice(0, 2)}7${seq(15)}`;
    title = VOUCHER_KIND_NAMES[kind];
  } else {
    // 12-digit code: 0, region (4), year (2), batch (3), type 11 普通 / 13 专用 (kinds/invoices.ts kindFromInvoiceCode).
    invoiceCode = o.invoiceCode ?? `0${region.code.slice(0, 4)}${yy}${rng.digits(3)}${special ? '13' : '11'}`;
    invoiceNumber = o.invoiceNumber ?? seq(8);
    checkCode = rng.digits(20);
    title = `${region.name}增值税电子${special ? '专用' : '普通'}发票`;
  }
  const original = red ? { code: invoiceCode ? `0${region.code.slice(0, 4)}${yy}${rng.digits(3)}${special ? '13' : '11'}` : undefined, number: digital ? `${yy}${region.code.slice(0, 2)}7${rng.digits(15)}` : rng.digits(8) } : undefined;
  const remarks =
    o.remarks ??
    (original ? (original.code ? `对应正数发票代码:${original.code}号码:${original.number}` : `被红冲蓝字数电票号码：${original.number}`) : rng.chance(0.5) ? `合同号 HT-${yy}-${rng.digits(4)}` : undefined);
  const totalFen = exTaxFen + taxFen;
  const ymd = issueDate.replace(/-/g, '');
  const qrPayload = digital
    ? `01,${special ? '31' : '32'},,${invoiceNumber},${money(totalFen)},${ymd},,${rng.hex(4)}`
    : `01,${special ? '08' : '10'},${invoiceCode},${invoiceNumber},${money(exTaxFen)},${ymd},${checkCode},${rng.hex(4)},`;
  return {
    kind,
    title,
    invoiceCode,
    invoiceNumber,
    checkCode,
    issueDate,
    issueTime,
    seller,
    buyer,
    lines,
    exTaxFen,
    taxFen,
    totalFen,
    drawer: syntheticPerson(rng),
    payee: syntheticPerson(rng),
    reviewer: syntheticPerson(rng),
    remarks,
    red,
    original,
    machineNumber: digital ? undefined : rng.digits(12, true),
    qrPayload,
  };
}

/** Unit price as printed and as the readers normalise it (no trailing fractional zeros). */
export const unitPriceText = (fen: bigint) => canonicalDecimal(money(fen), 'unitPrice')!;
export const rateText = (p: number) => `${p}%`;
export const rateDecimal = (p: number) => canonicalDecimal((p / 100).toFixed(4), 'taxRate')!;

/** Line items as every reader reports them. */
export function expectedLineItems(inv: InvoiceData): LineItem[] {
  return inv.lines.map((l) => {
    // Red invoices print negative quantities with positive unit prices.
    const li: LineItem = { name: l.name };
    if (l.specification) li.specification = l.specification;
    if (l.unit) li.unit = l.unit;
    li.quantity = String(inv.red ? -l.quantity : l.quantity);
    li.unitPrice = unitPriceText(l.unitPriceFen);
    li.amount = money(l.amountFen);
    li.taxRate = rateDecimal(l.ratePercent);
    li.taxAmount = money(l.taxFen);
    return li;
  });
}

/** The document-level Voucher fields of the invoice (sources filled by the caller for its file format). */
export function expectedInvoiceVoucher(inv: InvoiceData): Voucher {
  const v: Voucher = {
    kind: inv.kind,
    title: inv.title,
    invoiceNumber: inv.invoiceNumber,
    issueDate: inv.issueDate,
    amountExTax: money(inv.exTaxFen),
    taxAmount: money(inv.taxFen),
    totalAmount: money(inv.totalFen),
    sellerName: inv.seller.name,
    sellerTaxId: inv.seller.taxId,
    buyerName: inv.buyer.name,
    buyerTaxId: inv.buyer.taxId,
    lineItems: expectedLineItems(inv),
    extra: {},
    sources: {},
    signatures: [],
    signatureVerdict: 'unsigned',
    warnings: [],
  };
  if (inv.invoiceCode) v.invoiceCode = inv.invoiceCode;
  if (inv.checkCode) v.checkCode = inv.checkCode;
  v.extra.drawer = inv.drawer;
  if (inv.remarks) v.extra.remarks = inv.remarks;
  if (inv.red) v.extra.redInvoice = true;
  return v;
}

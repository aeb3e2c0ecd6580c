/**
 * Where the generated month's original vouchers come from. The month generator (month-generator.ts) decides the
 * bookkeeping — which journal voucher books what, with which hard case — and asks a maker for each voucher:
 *
 * - `factoryMaker`: the synthetic voucher factory (formats/factory). A share of the vouchers are written as real
 *   files (sealed invoice OFDs, 数电票 XML, bank receipt OFDs, XBRL and JSON of every data kind) that the test then
 *   parses with the real readers (`parseFileBacked`); the rest are the factory's normalised model of the same
 *   generator (`expected`, what the readers return for its files), without the bytes — sealing a file costs
 *   30–80 ms, too slow for thousands per test. Numbers, parties, amounts and keys are the factory's.
 * - `recordMaker`: minimal Voucher-shaped records, for the benchmark at 10⁵–10⁶ journal vouchers where only the
 *   fields matching reads matter and the factory's 0.1–0.2 ms per voucher would dominate the run.
 */
import { createFactory, type Factory, type GeneratedFile } from '../../../formats/factory';
import { taxOf } from '../../../formats/factory/amounts';
import { dataVoucher, type DataKind } from '../../../formats/factory/data-kinds';
import { expectedInvoiceVoucher, invoiceData, type InvoiceKind, type InvoiceLine } from '../../../formats/factory/invoice-data';
import type { Company } from '../../../formats/factory/parties';
import { Prng } from '../../../formats/factory/prng';
import { inspectFile } from '../../../formats/inspect';
import { fromFen } from '../../../formats/kinds/money';
import type { Voucher } from '../../../formats/voucher';

export type { DataKind, InvoiceKind };

export interface InvoiceSpec {
  kind: InvoiceKind;
  issueDate: string;
  seller: Company;
  /** Tax included, a magnitude in fen: when given, the invoice's 价税合计 is exactly this (negative when red). */
  totalFen?: bigint;
  /** 红字发票: every amount negative. */
  red?: boolean;
  /** The blue invoice a red one reverses (printed in its remarks as the tax system does). */
  reverses?: string;
}

export interface DataSpec {
  issueDate: string;
  /** Total in fen (bker, ctp, rai); other kinds add up their own lines. */
  totalFen?: bigint;
  /** Railway: a refunded ticket (退票), whose fare is the refund fee (退票费). */
  refund?: boolean;
}

/** A voucher and, when it was written as a file, that file (its `expected` is `voucher`). */
export interface Made {
  voucher: Voucher;
  file?: GeneratedFile;
}

export interface VoucherMaker {
  /** What backs the vouchers, said in test output. */
  readonly label: string;
  invoice(spec: InvoiceSpec): Made;
  data(kind: DataKind, spec: DataSpec): Made;
}

/** The budget unit that receives the invoices. */
export const BUYER = { name: '示例市财政局测试预算单位', taxId: '12330100MB0000000X' };

const SERVICES = ['*现代服务*服务费', '*信息技术服务*技术服务费', '*办公设备*激光打印机', '*纸制品*复印纸', '*印刷品*宣传册', '*建筑服务*维修费'];

/**
 * One goods line whose amount plus tax is exactly `totalFen`: the tax-exclusive amount is tried at the common
 * rates (6 %, 13 %, 9 %, 3 %, 1 %); a total no rate reaches exactly (rounding skips some) is a 0 % (免税) line.
 */
export function linesForTotal(totalFen: bigint, name: string): InvoiceLine[] {
  for (const rate of [6, 13, 9, 3, 1]) {
    const ex = (totalFen * 100n) / BigInt(100 + rate);
    for (const e of [ex, ex + 1n, ex - 1n]) if (e > 0n && e + taxOf(e, rate) === totalFen) return [{ name, quantity: 1, unitPriceFen: e, ratePercent: rate }];
  }
  return [{ name, quantity: 1, unitPriceFen: totalFen, ratePercent: 0 }];
}

export interface FactoryMakerOptions {
  seed: string;
  /** Share of each kind's vouchers written as real files (after the first `minFiles`, which always are). */
  fileShare?: number;
  /** The first this many vouchers of each kind are files, so rare kinds are covered too. */
  minFiles?: number;
  /** At most this many files per kind. */
  maxFiles?: number;
}

/**
 * Vouchers from the synthetic factory. File-backed ones go through the factory's file builders (the bytes a
 * sender would send); model-backed ones through the same content generators (`invoiceData`, `dataVoucher`) and
 * the same expected-Voucher builders, drawing from the same numbered streams — so both kinds of voucher carry
 * the factory's numbers, parties, amounts, 缴款码 and serials.
 */
export function factoryMaker(opts: FactoryMakerOptions): VoucherMaker & { factory: Factory; files: number } {
  const factory = createFactory({ seed: opts.seed });
  const pick = new Prng(`${opts.seed}/files`);
  const share = opts.fileShare ?? 0.05;
  const minFiles = opts.minFiles ?? 6;
  const maxFiles = opts.maxFiles ?? 60;
  const seen = new Map<string, number>();
  const filed = new Map<string, number>();
  const asFile = (kind: string): number | undefined => {
    const n = seen.get(kind) ?? 0;
    seen.set(kind, n + 1);
    const f = filed.get(kind) ?? 0;
    if (f >= maxFiles || (n >= minFiles && !pick.chance(share))) return undefined;
    filed.set(kind, f + 1);
    return f;
  };
  const maker = {
    label: 'factory',
    factory,
    files: 0,
    invoice(spec: InvoiceSpec): Made {
      const lines = spec.totalFen !== undefined ? linesForTotal(spec.totalFen, pick.pick(SERVICES)) : undefined;
      const o = {
        issueDate: spec.issueDate,
        seller: spec.seller,
        buyer: BUYER,
        lines,
        red: spec.red,
        remarks: spec.reverses ? `被红冲蓝字发票号码：${spec.reverses}` : undefined,
      };
      const nth = asFile(spec.kind);
      if (nth !== undefined) {
        maker.files++;
        // 数电票 travel as OFD or as the EInvoice XML (the legal original); older kinds as OFD only.
        const file = spec.kind.startsWith('einv') && nth % 2 === 1 ? factory.digitalInvoiceXml({ ...o, kind: spec.kind as 'einv_ord' | 'einv_spcl' }) : factory.ofdInvoice({ ...o, kind: spec.kind });
        return { voucher: file.expected, file };
      }
      const { rng, serial } = factory.nextStream('ofdInvoice');
      const v = expectedInvoiceVoucher(invoiceData(rng, spec.kind, serial, o));
      v.signatureVerdict = 'valid';
      return { voucher: v };
    },
    data(kind: DataKind, spec: DataSpec): Made {
      const nth = asFile(kind);
      if (nth !== undefined) {
        maker.files++;
        // Bank receipts arrive as sealed OFDs as often as as XBRL; every data kind also as XBRL and as JSON.
        const file = kind === 'bker' && nth % 3 === 2 ? factory.bankReceiptOfd(spec) : nth % 2 === 0 ? factory.dataVoucher({ kind, ...spec }).xbrl : factory.dataVoucher({ kind, ...spec }).json;
        return { voucher: file.expected, file };
      }
      const { rng, serial } = factory.nextStream('dataVoucher');
      return { voucher: dataVoucher(rng, kind, serial, spec).expected };
    },
  };
  return maker;
}

/** Minimal records with the fields matching reads (numbers, amounts, dates, parties, keys): the benchmark's maker. */
export function recordMaker(seed: string): VoucherMaker {
  const rng = new Prng(`${seed}/records`);
  const numbers = new Set<string>();
  const unique = (make: () => string) => {
    for (;;) {
      const n = make();
      if (!numbers.has(n)) {
        numbers.add(n);
        return n;
      }
    }
  };
  const amount = () => BigInt(rng.int(2_000, 8_000_000));
  const base = (kind: Voucher['kind'], issueDate: string, totalFen: bigint): Voucher => ({
    kind,
    issueDate,
    totalAmount: fromFen(totalFen),
    currency: 'CNY',
    lineItems: [],
    extra: {},
    sources: {},
    signatures: [],
    signatureVerdict: 'valid',
    warnings: [],
  });
  return {
    label: 'records',
    invoice(spec) {
      const total = (spec.totalFen ?? amount()) * (spec.red ? -1n : 1n);
      const tax = (total * 6n) / 106n;
      const yy = spec.issueDate.slice(2, 4);
      const v = base(spec.kind, spec.issueDate, total);
      v.invoiceNumber = spec.kind.startsWith('einv') ? unique(() => `${yy}${rng.digits(18)}`) : unique(() => rng.digits(8, true));
      if (spec.kind.startsWith('inv')) v.invoiceCode = `0${rng.digits(11)}`;
      v.amountExTax = fromFen(total - tax);
      v.taxAmount = fromFen(tax);
      v.sellerName = spec.seller.name;
      v.sellerTaxId = spec.seller.taxId;
      v.buyerName = BUYER.name;
      v.lineItems = [{ name: '*现代服务*服务费', amount: fromFen(total - tax), taxAmount: fromFen(tax) }];
      if (spec.red) v.extra = { redInvoice: true, remarks: `被红冲蓝字发票号码：${spec.reverses ?? ''}` };
      return { voucher: v };
    },
    data(kind, spec) {
      const total = spec.totalFen ?? amount();
      const v = base(kind, spec.issueDate, total);
      const ymd = spec.issueDate.replace(/-/g, '');
      switch (kind) {
        case 'rai':
        case 'atr':
          v.invoiceNumber = unique(() => `${spec.issueDate.slice(2, 4)}${rng.digits(18)}`);
          v.sellerName = kind === 'rai' ? '中国铁路示例局集团有限公司' : '示例航空票务有限公司';
          if (spec.refund) v.extra = { businessType: '退票', refundFee: v.totalAmount };
          break;
        case 'efi':
          v.invoiceCode = `33${rng.digits(6)}`;
          v.invoiceNumber = unique(() => rng.digits(10, true));
          v.sellerName = `示例市测试局${rng.int(1, 99)}`;
          break;
        case 'ntrev':
          v.invoiceNumber = unique(() => rng.digits(10, true));
          v.extra = { paymentCode: unique(() => rng.digits(20, true)) };
          v.payerName = `示例科技有限公司${rng.int(1, 9999)}`;
          v.payeeName = '示例市财政局非税收入汇缴结算户';
          break;
        case 'ctp':
          v.invoiceNumber = unique(() => `${ymd}${rng.digits(6)}`);
          break;
        case 'bker':
          v.bankSerialNumber = unique(() => `${ymd}${rng.digits(12)}`);
          v.payerName = BUYER.name;
          v.payerAccount = '6222000000000000001';
          v.payeeName = `示例贸易有限公司${rng.int(1, 9999)}`;
          v.payeeAccount = rng.digits(19, true);
          v.extra = { creditOrDebit: '借' };
          break;
        case 'bkrs': {
          v.totalAmount = undefined;
          let balance = BigInt(rng.int(100_000, 100_000_000));
          const [y, m] = spec.issueDate.split('-');
          const lines = Array.from({ length: rng.int(3, 8) }, (_, i) => {
            const credit = rng.chance(0.5);
            const a = BigInt(rng.int(100, 5_000_000));
            balance += credit ? a : -a;
            return {
              bookkeepingDate: `${y}-${m}-${String(Math.min(28, 1 + i * 3)).padStart(2, '0')}`,
              serialNumber: unique(() => `${y}${m}${rng.digits(10)}`),
              creditOrDebit: credit ? '贷' : '借',
              amount: fromFen(a),
              balance: fromFen(balance),
              counterpartyAccount: rng.digits(19, true),
              counterpartyName: `示例咨询有限公司${rng.int(1, 9999)}`,
            };
          });
          v.extra = { statementLines: lines };
          break;
        }
      }
      return { voucher: v };
    },
  };
}

/** The fields matching reads, compared between what the factory says a file holds and what the readers found. */
const MATCH_FIELDS = ['kind', 'invoiceNumber', 'invoiceCode', 'issueDate', 'totalAmount', 'bankSerialNumber', 'payerAccount', 'payeeAccount', 'sellerName', 'payerName', 'payeeName'] as const;

export interface ParseReport {
  files: number;
  byFormat: Record<string, number>;
  byKind: Record<string, number>;
  /** One line per file whose parsed voucher differs from the factory's on a field matching reads, or that failed. */
  problems: string[];
  ms: number;
}

/**
 * Parses every file-backed voucher of `vouchers` with the real readers (inspectFile) and puts the parsed
 * Voucher in its place, dropping the bytes; reports what differs from the factory's ground truth.
 */
export async function parseFileBacked(vouchers: { voucher: Voucher; file?: GeneratedFile | { name: string } }[]): Promise<ParseReport> {
  const started = performance.now();
  const report: ParseReport = { files: 0, byFormat: {}, byKind: {}, problems: [], ms: 0 };
  for (const item of vouchers) {
    const file = item.file;
    // Corpus vouchers name their file but were parsed already; a parsed factory file has its bytes dropped.
    if (!file || !('bytes' in file) || file.bytes.length === 0) continue;
    report.files++;
    const r = await inspectFile(file.bytes, file.name);
    report.byFormat[r.format] = (report.byFormat[r.format] ?? 0) + 1;
    if (r.errors.length || !r.kind) {
      report.problems.push(`${file.name}: ${r.errors.join('; ') || 'no voucher'}`);
      continue;
    }
    const { file: _name, format: _format, errors: _errors, ...parsed } = r;
    const got = parsed as Voucher;
    report.byKind[got.kind] = (report.byKind[got.kind] ?? 0) + 1;
    for (const f of MATCH_FIELDS) if (got[f] !== file.expected[f]) report.problems.push(`${file.name}: ${f} read as ${JSON.stringify(got[f])}, factory says ${JSON.stringify(file.expected[f])}`);
    const code = (v: Voucher) => (v.extra?.paymentCode as string | undefined) ?? null;
    if (code(got) !== code(file.expected)) report.problems.push(`${file.name}: 缴款码 read as ${code(got)}, factory says ${code(file.expected)}`);
    const lines = (v: Voucher) => JSON.stringify(v.extra?.statementLines ?? null);
    if (lines(got) !== lines(file.expected)) report.problems.push(`${file.name}: statement lines differ`);
    item.voucher = got;
    item.file = { ...file, bytes: new Uint8Array(0) };
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}

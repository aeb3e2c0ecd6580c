/**
 * The synthetic voucher factory: `createFactory({ seed })` → generators of voucher files, each with `expected`,
 * the Voucher the readers must produce from it. Everything is a function of the seed and the order of calls:
 * item i of a stream uses its own PRNG fork, so the same seed gives the same bytes, and streams of any length
 * (10⁶ items) are produced lazily without holding them.
 */
import type { Voucher } from '../voucher';
import { VOUCHER_KIND_NAMES } from '../voucher';
import { writeVoucherJson, writeXbrl } from '../xbrl/write';
import { bankReceiptOfdFiles } from './bank-ofd';
import { dataVoucher, DATA_KINDS, type DataKind, type DataOverrides } from './data-kinds';
import { invoiceData, INVOICE_KINDS, expectedInvoiceVoucher, type InvoiceData, type InvoiceKind, type InvoiceOverrides } from './invoice-data';
import { digitalInvoiceXml, invoiceOfdFiles } from './invoice-ofd';
import { digitalInvoicePdf } from './invoice-pdf';
import { zipOfd } from './ofd-build';
import { Prng } from './prng';
import { testPki, type TestPki } from './pki';

export type GeneratedFormat = 'ofd' | 'xml' | 'xbrl' | 'json' | 'pdf';

export interface GeneratedFile {
  /** A file name as a sender would give it (kind and number). */
  name: string;
  format: GeneratedFormat;
  bytes: Uint8Array;
  /** Ground truth: what inspectFile / the format's reader must report. */
  expected: Voucher;
}

export interface FactoryOptions {
  seed: string | number;
}

export type OfdInvoiceRequest = { kind: InvoiceKind } & InvoiceOverrides;
export type DigitalInvoiceRequest = { kind: 'einv_ord' | 'einv_spcl' } & Omit<InvoiceOverrides, 'sealed' | 'invoiceCode'>;
export type DataRequest = { kind: DataKind } & DataOverrides;

export interface Factory {
  readonly seed: string;
  /** The seed's test CA, seal maker, signer and seal (built on first use, cached per seed). */
  readonly pki: TestPki;
  /** A standard-shaped invoice OFD, sealed unless `sealed: false`. */
  ofdInvoice(request: OfdInvoiceRequest): GeneratedFile & { invoice: InvoiceData };
  /** `count` sealed invoice OFDs (default: endless), kinds in rotation unless `kinds` says otherwise. */
  ofdInvoices(options?: { count?: number; kinds?: readonly InvoiceKind[] } & InvoiceOverrides): Generator<GeneratedFile>;
  /** 数电票 XML (`EInvoice`, the legal original) on its own. */
  digitalInvoiceXml(request: DigitalInvoiceRequest): GeneratedFile & { invoice: InvoiceData };
  /** 数电票 PDF: QR image + text in an embedded CJK subset (no embedded file, no signature, like the real ones). */
  digitalInvoicePdf(request: DigitalInvoiceRequest & { fontPath?: string }): Promise<GeneratedFile & { invoice: InvoiceData }>;
  /** One voucher of an XBRL kind as the XBRL instance and its JSON twin (same data, same expected Voucher). */
  dataVoucher(request: DataRequest): { xbrl: GeneratedFile; json: GeneratedFile };
  /** 银行电子回单 OFD: receipt page + embedded bker XBRL + the bank's seal (unless `sealed: false`). */
  bankReceiptOfd(request?: DataOverrides & { sealed?: boolean }): GeneratedFile;
  /** Every synchronous kind in rotation: invoice OFDs, 数电票 XML, bank receipt OFDs, XBRL and JSON of each data kind. */
  mixed(options?: { count?: number }): Generator<GeneratedFile>;
  /** The PRNG stream the next generated item will use (for extensions built on the factory). */
  nextStream(label: string): { rng: Prng; serial: number };
}

export function createFactory(options: FactoryOptions): Factory {
  const seed = String(options.seed);
  const root = new Prng(seed);
  // Numbers of a stream start at a seed-dependent base, so two seeds never print the same invoice numbers.
  const base = root.fork('serial-base').int(0, 50_000_000);
  let counter = 0;
  let pki: TestPki | undefined;

  const nextStream = (label: string) => {
    const i = counter++;
    return { rng: root.fork(`${label}/${i}`), serial: base + i };
  };

  const factory: Factory = {
    seed,
    get pki() {
      return (pki ??= testPki(seed));
    },
    nextStream,
    ofdInvoice(request) {
      const { rng, serial } = nextStream('ofdInvoice');
      const inv = invoiceData(rng, request.kind, serial, request);
      const sealed = request.sealed ?? true;
      const signingTime = new Date(`${inv.issueDate}T${inv.issueTime}+08:00`);
      const files = invoiceOfdFiles(inv, {
        docId: rng.hex(32).toLowerCase(),
        seal: sealed ? { pki: factory.pki, time: signingTime, boundary: [160, 100, 30, 30] } : undefined,
      });
      const expected = expectedInvoiceVoucher(inv);
      for (const f of ['invoiceCode', 'invoiceNumber', 'checkCode', 'issueDate', 'amountExTax', 'taxAmount', 'totalAmount', 'sellerName', 'sellerTaxId', 'buyerName', 'buyerTaxId'] as const)
        if (expected[f] !== undefined) expected.sources[f] = 'embedded-xml';
      expected.sources.lineItems = 'embedded-xml';
      expected.sources.title = 'page-text';
      expected.signatureVerdict = sealed ? 'valid' : 'unsigned';
      return { name: `${inv.kind}_${inv.invoiceCode ?? ''}${inv.invoiceNumber}.ofd`, format: 'ofd', bytes: zipOfd(files), expected, invoice: inv };
    },
    digitalInvoiceXml(request) {
      const { rng, serial } = nextStream('digitalInvoiceXml');
      const inv = invoiceData(rng, request.kind, serial, request);
      const expected = expectedInvoiceVoucher(inv);
      expected.title = VOUCHER_KIND_NAMES[inv.kind];
      for (const f of ['invoiceNumber', 'issueDate', 'amountExTax', 'taxAmount', 'totalAmount', 'sellerName', 'sellerTaxId', 'buyerName', 'buyerTaxId'] as const) expected.sources[f] = 'embedded-xml';
      return { name: `${inv.kind}_${inv.invoiceNumber}.xml`, format: 'xml', bytes: new TextEncoder().encode(digitalInvoiceXml(inv)), expected, invoice: inv };
    },
    async digitalInvoicePdf(request) {
      const { rng, serial } = nextStream('digitalInvoicePdf');
      const inv = invoiceData(rng, request.kind, serial, request);
      const bytes = await digitalInvoicePdf(inv, { fontPath: request.fontPath });
      const expected = expectedInvoiceVoucher(inv);
      // The PDF reader takes the number, date and 价税合计 from the QR code and the rest from the printed labels;
      // it reads no goods lines from the text, and the 开票人 and 备注 are not among its fields.
      expected.lineItems = [];
      expected.extra = inv.red ? { redInvoice: true } : {};
      expected.currency = 'CNY';
      for (const f of ['invoiceNumber', 'issueDate', 'totalAmount', 'currency'] as const) expected.sources[f] = 'qr';
      for (const f of ['amountExTax', 'taxAmount', 'sellerName', 'sellerTaxId', 'buyerName', 'buyerTaxId'] as const) expected.sources[f] = 'page-text';
      return { name: `${inv.kind}_${inv.invoiceNumber}.pdf`, format: 'pdf', bytes, expected, invoice: inv };
    },
    dataVoucher(request) {
      const { rng, serial } = nextStream('dataVoucher');
      const d = dataVoucher(rng, request.kind, serial, request);
      const xbrl = writeXbrl(d.configId, d.voucher, { entityIdentifier: d.entityIdentifier, instant: d.voucher.issueDate! });
      const json = JSON.stringify(writeVoucherJson(d.configId, d.voucher), null, 2);
      const stem = `${d.configId}_${d.voucher.issueDate!.replace(/-/g, '')}_${d.voucher.invoiceNumber ?? serial}`;
      const enc = new TextEncoder();
      return {
        xbrl: { name: `${stem}.xml`, format: 'xbrl', bytes: enc.encode(xbrl), expected: d.expected },
        json: { name: `${stem}.json`, format: 'json', bytes: enc.encode(json), expected: structuredClone(d.expected) },
      };
    },
    bankReceiptOfd(request = {}) {
      const { rng, serial } = nextStream('bankReceiptOfd');
      const d = dataVoucher(rng, 'bker', serial, request);
      const xbrl = writeXbrl(d.configId, d.voucher, { entityIdentifier: d.entityIdentifier, instant: d.voucher.issueDate! });
      const title = '示例银行电子回单';
      const sealed = request.sealed ?? true;
      const time = new Date(`${d.voucher.issueDate}T${String(rng.int(9, 17)).padStart(2, '0')}:${String(rng.int(10, 59))}:00+08:00`);
      const files = bankReceiptOfdFiles(d.voucher, xbrl, { docId: rng.hex(32).toLowerCase(), title, seal: sealed ? { pki: factory.pki, time, boundary: [150, 84, 30, 30] } : undefined });
      const expected = d.expected;
      // The printed title wins over the taxonomy's generic name (ofd/read.ts).
      expected.title = title;
      expected.sources.title = 'page-text';
      expected.signatureVerdict = sealed ? 'valid' : 'unsigned';
      return { name: `bker_${d.voucher.invoiceNumber}.ofd`, format: 'ofd', bytes: zipOfd(files), expected };
    },
    *mixed(opts = {}) {
      const count = opts.count ?? Infinity;
      const plan: (() => GeneratedFile)[] = [
        ...INVOICE_KINDS.map((kind) => () => factory.ofdInvoice({ kind })),
        () => factory.digitalInvoiceXml({ kind: 'einv_ord' }),
        () => factory.bankReceiptOfd(),
        ...DATA_KINDS.map((kind) => () => factory.dataVoucher({ kind }).xbrl),
        ...DATA_KINDS.map((kind) => () => factory.dataVoucher({ kind }).json),
      ];
      for (let i = 0; i < count; i++) yield plan[i % plan.length]();
    },
    *ofdInvoices(opts = {}) {
      const { count = Infinity, kinds = INVOICE_KINDS, ...overrides } = opts;
      for (let i = 0; i < count; i++) yield factory.ofdInvoice({ ...overrides, kind: kinds[i % kinds.length] });
    },
  };
  return factory;
}

/**
 * The synthetic voucher factory: `createFactory({ seed })` → generators of voucher files, each with `expected`,
 * the Voucher the readers must produce from it. Everything is a function of the seed and the order of calls:
 * item i of a stream uses its own PRNG fork, so the same seed gives the same bytes, and streams of any length
 * (10⁶ items) are produced lazily without holding them.
 */
import type { Voucher } from '../voucher';
import { invoiceData, INVOICE_KINDS, expectedInvoiceVoucher, type InvoiceData, type InvoiceKind, type InvoiceOverrides } from './invoice-data';
import { invoiceOfdFiles } from './invoice-ofd';
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

export interface Factory {
  readonly seed: string;
  /** The seed's test CA, seal maker, signer and seal (built on first use, cached per seed). */
  readonly pki: TestPki;
  /** A standard-shaped invoice OFD, sealed unless `sealed: false`. */
  ofdInvoice(request: OfdInvoiceRequest): GeneratedFile & { invoice: InvoiceData };
  /** `count` sealed invoice OFDs (default: endless), kinds in rotation unless `kinds` says otherwise. */
  ofdInvoices(options?: { count?: number; kinds?: readonly InvoiceKind[] } & InvoiceOverrides): Generator<GeneratedFile>;
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
    *ofdInvoices(opts = {}) {
      const { count = Infinity, kinds = INVOICE_KINDS, ...overrides } = opts;
      for (let i = 0; i < count; i++) yield factory.ofdInvoice({ ...overrides, kind: kinds[i % kinds.length] });
    },
  };
  return factory;
}

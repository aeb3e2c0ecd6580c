/**
 * Every PDF of the shared corpus is read or rejected with a FormatError — nothing else may escape — and the
 * fields of the real vouchers match what is printed on them (read by eye from the rendered pages). Personal
 * identifiers are asserted by shape only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FormatError } from '../errors';
import type { Voucher } from '../voucher';
import { shutdownPdfEngine } from './engine';
import { renderPageWithPdftoppm } from './render-poppler';
import { readPdfVoucher } from './voucher';

const CORPUS = path.resolve(__dirname, '../../../..', '../shared/corpus/raw');
const files = existsSync(CORPUS)
  ? readdirSync(CORPUS, { recursive: true, encoding: 'utf8' }).filter((f) => f.toLowerCase().endsWith('.pdf')).sort()
  : [];
const havePdftoppm = ['/usr/bin/pdftoppm', '/usr/local/bin/pdftoppm'].some(existsSync);
const renderPage = havePdftoppm ? (b: Uint8Array, p: number) => renderPageWithPdftoppm(b, p) : undefined;

afterAll(() => shutdownPdfEngine());

const results = new Map<string, Voucher | FormatError>();
async function read(file: string): Promise<Voucher | FormatError> {
  if (!results.has(file)) {
    try {
      results.set(file, await readPdfVoucher(readFileSync(path.join(CORPUS, file)), { renderPage }));
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      results.set(file, e);
    }
  }
  return results.get(file)!;
}

if (files.length === 0) {
  it.skip(`corpus PDFs (corpus not found at ${CORPUS})`, () => undefined);
}

describe('every corpus PDF is read or rejected with a FormatError', () => {
  it.each(files)('%s', async (file) => {
    const r = await read(file);
    if (r instanceof FormatError) {
      expect(r.message.length).toBeGreaterThan(10);
      return;
    }
    expect(typeof r.kind).toBe('string');
    expect(r.signatureVerdict).toMatch(/^(valid|invalid|incomplete|unsigned|unsupported)$/);
    for (const m of [r.totalAmount, r.amountExTax, r.taxAmount]) if (m !== undefined) expect(m).toMatch(/^-?\d+\.\d{2}$/);
    if (r.issueDate !== undefined) expect(r.issueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  }, 60_000);
});

interface Expected {
  kind: Voucher['kind'];
  invoiceNumber?: string;
  invoiceCode?: string;
  issueDate?: string;
  totalAmount?: string;
  amountExTax?: string;
  sellerName?: string;
  title?: string;
  signed?: boolean;
  /** Signature verdict with the project's CMS verifier and no trust anchors. */
  verdict?: Voucher['signatureVerdict'];
  sources?: Record<string, string>;
}

/** Values as printed on the documents (file names shortened to a unique tail). */
const EXPECTED: Array<[string, Expected]> = [
  ['976da973_26427000000145892896.pdf', { kind: 'einv_ord', invoiceNumber: '26427000000145892896', issueDate: '2026-01-08', totalAmount: '220.00', amountExTax: '194.69', sellerName: '中国石化销售股份有限公司湖北武汉石油分公司', title: '电子发票（普通发票）', signed: false, sources: { invoiceNumber: 'qr', totalAmount: 'qr', sellerName: 'page-text' } }],
  ['8ed207ec_滴滴电子发票.pdf', { kind: 'einv_ord', invoiceNumber: '25317000002856140513', issueDate: '2025-11-08', totalAmount: '73.20', amountExTax: '71.07', sellerName: '上海滴滴畅行科技有限公司', signed: false }],
  ['604c2a6b_17.14元-2025年10月07日18时40分腾讯出行电子发票-.pdf', { kind: 'einv_ord', invoiceNumber: '25317000002856389003', issueDate: '2025-11-08', totalAmount: '17.14', amountExTax: '16.64', sellerName: '上海行其智科技有限公司', signed: false }],
  ['482078385650808140.pdf', { kind: 'inv_ord', invoiceCode: '042002200411', invoiceNumber: '50440169', issueDate: '2023-08-11', totalAmount: '307.64', amountExTax: '272.25', sellerName: '道达尔能源销售（湖北）有限公司', title: '湖北增值税电子普通发票', signed: true, verdict: 'valid', sources: { invoiceCode: 'qr', amountExTax: 'qr', totalAmount: 'page-text' } }],
  ['017896387135354278.pdf', { kind: 'inv_ord', invoiceCode: '042002300111', invoiceNumber: '17379385', issueDate: '2023-04-11', totalAmount: '228.00', amountExTax: '225.74', sellerName: '武汉食之有味餐饮有限公司', signed: true, verdict: 'valid' }],
  ['73c00f18_042002200411_51905150.pdf', { kind: 'inv_ord', invoiceCode: '042002200411', invoiceNumber: '51905150', issueDate: '2023-04-05', totalAmount: '212.00', amountExTax: '187.61', sellerName: '中国石化销售股份有限公司湖北武汉石油分公司', signed: true, verdict: 'valid' }],
  ['2415fd721d9cbf7f8ce88111b37c027e.pdf', { kind: 'inv_ord', invoiceCode: '144032509110', invoiceNumber: '17367455', issueDate: '2025-06-06', totalAmount: '15.00', amountExTax: '14.29', sellerName: '深圳市淦碧源实业有限公司', title: '深圳电子普通发票', signed: true, verdict: 'valid', sources: { invoiceNumber: 'qr', totalAmount: 'qr', invoiceCode: 'page-text' } }],
  ['xbrl-001.pdf', { kind: 'atr', invoiceNumber: '9223372036854775807', issueDate: '2021-07-28', totalAmount: '620.00', sellerName: '中国南方航空股份有限公司', signed: false }],
  ['pdf-parse__002614004999.pdf', { kind: 'bker', invoiceNumber: '002614004999', issueDate: '2020-01-26', totalAmount: '50.00', signed: true, verdict: 'valid' }],
  ['0b52e09a_17.14元-2025年10月07日18时40分腾讯出行行程单-.pdf', { kind: 'other', totalAmount: '17.14', issueDate: '2025-11-08', signed: false }],
  ['3c45c82f_滴滴出行行程报销单.pdf', { kind: 'other', totalAmount: '73.20', issueDate: '2025-11-08', signed: false }],
];

describe('fields of real PDF vouchers', () => {
  for (const [tail, expected] of EXPECTED) {
    const file = files.find((f) => f.endsWith(tail));
    (file ? it : it.skip)(`${tail}`, async () => {
      const v = await read(file!);
      expect(v).not.toBeInstanceOf(FormatError);
      const voucher = v as Voucher;
      const { signed, verdict, sources, ...fields } = expected;
      expect(voucher).toMatchObject(fields);
      expect(voucher.signatureVerdict).toBe(verdict ?? 'unsigned');
      if (sources) expect(voucher.sources).toMatchObject(sources);
      expect(voucher.signatures.length > 0).toBe(signed);
      // Taxpayer IDs: 18-character unified social credit codes, asserted by shape only.
      for (const id of [voucher.sellerTaxId, voucher.buyerTaxId]) if (id !== undefined) expect(id).toMatch(/^[0-9A-Z]{15,20}$/);
    }, 60_000);
  }

  const bank = files.find((f) => f.endsWith('pdf-parse__002614004999.pdf'));
  (bank ? it : it.skip)('bank receipt: payer account and bank read, serial number kept, no payee on a fee receipt', async () => {
    const v = (await read(bank!)) as Voucher;
    expect(v.payerAccount).toMatch(/^\d{21}$/);
    expect(v.payerBank).toMatch(/^交通银行.+支行$/);
    expect(v.bankSerialNumber).toMatch(/^EEA\d{13}$/);
    expect(v.payeeName).toBeUndefined();
    expect(v.currency).toBe('CNY');
    expect(v.signatures[0]).toMatchObject({ format: 'pdf-cms', location: 'Signature1' });
  }, 60_000);

  it.each([
    ['976da973_26427000000145892896.pdf', '成品油'],
    ['8ed207ec_滴滴电子发票.pdf', '旅客运输服务'],
    ['73c00f18_042002200411_51905150.pdf', '成品油'],
  ])('special-business header of %s is %s', async (tail, header) => {
    const file = files.find((f) => f.endsWith(tail));
    if (!file) return;
    const v = (await read(file)) as Voucher;
    expect(v.extra.specialBusiness).toBe(header);
  }, 60_000);

  const signedInvoice = files.find((f) => f.endsWith('482078385650808140.pdf'));
  (signedInvoice ? it : it.skip)('a byte changed inside the signed range makes the signature invalid', async () => {
    const bytes = Buffer.from(readFileSync(path.join(CORPUS, signedInvoice!)));
    const at = bytes.indexOf('iText');
    expect(at).toBeGreaterThan(0);
    bytes[at] = 'I'.charCodeAt(0); // inside the Producer string, which the signature covers
    const v = await readPdfVoucher(bytes);
    expect(v.signatureVerdict).toBe('invalid');
    expect(v.signatures[0].digestsOk).toBe(false);
    expect(v.invoiceNumber).toBe('50440169'); // the content is still read
  }, 60_000);

  const air = files.find((f) => f.endsWith('xbrl-001.pdf'));
  (air ? it : it.skip)('air itinerary: empty /EmbeddedFiles yields no attachment; the vector QR is found by rendering', async () => {
    const v = (await read(air!)) as Voucher;
    expect((v.extra.pdf as { attachments: unknown[] }).attachments).toEqual([]);
    if (havePdftoppm) {
      expect(v.sources.invoiceNumber).toBe('qr');
      expect(v.extra.qr).toEqual({ typeCode: '61', format: 'tax-csv' });
    }
    expect(v.extra.eTicketNumber).toBe('7841234567890');
  }, 60_000);
});

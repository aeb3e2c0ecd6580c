import { checkChain } from '../crypto/x509';
import { inspectFile } from '../inspect';
import { readOfdVoucher } from '../ofd/read';
import { openZip } from '../zip';
import { decodeBarcodes } from '../qr/decode';
import { parseQrPayload } from '../qr/payload';
import { amountInWords } from './amounts';
import { voucherDifferences } from './compare';
import { createFactory } from './factory';
import { INVOICE_KINDS } from './invoice-data';
import { tamper } from './tamper';

const factory = createFactory({ seed: 'factory-spec' });

describe('ofdInvoice: sealed OFD invoices read back as their ground truth', () => {
  it.each(INVOICE_KINDS)('%s through inspectFile: every expected field, a valid seal, no warnings', async (kind) => {
    const g = factory.ofdInvoice({ kind });
    const r = await inspectFile(g.bytes, g.name);
    expect(r.errors).toEqual([]);
    expect(r.format).toBe('ofd');
    expect(voucherDifferences(g.expected, r)).toEqual([]);
    expect(r.kind).toBe(kind);
    expect(r.signatureVerdict).toBe('valid');
    expect(r.signatures).toHaveLength(1);
    expect(r.signatures![0]).toMatchObject({ format: 'ses-v4', digestsOk: true, signatureValid: true });
    expect(r.warnings).toEqual([]);
  });

  it('red invoices: negative amounts and quantities, the reversed invoice in the remarks, marked red', () => {
    for (const kind of INVOICE_KINDS) {
      const g = factory.ofdInvoice({ kind, red: true, lines: 2 });
      const v = readOfdVoucher(g.bytes).voucher;
      expect(voucherDifferences(g.expected, v)).toEqual([]);
      expect(v.totalAmount!.startsWith('-')).toBe(true);
      expect(v.lineItems.every((l) => l.quantity!.startsWith('-') && l.amount!.startsWith('-'))).toBe(true);
      expect(v.extra.redInvoice).toBe(true);
      expect(String(v.extra.remarks)).toContain(g.invoice.original!.number);
      expect(v.signatureVerdict).toBe('valid');
    }
  });

  it('eight goods lines add up exactly (integer fen) and each line comes back', () => {
    const g = factory.ofdInvoice({
      kind: 'inv_spcl',
      lines: Array.from({ length: 8 }, (_, i) => ({ name: `*测试货物*样品${i + 1}`, unit: '个', quantity: i + 1, unitPriceFen: 333n, ratePercent: 13 })),
    });
    const v = readOfdVoucher(g.bytes).voucher;
    expect(v.lineItems).toHaveLength(8);
    expect(v.lineItems[7]).toEqual({ name: '*测试货物*样品8', unit: '个', quantity: '8', unitPrice: '3.33', amount: '26.64', taxRate: '0.13', taxAmount: '3.46' });
    // 3.33 × (1+…+8) = 119.88; taxes rounded per line: 0.43 0.87 1.30 1.73 2.16 2.60 3.03 3.46 = 15.58
    expect(v).toMatchObject({ amountExTax: '119.88', taxAmount: '15.58', totalAmount: '135.46' });
    expect(voucherDifferences(g.expected, v)).toEqual([]);
    expect(v.warnings).toEqual([]);
  });

  it('overrides: seller, buyer, date, number; unsealed packages are unsigned', () => {
    const g = factory.ofdInvoice({ kind: 'einv_ord', seller: { name: '示例科技有限公司7' }, issueDate: '2025-04-01', invoiceNumber: '25330000000000000001', sealed: false });
    const v = readOfdVoucher(g.bytes).voucher;
    expect(v).toMatchObject({ sellerName: '示例科技有限公司7', issueDate: '2025-04-01', invoiceNumber: '25330000000000000001', signatureVerdict: 'unsigned' });
    expect(voucherDifferences(g.expected, v)).toEqual([]);
    expect(openZip(g.bytes).entries.some((e) => e.name.includes('Signs/'))).toBe(false);
  });

  it('the package has the standard parts: CustomDatas, template, custom tags, attachment, QR image, seal', () => {
    const g = factory.ofdInvoice({ kind: 'inv_ord' });
    const names = openZip(g.bytes).entries.map((e) => e.name);
    expect(names).toEqual([
      'OFD.xml',
      'Doc_0/Document.xml',
      'Doc_0/PublicRes.xml',
      'Doc_0/Res/qr.png',
      'Doc_0/Tpls/Tpl_0/Content.xml',
      'Doc_0/Pages/Page_0/Content.xml',
      'Doc_0/Attachs/Attachments.xml',
      'Doc_0/Attachs/original_invoice.xml',
      'Doc_0/Tags/CustomTags.xml',
      'Doc_0/Tags/CustomTag.xml',
      'Doc_0/Signs/Signatures.xml',
      'Doc_0/Signs/Sign_0/Seal.esl',
      'Doc_0/Signs/Sign_0/Signature.xml',
      'Doc_0/Signs/Sign_0/SignedValue.dat',
    ]);
    const r = readOfdVoucher(g.bytes);
    expect(r.data.layers.map((l) => l.source)).toEqual(['embedded-xml', 'custom-tag', 'custom-data', 'page-text']);
    // The printed page and the tags agree with the attachment: no cross-check warning above.
    const tags = r.data.layers[1].fields;
    expect(tags).toMatchObject({ invoiceNumber: g.expected.invoiceNumber, totalAmount: g.expected.totalAmount, sellerName: g.expected.sellerName });
    const page = r.data.layers[3].fields;
    expect(page).toMatchObject({ invoiceNumber: g.expected.invoiceNumber, amountExTax: g.expected.amountExTax, buyerName: g.expected.buyerName, sellerName: g.expected.sellerName });
  });
});

describe('the QR image', () => {
  it.each(['inv_spcl', 'einv_ord'] as const)('%s: the PNG decodes to the tax-bureau payload of the invoice', async (kind) => {
    const g = factory.ofdInvoice({ kind });
    const [qr] = await decodeBarcodes(openZip(g.bytes).read('Doc_0/Res/qr.png'));
    expect(qr.text).toBe(g.invoice.qrPayload);
    const p = parseQrPayload(qr.text);
    expect(p).toMatchObject({ kind, invoiceNumber: g.expected.invoiceNumber, issueDate: g.expected.issueDate });
    // Old VAT invoices print the amount excluding tax, 数电票 the total (voucher-formats.md §4).
    if (kind === 'inv_spcl') expect(p).toMatchObject({ invoiceCode: g.expected.invoiceCode, amountExTax: g.expected.amountExTax, checkCode: g.expected.checkCode });
    else expect(p.totalAmount).toBe(g.expected.totalAmount);
  });
});

describe('tampering a signed part makes the verdict invalid', () => {
  const g = factory.ofdInvoice({ kind: 'inv_ord' });

  it.each(['page', 'signed-value', 'signature-xml', 'ofd-xml', 'attachment'] as const)('%s', (target) => {
    const t = tamper(g.bytes, target);
    const v = readOfdVoucher(t.bytes).voucher;
    expect(v.signatureVerdict).toBe('invalid');
  });

  it('one changed byte in any protected file', () => {
    const zip = openZip(g.bytes);
    const protectedFiles = zip.entries.map((e) => e.name).filter((n) => !/SignedValue\.dat$|Sign_0\/Signature\.xml$/.test(n));
    expect(protectedFiles).toHaveLength(12);
    for (const path of protectedFiles) {
      const size = zip.read(path).length;
      // XML parts: a digit near the middle (the XML stays well-formed, so only the digest can notice);
      // binary parts (QR PNG, Seal.esl): first, middle and last byte.
      const offsets = path.endsWith('.xml') ? [undefined] : [0, size >> 1, size - 1];
      for (const offset of offsets) {
        const v = readOfdVoucher(tamper(g.bytes, { path }, { offset }).bytes).voucher;
        expect([path, offset, v.signatureVerdict]).toEqual([path, offset, 'invalid']);
      }
    }
  });
});

describe('determinism', () => {
  it('the same seed gives the same bytes; another seed other numbers and parties', () => {
    const a = createFactory({ seed: 42 });
    const b = createFactory({ seed: 42 });
    const c = createFactory({ seed: 43 });
    const take = (f: typeof a) => [...f.ofdInvoices({ count: 4 })];
    const [xa, xb, xc] = [take(a), take(b), take(c)];
    for (let i = 0; i < 4; i++) expect(Buffer.compare(xa[i].bytes, xb[i].bytes)).toBe(0);
    expect(xa.map((x) => x.expected.invoiceNumber)).toEqual(xb.map((x) => x.expected.invoiceNumber));
    for (let i = 0; i < 4; i++) {
      expect(xc[i].expected.invoiceNumber).not.toBe(xa[i].expected.invoiceNumber);
      expect(xc[i].expected.sellerTaxId).not.toBe(xa[i].expected.sellerTaxId);
    }
    expect(new Set(xa.map((x) => x.expected.kind))).toEqual(new Set(INVOICE_KINDS));
  });

  it('streams lazily: numbers stay unique over a long stream', () => {
    const seen = new Set<string>();
    let n = 0;
    for (const g of createFactory({ seed: 'stream' }).ofdInvoices({ count: 12, kinds: ['inv_ord'], sealed: false })) {
      seen.add(g.expected.invoiceCode! + g.expected.invoiceNumber);
      n++;
    }
    expect([n, seen.size]).toEqual([12, 12]);
  });
});

describe('test PKI and amounts', () => {
  it('the signer and maker certificates chain to the seed\'s test CA; the seal names the signer', () => {
    const pki = factory.pki;
    expect(pki.root.subject.text).toContain('evarchive 测试CA');
    expect(checkChain(pki.signer, { trustAnchors: [pki.root] }).status).toBe('trusted');
    expect(checkChain(pki.maker, { trustAnchors: [pki.root] }).status).toBe('trusted');
    expect(createFactory({ seed: 'factory-spec' }).pki).toBe(pki); // cached per seed
  });

  it('大写 amounts', () => {
    expect(amountInWords(10600n)).toBe('壹佰零陆圆整');
    expect(amountInWords(106050n)).toBe('壹仟零陆拾圆伍角');
    expect(amountInWords(100001n)).toBe('壹仟圆零壹分');
    expect(amountInWords(123456789n)).toBe('壹佰贰拾叁万肆仟伍佰陆拾柒圆捌角玖分');
    expect(amountInWords(-10600n)).toBe('（负数）壹佰零陆圆整');
  });
});

import { inspectFile } from '../inspect';
import { readOfdVoucher } from '../ofd/read';
import { voucherDifferences } from './compare';
import { DATA_KINDS } from './data-kinds';
import { createFactory } from './factory';
import { tamper } from './tamper';

const factory = createFactory({ seed: 'kinds-spec' });

describe('XBRL kinds and their JSON twins read back as the ground truth', () => {
  it.each(DATA_KINDS)('%s', async (kind) => {
    const { xbrl, json } = factory.dataVoucher({ kind });
    for (const g of [xbrl, json]) {
      const r = await inspectFile(g.bytes, g.name);
      expect([g.format, r.errors]).toEqual([g.format, []]);
      expect(r.format).toBe(g.format);
      expect(r.kind).toBe(kind);
      expect(voucherDifferences(g.expected, r)).toEqual([]);
      expect(r.warnings).toEqual([]);
    }
  });

  it('railway refunds carry the refund fee; non-tax forms their 缴款码; statements balance line by line', async () => {
    const rai = factory.dataVoucher({ kind: 'rai', refund: true, totalFen: 1050n }).xbrl;
    const r = await inspectFile(rai.bytes, rai.name);
    expect(r).toMatchObject({ totalAmount: '10.50', extra: { businessType: '退票', refundFee: '10.50', fare: '10.50' } });
    expect(voucherDifferences(rai.expected, r)).toEqual([]);

    const nt = factory.dataVoucher({ kind: 'ntrev' }).json;
    const n = await inspectFile(nt.bytes, nt.name);
    expect(String(n.extra!.paymentCode)).toMatch(/^\d{20}$/);
    expect(n.lineItems!.length).toBeGreaterThan(0);

    const st = factory.dataVoucher({ kind: 'bkrs', lines: 6 }).xbrl;
    const s = await inspectFile(st.bytes, st.name);
    const lines = s.extra!.statementLines as { amount: string; balance: string; creditOrDebit: string }[];
    expect(lines).toHaveLength(6);
    expect(s.extra!.closingBalance).toBe(lines[5].balance);
    expect(s.warnings).toEqual([]); // kinds/bank.ts checks each balance step against the amount
  });
});

describe('bank receipt OFD with embedded bker XBRL and a seal', () => {
  it('reads back, sealed and valid; a changed byte in the XBRL attachment is caught', async () => {
    const g = factory.bankReceiptOfd();
    const r = await inspectFile(g.bytes, g.name);
    expect(r.errors).toEqual([]);
    expect(voucherDifferences(g.expected, r)).toEqual([]);
    expect(r).toMatchObject({ kind: 'bker', signatureVerdict: 'valid' });
    expect(r.warnings).toEqual([]);
    expect(readOfdVoucher(tamper(g.bytes, 'attachment').bytes).voucher.signatureVerdict).toBe('invalid');
  });
});

describe('数电票 XML and PDF', () => {
  it.each(['einv_ord', 'einv_spcl'] as const)('%s XML through inspectFile', async (kind) => {
    const g = factory.digitalInvoiceXml({ kind, lines: 3 });
    const r = await inspectFile(g.bytes, g.name);
    expect(r.errors).toEqual([]);
    expect(voucherDifferences(g.expected, r)).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('a red 数电票 XML', async () => {
    const g = factory.digitalInvoiceXml({ kind: 'einv_ord', red: true });
    const r = await inspectFile(g.bytes, g.name);
    expect(voucherDifferences(g.expected, r)).toEqual([]);
    expect(r.extra!.redInvoice).toBe(true);
  });

  it.each(['einv_ord', 'einv_spcl'] as const)('%s PDF: QR decoded from the image, the rest from the printed labels', async (kind) => {
    const g = await factory.digitalInvoicePdf({ kind, lines: 2 });
    const r = await inspectFile(g.bytes, g.name);
    expect(r.errors).toEqual([]);
    expect(voucherDifferences(g.expected, r)).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('the PDF is deterministic and embeds only a font subset', async () => {
    const a = await createFactory({ seed: 'pdf' }).digitalInvoicePdf({ kind: 'einv_ord' });
    const b = await createFactory({ seed: 'pdf' }).digitalInvoicePdf({ kind: 'einv_ord' });
    expect(Buffer.compare(a.bytes, b.bytes)).toBe(0);
    expect(a.bytes.length).toBeLessThan(150_000);
  });
});

describe('mixed streams', () => {
  it('every synchronous kind in rotation, each matching its ground truth', async () => {
    const kinds = new Set<string>();
    for (const g of createFactory({ seed: 'mixed' }).mixed({ count: 20 })) {
      const r = await inspectFile(g.bytes, g.name);
      expect([g.name, voucherDifferences(g.expected, r), r.errors]).toEqual([g.name, [], []]);
      kinds.add(`${r.kind}/${r.format}`);
    }
    expect(kinds.size).toBeGreaterThanOrEqual(14);
  });
});

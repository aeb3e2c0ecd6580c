/**
 * The real corpus (../shared/corpus/raw, test input only — never copied into the repository). Every OFD there
 * must be read or refused with a FormatError; selected files are checked field by field against values read
 * out of the files by hand. Personal values (people's names, personal accounts and IDs) are asserted by
 * property only.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FormatError } from '../errors';
import { verifyOfdSignatures } from '../signatures';
import type { Voucher } from '../voucher';
import { openOfd, packageFromFiles } from './container';
import { readOfdDocument } from './document';
import { readOfdPackageVoucher, readOfdVoucher } from './read';
import { pageText } from './text';

const CORPUS = resolve(__dirname, '../../../..', '../shared/corpus/raw');
const present = existsSync(CORPUS);
if (!present) console.warn(`OFD corpus tests skipped: ${CORPUS} is absent (the corpus is not part of the repository)`);
const describeCorpus = present ? describe : describe.skip;

function corpusFiles(): string[] {
  if (!present) return [];
  const out: string[] = [];
  for (const dir of readdirSync(CORPUS)) {
    const d = join(CORPUS, dir);
    if (!statSync(d).isDirectory()) continue;
    for (const f of readdirSync(d)) if (/\.ofd$/i.test(f) || f === 'test__test.zip') out.push(join(dir, f));
  }
  return out.sort();
}

/** Field tests skip signature verification: verdicts belong to formats/signatures and are tested there. */
const read = (rel: string) => readOfdVoucher(readFileSync(join(CORPUS, rel)), { verifySignatures: false });

describeCorpus('every OFD in the corpus', () => {
  const files = corpusFiles();

  it('finds the OFD files', () => {
    expect(files.length).toBeGreaterThanOrEqual(60);
  });

  it.each(files)('%s is read or refused with a FormatError', (rel) => {
    let outcome: string;
    try {
      // With the default signature verification: whatever it finds, the reader must not throw anything else.
      const r = readOfdVoucher(readFileSync(join(CORPUS, rel)));
      expect(r.voucher.kind).toBeDefined();
      expect(r.document.pages.length).toBeGreaterThan(0);
      for (const m of [r.voucher.amountExTax, r.voucher.taxAmount, r.voucher.totalAmount]) if (m !== undefined) expect(m).toMatch(/^-?\d+\.\d{2}$/);
      if (r.voucher.issueDate !== undefined) expect(r.voucher.issueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      outcome = 'read';
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      outcome = `refused: ${e.code}`;
    }
    // Every file of this corpus is readable; a regression to "refused" must be deliberate.
    expect(outcome).toBe('read');
  });
});

/** Disagreements between layers ("totalAmount: xbrl says …, page text says …"), not other readers' notes. */
const disagreements = (v: Voucher) => v.warnings.filter((w) => / says .*, .* says /.test(w));

/** Field values established by reading each file (OFD.xml, attachments, page text). */
const EXPECTED: [string, Partial<Voucher>, (v: Voucher) => void][] = [
  [
    'ofdrw__ofdrw/ofdrw-converter__src__test__resources__1.ofd',
    { kind: 'inv_ord', invoiceCode: '033002000211', invoiceNumber: '83089647', issueDate: '2020-07-23', checkCode: '16197833567414507415', amountExTax: '510.68', taxAmount: '15.32', totalAmount: '526.00', sellerName: '兰溪市悦济舫餐厅', sellerTaxId: '92330781MA2EDMFU50', title: '浙江增值税电子普通发票' },
    (v) => {
      expect(v.sources.invoiceNumber).toBe('embedded-xml');
      expect(v.extra.qrPayload).toBe('01,10,033002000211,83089647,510.68,20200723,16197833567414507415,0941,');
      expect(disagreements(v)).toEqual([]); // the malformed CustomTag.xml agrees with the attachment
      expect(v.signatureVerdict).toBe('incomplete'); // signed; verification switched off here
    },
  ],
  [
    'ofdrw__ofdrw/ofdrw-converter__src__test__resources__20240531141733.ofd',
    { kind: 'einv_spcl', invoiceNumber: '24112000000048542163', issueDate: '2024-05-28', amountExTax: '4197.17', taxAmount: '251.83', totalAmount: '4449.00', sellerName: '北京互联三六五科技有限公司', sellerTaxId: '91110108690017781B', title: '电子发票（增值税专用发票）', signatureVerdict: 'unsigned' },
    (v) => {
      expect(v.invoiceCode).toBeUndefined();
      expect(v.sources).toMatchObject({ invoiceNumber: 'custom-tag', totalAmount: 'custom-tag' });
    },
  ],
  [
    'ofdrw__ofdrw/ofdrw-converter__src__test__resources__999.ofd',
    { kind: 'inv_ord', invoiceCode: '050001700111', invoiceNumber: '12235358', issueDate: '2020-08-05', amountExTax: '10000.00', taxAmount: '600.00', totalAmount: '10600.00', sellerName: '财天下科技有限公司', buyerName: '个人' },
    (v) => {
      expect(v.lineItems).toHaveLength(100);
      expect(v.buyerTaxId).toBeUndefined(); // a private buyer has none, and the seller's must not be taken for it
    },
  ],
  [
    'ofdrw__ofdrw/ofdrw-converter__src__test__resources__SignScaleError.ofd',
    { kind: 'inv_ord', invoiceCode: '033002200211', invoiceNumber: '99934328', issueDate: '2022-09-01', amountExTax: '9.91', taxAmount: '1.29', totalAmount: '11.20', sellerName: '杭州融运科技有限公司' },
    (v) => expect(v.sources).toMatchObject({ invoiceNumber: 'xbrl', totalAmount: 'xbrl' }),
  ],
  [
    'ofdrw__ofdrw/ofdrw-converter__src__test__resources__发票示例.ofd',
    { kind: 'inv_ord', invoiceCode: '050001700111', invoiceNumber: '99999951', issueDate: '2020-10-10', amountExTax: '300.00', taxAmount: '18.00', totalAmount: '318.00', sellerName: '杭州融易算企业管理咨询有限公司' },
    (v) => expect(v.lineItems.length).toBe(3),
  ],
  [
    'ofdrw__ofdrw/ofdrw-sign__src__test__resources__v4signed.ofd',
    { kind: 'inv_ord', invoiceNumber: '99999951', totalAmount: '318.00', signatureVerdict: 'incomplete' },
    () => undefined,
  ],
  [
    'ofdrw__ofdrw/ofdrw-sign__src__test__resources__signedFile.ofd',
    { kind: 'inv_ord', invoiceCode: '032001600511', invoiceNumber: '31471858', issueDate: '2020-10-04', amountExTax: '198.04', taxAmount: '1.96', totalAmount: '200.00' },
    (v) => expect(v.sellerTaxId).toHaveLength(20), // a sole trader's ID-based number: checked by shape only
  ],
  [
    'ofdrw__ofdrw/ofdrw-layout__src__test__resources__fptpl.ofd',
    { kind: 'inv_ord', invoiceCode: '050001700111', invoiceNumber: '12235358', issueDate: '2020-08-05', amountExTax: '10000.00', totalAmount: '10600.00' },
    (v) => {
      expect(v.sources).toMatchObject({ invoiceNumber: 'custom-data', totalAmount: 'custom-data' });
      expect(v.warnings).toContain('OFD.xml: signature list /Doc_0/Signs/Signatures.xml is missing from the package');
    },
  ],
  [
    'ofdrw__ofdrw/ofdrw-layout__src__test__resources__no_page_container.ofd',
    { kind: 'inv_ord', invoiceCode: '031001900511', invoiceNumber: '04875996', issueDate: '2020-04-20', amountExTax: '57.00', totalAmount: '57.00' },
    (v) => {
      expect(v.taxAmount).toBeUndefined();
      expect(v.warnings).toContainEqual(expect.stringMatching(/^embedded-xml \(Doc_0\/Attachs\/original_invoice\.xml\): \w*TaxTotalAmount: amount is masked \("\*\*\*"\)/));
    },
  ],
  [
    'renoyuan__easyofd/test__增值税电子专票5.ofd',
    { kind: 'inv_spcl', invoiceCode: '052002100113', invoiceNumber: '00008006', issueDate: '2022-05-05', amountExTax: '24519.05', taxAmount: '735.57', totalAmount: '25254.62', title: '贵州增值税电子专用发票' },
    (v) => expect(v.sellerName?.endsWith('通讯店')).toBe(true),
  ],
  [
    'renoyuan__easyofd/test__test.zip',
    { kind: 'einv_ord', invoiceNumber: '23512000000058396237', issueDate: '2023-07-07', amountExTax: '1455.45', taxAmount: '14.55', totalAmount: '1470.00', sellerName: '武侯区极客火锅店', title: '电子发票（普通发票）' },
    (v) => expect(v.sources.totalAmount).toBe('page-text'),
  ],
  [
    'itlabers__ofd-go/samples__售票换开样例.ofd',
    { kind: 'rai', invoiceNumber: '22119130671000000049', issueDate: '2022-03-17', amountExTax: '166.05', taxAmount: '14.95', totalAmount: '181.00', buyerName: '铁路客票电子发票测试单位', title: '电子发票（铁路电子客票）' },
    (v) => expect(v.sources.invoiceNumber).toBe('xbrl'),
  ],
  [
    'itlabers__ofd-go/samples__gonghang_1.ofd',
    { kind: 'bker', invoiceNumber: '22179000012', issueDate: '2022-06-28', totalAmount: '40000.00', currency: 'CNY', payerName: '国网河北能源技术服务有限公司', payeeName: '中环建（北京）工程管理有限公司榆林分公司', payerBank: '石家庄和平裕华支行' },
    (v) => {
      expect(v.payerAccount).toMatch(/^0402\d{15}$/);
      expect(v.sources.payerName).toBe('xbrl');
      expect(disagreements(v)).toEqual([]);
    },
  ],
  [
    'itlabers__ofd-go/samples__bank_receipt_1.ofd',
    { kind: 'bker', issueDate: '2020-06-22', totalAmount: '400000.00', payerBank: '北京海淀支行' },
    (v) => expect(v.sources.totalAmount).toBe('xbrl'), // "400000" without decimals in the XBRL
  ],
  [
    'itlabers__ofd-go/samples__bker_issuer_20191231_C10303110004552019030390296600243000000000019444.ofd',
    { kind: 'bker', issueDate: '2019-12-31', totalAmount: '1000000.00', payerName: '上海商务电子有限公司', payeeName: '天隆超市有限公司' },
    (v) => expect(disagreements(v)).toEqual([]),
  ],
  [
    'itlabers__ofd-go/samples__gh11.ofd',
    { kind: 'bker', issueDate: '2022-06-30', totalAmount: '201027.00', payerName: '国网河北招标有限公司' },
    () => undefined,
  ],
  [
    'itlabers__ofd-go/samples__0200216819200056225_001_21253000001_20220101_acc.ofd',
    { kind: 'bker', issueDate: '2022-01-01', totalAmount: '67.00' },
    // This test-data sample prints a payer account that differs in one digit from its XBRL.
    (v) => expect(disagreements(v)).toEqual([expect.stringMatching(/^payerAccount: xbrl says \d{19}, page text says \d{19}$/)]),
  ],
  [
    'itlabers__ofd-go/samples__bkrs_issuer_20220309_C1030311000455.ofd',
    { kind: 'bkrs', issueDate: '2021-08-21', currency: 'CNY', title: '结算账户电子明细对账单' },
    () => undefined,
  ],
  [
    'c5soft__ofd.js/examples__solid__public__ofds__26050100800_00001.ofd',
    { kind: 'bker', issueDate: '2026-05-12', totalAmount: '27.00', payerName: '中国农业大学', payerBank: '中国建设银行股份有限公司北京上地支行', bankSerialNumber: '110883600FUPYO5A88K', title: '中国建设银行单位客户专用回单' },
    (v) => {
      // The payee is a private person: name and account by shape only.
      expect([...(v.payeeName ?? '')]).toHaveLength(3);
      expect(v.payeeAccount).toMatch(/^\d{19}$/);
      expect(v.sources.totalAmount).toBe('page-text');
    },
  ],
];

describeCorpus('field values of real OFD vouchers', () => {
  it.each(EXPECTED)('%s', (rel, fields, check) => {
    const { voucher } = read(rel);
    expect(voucher).toMatchObject(fields);
    check(voucher);
  });

  it('wires formats/signatures by default: the voucher carries exactly what verifyOfdSignatures reports', () => {
    const bytes = readFileSync(join(CORPUS, 'ofdrw__ofdrw/ofdrw-converter__src__test__resources__1.ofd'));
    const direct = verifyOfdSignatures(openOfd(bytes));
    const { voucher } = readOfdVoucher(bytes);
    expect(voucher.signatures).toEqual(direct.reports);
    expect(voucher.signatureVerdict).toBe(direct.verdict);
    expect(voucher.signatures.length).toBeGreaterThan(0);
  });

  it('covers every voucher kind present in the corpus', () => {
    expect(new Set(EXPECTED.map(([, f]) => f.kind))).toEqual(new Set(['inv_ord', 'inv_spcl', 'einv_ord', 'einv_spcl', 'rai', 'bker', 'bkrs']));
  });
});

describeCorpus('c5soft ZIP-layout and path conformance samples', () => {
  const files = present ? readdirSync(join(CORPUS, 'c5soft__ofd.js')).filter((f) => /^examples__ofds__6\./.test(f)) : [];

  it('are all present', () => {
    expect(files).toHaveLength(13);
  });

  it.each(files)('%s: two pages, every image and font resolved and readable', (f) => {
    const pkg = openOfd(readFileSync(join(CORPUS, 'c5soft__ofd.js', f)));
    const doc = readOfdDocument(pkg);
    expect(doc.pages.map((p) => p.id)).toEqual(['1', '39']);
    const media = [...doc.media.values()];
    expect(media).toHaveLength(6);
    for (const m of media) expect(pkg.read(m.file!).length).toBeGreaterThan(1000);
    const jpg = media.find((m) => m.file!.endsWith('.jpg'))!;
    expect([...pkg.read(jpg.file!).subarray(0, 2)]).toEqual([0xff, 0xd8]);
    const font = [...doc.fonts.values()].find((x) => x.fontFile)!;
    expect(pkg.read(font.fontFile!).length).toBe(49596);
    expect(pageText(doc, doc.pages[1])).toMatch(/^本样例测试阅读器对ZIP结构的支持情况/);
    expect(doc.warnings).toEqual([]);
  });
});

describeCorpus('unpacked 数电票 trees (parts of OFDs uploaded as loose files)', () => {
  function tree(prefix: string) {
    const dir = join(CORPUS, 'renoyuan__easyofd');
    const files: Record<string, Uint8Array> = {};
    for (const f of readdirSync(dir)) if (f.startsWith(prefix)) files[f.slice(prefix.length).replace(/__/g, '/')] = readFileSync(join(dir, f));
    return packageFromFiles(files);
  }

  it('reads the 2025 中国移动 special invoice from its custom tags', () => {
    const { voucher } = readOfdPackageVoucher(tree('test__dzfp_25442000000127444519_中国移动通信集团广东有限公司阳江分公司_20250307172219_xml__'), { verifySignatures: false });
    // 21800.00 is also the amount in the QR image of the same invoice.
    expect(voucher).toMatchObject({ kind: 'einv_spcl', invoiceNumber: '25442000000127444519', issueDate: '2025-03-07', amountExTax: '20000.00', taxAmount: '1800.00', totalAmount: '21800.00', sellerName: '中移建设有限公司广东分公司' });
    expect(voucher.warnings).toEqual([]); // custom tags, CustomData and the printed page all agree
  });

  it('reads the 2025 山东 special invoice, whose values sit off the label baselines', () => {
    const { voucher } = readOfdPackageVoucher(tree('test__ofd2_xml__'), { verifySignatures: false });
    expect(voucher).toMatchObject({ kind: 'einv_spcl', invoiceNumber: '25924000000001260164', issueDate: '2025-04-01', amountExTax: '357.55', taxAmount: '21.45', totalAmount: '379.00', sellerName: '青岛嘉仕汇酒店管理有限公司' });
    expect(voucher.warnings).toEqual([]);
  });
});

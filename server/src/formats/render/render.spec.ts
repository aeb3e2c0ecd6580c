import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { createFactory } from '../factory';
import { CJK_FONT_CANDIDATES, CjkFontMissingError, loadCjkFont } from './font';
import { arcToBeziers, renderOfdToPdf } from './render';

const CORPUS = path.resolve(__dirname, '../../../..', '../shared/corpus/raw');
const haveFont = CJK_FONT_CANDIDATES.some((p) => existsSync(p));
const havePoppler = spawnSync('pdftotext', ['-v']).status === 0;
const run = haveFont && havePoppler ? describe : describe.skip;

/** The checks run with an empty fontconfig: the text must come from the font embedded in the PDF. */
let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'evarchive-render-'));
  writeFileSync(path.join(dir, 'empty-fonts.conf'), '<?xml version="1.0"?>\n<fontconfig></fontconfig>\n');
  env = { ...process.env, FONTCONFIG_FILE: path.join(dir, 'empty-fonts.conf') };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pdfText(pdf: Uint8Array, name: string): string {
  const file = path.join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  const r = spawnSync('pdftotext', ['-layout', file, '-'], { env });
  expect(r.stderr.toString()).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.toString();
}

function pdftoppm(pdf: Uint8Array, name: string): Buffer {
  const file = path.join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  const r = spawnSync('pdftoppm', ['-r', '50', '-png', '-singlefile', file, path.join(dir, name)], { env });
  expect(r.stderr.toString()).toBe('');
  expect(r.status).toBe(0);
  return readFileSync(path.join(dir, `${name}.png`));
}

const squash = (s: string) => s.replace(/\s+/g, '');

run('renderOfdToPdf', () => {
  it('a factory invoice: page size, number, seller and labels come back through pdftotext; pdftoppm renders it', async () => {
    const g = createFactory({ seed: 'render-spec' }).ofdInvoice({ kind: 'inv_ord', lines: 2 });
    const pdf = await renderOfdToPdf(g.bytes);
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(1);
    const { width, height } = doc.getPage(0).getSize();
    expect([width, height].map((x) => Math.round(x))).toEqual([595, 397]); // 210 × 140 mm
    const text = squash(pdfText(pdf, 'factory'));
    expect(text).toContain(g.expected.invoiceNumber);
    expect(text).toContain(g.expected.sellerName);
    expect(text).toContain(g.expected.buyerName);
    for (const label of ['发票号码', '开票日期', '价税合计', '增值税电子普通发票']) expect(text).toContain(label);
    const png = pdftoppm(pdf, 'factory');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // Only the font subset is embedded (STACK.md §5: a few KB per page, not the 5 MB collection).
    expect(pdf.length).toBeLessThan(200_000);
  });

  it('a 数电票 with its title on the page and the seal picture from the SES seal', async () => {
    const g = createFactory({ seed: 'render-spec' }).ofdInvoice({ kind: 'einv_spcl' });
    const text = squash(pdfText(await renderOfdToPdf(g.bytes), 'einv'));
    expect(text).toContain('电子发票（增值税专用发票）');
    expect(text).toContain(g.expected.invoiceNumber);
    // With the seal: QR + the seal picture + its alpha channel (an SMask image); without: the QR alone.
    const withSeal = await renderOfdToPdf(g.bytes);
    const without = await renderOfdToPdf(g.bytes, { seals: false });
    const images = (pdf: Uint8Array) => (Buffer.from(pdf).toString('latin1').match(/\/Subtype \/Image/g) ?? []).length;
    expect([images(withSeal), images(without)]).toEqual([3, 1]);
  });

  const corpus: [file: string, labels: string[]][] = [
    ['ofdrw__ofdrw/ofdrw-converter__src__test__resources__1.ofd', ['发票号码', '开票日期', '价税合计']], // VAT e-invoice, OFD-format seal picture
    ['ofdrw__ofdrw/ofdrw-converter__src__test__resources__20240531141733.ofd', ['发票号码', '开票日期', '价税合计']], // 数电票
    ['itlabers__ofd-go/samples__gonghang_1.ofd', ['业务回单', '付款人', '收款人']], // bank receipt
  ];
  (existsSync(CORPUS) ? it.each(corpus) : it.skip.each(corpus))('corpus %s: labels come back, pdftoppm renders it', async (file, labels) => {
    const pdf = await renderOfdToPdf(new Uint8Array(readFileSync(path.join(CORPUS, file))));
    const text = squash(pdfText(pdf, 'corpus'));
    for (const l of labels) expect(text).toContain(l);
    expect(pdftoppm(pdf, 'corpus').length).toBeGreaterThan(1000);
  });
});

describe('font selection', () => {
  it('names the apt package when no CJK TrueType font is found', () => {
    expect(() => loadCjkFont('/nonexistent/font.ttc')).toThrow(CjkFontMissingError);
    expect(() => loadCjkFont('/nonexistent/font.ttc')).toThrow(/fonts-wqy-microhei/);
  });

  (haveFont ? it : it.skip)('a .ttc is opened through a wrapper that picks one face', () => {
    const f = loadCjkFont();
    const face = f.fontkit.create(f.bytes) as { postscriptName: string; glyphForCodePoint(c: number): { id: number } };
    expect(face.postscriptName).toMatch(/^WenQuanYi/);
    expect(face.glyphForCodePoint('票'.codePointAt(0)!).id).toBeGreaterThan(0);
  });
});

describe('arcs', () => {
  const round = (curves: number[][]) => curves.map((c) => c.map((v) => Math.round(v * 1e4) / 1e4 + 0));

  it('a half circle of radius 10 from (0,0) to (20,0): two quarter curves, control points 4/3·tan(π/8)·r = 5.5228 along the tangents', () => {
    // sweep 1 = increasing angle, which in y-down page space passes above the chord (through (10, −10)).
    expect(round(arcToBeziers(0, 0, 10, 10, 0, false, true, 20, 0))).toEqual([
      [0, -5.5228, 4.4772, -10, 10, -10],
      [15.5228, -10, 20, -5.5228, 20, 0],
    ]);
    expect(round(arcToBeziers(0, 0, 10, 10, 0, false, false, 20, 0))).toEqual([
      [0, 5.5228, 4.4772, 10, 10, 10],
      [15.5228, 10, 20, 5.5228, 20, 0],
    ]);
  });

  it('a zero radius draws a straight segment; radii too small to reach the end point are scaled up (SVG F.6.6)', () => {
    expect(arcToBeziers(0, 0, 0, 5, 0, false, true, 10, 0)).toEqual([[0, 0, 10, 0, 10, 0]]);
    expect(round(arcToBeziers(0, 0, 1, 1, 0, false, true, 10, 0))).toEqual([
      [0, -2.7614, 2.2386, -5, 5, -5],
      [7.7614, -5, 10, -2.7614, 10, 0],
    ]);
  });
});

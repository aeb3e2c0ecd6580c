/**
 * schemas/voucher.schema.json is the Voucher of voucher.ts as JSON Schema. This test keeps the two equal (property
 * names, required-ness, enums — read from the TypeScript source text) and validates real vouchers against it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { VOUCHER_KINDS, type Voucher } from '../voucher';
import { readVoucherJson } from '../json/read';
import { readXbrl } from '../xbrl/read';
import { readDigitalInvoiceXml } from '../xml/einvoice-digital';
import { readEInvoice2019 } from '../xml/einvoice2019';
import { corpusFiles, describeCorpus, label, ofdAttachments, readCorpus, REPO_ROOT } from './corpus.testing';
import { VOUCHER_FIELDS } from './fields';

const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas/voucher.schema.json'), 'utf8'));
const source = readFileSync(path.join(__dirname, '../voucher.ts'), 'utf8');

/** Property names of `export interface <name> { … }` in voucher.ts, with whether each is optional. */
function interfaceProps(name: string): Record<string, 'optional' | 'required'> {
  const m = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(source);
  if (!m) throw new Error(`interface ${name} not found in voucher.ts`);
  const body = m[1].replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const props: Record<string, 'optional' | 'required'> = {};
  for (const p of body.matchAll(/^\s*(\w+)(\?)?:/gm)) props[p[1]] = p[2] ? 'optional' : 'required';
  return props;
}

/** String literals of `export type <name> = 'a' | 'b' …`. */
function unionLiterals(name: string): string[] {
  const m = new RegExp(`export type ${name} =([\\s\\S]*?);`).exec(source);
  if (!m) throw new Error(`type ${name} not found in voucher.ts`);
  return [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]);
}

function schemaProps(s: { properties: Record<string, unknown>; required?: string[] }): Record<string, 'optional' | 'required'> {
  const out: Record<string, 'optional' | 'required'> = {};
  for (const k of Object.keys(s.properties)) out[k] = s.required?.includes(k) ? 'required' : 'optional';
  return out;
}

describe('voucher.schema.json equals the TypeScript model', () => {
  it('Voucher: same properties, same required ones, same order as VOUCHER_FIELDS', () => {
    const ts = interfaceProps('Voucher');
    expect(schemaProps(schema)).toEqual(ts);
    expect(Object.keys(schema.properties)).toEqual(Object.keys(ts));
    expect([...VOUCHER_FIELDS]).toEqual(Object.keys(ts));
  });
  it('LineItem and SignatureReport: same properties', () => {
    expect(schemaProps(schema.$defs.LineItem)).toEqual(interfaceProps('LineItem'));
    expect(schemaProps(schema.$defs.SignatureReport)).toEqual(interfaceProps('SignatureReport'));
  });
  it('enums: kinds, field sources, signature types, formats and verdicts', () => {
    expect(schema.$defs.VoucherKind.enum).toEqual([...VOUCHER_KINDS]);
    expect(schema.$defs.FieldSource.enum).toEqual(unionLiterals('FieldSource'));
    expect(schema.$defs.SignatureType.enum).toEqual(unionLiterals('SignatureType'));
    expect(schema.$defs.SignatureFormat.enum).toEqual(unionLiterals('SignatureFormat'));
    expect(schema.$defs.SignatureVerdict.enum).toEqual(unionLiterals('SignatureVerdict'));
  });
});

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile<Voucher>(schema);

function expectValid(v: Voucher): void {
  const ok = validate(JSON.parse(JSON.stringify(v)));
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

describe('the schema rejects what the model forbids', () => {
  const base = { kind: 'bker', lineItems: [], extra: {}, sources: {}, signatures: [], signatureVerdict: 'unsigned', warnings: [] };
  it.each([
    ['a float-looking amount', { totalAmount: '12.5' }],
    ['a non-date', { issueDate: '2020年07月23日' }],
    ['an unknown kind', { kind: 'receipt' }],
    ['an unknown field', { amount: '1.00' }],
    ['an unknown source', { sources: { totalAmount: 'guess' } }],
  ])('%s', (_n, patch) => {
    expect(validate({ ...base, ...patch })).toBe(false);
  });
  it('accepts the minimal voucher', () => expect(validate(base)).toBe(true));
});

describe('synthetic vouchers validate', () => {
  it('数电票 XML', () => expectValid(readDigitalInvoiceXml(readFileSync(path.join(__dirname, '../xml/fixtures/einvoice-digital-synthetic.xml')))));
});

describeCorpus('vouchers read from the corpus validate against the schema', () => {
  it.each(corpusFiles('.json').map((f) => [label(f), f]))('JSON %s', (_l, f) => expectValid(readVoucherJson(readCorpus(f)).voucher));
  it.each(corpusFiles('.xml', '.xbrl').filter((f) => f.includes('xbrl')).map((f) => [label(f), f]))('XBRL %s', (_l, f) => expectValid(readXbrl(readCorpus(f)).voucher));
  it('XBRL and eInvoice XML attached to OFDs', () => {
    let n = 0;
    for (const ofd of corpusFiles('.ofd')) {
      for (const [name, bytes] of Object.entries(ofdAttachments(ofd))) {
        if (name.endsWith('original_invoice.xml')) expectValid(readEInvoice2019(bytes));
        else if (/\.(xml|xbrl)$/.test(name)) expectValid(readXbrl(bytes).voucher);
        else continue;
        n++;
      }
    }
    expect(n).toBe(16); // 7 original_invoice.xml + 9 XBRL attachments (8 bank/railway OFDs, 1 nuonuo invoice)
  });
});

import { readFileSync } from 'node:fs';
import { FormatError } from '../errors';
import { corpusFiles, describeCorpus, label, readCorpus, toolkitConfigIds, toolkitJson, toolkitXbrl } from '../kinds/corpus.testing';
import { readXbrl } from '../xbrl/read';
import { readVoucherJson } from './read';

function formatError(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError');
}

describe('readVoucherJson on synthetic input', () => {
  it('reads the nested 非税 form and a bare object as a one-row tuple', () => {
    const j = readVoucherJson(
      JSON.stringify({
        HEADER: [{ EINVOICE_ID: 'A-1' }],
        EINVOICE_DATA: { MAIN: { PAID_AMT: '12.3', BILL_DATE: '20210824' }, DETAILS: { ITEM: [{ NON_TAX_NAME: '考试费', PAID_DETAIL_AMT: 12.3 }] } },
      }),
    );
    expect(j.configId).toBe('ntrev_gpm_issuer');
    expect(j.voucher).toMatchObject({ kind: 'ntrev', totalAmount: '12.30', issueDate: '2021-08-24', lineItems: [{ name: '考试费', amount: '12.30' }] });
    expect(j.voucher.extra.eInvoiceId).toBe('A-1');
  });

  it('uses the file name only to break a tie', () => {
    const json = JSON.stringify({ NameOfSeller: 'X', TotalAmountExcludingTax: '1.00' });
    expect(readVoucherJson(json).configId).toBe('inv_ord_issuer');
    expect(readVoucherJson(json, { filename: 'inv_spcl_receiver.json' }).configId).toBe('inv_spcl_receiver');
  });

  it('rejects invalid JSON, non-objects and unknown keys precisely', () => {
    expect(formatError(() => readVoucherJson('{"a":', { path: 'x.json' })).message).toMatch(/^x\.json: not valid JSON: /);
    expect(formatError(() => readVoucherJson('[1,2]')).message).toBe('JSON e-voucher must be an object of element names');
    const e = formatError(() => readVoucherJson('{"foo":"1","bar":"2"}'));
    expect(e.code).toBe('unknown_format');
    expect(e.message).toBe('JSON keys fit no MoF e-voucher element map (foo, bar…)');
    expect(formatError(() => readVoucherJson(new Uint8Array([0x7b, 0xff, 0x7d]))).message).toBe('JSON is not valid UTF-8');
  });

  it('refuses oversized input before parsing it', () => {
    const e = formatError(() => readVoucherJson(new Uint8Array(16 * 1024 * 1024 + 1)));
    expect(e.code).toBe('too_large');
    expect(e.message).toBe('JSON of 16777217 bytes exceeds 16777216');
  });

  it('names the element of a malformed amount', () => {
    expect(formatError(() => readVoucherJson('{"XPayAmt":"九百","VoucherNo":"1"}')).message).toBe('XPayAmt: not an amount: "九百"');
  });
});

describeCorpus('JSON twins of the toolkit XBRL samples', () => {
  const ids = toolkitConfigIds();
  it('covers 17 configIds', () => expect(ids).toHaveLength(17));
  it.each(ids)('%s: same configId and the same Voucher as the XBRL twin', (id) => {
    const json = readVoucherJson(readFileSync(toolkitJson(id)));
    const xbrl = readXbrl(readFileSync(toolkitXbrl(id)));
    expect(json.configId).toBe(id);
    expect(json.role).toBe(xbrl.role);
    expect(json.voucher).toEqual(xbrl.voucher);
  });

  it('ctp: the JSON writes the accounting tuple as an object, the XBRL as one tuple', () => {
    const v = readVoucherJson(readFileSync(toolkitJson('ctp'))).voucher;
    expect((v.extra.accounting as { documents: { number: string }[] }).documents).toEqual([expect.objectContaining({ number: '1' })]);
  });

  it('einv_ord_receiver: "500" in JSON and "500.00" in XBRL are the same money', () => {
    const v = readVoucherJson(readFileSync(toolkitJson('einv_ord_receiver'))).voucher;
    expect(v.totalAmount).toBe('500.00');
  });
});

describeCorpus('every JSON file of the corpus is read', () => {
  it.each(corpusFiles('.json').map((f) => [label(f), f]))('%s', (_l, rel) => {
    const j = readVoucherJson(readCorpus(rel), { path: rel });
    expect(j.voucher.kind).not.toBe('other');
  });
});

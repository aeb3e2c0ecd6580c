import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { inspectCommand, renderTable, verdictWhy } from './inspect';

async function run(args: string[]): Promise<{ out: string; err: string; exitCode: number | undefined }> {
  const program = new Command('evarchive').exitOverride();
  inspectCommand(program);
  let out = '';
  let err = '';
  const w = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = jest.spyOn(console, 'error').mockImplementation((s: string) => void (err += s + '\n'));
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'evarchive', 'inspect', ...args]);
    return { out, err, exitCode: process.exitCode as number | undefined };
  } finally {
    process.exitCode = before;
    w.mockRestore();
    e.mockRestore();
  }
}

describe('evarchive inspect', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'inspect-'));
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'ctp.json'), JSON.stringify({ XPayAmt: '990', VoucherNo: 'V1', VouDate: '2024-05-30' }));
    writeFileSync(path.join(dir, 'note.txt'), 'not a voucher');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('walks directories and prints one JSON object per file with --json', async () => {
    const { out, exitCode } = await run(['--json', dir]);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [path.relative(dir, l.file), l.format, l.kind, l.totalAmount, l.errors])).toEqual([
      ['note.txt', 'unknown', undefined, undefined, ['unknown format: not OFD, PDF, XML, XBRL, JSON, JPEG or PNG']],
      [path.join('sub', 'ctp.json'), 'json', 'ctp', '990.00', []],
    ]);
    expect(exitCode).toBeUndefined();
  });

  it('prints a table, and exits 1 only for a path that cannot be read', async () => {
    const missing = path.join(dir, 'missing.ofd');
    const { out, err, exitCode } = await run([path.join(dir, 'sub'), missing]);
    expect(out.split('\n')[0]).toMatch(/^file\s+format\s+kind\s+number\s+date\s+total\s+verdict\s+why\s+errors$/);
    expect(out.split('\n')[1]).toMatch(/ctp\.json\s+json\s+ctp\s+V1\s+2024-05-30\s+990\.00\s+unsigned$/);
    expect(err).toBe(`evarchive: cannot read ${missing}: no such file or folder (ENOENT)\n`);
    expect(exitCode).toBe(1);
  });
});

describe('renderTable', () => {
  it('lines up columns with Chinese text counted double-width', () => {
    const t = renderTable([
      { file: '发票.xml', format: 'xml', errors: ['x'] },
      { file: 'ab.xml', format: 'xbrl', kind: 'bker', invoiceNumber: '1', errors: [] },
    ]);
    const lines = t.split('\n');
    // The file column is 8 display columns wide (发票 counts 4), so both rows start their format at the same place.
    expect(lines[0].startsWith('file      format  kind  number  ')).toBe(true);
    expect(lines[1].startsWith('发票.xml  xml     ')).toBe(true);
    expect(lines[1].endsWith('  x')).toBe(true);
    expect(lines[2]).toBe('ab.xml    xbrl    bker  1');
  });
});

describe('verdictWhy (the table\'s why column)', () => {
  const sig = (over: Record<string, unknown>) => ({ type: 'seal', format: 'ses-v4', digestsOk: true, signatureValid: true, reasons: [], ...over }) as never;
  it('names each signature that is not valid and the check that failed or could not run', () => {
    expect(
      verdictWhy({
        file: 'a.ofd',
        format: 'ofd',
        signatureVerdict: 'invalid',
        signatures: [
          sig({ location: '/Doc_0/Signs/Sign_0/Signature.xml' }),
          sig({ location: '/Doc_0/Signs/Sign_1', digestsOk: false }),
          sig({ digestsOk: true, signatureValid: null }),
        ],
        errors: [],
      }),
    ).toBe('Sign_1: digest mismatch (changed after signing); signature 3: signature not checkable (--json: every reason)');
  });
  it('quotes the unsupported reason, and is empty for valid and unsigned files', () => {
    const unsupported = sig({ digestsOk: null, signatureValid: null, reasons: ['unsupported: RSA-PSS in a PDF signature'] });
    expect(verdictWhy({ file: 'b.pdf', format: 'pdf', signatureVerdict: 'unsupported', signatures: [unsupported], errors: [] })).toBe(
      'signature 1: unsupported: RSA-PSS in a PDF signature (--json: every reason)',
    );
    expect(verdictWhy({ file: 'c.ofd', format: 'ofd', signatureVerdict: 'valid', signatures: [sig({})], errors: [] })).toBe('');
    expect(verdictWhy({ file: 'd.xml', format: 'xml', signatureVerdict: 'unsigned', signatures: [], errors: [] })).toBe('');
  });
});

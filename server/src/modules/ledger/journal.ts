/**
 * 记账凭证 (journal vouchers) as the archive keeps them, and the pure reading of import files into them: JSON
 * (schemas/ledger/journal-voucher.schema.json), CSV and Excel (one row per entry, schemas/ledger/columns.json).
 * Every problem is collected with the row (or JSON path) and column it concerns, so one import reports all of
 * them at once; a file with any problem is refused as a whole.
 */
import Ajv from 'ajv';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FormatError } from '../../formats/errors';
import { addMoney, fromFen, parseMoney, toFen } from '../../formats/kinds/money';
import type { Money } from '../../formats/voucher';

export interface JournalEntry {
  line: number;
  summary?: string;
  accountCode: string;
  accountName: string;
  debit: Money;
  credit: Money;
  counterparty?: string;
  counterpartyAccount?: string;
  project?: string;
  department?: string;
}

export interface JournalReferences {
  invoiceNumbers: string[];
  reimbursementIds: string[];
  paymentCodes: string[];
  bankSerials: string[];
  attachments: string[];
}

/** 记账凭证 */
export interface JournalVoucher {
  unit?: string;
  fonds?: string;
  number: string;
  voucherType?: string;
  /** YYYY-MM-DD */
  date: string;
  /** 会计期间 YYYY-MM */
  period: string;
  summary: string;
  entries: JournalEntry[];
  attachmentCount: number;
  maker?: string;
  checker?: string;
  poster?: string;
  references: JournalReferences;
  totalDebit: Money;
  totalCredit: Money;
}

/**
 * One problem of an import: where (row or JSON path, column) and what. `problem` is the English sentence (CLI,
 * logs); `code` and `params` say the same for readers in other languages (web/src/i18n: `ledger.problem.<code>`).
 */
export interface RowError {
  row: number;
  column: string;
  problem: string;
  code?: ProblemCode;
  params?: Record<string, string | number>;
}

type P = Record<string, string | number>;
/** The English sentence of each problem code: the one place both are written. */
const PROBLEMS = {
  missing: (p: P) => `${p.name} is missing`,
  bad_date: (p: P) => `not a date: "${p.value}" (use YYYY-MM-DD)`,
  bad_period: (p: P) => `not a period: "${p.value}" (use YYYY-MM)`,
  not_whole_number: (p: P) => `${p.name} must be a whole number, not "${p.value}"`,
  too_few_entries: (p: P) => `a journal voucher needs at least two entries, found ${p.found}`,
  bad_account_code: (p: P) => `科目编码 "${p.value}" has characters other than digits, letters and dots`,
  too_many_decimals: (p: P) => `amount "${p.value}" has more than two decimals`,
  not_amount: (p: P) => `not an amount: "${p.value}"`,
  debit_and_credit: () => 'an entry has either a debit or a credit amount, not both',
  no_amount: () => 'the entry has neither a debit nor a credit amount',
  unbalanced: (p: P) => `debits ${p.debit} ≠ credits ${p.credit} in voucher ${p.number}`,
  duplicate_voucher: (p: P) => `voucher ${p.number} of ${p.period} appears twice (first at ${p.first})`,
  schema: (p: P) => `${p.message}`,
  missing_column: (p: P) => `required column missing (any of: ${p.headers})`,
  no_amount_column: () => 'needs a 借方金额 and/or 贷方金额 column',
  differs_in_voucher: (p: P) => `"${p.value}" differs from "${p.previous}" in row ${p.previousRow} of the same voucher`,
  no_data_rows: () => 'the file has no data rows',
  not_csv: (p: P) => `not a CSV text file: ${p.nuls} NUL bytes in its first ${p.bytes} bytes (binary data, or UTF-16 text without a byte-order mark); export the ledger as UTF-8 CSV, Excel (.xlsx) or JSON`,
  nul_byte: (p: P) => `NUL byte at row ${p.row}, column ${p.column} (line ${p.line}): the file is damaged or not CSV text`,
  unclosed_quote: (p: P) => `unclosed quote: the quoted cell at row ${p.row}, column ${p.column} (line ${p.line}) has no closing " before the end of the file`,
  no_worksheet: () => 'the workbook has no worksheet',
  not_json: (p: P) => `not JSON: ${p.message}`,
  no_unit: () => 'no unit: give 单位编码 in the file or --unit',
  unknown_unit: (p: P) => `unknown unit code "${p.unit}"`,
  unit_not_allowed: (p: P) => `not allowed to write the ledger of unit ${p.unit}`,
  unknown_fonds: (p: P) => `unknown fonds code "${p.fonds}"`,
  fonds_of_other_unit: (p: P) => `fonds ${p.fonds} does not belong to unit ${p.unit}`,
} satisfies Record<string, (p: P) => string>;
export type ProblemCode = keyof typeof PROBLEMS;

/** A problem at `loc`: its code, parameters and English sentence. */
export function rowError(loc: { row: number; column: string }, code: ProblemCode, params: P = {}): RowError {
  return { ...loc, problem: PROBLEMS[code](params), code, ...(Object.keys(params).length ? { params } : {}) };
}

export class ImportRejected extends Error {
  constructor(readonly errors: RowError[]) {
    super(`import rejected: ${errors.length} problem(s); first: row ${errors[0]?.row} ${errors[0]?.column}: ${errors[0]?.problem}`);
  }
}

const ROOT = resolve(__dirname, '..', '..', '..', '..');
export const COLUMNS_PATH = resolve(ROOT, 'schemas', 'ledger', 'columns.json');
const SCHEMA_PATH = resolve(ROOT, 'schemas', 'ledger', 'journal-voucher.schema.json');

/** A canonical content digest: the same voucher sent twice is recognised, a changed one becomes a new version. */
export function journalDigest(j: JournalVoucher): string {
  const { unit: _unit, ...rest } = j;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

interface RawEntry {
  summary?: string;
  accountCode?: string;
  accountName?: string;
  debit?: string;
  credit?: string;
  counterparty?: string;
  counterpartyAccount?: string;
  project?: string;
  department?: string;
}

/** Where each raw value came from, for error messages: JSON paths or CSV row/header. */
interface Locator {
  voucher(field: string): { row: number; column: string };
  entry(i: number, field: string): { row: number; column: string };
}

interface RawVoucher {
  unit?: string;
  fonds?: string;
  number?: string;
  voucherType?: string;
  date?: string;
  period?: string;
  summary?: string;
  attachmentCount?: string | number;
  maker?: string;
  checker?: string;
  poster?: string;
  entries: RawEntry[];
  references?: Partial<JournalReferences>;
}

const clean = (s: unknown): string | undefined => {
  if (s === undefined || s === null) return undefined;
  const t = String(s).trim();
  return t === '' ? undefined : t;
};

/** Checks and normalises one voucher; pushes problems to `errors`, returns undefined when it has any. */
function normalise(raw: RawVoucher, at: Locator, errors: RowError[], defaults: { unit?: string }): JournalVoucher | undefined {
  const before = errors.length;
  const err = (loc: { row: number; column: string }, code: ProblemCode, params?: P) => errors.push(rowError(loc, code, params));
  const number = clean(raw.number);
  if (!number) err(at.voucher('number'), 'missing', { name: '凭证号' });
  const date = clean(raw.date);
  let isoDate: string | undefined;
  if (!date) err(at.voucher('date'), 'missing', { name: '日期' });
  else {
    isoDate = toIsoDate(date);
    if (!isoDate) err(at.voucher('date'), 'bad_date', { value: date });
  }
  let period = clean(raw.period);
  if (period) {
    const m = /^(\d{4})[-/年.]?(\d{1,2})月?$/.exec(period);
    if (!m || +m[2] < 1 || +m[2] > 12) err(at.voucher('period'), 'bad_period', { value: period });
    else period = `${m[1]}-${m[2].padStart(2, '0')}`;
  } else if (isoDate) period = isoDate.slice(0, 7);
  const summary = clean(raw.summary) ?? clean(raw.entries[0]?.summary);
  if (!summary) err(at.voucher('summary'), 'missing', { name: '摘要' });
  let attachmentCount = 0;
  const ac = clean(raw.attachmentCount);
  if (ac !== undefined) {
    if (!/^\d+$/.test(ac)) err(at.voucher('attachmentCount'), 'not_whole_number', { name: '附件数', value: ac });
    else attachmentCount = Number(ac);
  }
  if (raw.entries.length < 2) err(at.voucher('entries'), 'too_few_entries', { found: raw.entries.length });
  const entries: JournalEntry[] = [];
  let debitFen = 0n;
  let creditFen = 0n;
  // An unreadable amount makes the balance check meaningless: report the amount, not a derived imbalance.
  let amountUnreadable = false;
  raw.entries.forEach((e, i) => {
    const code = clean(e.accountCode);
    const name = clean(e.accountName);
    if (!code) err(at.entry(i, 'accountCode'), 'missing', { name: '科目编码' });
    else if (!/^[0-9A-Za-z.]{1,32}$/.test(code)) err(at.entry(i, 'accountCode'), 'bad_account_code', { value: code });
    if (!name) err(at.entry(i, 'accountName'), 'missing', { name: '科目名称' });
    const amounts: Record<'debit' | 'credit', bigint | undefined> = { debit: undefined, credit: undefined };
    for (const side of ['debit', 'credit'] as const) {
      const v = clean(e[side]);
      if (v === undefined) continue;
      try {
        const p = parseMoney(v, side);
        if (p.warnings.length) {
          err(at.entry(i, side), 'too_many_decimals', { value: v });
          amountUnreadable = true;
        } else if (p.value !== undefined) amounts[side] = toFen(p.value);
      } catch (x) {
        if (!(x instanceof FormatError)) throw x;
        err(at.entry(i, side), 'not_amount', { value: v });
        amountUnreadable = true;
      }
    }
    const d = amounts.debit ?? 0n;
    const c = amounts.credit ?? 0n;
    if (d !== 0n && c !== 0n) err(at.entry(i, 'debit'), 'debit_and_credit');
    if (clean(e.debit) === undefined && clean(e.credit) === undefined) err(at.entry(i, 'debit'), 'no_amount');
    debitFen += d;
    creditFen += c;
    entries.push({
      line: i + 1,
      summary: clean(e.summary),
      accountCode: code ?? '',
      accountName: name ?? '',
      debit: fromFen(d),
      credit: fromFen(c),
      counterparty: clean(e.counterparty),
      counterpartyAccount: clean(e.counterpartyAccount),
      project: clean(e.project),
      department: clean(e.department),
    });
  });
  if (raw.entries.length >= 2 && !amountUnreadable && debitFen !== creditFen)
    err(at.voucher('debit'), 'unbalanced', { debit: fromFen(debitFen), credit: fromFen(creditFen), number: number ?? '?' });
  if (errors.length > before) return undefined;
  const refs = raw.references ?? {};
  const list = (xs: string[] | undefined) => [...new Set((xs ?? []).map((x) => x.trim()).filter(Boolean))];
  return {
    unit: clean(raw.unit) ?? defaults.unit,
    fonds: clean(raw.fonds),
    number: number!,
    voucherType: clean(raw.voucherType),
    date: isoDate!,
    period: period!,
    summary: summary!,
    entries,
    attachmentCount,
    maker: clean(raw.maker),
    checker: clean(raw.checker),
    poster: clean(raw.poster),
    references: {
      invoiceNumbers: list(refs.invoiceNumbers),
      reimbursementIds: list(refs.reimbursementIds),
      paymentCodes: list(refs.paymentCodes),
      bankSerials: list(refs.bankSerials),
      attachments: list(refs.attachments),
    },
    totalDebit: fromFen(debitFen),
    totalCredit: fromFen(creditFen),
  };
}

function toIsoDate(s: string): string | undefined {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return undefined;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Duplicate numbers inside one import are a problem of the file, not versions. */
function checkDuplicates(vs: { v: JournalVoucher; row: number; column: string }[], errors: RowError[]): void {
  const seen = new Map<string, number>();
  for (const { v, row, column } of vs) {
    const k = `${v.unit ?? ''}|${v.period}|${v.number}`;
    const first = seen.get(k);
    if (first !== undefined) errors.push(rowError({ row, column }, 'duplicate_voucher', { number: v.number, period: v.period, first }));
    else seen.set(k, row);
  }
}

let jsonValidator: ReturnType<Ajv['compile']> | undefined;

/**
 * A schema finding's parameters: Ajv's English sentence (`message`), its keyword and the few values a reader
 * needs to be told the same in Chinese (the missing or extra property, the limit, the expected type).
 */
function schemaParams(e: { keyword: string; message?: string; params: Record<string, unknown> }, extra: string): P {
  const out: P = { message: `${e.message}${extra}`, keyword: e.keyword };
  for (const k of ['missingProperty', 'additionalProperty', 'limit', 'type', 'pattern', 'format'] as const) {
    const v = e.params[k];
    if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  }
  return out;
}

export interface ParsedImport {
  vouchers: JournalVoucher[];
  /** Row (or voucher position for JSON) each voucher starts at, for problems found later (unknown unit). */
  rows: number[];
  reason?: string;
}

/**
 * A JSON batch: schema first (problems by JSON path; `row` is the voucher's position, 1-based), then the
 * bookkeeping checks.
 */
export function parseJournalJson(body: unknown, defaults: { unit?: string } = {}): ParsedImport {
  if (!jsonValidator) jsonValidator = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  const errors: RowError[] = [];
  if (!jsonValidator(body)) {
    for (const e of jsonValidator.errors ?? []) {
      const m = /^\/journalVouchers\/(\d+)(\/.*)?$/.exec(e.instancePath);
      const extra = e.params && 'additionalProperty' in e.params ? ` (${(e.params as any).additionalProperty})` : '';
      errors.push(rowError({ row: m ? +m[1] + 1 : 0, column: (m ? m[2] : e.instancePath) || '/' }, 'schema', schemaParams(e, extra)));
    }
    throw new ImportRejected(errors);
  }
  const b = body as { unit?: string; reason?: string; journalVouchers: RawVoucher[] };
  const out: { v: JournalVoucher; row: number; column: string }[] = [];
  b.journalVouchers.forEach((raw, i) => {
    const at: Locator = {
      voucher: (f) => ({ row: i + 1, column: `/${f}` }),
      entry: (k, f) => ({ row: i + 1, column: `/entries/${k}/${f}` }),
    };
    const v = normalise({ ...raw, entries: raw.entries ?? [] }, at, errors, { unit: defaults.unit ?? b.unit });
    if (v) out.push({ v, row: i + 1, column: '/number' });
  });
  checkDuplicates(out, errors);
  if (errors.length) throw new ImportRejected(errors);
  return { vouchers: out.map((x) => x.v), rows: out.map((x) => x.row), reason: b.reason };
}

interface ColumnDef {
  field: string;
  level: 'voucher' | 'entry';
  required?: boolean;
  list?: boolean;
  headers: string[];
}
let columnDefs: { columns: ColumnDef[]; listSeparators: string[] } | undefined;
export function columnMapping(): { columns: ColumnDef[]; listSeparators: string[] } {
  return (columnDefs ??= JSON.parse(readFileSync(COLUMNS_PATH, 'utf8')));
}

const normHeader = (h: string) => h.replace(/[\s\u3000：:（）()]/g, '').toLowerCase();

/**
 * Table rows (CSV or a worksheet) → journal vouchers. `rows[0]` is the header; `rowNumbers[i]` is the row as the
 * user sees it (1-based, header included). Rows with the same unit + period + number form one voucher; its
 * voucher-level columns must agree across those rows.
 */
export function parseJournalRows(rows: string[][], defaults: { unit?: string } = {}, rowNumbers?: number[]): ParsedImport {
  const errors: RowError[] = [];
  const { columns, listSeparators } = columnMapping();
  const header = rows[0] ?? [];
  const col = new Map<string, { index: number; header: string }>();
  header.forEach((h, i) => {
    const n = normHeader(h ?? '');
    if (!n) return;
    const def = columns.find((c) => c.headers.some((x) => normHeader(x) === n));
    if (def && !col.has(def.field)) col.set(def.field, { index: i, header: h.trim() });
  });
  for (const c of columns)
    if (c.required && !col.has(c.field)) errors.push(rowError({ row: 1, column: c.headers[0] }, 'missing_column', { headers: c.headers.join(', ') }));
  if (!col.has('debit') && !col.has('credit')) errors.push(rowError({ row: 1, column: '借方金额' }, 'no_amount_column'));
  if (errors.length) throw new ImportRejected(errors);
  const headerOf = (field: string) => col.get(field)?.header ?? columns.find((c) => c.field === field)?.headers[0] ?? field;
  const sep = new RegExp(`[${listSeparators.map((s) => s.replace(/[\]\\^-]/g, '\\$&')).join('')}]+`);

  interface Group {
    raw: RawVoucher;
    rows: number[];
    firstRow: number;
    values: Map<string, { value: string; row: number }>;
  }
  const groups = new Map<string, Group>();
  const lastPeriod = new Map<string, string>();
  for (let r = 1; r < rows.length; r++) {
    const cells = rows[r];
    const rowNo = rowNumbers?.[r] ?? r + 1;
    if (!cells || cells.every((c) => !clean(c))) continue;
    const get = (f: string) => {
      const c = col.get(f);
      return c ? clean(cells[c.index]) : undefined;
    };
    const date = get('date');
    const unitAndNumber = `${get('unit') ?? defaults.unit ?? ''}|${get('number') ?? `#row${rowNo}`}`;
    // Continuation rows often leave 日期 empty: they belong to the voucher of that number seen last.
    const period = get('period') ?? (date && toIsoDate(date)?.slice(0, 7)) ?? lastPeriod.get(unitAndNumber);
    if (period) lastPeriod.set(unitAndNumber, period);
    const key = `${period ?? ''}|${unitAndNumber}`;
    let g = groups.get(key);
    if (!g) {
      g = { raw: { entries: [], references: {} }, rows: [], firstRow: rowNo, values: new Map() };
      groups.set(key, g);
    }
    g.rows.push(rowNo);
    for (const c of columns) {
      const v = get(c.field);
      if (c.level !== 'voucher' || v === undefined) continue;
      if (c.list) {
        const refs = g.raw.references as Record<string, string[]>;
        (refs[c.field] ??= []).push(...v.split(sep).filter(Boolean));
        continue;
      }
      const prev = g.values.get(c.field);
      // Same value in another spelling (2025/3/6 and 2025-03-06) is the same value.
      const same = (a: string, b: string) => a === b || (c.field === 'date' && toIsoDate(a) !== undefined && toIsoDate(a) === toIsoDate(b));
      if (prev && !same(prev.value, v)) errors.push(rowError({ row: rowNo, column: headerOf(c.field) }, 'differs_in_voucher', { value: v, previous: prev.value, previousRow: prev.row }));
      else if (!prev) {
        g.values.set(c.field, { value: v, row: rowNo });
        (g.raw as unknown as Record<string, string>)[c.field] = v;
      }
    }
    g.raw.entries.push({
      summary: get('summary'),
      accountCode: get('accountCode'),
      accountName: get('accountName'),
      debit: get('debit'),
      credit: get('credit'),
      counterparty: get('counterparty'),
      counterpartyAccount: get('counterpartyAccount'),
      project: get('project'),
      department: get('department'),
    });
  }
  const out: { v: JournalVoucher; row: number; column: string }[] = [];
  for (const g of groups.values()) {
    const at: Locator = {
      voucher: (f) => ({ row: g.values.get(f)?.row ?? g.firstRow, column: headerOf(f === 'entries' ? 'number' : f) }),
      entry: (i, f) => ({ row: g.rows[i], column: headerOf(f) }),
    };
    const v = normalise(g.raw, at, errors, defaults);
    if (v) out.push({ v, row: g.firstRow, column: headerOf('number') });
  }
  if (groups.size === 0) errors.push(rowError({ row: 2, column: headerOf('number') }, 'no_data_rows'));
  if (errors.length) throw new ImportRejected(errors.sort((a, b) => a.row - b.row));
  return { vouchers: out.map((x) => x.v), rows: out.map((x) => x.row) };
}

/** Share of NUL bytes (in the first 4 KiB) above which a file is binary (or UTF-16 without BOM), not CSV text. */
const BINARY_NUL_SHARE = 0.05;

/** Decodes CSV bytes: UTF-16 with a BOM, UTF-8 with or without BOM, or GB18030 when not UTF-8; refuses binary data. */
function decodeCsv(bytes: Uint8Array): string {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)))
    return new TextDecoder(bytes[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(bytes.subarray(2));
  const head = bytes.subarray(0, 4096);
  let nuls = 0;
  for (const b of head) if (b === 0) nuls++;
  if (head.length > 0 && nuls / head.length > BINARY_NUL_SHARE)
    throw new ImportRejected([rowError({ row: 0, column: '' }, 'not_csv', { nuls, bytes: head.length })]);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Chinese accounting software still exports GBK/GB18030 by default.
    text = new TextDecoder('gb18030').decode(bytes);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * RFC 4180 CSV (quotes, doubled quotes, CRLF), UTF-8 with or without BOM, UTF-16 with BOM, or GB18030 when not
 * UTF-8. Rows are numbered as records (the header is row 1), columns from 1 and named by the header when known.
 * A quote that never closes and a NUL character are refused with where they are: either would otherwise swallow
 * or corrupt the rest of the file silently.
 */
export function parseCsv(bytes: Uint8Array): string[][] {
  const text = decodeCsv(bytes);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  const where = (r: number, c: number) => {
    const name = rows[0]?.[c]?.trim();
    return { row: r, column: name && r > 1 ? name : `column ${c + 1}` };
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\0') {
      const at = where(rows.length + 1, row.length);
      throw new ImportRejected([rowError(at, 'nul_byte', { row: at.row, column: row.length + 1, line })]);
    }
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
        cell += ch;
      }
    } else if (ch === '"' && cell === '') {
      quoted = true;
      quoteLine = line;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      line++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (quoted) {
    const at = where(rows.length + 1, row.length);
    throw new ImportRejected([rowError(at, 'unclosed_quote', { row: at.row, column: row.length + 1, line: quoteLine })]);
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** The first worksheet of an .xlsx as text cells (dates as YYYY-MM-DD, numbers as written) with row numbers. */
export async function readXlsxRows(bytes: Uint8Array): Promise<{ rows: string[][]; rowNumbers: number[] }> {
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as any);
  const ws = wb.worksheets[0];
  if (!ws) throw new ImportRejected([rowError({ row: 0, column: '' }, 'no_worksheet')]);
  const rows: string[][] = [];
  const rowNumbers: number[] = [];
  ws.eachRow({ includeEmpty: false }, (r, n) => {
    const cells: string[] = [];
    for (let c = 1; c <= ws.columnCount; c++) cells.push(cellText(r.getCell(c).value));
    rows.push(cells);
    rowNumbers.push(n);
  });
  return { rows, rowNumbers };
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'number') {
    // Money cells typed as numbers: print with up to 2 decimals without float noise (e.g. 0.1+0.2).
    return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('result' in o) return cellText(o.result);
    if ('richText' in o) return (o.richText as { text: string }[]).map((t) => t.text).join('');
    if ('text' in o) return String(o.text);
  }
  return String(v);
}

/** Detects the format by name and content and parses it. */
export async function parseLedgerFile(bytes: Uint8Array, filename: string, defaults: { unit?: string } = {}): Promise<ParsedImport> {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.xlsx') || (bytes[0] === 0x50 && bytes[1] === 0x4b)) {
    const { rows, rowNumbers } = await readXlsxRows(bytes);
    return parseJournalRows(rows, defaults, rowNumbers);
  }
  if (lower.endsWith('.json') || bytes[0] === 0x7b) {
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new ImportRejected([rowError({ row: 0, column: '/' }, 'not_json', { message: (e as Error).message })]);
    }
    return parseJournalJson(body, defaults);
  }
  return parseJournalRows(parseCsv(bytes), defaults);
}

/** Sum of debits of a journal voucher, for listings. */
export function voucherTotal(j: JournalVoucher): Money {
  return addMoney('0.00', ...j.entries.map((e) => e.debit));
}

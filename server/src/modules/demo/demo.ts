/**
 * The labelled demo unit: one budget unit 演示单位（示例数据）, its fonds, a user per role with known passwords and
 * one month of bookkeeping that went through the real services — vouchers through the pool's ingest pipeline,
 * journal vouchers through the ledger import, a matching run, an assembled (draft) volume — so a new
 * installation shows real screens at once. Loaded once (marked in system_setting); every step tolerates a
 * previous partial load, so an interrupted first start finishes on the next one. `EVARCHIVE_DEMO=synthetic` keeps
 * the real corpus samples out (factory-made vouchers only, e.g. for the README screenshots).
 */
import type { INestApplicationContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { createFactory, syntheticUscc, type GeneratedFile } from '../../formats/factory';
import { Prng } from '../../formats/factory/prng';
import type { AppConfig } from '../../platform/config/config';
import type { Db } from '../../platform/database/database';
import { OrgService } from '../../platform/identity/org.service';
import { UserService } from '../../platform/identity/user.service';
import type { Role } from '../../platform/identity/roles';
import { CONFIG, DB } from '../../platform/tokens';
import { IngestService, summarise, type BatchOptions, type BatchSummary, type ItemOutcome } from '../pool/ingest.service';
import { LedgerService } from '../ledger/ledger.service';
import { MatchingService } from '../matching/matching.service';
import { VolumesService } from '../volumes/volumes.service';
import { SearchIndexer } from '../search/indexer.service';
import { reindexFromPool } from '../search/projection';

export const DEMO_SETTING_KEY = 'demo.loaded';
export const DEMO_UNIT = { code: 'DEMO', name: '演示单位（示例数据）' } as const;
export const DEMO_FONDS = { code: 'DEMO', name: '演示单位（示例数据）会计档案全宗' } as const;
const DEMO_SEED = 'evarchive-demo-1';

/** One person per role; the password is the user name (a demo, labelled as such, never a real unit). */
export const DEMO_USERS: { username: string; password: string; role: Role; displayName: string }[] = [
  { username: 'demo-unitadmin', password: 'demo-unitadmin', role: 'unit_admin', displayName: '演示单位管理员' },
  { username: 'demo-archivist', password: 'demo-archivist', role: 'archivist', displayName: '演示档案员' },
  { username: 'demo-accountant', password: 'demo-accountant', role: 'accountant', displayName: '演示会计' },
  { username: 'demo-clerk', password: 'demo-clerk', role: 'reimbursement_clerk', displayName: '演示经办人' },
  { username: 'demo-auditor', password: 'demo-auditor', role: 'auditor', displayName: '演示审计' },
  { username: 'demo-borrower', password: 'demo-borrower', role: 'borrower', displayName: '演示借阅人' },
  { username: 'demo-keeper', password: 'demo-keeper', role: 'warehouse_keeper', displayName: '演示库管' },
];

/**
 * Real corpus files the demo takes when `../shared/corpus/raw` exists (never shipped): invoices and bank
 * receipts of several issuers. Missing ones are left out.
 */
export const DEMO_CORPUS_FILES = [
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__1.ofd',
  'renoyuan__easyofd/test__增值税电子专票5.ofd',
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__20240531141733.ofd',
  'itlabers__ofd-go/samples__gonghang_1.ofd',
  'hyg__js.sample/pdf-parse__002614004999.pdf',
];

export interface DemoSummary {
  /** false: the demo had been loaded before, nothing was done. */
  loaded: boolean;
  unitCode: string;
  unitId: string;
  fondsId: string;
  period: string;
  users: { username: string; password: string; role: Role }[];
  corpusFiles: number;
  vouchers: BatchSummary;
  journals: { imported: number; created: number };
  matching: { auto: number; suggestions: number; unmatchedJournals: number; unmatchedVouchers: number };
  volumes: { codes: string[]; gaps: number };
  seconds: number;
  /** Milliseconds per step (factory, ingest, ledger, matching, volumes). */
  timings?: Record<string, number>;
}

export interface DemoOptions {
  /**
   * Folder of real corpus files (`<repo>/../shared/corpus/raw`); null or missing: factory files only. Unset: that
   * folder when it exists, unless the configuration says `EVARCHIVE_DEMO=synthetic` (factory files only, so
   * screenshots and public demos never show a real party).
   */
  corpusDir?: string | null;
  /** The demo month (YYYY-MM); default: the month before now. */
  period?: string;
  /** Load even when the marker says it was loaded (the CLI's --force). */
  force?: boolean;
}

/** `<repo>/../shared/corpus/raw`, found from this file in the source tree or the built `dist`. */
export function defaultCorpusDir(): string | null {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'server'))) {
      const c = path.resolve(dir, '../shared/corpus/raw');
      return existsSync(c) ? c : null;
    }
    dir = path.dirname(dir);
  }
  return null;
}

function previousMonth(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** `EVARCHIVE_DEMO=synthetic`: the demo takes factory-made vouchers only, even where the real corpus exists. */
function demoIsSynthetic(ctx: INestApplicationContext): boolean {
  return ctx.get<AppConfig>(CONFIG, { strict: false }).demo === 'synthetic';
}

export async function demoLoaded(db: Db): Promise<boolean> {
  const r = await db.selectFrom('system_setting').select('key').where('key', '=', DEMO_SETTING_KEY).executeTakeFirst();
  return !!r;
}

const fen = (s: string | undefined) => (s ? Math.round(Number(s) * 100) : 0);
const money = (f: number) => (f / 100).toFixed(2);

interface JournalDraft {
  date: string;
  summary: string;
  references?: { invoiceNumbers?: string[]; paymentCodes?: string[]; bankSerials?: string[] };
  entries: { accountCode: string; accountName: string; debit?: string; credit?: string; counterparty?: string }[];
  attachmentCount: number;
}

const expense = (amount: string, account: [string, string], counterparty?: string) => [
  { accountCode: account[0], accountName: account[1], debit: amount },
  { accountCode: '100201', accountName: '银行存款-基本户', credit: amount, ...(counterparty ? { counterparty } : {}) },
];

const EXPENSE_ACCOUNTS: [string, string][] = [
  ['500101', '业务活动费用-办公费'],
  ['500102', '业务活动费用-印刷费'],
  ['500104', '业务活动费用-物业管理费'],
  ['500105', '业务活动费用-会议费'],
  ['500106', '业务活动费用-培训费'],
];

/**
 * Loads the demo (see the file comment). Runs on a Nest application context or the HTTP app; returns what it
 * made. With the marker present and no `force`, returns at once with `loaded: false`.
 */
export async function loadDemo(ctx: INestApplicationContext, opts: DemoOptions = {}): Promise<DemoSummary> {
  const started = Date.now();
  const timings: Record<string, number> = {};
  const db = ctx.get<Db>(DB);
  const org = ctx.get(OrgService);
  const users = ctx.get(UserService);
  const period = opts.period ?? previousMonth();
  const year = Number(period.slice(0, 4));
  const empty: BatchSummary = { received: 0, created: 0, duplicates: 0, linked: 0, conflicts: 0, rejected: 0 };

  // 1. Unit and fonds (reused when a previous start made them).
  let unit = await db.selectFrom('unit').select(['id', 'code', 'name', 'credit_code']).where('code', '=', DEMO_UNIT.code).executeTakeFirst();
  if (!opts.force && (await demoLoaded(db))) {
    const fonds = unit ? await db.selectFrom('fonds').select('id').where('unit_id', '=', unit.id).executeTakeFirst() : undefined;
    return {
      loaded: false,
      unitCode: DEMO_UNIT.code,
      unitId: unit?.id ?? '',
      fondsId: fonds?.id ?? '',
      period,
      users: DEMO_USERS.map(({ username, password, role }) => ({ username, password, role })),
      corpusFiles: 0,
      vouchers: empty,
      journals: { imported: 0, created: 0 },
      matching: { auto: 0, suggestions: 0, unmatchedJournals: 0, unmatchedVouchers: 0 },
      volumes: { codes: [], gaps: 0 },
      seconds: 0,
    };
  }
  const creditCode = syntheticUscc(new Prng(`${DEMO_SEED}:unit`));
  if (!unit) {
    const u = await org.createUnit('system', { code: DEMO_UNIT.code, name: DEMO_UNIT.name, creditCode });
    unit = { id: u.id, code: u.code, name: u.name, credit_code: u.creditCode };
  }
  const unitTaxId = unit.credit_code ?? creditCode;
  let fonds = await db.selectFrom('fonds').select(['id', 'code']).where('code', '=', DEMO_FONDS.code).executeTakeFirst();
  if (!fonds) fonds = await org.createFonds('system', { code: DEMO_FONDS.code, name: DEMO_FONDS.name, unitId: unit.id });

  // 2. Users.
  const existing = new Set((await db.selectFrom('app_user').select('username').where('username', 'in', DEMO_USERS.map((u) => u.username)).execute()).map((r) => r.username));
  for (const u of DEMO_USERS) {
    if (existing.has(u.username)) continue;
    await users.create('system', { username: u.username, displayName: u.displayName, password: u.password, roles: [{ role: u.role, unitCode: DEMO_UNIT.code }] });
  }

  // 3. Vouchers of the month: factory files (sealed OFD invoices, a bank receipt, a statement, non-tax forms)
  //    and, where the corpus folder exists, a few real invoices and receipts (issued years ago: they sit in the
  //    pool to show real seals and layouts, outside the month's bookkeeping).
  const t0 = Date.now();
  const f = createFactory({ seed: `${DEMO_SEED}:${period}` });
  const buyer = { name: DEMO_UNIT.name, taxId: unitTaxId };
  const day = (d: number) => `${period}-${String(d).padStart(2, '0')}`;
  const invoices: GeneratedFile[] = [];
  const kinds = ['einv_ord', 'inv_ord', 'einv_spcl', 'inv_spcl'] as const;
  for (let i = 0; i < 10; i++) invoices.push(f.ofdInvoice({ kind: kinds[i % kinds.length], buyer, issueDate: day(2 + i * 2), lines: 1 + (i % 3) }));
  const receipt = f.bankReceiptOfd({ issueDate: day(12), totalFen: 356_000n });
  const ntrev = [f.dataVoucher({ kind: 'ntrev', issueDate: day(9), totalFen: 120_000n }).xbrl, f.dataVoucher({ kind: 'ntrev', issueDate: day(21), totalFen: 45_050n }).json];
  const statement = f.dataVoucher({ kind: 'bkrs', issueDate: day(28), lines: 4 }).xbrl;
  const rail = f.dataVoucher({ kind: 'rai', issueDate: day(15), totalFen: 55_300n }).xbrl;
  const files: { filename: string; bytes: Uint8Array; sourceRef: string }[] = [...invoices, receipt, ...ntrev, statement, rail].map((g, i) => ({
    filename: g.name,
    bytes: g.bytes,
    sourceRef: `demo:${period}:${i}`,
  }));
  const corpusDir = opts.corpusDir !== undefined ? opts.corpusDir : demoIsSynthetic(ctx) ? null : defaultCorpusDir();
  let corpusFiles = 0;
  if (corpusDir && existsSync(corpusDir)) {
    for (const rel of DEMO_CORPUS_FILES) {
      const p = path.join(corpusDir, rel);
      if (!existsSync(p)) continue;
      files.push({ filename: path.basename(p), bytes: readFileSync(p), sourceRef: `demo-corpus:${rel}` });
      corpusFiles++;
    }
  }
  const tFactory = Date.now() - t0;
  const ingest = ctx.get(IngestService);
  const batchOpts: BatchOptions = {
    channel: 'upload',
    routing: { unitId: unit.id, routableUnitIds: [unit.id] },
    actor: { type: 'system', id: null, name: 'evarchive demo' },
    sourceKey: `demo:${period}:${createHash('sha256').update(files.map((x) => x.sourceRef).join('\n')).digest('hex').slice(0, 16)}`,
  };
  const items = files.map((x) => ({ filename: x.filename, sourceRef: x.sourceRef, sha256: createHash('sha256').update(x.bytes).digest('hex'), size: x.bytes.length }));
  const bySha = new Map(items.map((it, i) => [it.sha256, files[i].bytes]));
  const { batchId } = await ingest.openBatch(batchOpts, items);
  await ingest.runBatch(batchId, batchOpts, async (item) => bySha.get(item.sha256)!, { concurrency: 4 });
  const outcomes: ItemOutcome[] = await ingest.batchOutcomes(batchId);
  const vouchers = summarise(outcomes);
  // Pool ingest does not feed the search index yet; project the (new, small) pool so the demo is searchable.
  await reindexFromPool(db, ctx.get(SearchIndexer));
  timings.factory = tFactory;
  timings.ingest = Date.now() - t0 - tFactory;

  // 4. Journal vouchers citing those vouchers (as the accounting system would post them).
  const stored = await db
    .selectFrom('voucher')
    .select(['id', 'kind', 'invoice_number', 'total_amount', 'seller_name', 'issue_date', 'data'])
    .where('id', 'in', outcomes.map((o) => o.voucherId).filter((v): v is string => !!v).concat(['00000000-0000-0000-0000-000000000000']))
    .execute();
  const byId = new Map(stored.map((v) => [v.id, v]));
  const voucherOf = (o: ItemOutcome) => (o.voucherId ? byId.get(o.voucherId) : undefined);
  const drafts: JournalDraft[] = [];
  const invoiceRows = outcomes
    .filter((o) => o.sourceRef?.startsWith('demo:') && /^e?inv_/.test(o.kind ?? ''))
    .map(voucherOf)
    .filter((v): v is NonNullable<typeof v> => !!v && !!v.invoice_number && !!v.total_amount);
  invoiceRows.forEach((v, i) => {
    const date = day(Math.min(28, 3 + i * 2));
    const amount = String(v.total_amount);
    const seller = v.seller_name ?? undefined;
    if (i === invoiceRows.length - 1) return; // left unbooked: shows as an unmatched voucher
    if (i === 3) {
      // Mistyped invoice number (last two digits swapped): the rule engine suggests, a person decides.
      const n = v.invoice_number!;
      const typo = n.slice(0, -2) + n.slice(-1) + n.slice(-2, -1);
      drafts.push({ date, summary: `报销会议费 ${seller ?? ''}`, references: { invoiceNumbers: [typo === n ? n.slice(0, -1) + ((Number(n.slice(-1)) + 1) % 10) : typo] }, entries: expense(amount, EXPENSE_ACCOUNTS[3], seller), attachmentCount: 1 });
      return;
    }
    if (i === 5 && invoiceRows[6]) {
      // Two invoices in one journal voucher.
      const w = invoiceRows[6];
      const total = money(fen(amount) + fen(String(w.total_amount)));
      drafts.push({
        date,
        summary: `报销办公用品（两张发票）`,
        references: { invoiceNumbers: [v.invoice_number!, w.invoice_number!] },
        entries: [
          { accountCode: EXPENSE_ACCOUNTS[0][0], accountName: EXPENSE_ACCOUNTS[0][1], debit: total },
          { accountCode: '100201', accountName: '银行存款-基本户', credit: total },
        ],
        attachmentCount: 2,
      });
      return;
    }
    if (i === 6) return; // booked together with invoice 5
    drafts.push({ date, summary: `报销${EXPENSE_ACCOUNTS[i % EXPENSE_ACCOUNTS.length][1].replace(/^业务活动费用-/, '')} ${seller ?? ''}`.trim(), references: { invoiceNumbers: [v.invoice_number!] }, entries: expense(amount, EXPENSE_ACCOUNTS[i % EXPENSE_ACCOUNTS.length], seller), attachmentCount: 1 });
  });
  for (const o of outcomes) {
    const v = voucherOf(o);
    if (!v) continue;
    const data = (typeof v.data === 'string' ? JSON.parse(v.data) : v.data) as { extra?: { paymentCode?: string }; bankSerialNumber?: string; payeeName?: string };
    if (o.sourceRef?.startsWith('demo:') && v.kind === 'ntrev' && data.extra?.paymentCode && v.total_amount) {
      drafts.push({
        date: String(v.issue_date ?? day(10)).slice(0, 10) > day(28) ? day(28) : String(v.issue_date).slice(0, 10),
        summary: '收到非税收入（缴款书）',
        references: { paymentCodes: [data.extra.paymentCode] },
        entries: [
          { accountCode: '100201', accountName: '银行存款-基本户', debit: String(v.total_amount) },
          { accountCode: '2103', accountName: '应缴财政款', credit: String(v.total_amount) },
        ],
        attachmentCount: 1,
      });
    }
    if (o.sourceRef?.startsWith('demo:') && v.kind === 'bker' && data.bankSerialNumber && v.total_amount) {
      drafts.push({ date: day(12), summary: '支付物业费（银行回单）', references: { bankSerials: [data.bankSerialNumber] }, entries: expense(String(v.total_amount), EXPENSE_ACCOUNTS[2], data.payeeName), attachmentCount: 1 });
    }
  }
  drafts.sort((a, b) => a.date.localeCompare(b.date));
  const journalVouchers = drafts.map((d, i) => ({ number: String(i + 1).padStart(4, '0'), fonds: DEMO_FONDS.code, maker: '演示会计', checker: '演示审核', poster: '演示记账', ...d }));
  let mark = Date.now();
  const ledger = ctx.get(LedgerService);
  const bytes = Buffer.from(JSON.stringify({ unit: DEMO_UNIT.code, journalVouchers }));
  const imported = await ledger.importFile({ operator: 'evarchive demo' }, bytes, `demo-${period}.json`, { channel: 'cli', unit: DEMO_UNIT.code });

  timings.ledger = Date.now() - mark;
  mark = Date.now();
  // 5. Matching, then the month's volume (left as a draft for the archivist to check and submit).
  const run = await ctx.get(MatchingService).run({ operator: 'evarchive demo' }, { period, unit: DEMO_UNIT.code });
  timings.matching = Date.now() - mark;
  mark = Date.now();
  const assembled = await ctx.get(VolumesService).assemble('system', { unitId: unit.id, fondsId: fonds.id, year, period });
  const codes = (await db.selectFrom('volume').select('archival_code').where('fonds_id', '=', fonds.id).where('period', '=', period).orderBy('archival_code').execute()).map((r) => r.archival_code);

  timings.volumes = Date.now() - mark;
  await db
    .insertInto('system_setting')
    .values({ key: DEMO_SETTING_KEY, value: JSON.stringify({ period, at: new Date().toISOString() }) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql`excluded.value`, updated_at: sql`now()` }))
    .execute();

  return {
    loaded: true,
    unitCode: DEMO_UNIT.code,
    unitId: unit.id,
    fondsId: fonds.id,
    period,
    users: DEMO_USERS.map(({ username, password, role }) => ({ username, password, role })),
    corpusFiles,
    vouchers,
    journals: { imported: imported.vouchers, created: imported.created },
    matching: { auto: run.totals.auto, suggestions: run.totals.suggestions, unmatchedJournals: run.totals.unmatchedJournals, unmatchedVouchers: run.totals.unmatchedVouchers },
    volumes: { codes, gaps: assembled.gaps.length },
    seconds: Math.round((Date.now() - started) / 100) / 10,
    timings,
  };
}

/** The lines `serve` and `demo load` print: what was made and how to sign in. */
export function describeDemo(s: DemoSummary): string {
  const line = '─'.repeat(64);
  const out = [line, ` Demo data (示例数据) loaded in ${s.seconds} s: unit ${s.unitCode} 演示单位（示例数据）, month ${s.period}`];
  const origin = s.corpusFiles ? `${s.corpusFiles} real sample files` : 'all factory-made';
  out.push(`   vouchers: ${s.vouchers.created} new (${origin}), ${s.vouchers.rejected} rejected; journal vouchers: ${s.journals.imported}`);
  out.push(`   matching: ${s.matching.auto} automatic links, ${s.matching.suggestions} suggestions to decide; volumes: ${s.volumes.codes.length} (draft)`);
  out.push(' Demo users (user name = password; turn the demo off with EVARCHIVE_DEMO=0):');
  for (const u of s.users) out.push(`   ${u.username.padEnd(18)} ${u.role}`);
  out.push(line);
  return out.join('\n');
}

/**
 * `serve`'s first-start hook: loads the demo unless it was loaded before, prints how to sign in; a failure is
 * reported and the server starts anyway (the demo is a convenience, never a reason not to serve).
 */
export async function loadDemoOnStart(ctx: INestApplicationContext): Promise<void> {
  try {
    if (await demoLoaded(ctx.get<Db>(DB))) return;
    console.log('loading the demo unit 演示单位（示例数据） (EVARCHIVE_DEMO=0 turns this off)…');
    console.log(describeDemo(await loadDemo(ctx)));
  } catch (e) {
    console.error(`evarchive: the demo data could not be loaded: ${(e as Error).stack ?? e}`);
  }
}

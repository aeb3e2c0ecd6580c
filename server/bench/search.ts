/**
 * Search benchmark: N archived items in a throw-away database, the same fixed mix of 20 realistic queries on
 * BOTH backends (PostgreSQL search_document, and OpenSearch fed from it by the backend's own reindex), p50/p95/
 * p99 per backend and the ratio to the 3-second reference.
 *
 *   npm run bench:search [-- --items 1000000 --runs 5 --seed bench --os-items 1000000 --os-budget 900]
 *   npm run bench:search -- --items 10000000            (on demand)
 *   npm run bench:search -- --no-opensearch             (PostgreSQL only)
 *   npm run bench:search -- --opensearch-url http://…   (a real node instead of the test node)
 *   npm run bench:search -- --keep … then --reuse evbench_search_<pid>   (queries again, no load)
 *
 * The database `evbench_search_<pid>` is created on BENCH_ADMIN_URL / DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) and dropped at the end (--keep leaves it). Items come from a
 * seeded generator (the factory's Prng and synthetic parties): no files, written with multi-row INSERTs of
 * precomputed rows, indexes built after the load. OpenSearch gets at most --os-items documents or what it
 * loads within --os-budget seconds; the size it got is printed with its figures.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { Prng, syntheticCompany } from '../src/formats/factory';
import { analyse, lexemes } from '../src/modules/search/analyze';
import { OpenSearchBackend } from '../src/modules/search/opensearch.backend';
import { PostgresSearchBackend } from '../src/modules/search/postgres.backend';
import { normalizeQuery } from '../src/modules/search/query';
import { documentId, SearchRepository } from '../src/modules/search/search.repository';
import type { SearchBackend, SearchDocumentInput, SearchQuery, SearchScope } from '../src/modules/search/search.types';
import { createDb, migrateToLatest, type Db } from '../src/platform/database/database';
import { startOpenSearch, type OpenSearchHandle } from '../test/support/servers';

interface Args {
  items: number;
  runs: number;
  seed: string;
  opensearch: boolean;
  osItems: number;
  osBudget: number;
  osUrl?: string;
  keep: boolean;
  /** A bench database to use (created if missing, kept): only queried, or loaded up to --items if given. */
  reuse?: string;
  itemsGiven: boolean;
  /** Load (or resume) and build the indexes, no queries. */
  loadOnly: boolean;
  /** Load (or resume) the rows only: the indexes are built by a later run (--reuse). */
  skipIndexes: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { items: 1_000_000, runs: 5, seed: 'bench', opensearch: true, osItems: Infinity, osBudget: 900, keep: false, itemsGiven: false, loadOnly: false, skipIndexes: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--items': a.items = Number(v); a.itemsGiven = true; i++; break;
      case '--load-only': a.loadOnly = true; break;
      case '--skip-indexes': a.skipIndexes = true; break;
      case '--runs': a.runs = Number(v); i++; break;
      case '--seed': a.seed = v; i++; break;
      case '--os-items': a.osItems = Number(v); i++; break;
      case '--os-budget': a.osBudget = Number(v); i++; break;
      case '--opensearch-url': a.osUrl = v; i++; break;
      case '--no-opensearch': a.opensearch = false; break;
      case '--keep': a.keep = true; break;
      case '--reuse': a.reuse = v; a.keep = true; i++; break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (!Number.isInteger(a.items) || a.items < 1000) throw new Error('--items: at least 1000');
  return a;
}

// ---- the generator ----------------------------------------------------------------------------------------

const DISTRICTS = ['南通市', '崇川区', '通州区', '海门区', '如皋市', '海安市', '如东县', '启东市'];
const DEPARTMENTS = [
  '财政局', '教育局', '卫生健康委员会', '交通运输局', '农业农村局', '民政局', '人力资源和社会保障局', '住房和城乡建设局',
  '水利局', '文化广电和旅游局', '审计局', '统计局', '市场监督管理局', '生态环境局', '自然资源和规划局', '公安局', '司法局',
  '商务局', '科学技术局', '工业和信息化局', '应急管理局', '体育局', '医疗保障局', '退役军人事务局', '城市管理局',
  '发展和改革委员会', '档案馆', '图书馆', '人民医院', '第一中学',
];
const EXTRA_UNITS = ['南通市人民政府办公室', '南通市机关事务管理局', '南通市政务服务管理办公室', '南通市公共资源交易中心'];
const UNIT_NAMES = [...DISTRICTS.flatMap((d) => DEPARTMENTS.map((p) => d + p)), ...EXTRA_UNITS]; // 244

const SELLER_CITIES = ['南通', '如皋', '海门', '启东', '南京', '苏州', '无锡', '上海', '杭州', '江海'];
const BRANDS = ['华润', '金鹏', '恒达', '通达', '海天', '长江', '明珠', '新华', '东方', '瑞丰', '永兴', '嘉禾', '天成', '中远', '宏图', '鑫源', '博雅', '锦程', '润泽', '卓越'];
const TRADES = ['科技', '贸易', '信息技术', '咨询', '物业服务', '印务', '餐饮管理', '文化传播', '建筑工程', '办公设备', '酒店管理', '旅行社', '汽车服务', '医疗器械', '文具'];
const FORMS = ['有限公司', '有限责任公司', '股份有限公司'];
const GOODS = [
  '办公用品', '会议服务', '差旅费', '餐饮服务', '培训费', '印刷费', '物业管理费', '维修费', '电费', '水费', '咨询服务', '软件服务',
  '图书资料', '车辆租赁', '住宿服务', '快递服务', '计算机设备', '打印纸', '网络服务费', '专用材料', '劳务费', '保洁服务', '绿化养护', '餐费',
];
const KINDS: [string, number][] = [
  ['einv_ord', 35], ['einv_spcl', 10], ['inv_ord', 8], ['inv_spcl', 4], ['rai', 8], ['atr', 4], ['efi', 6], ['ntrev', 2], ['bker', 10], ['ctp', 5], ['journal', 7], ['ledger', 0.5], ['report', 0.5],
];
const KIND_TOTAL = KINDS.reduce((s, [, w]) => s + w, 0);
const STATES: [string, number][] = [['archived', 70], ['booked', 15], ['available', 10], ['claimed', 5]];

function weighted<T>(rng: Prng, items: [T, number][], total: number): T {
  let x = (rng.u32() / 0x1_0000_0000) * total;
  for (const [v, w] of items) if ((x -= w) < 0) return v;
  return items[items.length - 1][0];
}

function sellerName(rng: Prng): string {
  // One in five from the factory's obviously synthetic companies, the rest city + brand + trade + form.
  if (rng.int(0, 4) === 0) return syntheticCompany(rng).name;
  return `${rng.pick(SELLER_CITIES)}${rng.pick(BRANDS)}${rng.pick(TRADES)}${rng.pick(FORMS)}`;
}

function date(rng: Prng): string {
  const day = rng.int(0, 7 * 365 - 1); // 2019-01-01 .. 2025-12-30
  return new Date(Date.UTC(2019, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
}

/** Amount in fen, log-uniform from 10 yuan to 500,000 yuan, as a two-decimal string. */
function amount(rng: Prng): string {
  const fen = Math.round(Math.exp(Math.log(1000) + (rng.u32() / 0x1_0000_0000) * (Math.log(50_000_000) - Math.log(1000))));
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

export function generate(i: number, rng: Prng, unitIds: string[]): SearchDocumentInput {
  const u = rng.int(0, unitIds.length - 1);
  const kind = weighted(rng, KINDS, KIND_TOTAL);
  const d = date(rng);
  const state = weighted(rng, STATES, 100);
  const year = Number(d.slice(0, 4));
  const seq = String(i).padStart(7, '0');
  const archivalCode = state === 'archived' ? `U${String(u).padStart(3, '0')}-${year}-KJ-PZ-${seq}` : null;
  const goods = [rng.pick(GOODS), ...(rng.chance(0.4) ? [rng.pick(GOODS)] : [])];
  const base = { sourceId: `b${seq}`, unitId: unitIds[u], year, period: Number(d.slice(5, 7)), date: d, state, archivalCode, amount: amount(rng) };
  const buyer = UNIT_NAMES[u];
  if (kind === 'journal') {
    return { ...base, docType: 'journal', kind, category: 'voucher', number: `记-${String(rng.int(1, 999)).padStart(4, '0')}`, title: `记账凭证 ${goods[0]}`, parties: [buyer], accounts: ['1002 银行存款', `5201 ${goods[0]}`], body: `支付${goods.join('、')}` };
  }
  if (kind === 'ledger' || kind === 'report') {
    return { ...base, docType: kind, kind: kind === 'ledger' ? 'general_ledger' : 'monthly_report', category: kind, amount: null, title: kind === 'ledger' ? `${year}年总账` : `${year}年${Number(d.slice(5, 7))}月财务报告`, parties: [buyer], body: buyer };
  }
  const seller = kind === 'rai' ? '中国铁路南京局集团有限公司' : kind === 'atr' ? `${rng.pick(['东方', '南方', '国际'])}航空股份有限公司` : kind === 'bker' || kind === 'ctp' ? `${rng.pick(['示例银行', '江海银行'])}${rng.pick(SELLER_CITIES)}分行` : sellerName(rng);
  const number = kind.startsWith('einv') ? `${year % 100}32${rng.digits(16)}` : kind.startsWith('inv') ? rng.digits(8, true) : rng.digits(12, true);
  const titles: Record<string, string> = { einv_ord: '电子发票（普通发票）', einv_spcl: '电子发票（增值税专用发票）', inv_ord: '增值税电子普通发票', inv_spcl: '增值税电子专用发票', rai: '铁路电子客票', atr: '航空运输电子客票行程单', efi: '财政电子票据', ntrev: '非税收入一般缴款书', bker: '银行电子回单', ctp: '国库集中支付电子凭证' };
  return {
    ...base,
    docType: 'voucher',
    kind,
    category: 'voucher',
    number,
    numbers: kind.startsWith('inv') ? [`0320${rng.digits(8)}`] : [],
    title: titles[kind],
    parties: [seller, buyer],
    body: goods.map((g) => `*${g}*${g}`).join('\n'),
  };
}

// ---- loading ----------------------------------------------------------------------------------------------

async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`create database ${name} template template0 encoding 'UTF8' lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8'`);
  } finally {
    await c.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return (await c.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  } finally {
    await c.end();
  }
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`drop database if exists ${name} with (force)`);
  } finally {
    await c.end();
  }
}

/** Secondary indexes of search_document: everything but the primary key and the unique (doc_type, source_id). */
async function secondaryIndexes(url: string): Promise<Map<string, string>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ name: string; def: string }>(`
      select i.indexname as name, i.indexdef as def from pg_indexes i
      where i.tablename = 'search_document' and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`);
    return new Map(r.rows.map((x) => [x.name, x.def]));
  } finally {
    await c.end();
  }
}

/** Dropped before a load (rows go in faster without them) and rebuilt after it by rebuildSecondaryIndexes. */
async function dropSecondaryIndexes(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const name of (await secondaryIndexes(url)).keys()) await c.query(`drop index if exists "${name}"`);
  } finally {
    await c.end();
  }
}

/**
 * Builds the secondary indexes the current migrations define and the database lacks. The set is read from a
 * scratch database migrated from scratch, so an interrupted load resumes (--reuse DB --items N) and a
 * migration added since (new or replaced indexes) is honoured without building what it dropped.
 */
async function rebuildSecondaryIndexes(adminUrl: string, url: string): Promise<number> {
  const scratch = `evbench_shape_${process.pid}`;
  const scratchUrl = await createDatabase(adminUrl, scratch);
  let wanted: Map<string, string>;
  try {
    const sdb = createDb(scratchUrl, { max: 1 });
    try {
      await migrateToLatest(sdb);
    } finally {
      await sdb.destroy();
    }
    wanted = await secondaryIndexes(scratchUrl);
  } finally {
    await dropDatabase(adminUrl, scratch);
  }
  const have = await secondaryIndexes(url);
  const missing = [...wanted].filter(([name]) => !have.has(name));
  // GIN builds are single-threaded in PostgreSQL 15: up to three builds at a time, the GIN ones first.
  missing.sort(([, a], [, b]) => Number(/using gin/i.test(b)) - Number(/using gin/i.test(a)));
  const build = async () => {
    const ic = new pg.Client({ connectionString: url });
    await ic.connect();
    try {
      await ic.query(`set maintenance_work_mem = '2GB'`);
      await ic.query(`set max_parallel_maintenance_workers = 2`);
      for (let next = missing.shift(); next; next = missing.shift()) {
        const s = performance.now();
        await ic.query(next[1]);
        process.stderr.write(`  ${next[0]}: ${((performance.now() - s) / 1000).toFixed(1)} s ${new Date().toISOString()}\n`);
      }
    } finally {
      await ic.end();
    }
  };
  const count = missing.length;
  await Promise.all([build(), build(), build()]);
  return count;
}

/**
 * Items `from`..n-1 of the seeded sequence (the generator is sequential: earlier items are regenerated
 * without analysis to advance it). At most two batches are in flight, so a resumed load restarts two batches
 * before the row count and skips what is already there.
 */
async function loadPostgres(url: string, from: number, n: number, seed: string, unitIds: string[]): Promise<void> {
  await dropSecondaryIndexes(url);
  const rng = new Prng(`${seed}/items`);
  for (let i = 0; i < from; i++) generate(i, rng, unitIds);
  const BATCH = 2000;
  const t0 = performance.now();
  // Two connections: Node prepares the next batch while PostgreSQL inserts the previous one.
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  let inflight: Promise<unknown>[] = [];
  for (let start = from; start < n; start += BATCH) {
    const rows: unknown[] = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const d = generate(i, rng, unitIds);
      const a = analyse(d);
      rows.push({
        id: documentId(d.docType, d.sourceId), doc_type: d.docType, source_id: d.sourceId, unit_id: d.unitId, fonds_id: null, kind: d.kind,
        category: d.category, year: d.year, period: d.period, archival_code: d.archivalCode, number: d.number ?? null, numbers: d.numbers ?? [],
        title: d.title, amount: d.amount, doc_date: d.date, parties: d.parties ?? [], accounts: d.accounts ?? [], state: d.state,
        retention: d.category === 'voucher' ? '30y' : 'permanent', body: d.body ?? '', haystack: a.haystack, tokens: lexemes(a).map((l) => `'${l}'`).join(' '),
      });
    }
    const payload = JSON.stringify(rows);
    inflight.push(
      pool.query(
        `insert into search_document (id, doc_type, source_id, unit_id, fonds_id, kind, category, year, period, archival_code, number, numbers, title, amount, doc_date, parties, accounts, state, retention, body, haystack, tokens)
         select id, doc_type, source_id, unit_id, fonds_id, kind, category, year, period, archival_code, number, numbers, title, amount, doc_date, parties, accounts, state, retention, body, haystack, tokens
         from json_populate_recordset(null::search_document, $1::json)
         on conflict (id) do nothing`,
        [payload],
      ),
    );
    if (inflight.length >= 2) {
      await inflight.shift();
    }
    const done = Math.min(n, start + BATCH);
    if (done % 100_000 === 0 || done === n) process.stderr.write(`  postgres load ${done}/${n} (${Math.round((done - from) / ((performance.now() - t0) / 1000))} items/s) ${new Date().toISOString()}\n`);
  }
  await Promise.all(inflight);
  inflight = [];
  await pool.end();
  const t1 = performance.now();
  process.stderr.write(`  loaded ${n - from} rows in ${((t1 - t0) / 1000).toFixed(1)} s\n`);
}

// ---- the query mix ----------------------------------------------------------------------------------------

interface BenchQuery {
  name: string;
  query: SearchQuery;
  scope: 'unit' | 'all';
}

async function queryMix(db: Db, unitIds: string[]): Promise<{ queries: BenchQuery[]; unitScope: SearchScope }> {
  // Values taken from the loaded data, so exact-number queries hit.
  const pick = await sql<{ number: string; archival_code: string | null; unit_id: string; parties: string[] }>`
    select number, archival_code, unit_id, parties from search_document where kind = 'einv_ord' and archival_code is not null order by id limit 1 offset 1234`.execute(db);
  const sample = pick.rows[0];
  const unitScope: SearchScope = { unitIds: [sample.unit_id], documentIds: [] };
  void unitIds;
  const q = (name: string, query: SearchQuery, scope: 'unit' | 'all' = 'unit'): BenchQuery => ({ name, query, scope });
  return {
    unitScope,
    queries: [
      q('invoice number (filter), all units', { filters: { number: sample.number } }, 'all'),
      q('invoice number as text', { text: sample.number }),
      q('2 chars 差旅', { text: '差旅' }),
      q('2 chars 会议, all units', { text: '会议' }, 'all'),
      q('3 chars 财政局, all units', { text: '财政局' }, 'all'),
      q('6 chars 南通市财政局', { text: '南通市财政局' }),
      q('1 char 局', { text: '局' }),
      q('发票 2024', { text: '发票 2024' }),
      q('amount 10000–50000 in 2024', { filters: { amountMin: '10000', amountMax: '50000', year: [2024] } }),
      q('period 2024-03', { filters: { year: [2024], period: [3] } }),
      q('bank receipts H1 2024, all units', { filters: { kind: ['bker'], dateFrom: '2024-01-01', dateTo: '2024-06-30' } }, 'all'),
      q('餐饮 ≤ 500, all units', { text: '餐饮', filters: { amountMax: '500' } }, 'all'),
      q('seller full name, all units', { text: sample.parties[0] }, 'all'),
      q('brand 华润, all units', { text: '华润' }, 'all'),
      q('培训 refined by 2023', { text: '2023', refine: ['培训'] }),
      q('archival code', { filters: { archivalCode: sample.archival_code! } }),
      q('办公用品 by amount', { text: '办公用品', sort: 'amount', order: 'desc' }),
      q('住宿 e-invoices 2024, all units', { text: '住宿', filters: { kind: ['einv_ord'], year: [2024] } }, 'all'),
      q('archived, newest first, page 3', { filters: { state: ['archived'] }, sort: 'date' }),
      q('江海 维修, all units', { text: '江海 维修' }, 'all'),
    ],
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function runMix(backend: SearchBackend, mix: { queries: BenchQuery[]; unitScope: SearchScope }, runs: number) {
  const ALL: SearchScope = { unitIds: 'all', documentIds: [] };
  const samples: number[] = [];
  const perQuery: { name: string; median: number; total: number }[] = [];
  for (const bq of mix.queries) {
    const scope = bq.scope === 'all' ? ALL : mix.unitScope;
    let query = bq.query;
    if (bq.name.includes('page 3')) {
      // Deep pages are keyset pages: take the cursor of page 2, time page 3.
      let cursor: string | undefined;
      for (let p = 0; p < 2; p++) cursor = (await backend.search(normalizeQuery({ ...query, cursor, facets: false }), scope)).nextCursor ?? undefined;
      query = { ...query, cursor };
    }
    await backend.search(normalizeQuery(query), scope); // warm-up
    const times: number[] = [];
    let total = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const res = await backend.search(normalizeQuery(query), scope);
      times.push(performance.now() - t0);
      total = res.total;
    }
    samples.push(...times);
    times.sort((a, b) => a - b);
    perQuery.push({ name: bq.name, median: pct(times, 50), total });
  }
  samples.sort((a, b) => a - b);
  return { p50: pct(samples, 50), p95: pct(samples, 95), p99: pct(samples, 99), perQuery };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const adminUrl = process.env.BENCH_ADMIN_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = args.reuse ?? `evbench_search_${process.pid}`;
  console.log(`search benchmark: ${args.items} items, ${args.runs} timed runs per query, seed "${args.seed}"`);
  const url = (await databaseExists(adminUrl, name)) ? Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString() : await createDatabase(adminUrl, name);
  const db = createDb(url, { max: 4 });
  let os: OpenSearchHandle | undefined;
  let ob: OpenSearchBackend | undefined;
  try {
    // A new database is migrated first; a reused one after its load and index build, so the indexes of
    // migrations added since are built with the others, in parallel (the search migrations create theirs
    // "if not exists").
    const fresh = !Number((await sql<{ n: string }>`select count(*) as n from pg_tables where tablename = 'search_document'`.execute(db)).rows[0].n);
    const migrate = async () => {
      const migrated = await migrateToLatest(db);
      if (migrated.applied.length) console.log(`migrations applied: ${migrated.applied.join(', ')}`);
    };
    if (fresh) await migrate();
    if (Number((await sql<{ n: string }>`select count(*) as n from unit where code ~ '^U[0-9]{3}$'`.execute(db)).rows[0].n) === 0) {
      for (let i = 0; i < UNIT_NAMES.length; i++) {
        await sql`insert into unit (code, name) values (${`U${String(i).padStart(3, '0')}`}, ${UNIT_NAMES[i]})`.execute(db);
      }
    }
    const unitIds = (await sql<{ id: string }>`select id from unit where code ~ '^U[0-9]{3}$' order by code`.execute(db)).rows.map((r) => r.id);
    const osStart = args.opensearch && !args.osUrl ? startOpenSearch() : undefined;
    osStart?.catch(() => undefined);
    const t0 = performance.now();
    // A database reused without --items is only queried; with --items above its row count the load resumes.
    const have = Number((await sql<{ n: string }>`select count(*) as n from search_document`.execute(db)).rows[0].n);
    if (args.reuse && !args.itemsGiven) args.items = have;
    if (have < args.items) {
      const from = Math.max(0, have - 2 * 2000 - (have % 2000));
      if (from) console.log(`resuming the load at item ${from} (${have} rows present)`);
      await loadPostgres(url, from, args.items, args.seed, unitIds);
      console.log(`postgres: ${args.items - from} items loaded in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    if (args.skipIndexes) return;
    const t1 = performance.now();
    const built = await rebuildSecondaryIndexes(adminUrl, url);
    await migrate();
    if (built) {
      await sql`vacuum analyze search_document`.execute(db);
      console.log(`postgres: ${built} indexes built in ${((performance.now() - t1) / 1000).toFixed(0)} s (vacuum analyze included)`);
    }
    if (args.loadOnly) return;
    const size = await sql<{ t: string; i: string }>`select pg_size_pretty(pg_table_size('search_document')) as t, pg_size_pretty(pg_indexes_size('search_document')) as i`.execute(db);
    console.log(`postgres: table ${size.rows[0].t}, indexes ${size.rows[0].i}`);

    const repo = new SearchRepository(db);
    const mix = await queryMix(db, unitIds);
    const results: { backend: string; items: number; r: Awaited<ReturnType<typeof runMix>> }[] = [];
    results.push({ backend: 'postgres', items: args.items, r: await runMix(new PostgresSearchBackend(repo), mix, args.runs) });

    if (args.opensearch) {
      const node = args.osUrl ?? (os = await osStart!).url;
      ob = new OpenSearchBackend(repo, { node, indexPrefix: `bench${process.pid}` });
      await ob.ensureIndex();
      await ob.client.indices.putSettings({ index: ob.alias, body: { index: { refresh_interval: '-1' } } } as any);
      const limit = Math.min(args.items, args.osItems);
      const t1 = performance.now();
      let loaded = 0;
      try {
        await ob.reindex({
          batchSize: 2000,
          onProgress: (p) => {
            loaded = p.done;
            if (p.done % 100_000 < 2000) process.stderr.write(`  opensearch load ${p.done}/${limit} (${Math.round(p.done / ((performance.now() - t1) / 1000 || 1))} docs/s)\n`);
            if (p.done >= limit) throw new Error('size reached');
            if ((performance.now() - t1) / 1000 > args.osBudget) throw new Error('budget reached');
          },
        });
      } catch (e) {
        if (!/size reached|budget reached/.test((e as Error).message)) throw e;
      }
      await ob.client.indices.putSettings({ index: ob.alias, body: { index: { refresh_interval: '1s' } } } as any);
      await ob.refresh();
      await ob.client.indices.forcemerge({ index: ob.alias, max_num_segments: 1 } as any).catch(() => undefined);
      const count = (await ob.client.count({ index: ob.alias })).body.count as number;
      console.log(`opensearch: ${count} documents loaded in ${((performance.now() - t1) / 1000).toFixed(0)} s (${loaded >= limit ? 'all requested' : `stopped by the ${args.osBudget} s budget`})`);
      // The same query values must hit: with a partial load the sample may be missing, which only lowers the cost.
      results.push({ backend: 'opensearch', items: count, r: await runMix(ob, mix, args.runs) });
    }

    console.log('');
    console.log('per query, median ms (total hits):');
    for (let i = 0; i < mix.queries.length; i++) {
      console.log(`  ${String(i + 1).padStart(2)}. ${mix.queries[i].name.padEnd(40)} ${results.map((x) => `${x.backend} ${x.r.perQuery[i].median.toFixed(1).padStart(7)} (${x.r.perQuery[i].total})`).join('   ')}`);
    }
    console.log('');
    for (const x of results) {
      const { p50, p95, p99 } = x.r;
      console.log(`${x.backend.padEnd(10)} ${String(x.items).padStart(9)} items  p50 ${p50.toFixed(1)} ms  p95 ${p95.toFixed(1)} ms  p99 ${p99.toFixed(1)} ms  p95/3000 ms = ${(p95 / 3000).toFixed(3)}  ${p95 <= 100 ? 'target p95 ≤ 100 ms met' : 'target p95 ≤ 100 ms MISSED'}`);
    }
  } finally {
    await ob?.close().catch(() => undefined);
    await os?.stop().catch(() => undefined);
    await db.destroy();
    if (!args.keep) await dropDatabase(adminUrl, name);
    else console.log(`kept database ${name}`);
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}

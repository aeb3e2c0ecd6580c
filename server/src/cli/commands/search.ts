import type { Command } from 'commander';
import { sql } from 'kysely';
import { createSearchBackend } from '../../modules/search/backend.factory';
import { SearchIndexer } from '../../modules/search/indexer.service';
import { OpenSearchBackend } from '../../modules/search/opensearch.backend';
import { reindexFromPool } from '../../modules/search/projection';
import { normalizeQuery, queryFromParams } from '../../modules/search/query';
import { SearchRepository } from '../../modules/search/search.repository';
import type { SearchHit } from '../../modules/search/search.types';
import { loadConfig, type AppConfig } from '../../platform/config/config';
import { openDatabase } from '../../platform/database/open';
import { NotFoundError, ValidationError } from '../../platform/errors/errors';

/** Display width: Han and full-width characters take two columns in a terminal. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}
function cut(s: string, max: number): string {
  if (width(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (width(out + ch) > max - 1) break;
    out += ch;
  }
  return out + '…';
}
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

function table(hits: SearchHit[]): string {
  const cols: [string, (h: SearchHit) => string, number][] = [
    ['种类 kind', (h) => h.kind ?? h.docType, 10],
    ['号码 number', (h) => h.invoiceNumber ?? '', 22],
    ['档号 code', (h) => h.archivalCode ?? '', 22],
    ['日期 date', (h) => h.date ?? '', 10],
    ['金额 amount', (h) => h.amount ?? '', 13],
    ['题名 title', (h) => h.title, 30],
    ['id', (h) => h.id, 44],
  ];
  const rows = [cols.map(([t]) => t), ...hits.map((h) => cols.map(([, f, max]) => cut(f(h), max)))];
  const widths = cols.map((_, i) => Math.max(...rows.map((r) => width(r[i]))));
  return rows.map((r) => r.map((c, i) => pad(c, widths[i])).join('  ').trimEnd()).join('\n');
}

/** `--backend opensearch` may be asked for while the configured driver is postgres (building the index first). */
function backendConfig(config: AppConfig, backend?: string): Pick<AppConfig, 'search'> {
  if (!backend || backend === config.search.driver) return config;
  if (backend === 'postgres') return { search: { driver: 'postgres' } };
  if (backend === 'opensearch') {
    const node = process.env.EVARCHIVE_OPENSEARCH_URL;
    if (!node) throw new ValidationError('--backend opensearch: set EVARCHIVE_OPENSEARCH_URL (or search.driver: opensearch in the config)', { field: 'backend' });
    return { search: { driver: 'opensearch', node, indexPrefix: process.env.EVARCHIVE_OPENSEARCH_PREFIX ?? 'evarchive' } };
  }
  throw new ValidationError(`--backend: expected postgres or opensearch, got "${backend}"`, { field: 'backend' });
}

function progress(label: string): (done: number, total: number) => void {
  const tty = process.stderr.isTTY;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 1000) return;
    last = now;
    const pct = total ? Math.floor((done * 100) / total) : 100;
    const line = `${label}: ${done}/${total} (${pct}%)`;
    if (tty) process.stderr.write(`\r${line}${done >= total ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  };
}

export function searchCommand(program: Command): void {
  const search = program
    .command('search')
    .description('search the archive (档案检索) across every unit, as the deployment administrator')
    .argument('[text]', 'full text: Chinese words, names, numbers (all terms must match)')
    .option('--kind <kinds>', 'voucher kinds, comma separated (inv_ord, einv_spcl, bker, …)')
    .option('--from <date>', 'date from, YYYY-MM-DD')
    .option('--to <date>', 'date to, YYYY-MM-DD')
    .option('--unit <code>', 'unit code')
    .option('--number <number>', 'exact invoice/voucher number')
    .option('--period <period>', 'YYYY-MM or month 1-12')
    .option('--category <category>', 'voucher, ledger, report or other')
    .option('--amount-min <amount>', 'smallest amount, e.g. 100.00')
    .option('--amount-max <amount>', 'largest amount')
    .option('--state <state>', 'state, e.g. archived')
    .option('--sort <sort>', 'relevance, date or amount', 'relevance')
    .option('--order <order>', 'asc or desc (date and amount sorts)')
    .option('--limit <n>', 'hits to show (1-500)', '20')
    .option('--json', 'print {total, hits: [{id, kind, invoiceNumber, archivalCode, title, score}]}')
    .action(async (text: string | undefined, o: Record<string, string | boolean | undefined>) => {
      const config = loadConfig();
      const handle = await openDatabase(config);
      const repo = new SearchRepository(handle.db);
      const backend = createSearchBackend(config, repo);
      try {
        let unitId: string | undefined;
        if (o.unit) {
          const r = await sql<{ id: string }>`select id from unit where code = ${o.unit as string}`.execute(handle.db);
          if (!r.rows[0]) throw new NotFoundError(`unit not found: code "${o.unit}"`, { field: 'unit' });
          unitId = r.rows[0].id;
        }
        const query = queryFromParams({
          q: text,
          kind: o.kind,
          from: o.from,
          to: o.to,
          unit: unitId,
          number: o.number,
          period: o.period,
          category: o.category,
          amountMin: o.amountMin,
          amountMax: o.amountMax,
          state: o.state,
          sort: o.sort,
          order: o.order,
          limit: o.limit,
        });
        const r = await backend.search(normalizeQuery({ ...query, facets: false, highlight: false }), { unitIds: 'all', documentIds: [] });
        if (o.json) {
          const hits = r.hits.map((h) => ({ id: h.id, kind: h.kind, invoiceNumber: h.invoiceNumber, archivalCode: h.archivalCode, title: h.title, score: h.score }));
          console.log(JSON.stringify({ total: r.total, totalRelation: r.totalRelation, hits }));
        } else {
          // Beyond the backend's exact-count cap the total is a lower bound: "1000+ found".
          console.log(`${r.total}${r.totalRelation === 'gte' ? '+' : ''} found${r.total > r.hits.length ? `, showing ${r.hits.length}` : ''} (${backend.name})`);
          if (r.hits.length) console.log(table(r.hits));
        }
      } finally {
        await backend.close();
        await handle.close();
      }
    });

  search
    .command('reindex')
    .description('rebuild the search index: --from pool re-projects the pool; --backend opensearch copies search_document into OpenSearch')
    .option('--backend <backend>', 'postgres or opensearch (default: the configured driver)')
    .option('--full', 'OpenSearch: build a new index and switch the alias to it (resumes an interrupted build)')
    .option('--from <source>', 'pool: re-project every pool voucher into search_document first')
    .option('--batch <n>', 'documents per batch', '1000')
    .action(async (o: { backend?: string; full?: boolean; from?: string; batch: string }) => {
      // Without positional options on the root program, commander gives `--from` after `reindex` to the parent
      // `search --from <date>`; it is the reindex source here.
      o.from ??= search.opts().from as string | undefined;
      const config = loadConfig();
      const batchSize = Number(o.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new ValidationError(`--batch: expected 1-10000, got "${o.batch}"`, { field: 'batch' });
      if (o.from && o.from !== 'pool') throw new ValidationError(`--from: only "pool" is known, got "${o.from}"`, { field: 'from' });
      const target = backendConfig(config, o.backend);
      const handle = await openDatabase(config);
      const repo = new SearchRepository(handle.db);
      const backend = createSearchBackend(target, repo);
      try {
        if (o.from === 'pool') {
          const indexer = new SearchIndexer(repo, target);
          const r = await reindexFromPool(handle.db, indexer, { batchSize, onProgress: progress('pool → search_document') });
          console.log(`projected ${r.done - r.skipped} pool voucher(s) into search_document${r.skipped ? `, ${r.skipped} in personal folders skipped` : ''}`);
        }
        if (backend instanceof OpenSearchBackend) {
          const applied = await backend.processOutbox();
          if (applied) console.log(`applied ${applied} pending outbox entr${applied === 1 ? 'y' : 'ies'}`);
          const show = progress(`search_document → ${backend.alias}${o.full ? ' (full rebuild)' : ''}`);
          const p = await backend.reindex({ full: !!o.full, batchSize, onProgress: (x) => show(x.done, x.total) });
          console.log(`${o.full ? 'rebuilt' : 'updated'} ${backend.alias}: ${p.done} document(s) copied, cursor at version ${p.lastVersion}`);
        } else {
          const p = await backend.reindex();
          console.log(`postgres: search_document is the index (${p.total} documents); nothing to copy`);
        }
      } finally {
        await backend.close();
        await handle.close();
      }
    });
}

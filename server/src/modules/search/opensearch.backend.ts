/**
 * The OpenSearch backend. The query DSL lives only here (an Elasticsearch binding would be a sibling file).
 *
 * Index: the alias `<prefix>-documents` points at one physical index `<prefix>-documents-<ms>`; a full rebuild
 * fills a new physical index and swaps the alias atomically. Han text is matched like on PostgreSQL
 * (analyze.ts): `haystack` with cjk_width + cjk_bigram (a phrase of bigrams = a substring of 2+ characters),
 * `haystack.uni` with one token per Han character, `words` with the words computed in Node, `jieba` with the
 * pre-segmented tokens for ranking. Amounts are exact integer fen (long).
 *
 * Every write carries the document's version (external_gte): a stale write (a rebuild batch read before a
 * newer change) loses against the newer one instead of overwriting it.
 */
import { Client } from '@opensearch-project/opensearch';
import { AppError } from '../../platform/errors/errors';
import { analyse, highlightsFor } from './analyze';
import { COUNT_CAP, emptyFacets, sortBuckets } from './postgres.backend';
import { encodeCursor, toFen } from './query';
import type { DocumentRow, OutboxEntry, SearchRepository } from './search.repository';
import type { Facets, NormalizedQuery, ReindexOptions, ReindexProgress, SearchBackend, SearchHit, SearchResult, SearchScope } from './search.types';

export interface OpenSearchOptions {
  node: string;
  indexPrefix: string;
  username?: string;
  password?: string;
  /** Make writes visible to search at once (tests); production relies on the 1 s refresh. */
  refreshOnWrite?: boolean;
}

const NO_DATE = '0001-01-01';
/** Below any real amount in fen: a missing amount sorts last when descending, as on PostgreSQL. */
const NO_AMOUNT = '-1000000000000000000';

export const INDEX_SETTINGS = {
  number_of_shards: 1,
  number_of_replicas: 0,
  analysis: {
    analyzer: {
      zh_bigram: { type: 'custom', tokenizer: 'standard', filter: ['cjk_width', 'lowercase', 'cjk_bigram'] },
      zh_unigram: { type: 'custom', tokenizer: 'standard', filter: ['cjk_width', 'lowercase'] },
    },
  },
};

export const INDEX_MAPPINGS = {
  dynamic: 'strict',
  properties: {
    id: { type: 'keyword' },
    doc_type: { type: 'keyword' },
    source_id: { type: 'keyword' },
    unit_id: { type: 'keyword' },
    fonds_id: { type: 'keyword' },
    kind: { type: 'keyword' },
    category: { type: 'keyword' },
    year: { type: 'integer' },
    period: { type: 'integer' },
    archival_code: { type: 'keyword' },
    number: { type: 'keyword' },
    numbers: { type: 'keyword' },
    title: { type: 'text', analyzer: 'zh_bigram' },
    amount: { type: 'keyword', index: false },
    amount_fen: { type: 'long' },
    sort_amount: { type: 'long' },
    doc_date: { type: 'date', format: 'yyyy-MM-dd' },
    sort_date: { type: 'date', format: 'yyyy-MM-dd' },
    parties: { type: 'keyword' },
    accounts: { type: 'keyword' },
    state: { type: 'keyword' },
    retention: { type: 'keyword' },
    body: { type: 'text', index: false },
    haystack: { type: 'text', analyzer: 'zh_bigram', fields: { uni: { type: 'text', analyzer: 'zh_unigram' } } },
    words: { type: 'keyword' },
    jieba: { type: 'text', analyzer: 'whitespace' },
    updated_at: { type: 'date' },
    version: { type: 'long' },
  },
};

export function toSource(r: DocumentRow): Record<string, unknown> {
  const a = analyse({
    docType: r.doc_type as any,
    sourceId: r.source_id,
    unitId: r.unit_id,
    kind: r.kind,
    category: r.category as any,
    year: r.year,
    archivalCode: r.archival_code,
    number: r.number,
    numbers: r.numbers,
    title: r.title,
    date: r.doc_date,
    parties: r.parties,
    accounts: r.accounts,
    state: r.state,
    body: r.body,
  });
  const fen = r.amount === null ? null : toFen(r.amount).toString();
  return {
    id: r.id,
    doc_type: r.doc_type,
    source_id: r.source_id,
    unit_id: r.unit_id,
    fonds_id: r.fonds_id,
    kind: r.kind,
    category: r.category,
    year: r.year,
    period: r.period,
    archival_code: r.archival_code,
    number: r.number,
    numbers: r.numbers,
    title: r.title,
    amount: r.amount,
    amount_fen: fen,
    sort_amount: fen ?? NO_AMOUNT,
    doc_date: r.doc_date,
    sort_date: r.doc_date ?? NO_DATE,
    parties: r.parties,
    accounts: r.accounts,
    state: r.state,
    retention: r.retention,
    body: r.body,
    haystack: a.haystack,
    words: a.words,
    jieba: a.jieba.join(' '),
    updated_at: r.updated_at.toISOString(),
    version: String(r.version),
  };
}

type BulkOp = { op: 'index'; id: string; version: string; source: Record<string, unknown> } | { op: 'delete'; id: string; version: string | null };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class OpenSearchBackend implements SearchBackend {
  readonly name = 'opensearch' as const;
  readonly client: Client;
  readonly alias: string;
  private ensured?: Promise<void>;

  constructor(
    private readonly repo: SearchRepository,
    private readonly opts: OpenSearchOptions,
  ) {
    this.client = new Client({
      node: opts.node,
      ...(opts.username ? { auth: { username: opts.username, password: opts.password ?? '' } } : {}),
      requestTimeout: 60_000,
    });
    this.alias = `${opts.indexPrefix}-documents`;
  }

  private stateName(kind: 'active' | 'building'): string {
    return `opensearch:${this.alias}:${kind}`;
  }

  /**
   * Creates the first physical index and the alias when neither exists. The first index has a fixed name, so
   * processes starting together create one index (the others get resource_already_exists), never two indexes
   * behind one alias.
   */
  ensureIndex(): Promise<void> {
    return (this.ensured ??= (async () => {
      const exists = await this.client.indices.existsAlias({ name: this.alias });
      if (exists.body) return;
      const index = `${this.alias}-0`;
      try {
        await this.client.indices.create({ index, body: { settings: INDEX_SETTINGS, mappings: INDEX_MAPPINGS, aliases: { [this.alias]: {} } } as any });
      } catch (e) {
        if ((e as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type !== 'resource_already_exists_exception') throw e;
        return;
      }
      await this.repo.saveIndexState({ name: this.stateName('active'), indexName: index, status: 'active', cursorVersion: '0', done: 0, total: 0 });
    })().catch((e) => {
      this.ensured = undefined;
      throw unavailable(e);
    }));
  }

  async search(q: NormalizedQuery, scope: SearchScope): Promise<SearchResult> {
    if (scope.unitIds !== 'all' && scope.unitIds.length === 0 && scope.documentIds.length === 0) {
      return { total: 0, totalRelation: 'eq', hits: [], facets: q.facets ? emptyFacets() : undefined, nextCursor: null };
    }
    await this.ensureIndex();
    const body: Record<string, any> = {
      query: buildQuery(q, scope),
      size: q.limit + 1,
      track_total_hits: COUNT_CAP,
      sort: sortClause(q),
      _source: ['id', 'doc_type', 'source_id', 'kind', 'category', 'unit_id', 'fonds_id', 'number', 'archival_code', 'title', 'amount', 'doc_date', 'parties', 'body', 'state', 'year', 'period'],
    };
    // Sort values come back as numbers (score, epoch ms, fen); every one of them is exact in a double.
    if (q.cursor) body.search_after = [Number(q.cursor.value), q.cursor.id];
    if (q.facets) {
      body.aggs = {
        kind: { terms: { field: 'kind', size: 200 } },
        year: { terms: { field: 'year', size: 200 } },
        unit: { terms: { field: 'unit_id', size: 1000 } },
        state: { terms: { field: 'state', size: 100 } },
        category: { terms: { field: 'category', size: 10 } },
      };
    }
    let res;
    try {
      res = await this.client.search({ index: this.alias, body } as any);
    } catch (e) {
      throw unavailable(e);
    }
    const raw = res.body.hits.hits as any[];
    const more = raw.length > q.limit;
    const page = more ? raw.slice(0, q.limit) : raw;
    const hits: SearchHit[] = page.map((h) => {
      const s = h._source;
      return {
        id: s.id,
        docType: s.doc_type,
        sourceId: s.source_id,
        kind: s.kind ?? null,
        category: s.category,
        unitId: s.unit_id,
        fondsId: s.fonds_id ?? null,
        invoiceNumber: s.number ?? null,
        archivalCode: s.archival_code ?? null,
        title: s.title,
        amount: s.amount ?? null,
        date: s.doc_date ?? null,
        parties: s.parties ?? [],
        state: s.state,
        year: s.year ?? null,
        period: s.period ?? null,
        score: q.sort === 'relevance' ? (h._score ?? null) : null,
        highlights: q.highlight ? highlightsFor({ title: s.title, parties: s.parties ?? [], body: s.body ?? '', number: s.number ?? null, archivalCode: s.archival_code ?? null }, q.terms) : [],
      };
    });
    const last = page[page.length - 1];
    const t = res.body.hits.total;
    const total = typeof t === 'number' ? t : (t?.value ?? 0);
    const totalRelation: 'eq' | 'gte' = typeof t === 'object' && t?.relation === 'gte' ? 'gte' : 'eq';
    let facets: Facets | undefined;
    if (q.facets) {
      facets = emptyFacets();
      const aggs = res.body.aggregations as Record<string, { buckets: { key: string | number; doc_count: number }[] }>;
      for (const k of Object.keys(facets) as (keyof Facets)[]) {
        facets[k] = aggs[k].buckets.map((b) => ({ value: String(b.key), count: b.doc_count }));
        sortBuckets(facets[k]);
      }
    }
    return {
      total,
      totalRelation,
      hits,
      facets,
      nextCursor: more && last ? encodeCursor({ sort: q.sort, value: String(last.sort[0]), id: String(last.sort[1]) }) : null,
    };
  }

  /** Sends ops to each index; retries throttled/failed items with backoff; stale writes (409) are fine. */
  async bulk(indexes: string[], ops: BulkOp[], attempts = 5): Promise<void> {
    if (!ops.length || !indexes.length) return;
    let pending: { index: string; op: BulkOp }[] = indexes.flatMap((index) => ops.map((op) => ({ index, op })));
    for (let attempt = 1; pending.length; attempt++) {
      const body: unknown[] = [];
      for (const { index, op } of pending) {
        if (op.op === 'index') {
          body.push({ index: { _index: index, _id: op.id, version: op.version, version_type: 'external_gte' } }, op.source);
        } else body.push({ delete: { _index: index, _id: op.id, ...(op.version ? { version: op.version, version_type: 'external_gte' } : {}) } });
      }
      let items: any[];
      try {
        const res = await this.client.bulk({ body } as any);
        items = res.body.items;
      } catch (e) {
        if (attempt >= attempts) throw unavailable(e);
        await sleep(200 * 2 ** attempt);
        continue;
      }
      const retry: typeof pending = [];
      const fatal: string[] = [];
      items.forEach((item, i) => {
        const r = item.index ?? item.delete;
        const status: number = r.status;
        if (status < 300 || status === 409 || (item.delete && status === 404)) return;
        if (status === 429 || status >= 500) retry.push(pending[i]);
        else fatal.push(`${r._id}: ${status} ${r.error?.type ?? ''} ${r.error?.reason ?? ''}`.trim());
      });
      if (fatal.length) throw new AppError('search_index_failed', `OpenSearch refused ${fatal.length} document(s): ${fatal.slice(0, 3).join('; ')}`, 502);
      if (retry.length && attempt >= attempts) {
        throw new AppError('search_index_failed', `OpenSearch kept failing ${retry.length} document(s) after ${attempts} attempts`, 503);
      }
      pending = retry;
      if (pending.length) await sleep(200 * 2 ** attempt);
    }
    // An explicit refresh, not `refresh: wait_for`: a rebuild's new index has refresh turned off, and wait_for
    // would then wait forever.
    if (this.opts.refreshOnWrite) await this.client.indices.refresh({ index: indexes.join(',') });
  }

  /** Indexes being written: the alias, plus a physical index a full rebuild is filling. */
  private async targets(): Promise<string[]> {
    await this.ensureIndex();
    const states = await this.repo.indexStates(`opensearch:${this.alias}:`);
    return [this.alias, ...states.filter((s) => s.status === 'building').map((s) => s.index_name)];
  }

  /**
   * Applies outbox entries in order, reading each document's current row: whatever happened in between, the
   * index ends up equal to search_document. Returns how many entries were applied; 0 when the outbox is empty
   * or another process is applying it.
   */
  async processOutbox(batchSize = 500): Promise<number> {
    let applied = 0;
    for (;;) {
      let seqs: string[] = [];
      let n: number | undefined;
      try {
        n = await this.repo.withOutboxLock(async (trx) => {
          const batch = await this.repo.outboxBatch(trx, batchSize);
          if (!batch.length) return 0;
          seqs = batch.map((e) => e.seq);
          const lastOp = new Map<string, OutboxEntry>();
          for (const e of batch) lastOp.set(e.doc_id, e);
          const rows = await this.repo.documentsByIds(trx, [...lastOp.keys()].filter((id) => lastOp.get(id)!.op === 'upsert'));
          const byId = new Map(rows.map((r) => [r.id, r]));
          const ops: BulkOp[] = [];
          for (const [id, e] of lastOp) {
            const row = byId.get(id);
            if (row) ops.push({ op: 'index', id, version: String(row.version), source: toSource(row) });
            else ops.push({ op: 'delete', id, version: e.op === 'delete' ? e.version : null });
          }
          await this.bulk(await this.targets(), ops);
          await this.repo.outboxDone(trx, batch[batch.length - 1].seq);
          return batch.length;
        });
      } catch (e) {
        await this.repo.outboxFailed(seqs, (e as Error).message).catch(() => undefined);
        throw e;
      }
      if (!n) return applied;
      applied += n;
    }
  }

  /**
   * Incremental (default): every document with a version above the stored cursor, cursor saved per batch, so
   * an interrupted run resumes. Full: a new physical index filled the same way (resumable too), then the alias
   * moves to it and the old index is deleted.
   */
  async reindex(opts: ReindexOptions = {}): Promise<ReindexProgress> {
    await this.ensureIndex();
    const batchSize = opts.batchSize ?? 1000;
    const states = await this.repo.indexStates(`opensearch:${this.alias}:`);
    const active = states.find((s) => s.status === 'active');
    let building = states.find((s) => s.status === 'building');
    if (!opts.full && !building) {
      return this.copy(this.alias, this.stateName('active'), 'active', active?.cursor_version ?? '0', Number(active?.done ?? 0), batchSize, opts, active?.index_name ?? this.alias);
    }
    if (!building) {
      const index = `${this.alias}-${Date.now()}`;
      await this.client.indices.create({ index, body: { settings: { ...INDEX_SETTINGS, refresh_interval: '-1' }, mappings: INDEX_MAPPINGS } } as any);
      await this.repo.saveIndexState({ name: this.stateName('building'), indexName: index, status: 'building', cursorVersion: '0', done: 0, total: 0 });
      building = { name: this.stateName('building'), index_name: index, status: 'building', cursor_version: '0', done: '0', total: '0' };
    }
    const index = building.index_name;
    const p = await this.copy(index, building.name, 'building', building.cursor_version, Number(building.done), batchSize, opts, index);
    await this.client.indices.putSettings({ index, body: { index: { refresh_interval: '1s' } } } as any);
    await this.client.indices.refresh({ index });
    const current = await this.client.indices.getAlias({ name: this.alias }).catch(() => ({ body: {} as Record<string, unknown> }));
    const old = Object.keys(current.body ?? {});
    await this.client.indices.updateAliases({
      body: { actions: [...old.map((i) => ({ remove: { index: i, alias: this.alias } })), { add: { index, alias: this.alias } }] },
    } as any);
    await this.repo.saveIndexState({ name: this.stateName('active'), indexName: index, status: 'active', cursorVersion: p.lastVersion, done: p.done, total: p.total });
    await this.repo.deleteIndexState(building.name);
    for (const i of old) if (i !== index) await this.client.indices.delete({ index: i }).catch(() => undefined);
    return p;
  }

  private async copy(
    target: string,
    stateName: string,
    status: 'active' | 'building',
    fromVersion: string,
    doneBefore: number,
    batchSize: number,
    opts: ReindexOptions,
    indexName: string,
  ): Promise<ReindexProgress> {
    let cursor = fromVersion;
    let done = doneBefore;
    const total = done + (await this.repo.countAfterVersion(cursor));
    opts.onProgress?.({ done, total, lastVersion: cursor });
    for (;;) {
      const rows = await this.repo.documentsAfterVersion(cursor, batchSize);
      if (!rows.length) break;
      await this.bulk([target], rows.map((r) => ({ op: 'index', id: r.id, version: String(r.version), source: toSource(r) })));
      cursor = String(rows[rows.length - 1].version);
      done += rows.length;
      await this.repo.saveIndexState({ name: stateName, indexName, status, cursorVersion: cursor, done, total });
      opts.onProgress?.({ done, total, lastVersion: cursor });
    }
    return { done, total, lastVersion: cursor };
  }

  async refresh(): Promise<void> {
    await this.client.indices.refresh({ index: this.alias });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function unavailable(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const err = e as Error & { meta?: { statusCode?: number; body?: any } };
  const reason = err.meta?.body?.error?.reason ?? err.message;
  return new AppError('search_unavailable', `OpenSearch: ${reason}`, 503);
}

export function buildQuery(q: NormalizedQuery, scope: SearchScope): Record<string, unknown> {
  const filter: unknown[] = [];
  const must: unknown[] = [];
  if (scope.unitIds !== 'all') {
    const should: unknown[] = [{ terms: { unit_id: scope.unitIds } }];
    if (scope.documentIds.length) should.push({ ids: { values: scope.documentIds } });
    filter.push({ bool: { should, minimum_should_match: 1 } });
  }
  for (const t of q.terms) {
    if (t.type === 'word') must.push({ term: { words: t.text } });
    else if ([...t.text].length === 1) must.push({ match: { 'haystack.uni': t.text } });
    else must.push({ match_phrase: { haystack: t.text } });
  }
  const f = q.filters;
  const terms = (field: string, v: unknown[] | undefined) => v && filter.push({ terms: { [field]: v } });
  terms('doc_type', f.docType);
  terms('kind', f.kind);
  terms('fonds_id', f.fondsId);
  terms('unit_id', f.unitId);
  terms('year', f.year);
  terms('period', f.period);
  terms('category', f.category);
  terms('state', f.state);
  terms('retention', f.retention);
  if (f.archivalCode) filter.push({ term: { archival_code: f.archivalCode } });
  if (f.number) filter.push({ bool: { should: [{ term: { number: f.number } }, { term: { numbers: f.number } }], minimum_should_match: 1 } });
  if (f.party) filter.push({ term: { parties: f.party } });
  if (f.account) filter.push({ term: { accounts: f.account } });
  if (f.amountMin !== undefined || f.amountMax !== undefined) {
    const range: Record<string, string> = {};
    if (f.amountMin !== undefined) range.gte = toFen(f.amountMin).toString();
    if (f.amountMax !== undefined) range.lte = toFen(f.amountMax).toString();
    filter.push({ range: { amount_fen: range } });
  }
  if (f.dateFrom || f.dateTo) filter.push({ range: { doc_date: { ...(f.dateFrom ? { gte: f.dateFrom } : {}), ...(f.dateTo ? { lte: f.dateTo } : {}) } } });
  const should = q.rankTokens.length ? [{ match: { jieba: { query: q.rankTokens.join(' ') } } }] : [];
  return { bool: { filter, must, should } };
}

function sortClause(q: NormalizedQuery): unknown[] {
  if (q.sort === 'relevance') return [{ _score: 'desc' }, { id: 'desc' }];
  const field = q.sort === 'date' ? 'sort_date' : 'sort_amount';
  return [{ [field]: q.order }, { id: q.order }];
}

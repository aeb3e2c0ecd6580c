/**
 * Every SQL statement of the search module: writing search_document and the outbox, the PostgreSQL backend's
 * queries, reading documents for external indexes, the index state.
 */
import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Db } from '../../platform/database/database';
import type { Database } from '../../platform/database/schema';
import { DB } from '../../platform/tokens';
import { analyse, lexemes } from './analyze';
import type { Category, SearchDocument, SearchDocumentInput } from './search.types';

export type Executor = Kysely<Database> | Transaction<Database>;

export function documentId(docType: string, sourceId: string): string {
  return `${docType}:${sourceId}`;
}

/** A tsquery literal: lexemes only hold letters, digits and Han (analyze.ts), quoting keeps them verbatim. */
export function tsLexeme(s: string): string {
  if (!/^[\p{L}\p{N}]+$/u.test(s)) throw new Error(`not a search lexeme: ${JSON.stringify(s)}`);
  return `'${s}'`;
}

export interface DocumentRow {
  id: string;
  doc_type: string;
  source_id: string;
  unit_id: string;
  fonds_id: string | null;
  kind: string | null;
  category: string;
  year: number | null;
  period: number | null;
  archival_code: string | null;
  number: string | null;
  numbers: string[];
  title: string;
  amount: string | null;
  doc_date: string | null;
  parties: string[];
  accounts: string[];
  state: string;
  retention: string | null;
  body: string;
  updated_at: Date;
  version: string;
}

export const DOCUMENT_COLUMNS = [
  'id', 'doc_type', 'source_id', 'unit_id', 'fonds_id', 'kind', 'category', 'year', 'period', 'archival_code', 'number',
  'numbers', 'title', 'amount', 'doc_date', 'parties', 'accounts', 'state', 'retention', 'body', 'updated_at', 'version',
] as const;

export function rowToDocument(r: DocumentRow): SearchDocument {
  return {
    id: r.id,
    docType: r.doc_type as SearchDocument['docType'],
    sourceId: r.source_id,
    unitId: r.unit_id,
    fondsId: r.fonds_id,
    kind: r.kind,
    category: r.category as Category,
    year: r.year,
    period: r.period,
    archivalCode: r.archival_code,
    number: r.number,
    numbers: r.numbers,
    title: r.title,
    amount: r.amount,
    date: r.doc_date,
    parties: r.parties,
    accounts: r.accounts,
    state: r.state,
    retention: r.retention,
    body: r.body,
    updatedAt: r.updated_at.toISOString(),
    version: String(r.version),
  };
}

export interface OutboxEntry {
  seq: string;
  doc_id: string;
  op: 'upsert' | 'delete';
  version: string | null;
}

/** Rows per INSERT: 23 parameters each, well under PostgreSQL's 65535. */
const INSERT_CHUNK = 500;

@Injectable()
export class SearchRepository {
  constructor(@Inject(DB) readonly db: Db) {}

  /** Inserts or replaces documents; each write takes a new version. */
  async upsertDocuments(ex: Executor, docs: SearchDocumentInput[]): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < docs.length; i += INSERT_CHUNK) {
      const rows = docs.slice(i, i + INSERT_CHUNK).map((d) => {
        const a = analyse(d);
        const id = documentId(d.docType, d.sourceId);
        ids.push(id);
        return sql`(${id}, ${d.docType}, ${d.sourceId}, ${d.unitId}::uuid, ${d.fondsId ?? null}::uuid, ${d.kind ?? null}, ${d.category},
          ${d.year ?? null}::int, ${d.period ?? null}::smallint, ${d.archivalCode ?? null}, ${d.number ?? null}, ${d.numbers ?? []}::text[],
          ${d.title}, ${d.amount ?? null}::numeric, ${d.date ?? null}::date, ${d.parties ?? []}::text[], ${d.accounts ?? []}::text[],
          ${d.state}, ${d.retention ?? null}, ${d.body ?? ''}, ${a.haystack}, array_to_tsvector(${lexemes(a)}::text[]))`;
      });
      await sql`
        insert into search_document (id, doc_type, source_id, unit_id, fonds_id, kind, category, year, period, archival_code, number,
          numbers, title, amount, doc_date, parties, accounts, state, retention, body, haystack, tokens)
        values ${sql.join(rows)}
        on conflict (id) do update set
          unit_id = excluded.unit_id, fonds_id = excluded.fonds_id, kind = excluded.kind, category = excluded.category,
          year = excluded.year, period = excluded.period, archival_code = excluded.archival_code, number = excluded.number,
          numbers = excluded.numbers, title = excluded.title, amount = excluded.amount, doc_date = excluded.doc_date,
          parties = excluded.parties, accounts = excluded.accounts, state = excluded.state, retention = excluded.retention,
          body = excluded.body, haystack = excluded.haystack, tokens = excluded.tokens,
          updated_at = now(), version = nextval('search_document_version')`.execute(ex);
    }
    return ids;
  }

  async deleteDocuments(ex: Executor, ids: string[]): Promise<void> {
    if (ids.length) await sql`delete from search_document where id = any(${ids}::text[])`.execute(ex);
  }

  async appendOutbox(ex: Executor, ids: string[], op: 'upsert' | 'delete'): Promise<void> {
    for (let i = 0; i < ids.length; i += 5000) {
      await sql`insert into search_outbox (doc_id, op, version)
        select d, ${op}, case when ${op} = 'delete' then nextval('search_document_version') end
        from unnest(${ids.slice(i, i + 5000)}::text[]) d`.execute(ex);
    }
  }

  async documentsByIds(ex: Executor, ids: string[]): Promise<DocumentRow[]> {
    if (!ids.length) return [];
    const r = await sql<DocumentRow>`select ${sql.raw(DOCUMENT_COLUMNS.join(', '))} from search_document where id = any(${ids}::text[])`.execute(ex);
    return r.rows;
  }

  /** The next batch in version order after `afterVersion` (incremental reindex). */
  async documentsAfterVersion(afterVersion: string, limit: number): Promise<DocumentRow[]> {
    const r = await sql<DocumentRow>`
      select ${sql.raw(DOCUMENT_COLUMNS.join(', '))} from search_document
      where version > ${afterVersion}::bigint order by version limit ${limit}`.execute(this.db);
    return r.rows;
  }

  async countAfterVersion(afterVersion: string): Promise<number> {
    const r = await sql<{ n: string }>`select count(*) as n from search_document where version > ${afterVersion}::bigint`.execute(this.db);
    return Number(r.rows[0].n);
  }

  // ---- outbox ----

  /**
   * Runs `fn` holding the outbox lock (one processor at a time, so entries are applied in order). Returns
   * undefined when another processor holds it.
   */
  async withOutboxLock<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const got = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtext('evarchive.search.outbox')) as ok`.execute(trx);
      if (!got.rows[0].ok) return undefined;
      return fn(trx);
    });
  }

  async outboxBatch(ex: Executor, limit: number): Promise<OutboxEntry[]> {
    const r = await sql<OutboxEntry>`
      select seq, doc_id, op, version from search_outbox order by seq limit ${limit}`.execute(ex);
    return r.rows;
  }

  async outboxDone(ex: Executor, upToSeq: string): Promise<void> {
    await sql`delete from search_outbox where seq <= ${upToSeq}::bigint`.execute(ex);
  }

  /** Records a failed attempt outside the processing transaction (which rolls back). */
  async outboxFailed(seqs: string[], error: string): Promise<void> {
    if (!seqs.length) return;
    await sql`update search_outbox set attempts = attempts + 1, last_error = ${error.slice(0, 2000)} where seq = any(${seqs}::bigint[])`.execute(this.db);
  }

  async outboxPending(): Promise<number> {
    const r = await sql<{ n: string }>`select count(*) as n from search_outbox`.execute(this.db);
    return Number(r.rows[0].n);
  }

  // ---- external index state ----

  async indexStates(prefix: string): Promise<{ name: string; index_name: string; status: 'active' | 'building'; cursor_version: string; done: string; total: string }[]> {
    const r = await sql<any>`select name, index_name, status, cursor_version, done, total from search_index_state where name like ${prefix + '%'} order by name`.execute(this.db);
    return r.rows;
  }

  async saveIndexState(s: { name: string; indexName: string; status: 'active' | 'building'; cursorVersion: string; done: number; total: number }): Promise<void> {
    await sql`
      insert into search_index_state (name, index_name, status, cursor_version, done, total)
      values (${s.name}, ${s.indexName}, ${s.status}, ${s.cursorVersion}::bigint, ${s.done}, ${s.total})
      on conflict (name) do update set index_name = excluded.index_name, status = excluded.status,
        cursor_version = excluded.cursor_version, done = excluded.done, total = excluded.total, updated_at = now()`.execute(this.db);
  }

  async deleteIndexState(name: string): Promise<void> {
    await sql`delete from search_index_state where name = ${name}`.execute(this.db);
  }

  /** Unit names for facet labels. */
  async unitNames(ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const r = await sql<{ id: string; name: string }>`select id, name from unit where id = any(${ids}::uuid[])`.execute(this.db);
    return new Map(r.rows.map((x) => [x.id, x.name]));
  }

  async run<T>(query: RawBuilder<T>): Promise<T[]> {
    return (await query.execute(this.db)).rows;
  }
}

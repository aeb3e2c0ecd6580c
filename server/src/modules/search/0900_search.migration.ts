import { Kysely, sql } from 'kysely';

/**
 * Search: the denormalised search_document table with the indexes the PostgreSQL backend relies on, the outbox
 * that feeds OpenSearch, and the external index state. pg_trgm and btree_gin come from 0100_platform; the
 * database must have ctype C.UTF-8 (or another UTF-8 locale), else trigrams of Han text are empty.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create sequence search_document_version`.execute(db);
  await sql`
    create table search_document (
      id text primary key,
      doc_type text not null,
      source_id text not null,
      unit_id uuid not null,
      fonds_id uuid,
      kind text,
      category text not null check (category in ('voucher', 'ledger', 'report', 'other')),
      year integer,
      period smallint check (period between 1 and 12),
      archival_code text,
      number text,
      numbers text[] not null default '{}',
      title text not null default '',
      amount numeric(18, 2),
      doc_date date,
      parties text[] not null default '{}',
      accounts text[] not null default '{}',
      state text not null,
      retention text,
      body text not null default '',
      haystack text not null,
      tokens tsvector not null,
      updated_at timestamptz not null default now(),
      version bigint not null default nextval('search_document_version'),
      unique (doc_type, source_id)
    )`.execute(db);
  // Substrings of 3+ characters (LIKE '%财政局%') on every text field at once.
  await sql`create index search_document_trgm on search_document using gin (haystack gin_trgm_ops)`.execute(db);
  // 1–2-character Han pieces, whole words, jieba tokens.
  await sql`create index search_document_tokens on search_document using gin (tokens)`.execute(db);
  // Field filters combine with the text indexes in one bitmap (btree_gin).
  await sql`create index search_document_fields on search_document using gin (unit_id, kind, category, state, year, period)`.execute(db);
  await sql`create index search_document_parties on search_document using gin (parties, accounts, numbers)`.execute(db);
  // Keyset pagination for the date and amount sorts, and the reindex cursor.
  // A missing date/amount sorts as the smallest value (last when descending), the same on OpenSearch.
  await sql`create index search_document_date on search_document ((coalesce(doc_date, date '0001-01-01')), id)`.execute(db);
  await sql`create index search_document_amount on search_document ((coalesce(amount, -10000000000000000)), id)`.execute(db);
  await sql`create index search_document_number on search_document (number)`.execute(db);
  await sql`create index search_document_archival_code on search_document (archival_code)`.execute(db);
  await sql`create unique index search_document_version_idx on search_document (version)`.execute(db);

  await sql`
    create table search_outbox (
      seq bigserial primary key,
      doc_id text not null,
      op text not null check (op in ('upsert', 'delete')),
      -- deletes take a version from search_document_version, so a stale write cannot resurrect the document
      version bigint,
      created_at timestamptz not null default now(),
      attempts integer not null default 0,
      last_error text
    )`.execute(db);
  await sql`
    create table search_index_state (
      name text primary key,
      index_name text not null,
      status text not null check (status in ('active', 'building')),
      cursor_version bigint not null default 0,
      done bigint not null default 0,
      total bigint not null default 0,
      started_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists search_index_state, search_outbox, search_document`.execute(db);
  await sql`drop sequence if exists search_document_version`.execute(db);
}

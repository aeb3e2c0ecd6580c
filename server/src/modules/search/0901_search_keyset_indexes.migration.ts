import { Kysely, sql } from 'kysely';

/**
 * Physical design measured at 10⁶–10⁷ documents (docs/benchmarks.md, Search):
 *
 * - One GIN over the words (tokens), the trigrams (haystack) and the field filters (unit, kind, category, state,
 *   year, period) replaces the three separate GINs of 0900. Conditions on several of them are then AND-ed inside
 *   one index scan, which skips through the long posting lists using the short one (a unit's documents that
 *   contain 发票 and 2024: 7 ms instead of 105 ms at 10⁶, because 发票 alone has 500,000 entries); separate
 *   indexes had to decode every list into a bitmap first.
 * - Filter-only pages (kind + date range across units; a unit's newest; a year in date order; a unit's
 *   documents by amount) walk a B-tree in keyset order. The INCLUDE columns of the two (…, date, id) indexes are
 *   the facet dimensions and common filters, so a capped count plus facets can be an index-only scan.
 * - The tokens column gets a larger statistics target: the planner's most-common-element list then knows how
 *   frequent a 1–2-character word is (postgres.backend.ts uses that estimate to pick a scan that stops early).
 *
 * Indexes are created "if not exists" so a bulk-loaded database (server/bench/search.ts) can build them first.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create index if not exists search_document_search on search_document
      using gin (tokens, haystack gin_trgm_ops, unit_id, kind, category, state, year, period)`.execute(db);
  await sql`drop index if exists search_document_tokens`.execute(db);
  await sql`drop index if exists search_document_trgm`.execute(db);
  await sql`drop index if exists search_document_fields`.execute(db);
  await sql`
    create index if not exists search_document_kind_date on search_document
      (kind, (coalesce(doc_date, date '0001-01-01')), id) include (unit_id, year, period, state, category)`.execute(db);
  await sql`
    create index if not exists search_document_unit_date on search_document
      (unit_id, (coalesce(doc_date, date '0001-01-01')), id) include (kind, year, period, state, category, amount)`.execute(db);
  // year = 2024 in date order: walking the date index from the newest row would first pass every later row.
  await sql`create index if not exists search_document_year_date on search_document (year, (coalesce(doc_date, date '0001-01-01')), id)`.execute(db);
  await sql`create index if not exists search_document_unit_amount on search_document (unit_id, (coalesce(amount, -10000000000000000)), id)`.execute(db);
  await sql`alter table search_document alter column tokens set statistics 1000`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists search_document_trgm on search_document using gin (haystack gin_trgm_ops)`.execute(db);
  await sql`create index if not exists search_document_tokens on search_document using gin (tokens)`.execute(db);
  await sql`create index if not exists search_document_fields on search_document using gin (unit_id, kind, category, state, year, period)`.execute(db);
  for (const i of ['search_document_search', 'search_document_kind_date', 'search_document_unit_date', 'search_document_year_date', 'search_document_unit_amount']) {
    await sql`drop index if exists ${sql.id(i)}`.execute(db);
  }
  await sql`alter table search_document alter column tokens set statistics -1`.execute(db);
}

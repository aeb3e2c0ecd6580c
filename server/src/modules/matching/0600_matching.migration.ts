import { Kysely, sql } from 'kysely';

/**
 * Matching: links between journal vouchers and original vouchers / bank statement lines, each with its score,
 * tier, rule id + version and explanation, and the runs that produced them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('match_run')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.references('unit.id'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('rules_digest', 'text', (c) => c.notNull())
    .addColumn('rules_source', 'text', (c) => c.notNull())
    .addColumn('summary', 'jsonb', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('match_link')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('unit.id'))
    .addColumn('journal_voucher_id', 'uuid', (c) => c.notNull().references('journal_voucher.id'))
    .addColumn('voucher_id', 'uuid', (c) => c.notNull().references('voucher.id'))
    .addColumn('statement_line', 'integer')
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('tier', 'text', (c) => c.notNull().check(sql`tier in ('auto', 'suggest', 'manual')`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'accepted', 'rejected')`))
    .addColumn('score', sql`numeric(7,2)`, (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('rule_version', 'integer', (c) => c.notNull())
    .addColumn('rules_digest', 'text', (c) => c.notNull())
    .addColumn('explanation', 'jsonb', (c) => c.notNull())
    .addColumn('notes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('run_id', 'uuid', (c) => c.references('match_run.id'))
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decision_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    // A rejected suggestion must carry why; an accepted one who.
    .addCheckConstraint('match_link_decision', sql`status = 'active' or (decided_by is not null and decided_at is not null and (status <> 'rejected' or decision_reason is not null))`)
    .execute();
  // One row per pair (a statement line counts as its own target).
  await sql`create unique index match_link_pair on match_link (journal_voucher_id, voucher_id, coalesce(statement_line, -1))`.execute(db);
  await db.schema.createIndex('match_link_period').on('match_link').columns(['period', 'unit_id', 'tier', 'status']).execute();
  await db.schema.createIndex('match_link_voucher').on('match_link').columns(['voucher_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('match_link').ifExists().execute();
  await db.schema.dropTable('match_run').ifExists().execute();
}

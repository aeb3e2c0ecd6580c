import { Kysely, sql } from 'kysely';

/**
 * Which retention regime (附表1 enterprise, 附表2 行政事业 or 财政总预算 column) applies to a unit. A unit without a
 * row uses the table's defaultRegime, so the 244 budget units need no setup.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('unit_retention_regime')
    .addColumn('unit_id', 'uuid', (c) => c.primaryKey().references('unit.id'))
    .addColumn('regime', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('unit_retention_regime').execute();
  void sql;
}

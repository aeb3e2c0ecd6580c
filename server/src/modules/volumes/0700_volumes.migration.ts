import { Kysely, sql } from 'kysely';

/**
 * 组卷/组件: volumes (卷) with their 档号 and state, the items (件) in them with sub-items (组件: the originals of
 * a journal voucher), and the gaps found in journal voucher numbering (which block submission until
 * acknowledged with a reason).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('volume')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('unit.id'))
    .addColumn('fonds_id', 'uuid', (c) => c.notNull().references('fonds.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull().check(sql`category in ('voucher', 'ledger', 'report', 'other')`))
    // 'permanent', '30y', '10y', 'disposal+5y' and its 保管期限代码 (Y, D30, D10) as used in the 档号.
    .addColumn('retention', 'text', (c) => c.notNull())
    .addColumn('retention_code', 'text', (c) => c.notNull())
    .addColumn('expires_on', 'date')
    .addColumn('part', 'integer', (c) => c.notNull())
    .addColumn('volume_no', 'integer', (c) => c.notNull())
    .addColumn('archival_code', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('draft').check(sql`state in ('draft', 'submitted', 'approved', 'archived')`))
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('rule_version', 'integer', (c) => c.notNull())
    .addColumn('retention_rule_id', 'text', (c) => c.notNull())
    .addColumn('retention_rule_version', 'integer', (c) => c.notNull())
    .addColumn('retention_regime', 'text', (c) => c.notNull())
    .addColumn('retention_row', 'integer', (c) => c.notNull())
    .addColumn('item_count', 'integer', (c) => c.notNull())
    .addColumn('sub_item_count', 'integer', (c) => c.notNull())
    .addColumn('first_number', 'text')
    .addColumn('last_number', 'text')
    // Digest of everything assembly decides (codes, title, items): equal digest = nothing to write.
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('submitted_by_id', 'text')
    .addColumn('submitted_by', 'text')
    .addColumn('approved_at', 'timestamptz')
    .addColumn('approved_by_id', 'text')
    .addColumn('approved_by', 'text')
    .addColumn('archived_at', 'timestamptz')
    .addColumn('reopened_at', 'timestamptz')
    .addColumn('reopened_by', 'text')
    .addColumn('reopen_reason', 'text')
    .addUniqueConstraint('volume_group_part', ['fonds_id', 'year', 'category', 'retention', 'period', 'part'])
    .execute();
  // Renumbering draft volumes swaps numbers and codes inside one transaction, so these are checked at commit.
  await sql`alter table volume add constraint volume_series_no unique (fonds_id, year, category, retention_code, volume_no) deferrable initially deferred`.execute(db);
  await sql`alter table volume add constraint volume_code_unique unique (archival_code) deferrable initially deferred`.execute(db);
  await db.schema.createIndex('volume_unit_keyset').on('volume').columns(['unit_id', 'year', 'archival_code', 'id']).execute();
  await db.schema.createIndex('volume_expiry').on('volume').column('expires_on').where('expires_on', 'is not', null).execute();

  await db.schema
    .createTable('volume_item')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('volume_id', 'uuid', (c) => c.notNull().references('volume.id').onDelete('cascade'))
    // Order of the row in the volume (items and their sub-items interleaved as filed).
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('parent_seq', 'integer')
    // 件号 in the volume, or 组件 number inside the parent item.
    .addColumn('item_no', 'integer', (c) => c.notNull())
    .addColumn('source_type', 'text', (c) => c.notNull().check(sql`source_type in ('journal_voucher', 'account_book', 'report', 'other', 'original')`))
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('number', 'text')
    .addColumn('item_date', 'date')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('archival_code', 'text', (c) => c.notNull())
    .addUniqueConstraint('volume_item_seq', ['volume_id', 'seq'])
    .execute();
  await sql`alter table volume_item add constraint volume_item_code_unique unique (archival_code) deferrable initially deferred`.execute(db);
  // An item is filed once: a second volume claiming the same journal voucher, book or report is refused.
  await sql`create unique index volume_item_source_once on volume_item (source_type, source_id) where parent_seq is null`.execute(db);
  await db.schema.createIndex('volume_item_source').on('volume_item').columns(['source_type', 'source_id']).execute();

  await db.schema
    .createTable('volume_gap')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('unit.id'))
    .addColumn('fonds_id', 'uuid', (c) => c.notNull().references('fonds.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('word', 'text', (c) => c.notNull())
    .addColumn('missing', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'timestamptz', (c) => c.notNull())
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('acknowledged_by_id', 'text')
    .addColumn('acknowledged_by', 'text')
    .addColumn('reason', 'text')
    .addUniqueConstraint('volume_gap_once', ['fonds_id', 'year', 'period', 'category', 'missing'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('volume_gap').execute();
  await db.schema.dropTable('volume_item').execute();
  await db.schema.dropTable('volume').execute();
}

import { Kysely, sql } from 'kysely';

/**
 * The voucher pool (票据池): one record per business identity, every received original attached to it, the
 * ingest batches and their items (step outcomes per item, so a batch can be resumed and explained), conflicts
 * for a person to resolve, and each voucher's history.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('voucher')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // null only in a personal folder (个人票夹): then owner_user_id says whose.
    .addColumn('unit_id', 'uuid', (c) => c.references('unit.id'))
    .addColumn('sub_pool', 'text')
    .addColumn('owner_user_id', 'uuid', (c) => c.references('app_user.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('identity_key', 'text', (c) => c.notNull().unique())
    .addColumn('invoice_code', 'text')
    .addColumn('invoice_number', 'text')
    .addColumn('issue_date', 'date')
    .addColumn('amount_ex_tax', sql`numeric(18,2)`)
    .addColumn('tax_amount', sql`numeric(18,2)`)
    .addColumn('total_amount', sql`numeric(18,2)`)
    .addColumn('currency', 'text', (c) => c.notNull().defaultTo('CNY'))
    .addColumn('seller_name', 'text')
    .addColumn('seller_tax_id', 'text')
    .addColumn('buyer_name', 'text')
    .addColumn('buyer_tax_id', 'text')
    .addColumn('payer_name', 'text')
    .addColumn('payee_name', 'text')
    .addColumn('bank_serial', 'text')
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('signature_verdict', 'text', (c) => c.notNull())
    .addColumn('warnings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    // electronic: received as an electronic voucher; paper: known only from a photo of the paper invoice so far.
    .addColumn('carrier', 'text', (c) => c.notNull().defaultTo('electronic').check(sql`carrier in ('electronic', 'paper')`))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('available').check(sql`state in ('available', 'claimed', 'reimbursed', 'booked', 'archived')`))
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('voucher_owner', sql`unit_id is not null or owner_user_id is not null`)
    .execute();
  // Keyset pagination orders by (created_at, id) and by (issue_date, id) / (total_amount, id).
  await db.schema.createIndex('voucher_unit_created').on('voucher').columns(['unit_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('voucher_owner_idx').on('voucher').column('owner_user_id').where('owner_user_id', 'is not', null).execute();
  await db.schema.createIndex('voucher_issue_date').on('voucher').columns(['issue_date', 'id']).execute();
  await db.schema.createIndex('voucher_total').on('voucher').columns(['total_amount', 'id']).execute();
  await db.schema.createIndex('voucher_number').on('voucher').column('invoice_number').execute();
  await db.schema.createIndex('voucher_state').on('voucher').columns(['state', 'kind']).execute();

  await db.schema
    .createTable('ingest_batch')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('issuer', 'upload', 'folder', 'receiver', 'connector')`))
    .addColumn('unit_id', 'uuid', (c) => c.references('unit.id'))
    .addColumn('sub_pool', 'text')
    .addColumn('owner_user_id', 'uuid', (c) => c.references('app_user.id'))
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    // Identifies "the same batch" for a re-run (CLI: digest of the resolved paths and options).
    .addColumn('source_key', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'complete')`))
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('ingest_batch_source').on('ingest_batch').columns(['source_key', 'status']).execute();

  await db.schema
    .createTable('voucher_file')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('voucher_id', 'uuid', (c) => c.notNull().references('voucher.id'))
    .addColumn('object_key', 'text', (c) => c.notNull())
    // One record per received content: the same bytes again are a duplicate, never a second file.
    .addColumn('sha256', 'text', (c) => c.notNull().unique())
    .addColumn('sm3', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('filename', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('original', 'version', 'paper_photo', 'receiver_xbrl', 'receiver_json')`))
    .addColumn('signature_verdict', 'text')
    .addColumn('signatures', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('source_ref', 'text')
    .addColumn('batch_id', 'uuid', (c) => c.references('ingest_batch.id'))
    .execute();
  await db.schema.createIndex('voucher_file_voucher').on('voucher_file').column('voucher_id').execute();

  await db.schema
    .createTable('ingest_item')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('batch_id', 'uuid', (c) => c.notNull().references('ingest_batch.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('source_ref', 'text')
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'done')`))
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('created', 'duplicate', 'linked', 'conflict', 'rejected')`))
    .addColumn('voucher_id', 'uuid', (c) => c.references('voucher.id'))
    .addColumn('file_id', 'uuid', (c) => c.references('voucher_file.id'))
    .addColumn('steps', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('finished_at', 'timestamptz')
    .addUniqueConstraint('ingest_item_seq', ['batch_id', 'seq'])
    .execute();
  await db.schema.createIndex('ingest_item_batch_status').on('ingest_item').columns(['batch_id', 'status', 'outcome']).execute();

  await db.schema
    .createTable('voucher_conflict')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('voucher_id', 'uuid', (c) => c.notNull().references('voucher.id'))
    .addColumn('file_id', 'uuid', (c) => c.notNull().references('voucher_file.id'))
    .addColumn('unit_id', 'uuid', (c) => c.references('unit.id'))
    .addColumn('identity_key', 'text', (c) => c.notNull())
    // [{field, existing, incoming}] for every field that differs.
    .addColumn('differences', 'jsonb', (c) => c.notNull())
    .addColumn('incoming', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'resolved')`))
    .addColumn('resolution', 'text', (c) => c.check(sql`resolution in ('keep_existing', 'take_incoming')`))
    .addColumn('resolution_note', 'text')
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('voucher_conflict_open').on('voucher_conflict').columns(['status', 'unit_id']).execute();

  await db.schema
    .createTable('voucher_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('voucher_id', 'uuid', (c) => c.notNull().references('voucher.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text')
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('voucher_event_voucher').on('voucher_event').columns(['voucher_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['voucher_event', 'voucher_conflict', 'ingest_item', 'voucher_file', 'ingest_batch', 'voucher']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}

import { Kysely, sql } from 'kysely';

/**
 * The ledger (会计核算资料): journal vouchers with their entries and every version received, the imports that
 * brought them, and account books / financial reports / other accounting materials with their files.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ledger_import')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.references('unit.id'))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('file', 'api', 'cli')`))
    .addColumn('filename', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('journal_voucher')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('unit.id'))
    .addColumn('fonds_id', 'uuid', (c) => c.references('fonds.id'))
    .addColumn('period', 'text', (c) => c.notNull().check(sql`period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`))
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('voucher_type', 'text')
    .addColumn('voucher_date', 'date', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('attachment_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('maker', 'text')
    .addColumn('checker', 'text')
    .addColumn('poster', 'text')
    .addColumn('total_debit', sql`numeric(18,2)`, (c) => c.notNull())
    .addColumn('total_credit', sql`numeric(18,2)`, (c) => c.notNull())
    .addColumn('refs', 'jsonb', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('import_id', 'uuid', (c) => c.references('ledger_import.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('journal_voucher_identity', ['unit_id', 'period', 'number'])
    // A journal voucher balances; the import checks it too, this keeps every other writer honest.
    .addCheckConstraint('journal_voucher_balanced', sql`total_debit = total_credit`)
    .execute();
  await db.schema.createIndex('journal_voucher_period').on('journal_voucher').columns(['period', 'unit_id', 'number']).execute();
  await db.schema.createIndex('journal_voucher_total').on('journal_voucher').columns(['total_debit']).execute();

  await db.schema
    .createTable('journal_entry')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('journal_voucher_id', 'uuid', (c) => c.notNull().references('journal_voucher.id').onDelete('cascade'))
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('account_code', 'text', (c) => c.notNull())
    .addColumn('account_name', 'text', (c) => c.notNull())
    .addColumn('debit', sql`numeric(18,2)`, (c) => c.notNull())
    .addColumn('credit', sql`numeric(18,2)`, (c) => c.notNull())
    .addColumn('counterparty', 'text')
    .addColumn('counterparty_account', 'text')
    .addColumn('project', 'text')
    .addColumn('department', 'text')
    .addUniqueConstraint('journal_entry_line', ['journal_voucher_id', 'line'])
    .execute();
  await db.schema.createIndex('journal_entry_account').on('journal_entry').columns(['account_code']).execute();

  await db.schema
    .createTable('journal_voucher_version')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('journal_voucher_id', 'uuid', (c) => c.notNull().references('journal_voucher.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('import_id', 'uuid', (c) => c.references('ledger_import.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('journal_voucher_version_no', ['journal_voucher_id', 'version'])
    .execute();

  await db.schema
    .createTable('ledger_record')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('unit.id'))
    .addColumn('fonds_id', 'uuid', (c) => c.references('fonds.id'))
    .addColumn('category', 'text', (c) => c.notNull().check(sql`category in ('book', 'report', 'other')`))
    .addColumn('record_type', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('sm3', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('import_id', 'uuid', (c) => c.references('ledger_import.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('ledger_record_identity', ['unit_id', 'category', 'record_type', 'period', 'sha256'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['ledger_record', 'journal_voucher_version', 'journal_entry', 'journal_voucher', 'ledger_import']) await db.schema.dropTable(t).ifExists().execute();
}

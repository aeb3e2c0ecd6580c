import { Kysely, sql } from 'kysely';

/**
 * Voucher pool, part B: claims (报销占用) with their write-back (reimbursed, booked with the journal voucher and its
 * entries) and the bank SFTP connectors with what they fetched and how each run went. The voucher's state itself
 * stays in `voucher.state` (0400_pool); these tables hold who moved it and with which data.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('voucher_claim')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('voucher_id', 'uuid', (c) => c.notNull().references('voucher.id'))
    .addColumn('reimbursement_doc_id', 'text', (c) => c.notNull())
    // Who holds it: the machine client (system) or the person, and optionally the person inside that system.
    .addColumn('claimant_type', 'text', (c) => c.notNull())
    .addColumn('claimant_id', 'text')
    .addColumn('claimant_name', 'text')
    .addColumn('claimant_user', 'text')
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'released', 'expired', 'reimbursed', 'booked')`))
    .addColumn('ended_at', 'timestamptz')
    .addColumn('end_reason', 'text')
    .addColumn('reimbursed_at', 'timestamptz')
    .addColumn('reimbursed_amount', sql`numeric(18,2)`)
    .execute();
  // The second guard after the conditional UPDATE on voucher.state: never two live claims on one voucher.
  await db.schema.createIndex('voucher_claim_one_live').on('voucher_claim').column('voucher_id').unique().where(sql.ref('status'), 'in', sql`('active', 'reimbursed')`).execute();
  await db.schema.createIndex('voucher_claim_expiry').on('voucher_claim').column('expires_at').where(sql.ref('status'), '=', 'active').execute();
  await db.schema.createIndex('voucher_claim_doc').on('voucher_claim').column('reimbursement_doc_id').execute();

  await db.schema
    .createTable('voucher_booking')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('voucher_id', 'uuid', (c) => c.notNull().unique().references('voucher.id'))
    .addColumn('claim_id', 'uuid', (c) => c.references('voucher_claim.id'))
    .addColumn('journal_voucher_number', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('booked_at', 'date', (c) => c.notNull())
    .addColumn('summary', 'text')
    // [{direction: 'debit'|'credit', accountCode, accountName, subsidiaryCode?, subsidiaryName?, amount}]
    .addColumn('entries', 'jsonb', (c) => c.notNull())
    .addColumn('debit_total', sql`numeric(18,2)`, (c) => c.notNull())
    .addColumn('credit_total', sql`numeric(18,2)`, (c) => c.notNull())
    .addColumn('config_id', 'text')
    .addColumn('receiver_xbrl_file_id', 'uuid', (c) => c.references('voucher_file.id'))
    .addColumn('receiver_json_file_id', 'uuid', (c) => c.references('voucher_file.id'))
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('voucher_booking_journal').on('voucher_booking').columns(['journal_voucher_number', 'period']).execute();

  await db.schema
    .createTable('pool_connector')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('unit.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull().defaultTo('sftp').check(sql`protocol in ('sftp')`))
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('app_id', 'text')
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('auth_method', 'text', (c) => c.notNull().check(sql`auth_method in ('password', 'key')`))
    // AES-256-GCM sealed (platform/identity/secrets.ts): the password, or the private key in OpenSSH/PEM form.
    .addColumn('secret_enc', 'text', (c) => c.notNull())
    .addColumn('passphrase_enc', 'text')
    .addColumn('host_key_sha256', 'text')
    .addColumn('agreement_no', 'text')
    .addColumn('remote_dir', 'text', (c) => c.notNull())
    .addColumn('file_pattern', 'text', (c) => c.notNull())
    .addColumn('schedule_cron', 'text')
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('next_run_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('pool_connector_unit_name', ['unit_id', 'name'])
    .execute();

  await db.schema
    .createTable('pool_connector_run')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('connector_id', 'uuid', (c) => c.notNull().references('pool_connector.id'))
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('running').check(sql`status in ('running', 'ok', 'failed')`))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('listed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('fetched', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('outcomes', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('pool_connector_run_recent').on('pool_connector_run').columns(['connector_id', 'started_at']).execute();

  await db.schema
    .createTable('pool_connector_file')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('connector_id', 'uuid', (c) => c.notNull().references('pool_connector.id'))
    .addColumn('remote_path', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('mtime', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('run_id', 'uuid', (c) => c.references('pool_connector_run.id'))
    .addColumn('batch_id', 'uuid', (c) => c.references('ingest_batch.id'))
    .addColumn('outcome', 'text')
    .addColumn('voucher_id', 'uuid', (c) => c.references('voucher.id'))
    .addColumn('fetched_at', 'timestamptz', (c) => c.notNull())
    // The same remote file (path, size, mtime) is fetched once; a file whose size or mtime changed is new.
    .addUniqueConstraint('pool_connector_file_once', ['connector_id', 'remote_path', 'size', 'mtime'])
    .execute();
  await db.schema.createIndex('pool_connector_file_digest').on('pool_connector_file').columns(['connector_id', 'sha256']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['pool_connector_file', 'pool_connector_run', 'pool_connector', 'voucher_booking', 'voucher_claim']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}

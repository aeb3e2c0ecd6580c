import { Kysely, sql } from 'kysely';

const ROLE_IDS = ['system_admin', 'unit_admin', 'archivist', 'accountant', 'reimbursement_clerk', 'auditor', 'borrower', 'warehouse_keeper'];
const CLIENT_ROLE_IDS = ['issuer', 'receiver', 'accounting_system', 'reimbursement_system', 'bank_connector'];
const list = (ids: string[]) => sql.raw(ids.map((r) => `'${r}'`).join(', '));

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('unit')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('credit_code', 'text', (c) => c.unique())
    .addColumn('parent_id', 'uuid', (c) => c.references('unit.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('unit_parent').on('unit').column('parent_id').execute();

  await db.schema
    .createTable('fonds')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('unit.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('fonds_unit').on('fonds').column('unit_id').execute();

  await db.schema
    .createTable('app_user')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_login_at', 'timestamptz')
    .addCheckConstraint('app_user_username_lower', sql`username = lower(username)`)
    .execute();

  await db.schema
    .createTable('role_grant')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in (${list(ROLE_IDS)})`))
    .addColumn('unit_id', 'uuid', (c) => c.references('unit.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('role_grant_all_units', sql`unit_id is not null or role in ('system_admin', 'auditor')`)
    .execute();
  await sql`create unique index role_grant_unique on role_grant (user_id, role, unit_id) nulls not distinct`.execute(db);
  await db.schema.createIndex('role_grant_unit').on('role_grant').columns(['unit_id', 'role']).execute();

  await db.schema
    .createTable('user_session')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('user_session_user').on('user_session').column('user_id').execute();

  await db.schema
    .createTable('api_client')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('key_id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in (${list(CLIENT_ROLE_IDS)})`))
    .addColumn('secret_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('api_client_unit')
    .addColumn('client_id', 'uuid', (c) => c.notNull().references('api_client.id').onDelete('cascade'))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('unit.id'))
    .addPrimaryKeyConstraint('api_client_unit_pk', ['client_id', 'unit_id'])
    .execute();

  await db.schema
    .createTable('api_nonce')
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('api_nonce_pk', ['key_id', 'nonce'])
    .execute();
  await db.schema.createIndex('api_nonce_seen').on('api_nonce').column('seen_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['api_nonce', 'api_client_unit', 'api_client', 'user_session', 'role_grant', 'app_user', 'fonds', 'unit']) {
    await db.schema.dropTable(t).execute();
  }
}

import { Kysely, Migrator, PostgresDialect, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { Database } from './schema';
import { migrations } from './migrations';

// numeric → string (money stays exact), int8 → string is kept (counts are cast where needed),
// date → 'YYYY-MM-DD' string instead of a local-midnight Date.
pg.types.setTypeParser(1082, (v: string) => v);

export type Db = Kysely<Database>;

export function createDb(url: string, opts: { max?: number; applicationName?: string } = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'evarchive',
  });
  // An idle client losing its connection (database restart, embedded cluster stopped) emits 'error' on the
  // pool; unhandled, that would crash the process. The next query reconnects or fails with a clear error.
  pool.on('error', (err) => {
    if (process.env.EVARCHIVE_LOG_LEVEL !== 'error') console.warn(`database: idle connection lost: ${err.message}`);
  });
  // A connection lost while checked out (terminated by an administrator, a failover, idle_in_transaction_session_
  // timeout) emits 'error' on the client itself when no query is running on it — unhandled, that ended the whole
  // process. The transaction using it fails on its next statement (an outage: the work stays pending).
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      if (process.env.EVARCHIVE_LOG_LEVEL !== 'error') console.warn(`database: connection lost while in use: ${err.message}`);
    });
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

export interface MigrationOutcome {
  applied: string[];
}

/** Applies every pending migration; throws naming the migration that failed. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationOutcome> {
  // Migrations are numbered in ranges per module, so a module can add a migration numbered below one already
  // applied by a later module; unordered application keeps existing installations upgradable.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const name = failed?.migrationName ?? '(unknown)';
    throw new Error(`migration ${name} failed: ${(error as Error)?.message ?? error}`);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

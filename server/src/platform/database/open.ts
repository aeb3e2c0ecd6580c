import type { AppConfig } from '../config/config';
import { createDb, migrateToLatest, type Db, type MigrationOutcome } from './database';
import { startEmbeddedPostgres, type EmbeddedHandle } from './embedded';

export interface DatabaseHandle {
  db: Db;
  url: string;
  migrate(): Promise<MigrationOutcome>;
  /** Closes the pool and stops the embedded PostgreSQL when this process started it. */
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts (or joins) the embedded PostgreSQL of the data folder. */
export async function openDatabase(config: AppConfig, opts: { migrate?: boolean; max?: number } = {}): Promise<DatabaseHandle> {
  let embedded: EmbeddedHandle | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPostgresPort);
    url = embedded.url;
  }
  const db = createDb(url, { max: opts.max });
  const handle: DatabaseHandle = {
    db,
    url,
    migrate: () => migrateToLatest(db),
    async close() {
      await db.destroy();
      if (embedded?.owned) await embedded.stop();
    },
  };
  if (opts.migrate !== false) {
    try {
      await handle.migrate();
    } catch (e) {
      await handle.close();
      throw e;
    }
  }
  return handle;
}

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type CreateAppOptions } from '../../src/main';
import { loadConfig, type AppConfig } from '../../src/platform/config/config';
import { migrateToLatest, type Db } from '../../src/platform/database/database';
import type { DatabaseHandle } from '../../src/platform/database/open';
import { createTestDatabase, type TestDatabase } from './db';

export interface TestApp {
  app: NestFastifyApplication;
  /** Base URL of the listening server, e.g. http://127.0.0.1:41234 (routes are under /api). */
  url: string;
  db: Db;
  config: AppConfig;
  testDb: TestDatabase;
  /** Stops the app, drops the database and removes the temporary data folder. */
  close(): Promise<void>;
}

export interface TestAppOptions extends Omit<CreateAppOptions, 'database'> {
  /** Extra environment for loadConfig (EVARCHIVE_DATA_DIR and DATABASE_URL are set by the helper). */
  env?: Record<string, string>;
}

/**
 * The full application on a fresh migrated database (createTestDatabase), listening on 127.0.0.1 on a free
 * port, with a temporary data folder (local object storage lives there). Jobs run with short polling so a
 * test sees a sent job run within about a second; pass `jobs: false` when a test needs none. Use real HTTP
 * (`fetch(url + '/api/…')`) or `app.inject()`.
 */
export async function createTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const testDb = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'evarchive-testapp-'));
  let app: NestFastifyApplication | undefined;
  try {
    const config = loadConfig(
      { EVARCHIVE_LOG_LEVEL: 'error', EVARCHIVE_DEMO: 'false', ...opts.env, EVARCHIVE_DATA_DIR: dataDir, DATABASE_URL: testDb.url },
      dataDir,
    );
    const database: DatabaseHandle = {
      db: testDb.db,
      url: testDb.url,
      migrate: () => migrateToLatest(testDb.db),
      close: async () => undefined,
    };
    app = await createApp(config, {
      webDist: false,
      logger: ['fatal', 'error'],
      jobs: { pollingIntervalSeconds: 0.5, cronMonitorIntervalSeconds: 1, cronWorkerIntervalSeconds: 1, poolSize: 3 },
      ...opts,
      database,
    });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    if (!address || typeof address === 'string') throw new Error('test app: no TCP address after listen');
    const started = app;
    return {
      app: started,
      url: `http://127.0.0.1:${address.port}`,
      db: testDb.db,
      config,
      testDb,
      async close() {
        try {
          await started.close();
        } finally {
          await testDb.drop();
          rmSync(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    await app?.close().catch(() => undefined);
    await testDb.drop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/platform/database/embedded';

/**
 * Database-backed tests need a PostgreSQL server to create one fresh database per test file in.
 * DATABASE_URL set (CI points it at the machine's PostgreSQL) → that server; unset → an embedded PostgreSQL
 * in a temporary folder, stopped by global-teardown.
 */
export default async function globalSetup() {
  if (process.env.EVARCHIVE_TEST_ADMIN_URL) return;
  if (process.env.DATABASE_URL) {
    process.env.EVARCHIVE_TEST_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'evarchive-testpg-'));
  const port = 55000 + Math.floor(Math.random() * 5000);
  const handle = await startEmbeddedPostgres(dir, port);
  (globalThis as any).__EVARCHIVE_EMBEDDED__ = handle;
  process.env.EVARCHIVE_TEST_ADMIN_URL = handle.url;
}

import { Inject, Injectable, Module } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../src/platform/clock/clock';
import { fixedClock } from '../../src/platform/clock/clock';
import type { AppConfig } from '../../src/platform/config/config';
import type { Db } from '../../src/platform/database/database';
import type { JobsService } from '../../src/platform/jobs/jobs.service';
import type { ObjectStore } from '../../src/platform/storage';
import { CLOCK, CONFIG, DB, JOBS, STORAGE } from '../../src/platform/tokens';
import { createAppContext } from '../../src/main';
import { migrateToLatest } from '../../src/platform/database/database';
import { JobsService as Jobs } from '../../src/platform/jobs/jobs.service';
import { createTestApp, type TestApp } from '../support/app';

/** A feature service as modules write them: everything it needs comes through the platform's tokens. */
@Injectable()
class Consumer {
  constructor(
    @Inject(CONFIG) readonly config: AppConfig,
    @Inject(DB) readonly db: Db,
    @Inject(CLOCK) readonly clock: Clock,
    @Inject(STORAGE) readonly storage: ObjectStore,
    @Inject(JOBS) readonly jobs: JobsService,
  ) {}
}

@Module({ providers: [Consumer] })
class ConsumerModule {}

let t: TestApp;
let c: Consumer;
beforeAll(async () => {
  t = await createTestApp({ modules: [ConsumerModule], jobs: false, clock: fixedClock('2026-03-01T08:00:00+08:00') });
  c = t.app.get(Consumer);
});
afterAll(async () => {
  await t?.close();
});

test('a module gets CONFIG, DB and the injected CLOCK from the global platform module', async () => {
  expect(c.config).toBe(t.config);
  expect(c.db).toBe(t.db);
  expect(c.clock.now().toISOString()).toBe('2026-03-01T00:00:00.000Z');
  const r = await c.db.selectFrom('system_setting').select('key').execute();
  expect(Array.isArray(r)).toBe(true);
});

test('STORAGE is the configured object store (local, under the data folder)', async () => {
  expect(c.storage.capabilities().driver).toBe('local');
  const put = await c.storage.put(Buffer.from('原始凭证'), { mediaType: 'text/plain', filename: 'a.txt' });
  expect((await c.storage.get(put.key)).toString()).toBe('原始凭证');
  expect(existsSync(join(t.config.dataDir, 'objects'))).toBe(true);
});

test('with jobs off, JOBS is present but refuses to send, and health says so', async () => {
  await expect(c.jobs.send('anything', {})).rejects.toMatchObject({ code: 'jobs_not_started', status: 503 });
  expect(await (await fetch(`${t.url}/api/health`)).json()).toMatchObject({ status: 'ok', jobs: 'off' });
});

test('createAppContext gives CLI commands the same providers without HTTP, and leaves a borrowed database open', async () => {
  const ctx = await createAppContext(t.config, {
    database: { db: t.db, url: t.testDb.url, migrate: () => migrateToLatest(t.db), close: async () => undefined },
    modules: [ConsumerModule],
    logger: false,
  });
  try {
    const consumer = ctx.get(Consumer);
    expect(consumer.config).toBe(t.config);
    expect(consumer.db).toBe(t.db);
    expect(ctx.get(Jobs).running).toBe(true);
  } finally {
    await ctx.close();
  }
  const r = await t.db.selectFrom('system_setting').select('key').execute();
  expect(Array.isArray(r)).toBe(true);
});

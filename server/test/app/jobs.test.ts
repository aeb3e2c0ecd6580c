import { Injectable, Module } from '@nestjs/common';
import { sql } from 'kysely';
import { createApp } from '../../src/main';
import { migrateToLatest } from '../../src/platform/database/database';
import { Job } from '../../src/platform/jobs/job.decorator';
import type { JobContext } from '../../src/platform/jobs/job.types';
import { JobsService } from '../../src/platform/jobs/jobs.service';
import { JOBS } from '../../src/platform/tokens';
import { createTestApp, type TestApp } from '../support/app';

/** Polls `check` until it returns a value, or rejects after `ms`. */
function waitFor<T>(check: () => T | undefined, ms = 8000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = check();
      if (v !== undefined) return resolve(v);
      if (Date.now() - started > ms) return reject(new Error(`not reached within ${ms} ms`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

/** The job's record once pg-boss has marked it finished (the handler returns before the state is written). */
async function settled(name: string, id: string) {
  for (let i = 0; i < 100; i++) {
    const job = await jobs.getJob(name, id);
    if (job && ['completed', 'failed'].includes(job.state)) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${name} ${id} did not finish`);
}

@Injectable()
class ProbeJobs {
  readonly echoed: { data: unknown; job: JobContext }[] = [];
  readonly flaky: number[] = [];

  @Job({ name: 'probe.echo' })
  async echo(data: { text: string }, job: JobContext) {
    this.echoed.push({ data, job });
  }

  @Job({ name: 'probe.flaky', retry: { limit: 2, delaySeconds: 0 } })
  async flakyRun(_data: object, job: JobContext) {
    this.flaky.push(job.retryCount);
    if (job.retryCount === 0) throw new Error('first attempt fails');
  }

  @Job({ name: 'probe.nightly', cron: '30 2 * * *', cronData: { scope: 'all' } })
  async nightly() {
    /* scheduled only; the test checks the schedule, not a run at 02:30 */
  }
}

@Module({ providers: [ProbeJobs] })
class ProbeJobsModule {}

let t: TestApp;
let jobs: JobsService;
let probe: ProbeJobs;
beforeAll(async () => {
  t = await createTestApp({ modules: [ProbeJobsModule] });
  jobs = t.app.get(JobsService);
  probe = t.app.get(ProbeJobs);
});
afterAll(async () => {
  await t?.close();
});

test('JOBS and JobsService are the same instance, and every @Job is declared', () => {
  expect(t.app.get(JOBS)).toBe(jobs);
  // The feature modules declare their own jobs too; these are the test module's.
  expect(jobs.names().filter((n) => n.startsWith('probe.'))).toEqual(['probe.echo', 'probe.flaky', 'probe.nightly']);
});

test('a sent job runs its handler with the data and completes', async () => {
  const id = await jobs.send('probe.echo', { text: '凭证 001' });
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  const run = await waitFor(() => probe.echoed.find((r) => r.job.id === id));
  expect(run.data).toEqual({ text: '凭证 001' });
  expect(run.job).toEqual({ id, name: 'probe.echo', retryCount: 0 });
  expect(await settled('probe.echo', id!)).toMatchObject({ state: 'completed', retryCount: 0 });
});

test('a failing job is retried by its declared policy', async () => {
  const id = await jobs.send('probe.flaky', {});
  await waitFor(() => (probe.flaky.length >= 2 ? true : undefined));
  expect(probe.flaky).toEqual([0, 1]);
  const queue = await sql<{ retry_limit: number }>`select retry_limit from pgboss.queue where name = 'probe.flaky'`.execute(t.db);
  expect(queue.rows[0].retry_limit).toBe(2);
  expect(await settled('probe.flaky', id!)).toMatchObject({ state: 'completed', retryCount: 1 });
});

test('a cron job is scheduled in Asia/Shanghai time', async () => {
  expect((await jobs.schedules()).filter((j) => j.name.startsWith('probe.'))).toEqual([{ name: 'probe.nightly', cron: '30 2 * * *', tz: 'Asia/Shanghai' }]);
  const row = await sql<{ data: unknown }>`select data from pgboss.schedule where name = 'probe.nightly'`.execute(t.db);
  expect(row.rows[0].data).toEqual({ scope: 'all' });
});

test('sending inside a transaction: the job exists only if the transaction commits', async () => {
  const count = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from pgboss.job where name = 'probe.echo' and data->>'text' = 'trx'`.execute(t.db)).rows[0].n);
  await expect(
    t.db.transaction().execute(async (trx) => {
      await jobs.send('probe.echo', { text: 'trx' }, { trx });
      throw new Error('roll back');
    }),
  ).rejects.toThrow('roll back');
  expect(await count()).toBe(0);
  const id = await t.db.transaction().execute((trx) => jobs.send('probe.echo', { text: 'trx' }, { trx }));
  await waitFor(() => probe.echoed.find((r) => r.job.id === id));
  expect(await count()).toBe(1);
});

test('bad sends name the problem', async () => {
  await expect(jobs.send('probe.nope', {})).rejects.toMatchObject({
    code: 'invalid_input',
    message: expect.stringMatching(/^unknown job "probe\.nope" \(declared: .*probe\.echo, probe\.flaky, probe\.nightly/),
  });
  await expect(jobs.send('probe.echo', [] as unknown as object)).rejects.toMatchObject({
    code: 'invalid_input',
    message: 'job "probe.echo": data must be an object',
  });
});

test('a job declared in code later is set up at once; an invalid declaration is refused', async () => {
  const seen: unknown[] = [];
  await jobs.define({ name: 'probe.late', handler: (d) => void seen.push(d) });
  await jobs.send('probe.late', { n: 1 });
  await waitFor(() => (seen.length ? true : undefined));
  expect(seen).toEqual([{ n: 1 }]);
  await expect(jobs.define({ name: 'probe.late', handler: () => undefined })).rejects.toMatchObject({ code: 'job_defined_twice' });
  await expect(jobs.define({ name: 'bad name!', handler: () => undefined })).rejects.toMatchObject({ code: 'invalid_job' });
  await expect(jobs.define({ name: 'probe.badcron', cron: 'every day', handler: () => undefined })).rejects.toMatchObject({
    code: 'invalid_job',
    message: expect.stringContaining('job "probe.badcron": cron "every day" was not accepted'),
  });
  expect(jobs.names()).not.toContain('probe.badcron');
});

test('a schedule whose job no longer declares a cron is removed at the next start', async () => {
  @Injectable()
  class NightlyWithoutCron {
    @Job({ name: 'probe.nightly' })
    async nightly() {}
  }
  @Module({ providers: [NightlyWithoutCron] })
  class NextVersionModule {}

  const app = await createApp(t.config, {
    database: { db: t.db, url: t.testDb.url, migrate: () => migrateToLatest(t.db), close: async () => undefined },
    modules: [NextVersionModule],
    webDist: false,
    logger: false,
    jobs: { work: false },
  });
  try {
    expect((await app.get(JobsService).schedules()).filter((j) => j.name.startsWith('probe.'))).toEqual([]);
  } finally {
    await app.close();
  }
});

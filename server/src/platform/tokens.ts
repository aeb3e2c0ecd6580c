/**
 * Nest injection tokens for the platform's shared services, so modules depend on ports, not on adapters.
 * `@Inject(DB) db: Db`, `@Inject(CONFIG) config: AppConfig`, `@Inject(CLOCK) clock: Clock`, …
 */
export const CONFIG = Symbol('evarchive.config');
export const DB = Symbol('evarchive.db');
export const CLOCK = Symbol('evarchive.clock');
export const STORAGE = Symbol('evarchive.storage');
export const SEARCH = Symbol('evarchive.search');
export const JOBS = Symbol('evarchive.jobs');

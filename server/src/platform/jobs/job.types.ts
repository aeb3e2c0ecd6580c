import type { Transaction } from 'kysely';
import type { Database } from '../database/schema';

/** What a job handler learns about the run besides its data. */
export interface JobContext {
  id: string;
  name: string;
  /** 0 on the first attempt, 1 on the first retry, … */
  retryCount: number;
}

export type JobHandlerFn<T = any> = (data: T, job: JobContext) => Promise<unknown> | unknown;

export interface RetryPolicy {
  /** Attempts after the first failure (0: never retry). */
  limit: number;
  delaySeconds?: number;
  /** Double the delay on each retry (pg-boss' exponential backoff). */
  backoff?: boolean;
}

/** How a module declares one named background job. */
export interface JobOptions {
  /** Stable queue name, e.g. `checks.fixity` (letters, digits, `_`, `-`, `.`). */
  name: string;
  /** Five-field cron expression; evaluated in Asia/Shanghai, the bureau's local time. */
  cron?: string;
  /** Data the scheduled runs receive. */
  cronData?: Record<string, unknown>;
  retry?: RetryPolicy;
  /** A run still going after this long counts as failed (and is retried); pg-boss caps it at 24 h. */
  expireInSeconds?: number;
  /** Jobs of this name run at most this many at a time in one process (default 1). */
  concurrency?: number;
  /**
   * pg-boss queue policy: `standard` (default), `short` (at most one queued), `singleton` (at most one
   * running), `stately` (at most one queued and one running, per singletonKey).
   */
  policy?: 'standard' | 'short' | 'singleton' | 'stately';
}

export interface JobDefinition<T = any> extends JobOptions {
  handler: JobHandlerFn<T>;
}

export interface SendOptions {
  /** Run no earlier than this (a Date, or seconds from now). */
  startAfter?: Date | number;
  /** Deduplication key for queues whose policy is not `standard` (then a duplicate send returns null). */
  singletonKey?: string;
  priority?: number;
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  trx?: Transaction<Database>;
}

export const CRON_TIMEZONE = 'Asia/Shanghai';

/**
 * The reader threads of the ingest pipeline: parsing and seal verification (pure CPU work, `read-steps.ts`) run
 * here, several files at once on as many cores as there are, so the main thread only does the database work.
 * Each thread holds up to two items (one parsed while the other's original is synced to disk); the bytes are
 * copied to the thread (the caller keeps its own). A thread that dies (e.g. out of memory on a hostile file) is
 * replaced and fails only the item that killed it (see `lost`).
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ReadAnswer, ReadTask } from './read-steps';

/** Loads the worker entry; from the TypeScript sources (dev, tests, benches) through swc like the CLI does. */
const BOOT = `
const { workerData } = require('node:worker_threads');
if (workerData.register) require(workerData.register);
require(workerData.entry);
`;

/** The pool was closed (the process is shutting down): the item was not read, and is not to blame. */
export class ReadersClosedError extends Error {
  readonly code = 'shutting_down';
  constructor() {
    super('the reader threads were shut down (the server is stopping); the item stays pending');
  }
}

interface Job {
  id: number;
  /** Held by a thread that died together with another item: read again in a thread of its own. */
  alone?: boolean;
  task: ReadTask;
  resolve: (a: ReadAnswer) => void;
  reject: (e: Error) => void;
}

export function defaultReaders(): number {
  return availableParallelism();
}

/**
 * Items a thread holds at once: the next one is parsed while the previous one waits for the disk to sync its
 * stored original, so a core is not idle during the sync.
 */
const SLOTS = 2;

export class ReadPool {
  private readonly all = new Set<Worker>();
  /** Jobs sent to each thread and not answered yet, by job id. */
  private readonly busy = new Map<Worker, Map<number, Job>>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`reader threads: expected a whole number of at least 1, got ${size}`);
  }

  run(task: ReadTask): Promise<ReadAnswer> {
    if (this.closed) return Promise.reject(new ReadersClosedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.all];
    this.all.clear();
    for (const job of [...[...this.busy.values()].flatMap((m) => [...m.values()]), ...this.queue.splice(0)]) job.reject(new ReadersClosedError());
    this.busy.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.queue.length) {
      const job = this.queue[0];
      let w = this.leastBusy();
      if (!w || (this.busy.get(w)!.size > 0 && this.all.size < this.size)) w = this.spawn();
      else if (this.busy.get(w)!.size >= (job.alone ? 1 : SLOTS) || this.holdsAlone(w)) return;
      this.queue.shift();
      this.busy.get(w)!.set(job.id, job);
      // Busy threads keep the process alive; idle ones do not (a finished CLI run exits without close()).
      w.ref();
      w.postMessage({ id: job.id, task: job.task });
    }
  }

  private holdsAlone(w: Worker): boolean {
    for (const job of this.busy.get(w)!.values()) if (job.alone) return true;
    return false;
  }

  private leastBusy(): Worker | undefined {
    let best: Worker | undefined;
    for (const w of this.all) if (!best || this.busy.get(w)!.size < this.busy.get(best)!.size) best = w;
    return best;
  }

  private spawn(): Worker {
    const fromSource = __filename.endsWith('.ts');
    const w = new Worker(BOOT, {
      eval: true,
      workerData: {
        entry: path.join(__dirname, `read-worker${path.extname(__filename)}`),
        register: fromSource ? require.resolve('@swc-node/register') : null,
      },
      env: fromSource ? { ...process.env, SWCRC: 'true', SWC_NODE_PROJECT: process.env.SWC_NODE_PROJECT ?? path.resolve(__dirname, '../../../../../tsconfig.json') } : process.env,
    });
    w.unref();
    w.on('message', ({ id, answer }: { id: number; answer: ReadAnswer }) => {
      const jobs = this.busy.get(w);
      const job = jobs?.get(id);
      jobs?.delete(id);
      if (jobs && !jobs.size) w.unref();
      job?.resolve(answer);
      this.pump();
    });
    w.on('error', (e) => this.lost(w, e));
    w.on('exit', (code) => this.lost(w, new Error(`the reader thread stopped (exit code ${code})`)));
    this.all.add(w);
    this.busy.set(w, new Map());
    return w;
  }

  /**
   * A thread died (e.g. out of memory on a hostile file). Its only item fails with the reason; when it held two,
   * which one killed it is unknown, so each is read again in a thread of its own (first in the queue) and only
   * the one that kills that thread too fails — an innocent neighbour is not rejected for it.
   */
  private lost(w: Worker, e: Error): void {
    if (!this.all.delete(w)) return;
    const jobs = [...(this.busy.get(w)?.values() ?? [])];
    this.busy.delete(w);
    if (jobs.length === 1 || jobs.every((j) => j.alone)) for (const job of jobs) job.reject(e);
    else this.queue.unshift(...jobs.map((j) => ({ ...j, alone: true })));
    this.pump();
  }
}

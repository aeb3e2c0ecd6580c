/**
 * The reader threads of the ingest pipeline: parsing and seal verification (pure CPU work, `read-steps.ts`) run
 * here, several files at once on as many cores as there are, so the main thread only does the database and
 * storage work. One item at a time per thread; the bytes are copied to the thread (the caller keeps its own).
 * A thread that dies (e.g. out of memory on a hostile file) fails only its item and is replaced.
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

interface Job {
  task: ReadTask;
  resolve: (a: ReadAnswer) => void;
  reject: (e: Error) => void;
}

export function defaultReaders(): number {
  return availableParallelism();
}

export class ReadPool {
  private readonly all = new Set<Worker>();
  private idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private closed = false;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`reader threads: expected a whole number of at least 1, got ${size}`);
  }

  run(task: ReadTask): Promise<ReadAnswer> {
    if (this.closed) return Promise.reject(new Error('the reader threads were shut down'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.all];
    this.all.clear();
    this.idle = [];
    for (const job of [...this.busy.values(), ...this.queue.splice(0)]) job.reject(new Error('the reader threads were shut down'));
    this.busy.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.queue.length) {
      let w = this.idle.pop();
      if (!w) {
        if (this.all.size >= this.size) return;
        w = this.spawn();
      }
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      // Busy threads keep the process alive; idle ones do not (a finished CLI run exits without close()).
      w.ref();
      w.postMessage(job.task);
    }
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
    w.on('message', (answer: ReadAnswer) => {
      const job = this.busy.get(w);
      this.busy.delete(w);
      w.unref();
      this.idle.push(w);
      job?.resolve(answer);
      this.pump();
    });
    w.on('error', (e) => this.lost(w, e));
    w.on('exit', (code) => this.lost(w, new Error(`the reader thread stopped (exit code ${code})`)));
    this.all.add(w);
    return w;
  }

  private lost(w: Worker, e: Error): void {
    if (!this.all.delete(w)) return;
    this.idle = this.idle.filter((x) => x !== w);
    const job = this.busy.get(w);
    this.busy.delete(w);
    job?.reject(e);
    this.pump();
  }
}

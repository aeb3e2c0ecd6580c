/** A reader thread of the ingest pipeline (`read-pool.ts`): runs the pure read steps on each item it is sent. */
import { parentPort } from 'node:worker_threads';
import { readSteps, runReadSteps, type ReadTask } from './read-steps';

const steps = readSteps();
parentPort!.on('message', ({ id, task }: { id: number; task: ReadTask }) => {
  void runReadSteps(task, steps).then((answer) => parentPort!.postMessage({ id, answer }));
});

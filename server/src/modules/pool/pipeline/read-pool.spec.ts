import type { Worker } from 'node:worker_threads';
import { sha256Of } from './read-steps';
import { ReadersClosedError, ReadPool } from './read-pool';

const task = (text: string) => {
  const bytes = Buffer.from(text);
  return { filename: `${text}.txt`, sha256: sha256Of(bytes), bytes };
};
const threadsOf = (pool: ReadPool) => [...(pool as unknown as { all: Set<Worker> }).all];

jest.setTimeout(60_000);

test('a thread that dies holding two items: each is read again alone and both get their own answer', async () => {
  const pool = new ReadPool(1);
  try {
    const a = pool.run(task('first'));
    const b = pool.run(task('second'));
    const [thread] = threadsOf(pool);
    await thread.terminate();
    const answers = await Promise.all([a, b]);
    expect(answers.map((x) => x.stop)).toEqual([
      { outcome: 'rejected', code: 'unknown_format', message: expect.stringContaining('first.txt: not a voucher file') },
      { outcome: 'rejected', code: 'unknown_format', message: expect.stringContaining('second.txt: not a voucher file') },
    ]);
    expect(threadsOf(pool)).toHaveLength(1);
    expect(threadsOf(pool)[0]).not.toBe(thread);
  } finally {
    await pool.close();
  }
});

test('a thread that dies holding one item fails that item with the reason; the pool goes on', async () => {
  const pool = new ReadPool(1);
  try {
    const a = pool.run(task('doomed'));
    await threadsOf(pool)[0].terminate();
    await expect(a).rejects.toThrow(/^the reader thread stopped \(exit code \d+\)$/);
    expect((await pool.run(task('after'))).stop).toMatchObject({ code: 'unknown_format' });
  } finally {
    await pool.close();
  }
});

test('closing the pool fails the items it holds and any later one as "shut down" (not the file\'s fault)', async () => {
  const pool = new ReadPool(1);
  const held = expect(pool.run(task('held'))).rejects.toBeInstanceOf(ReadersClosedError);
  await pool.close();
  await held;
  await expect(pool.run(task('later'))).rejects.toMatchObject({ code: 'shutting_down' });
});

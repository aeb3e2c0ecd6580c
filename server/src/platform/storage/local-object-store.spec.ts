import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { objectStoreContract } from '../../../test/storage/object-store.contract';
import { createObjectStore } from './create-object-store';
import { putOriginalDirect } from './local-direct-write';
import { LocalObjectStore } from './local-object-store';
import type { ObjectStore } from './object-store';

const roots: string[] = [];
function newRoot(): string {
  const r = mkdtempSync(join(tmpdir(), 'evarchive-objects-'));
  roots.push(r);
  return r;
}
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

objectStoreContract('local folder', () => ({
  open: ({ verifyOnRead } = {}) => LocalObjectStore.open({ root: newRoot(), verifyOnRead }),
  async tamper(store: ObjectStore, key: string, bytes: Buffer) {
    const path = (store as LocalObjectStore).pathOf(key);
    chmodSync(path, 0o644);
    writeFileSync(path, bytes);
  },
}));

describe('LocalObjectStore on disk', () => {
  test('objects and their metadata are read-only files; nothing is left in the temp folder', async () => {
    const root = newRoot();
    const store = await LocalObjectStore.open({ root });
    const r = await store.put(Buffer.from('abc'), { mediaType: 'text/plain' });
    const path = join(root, 'sha256', 'ba', '78', r.sha256);
    expect(store.pathOf(r.key)).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o444);
    expect(statSync(join(root, '.meta', 'sha256', 'ba', '78', `${r.sha256}.json`)).mode & 0o777).toBe(0o444);
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
  });

  test('putMany: a batch stored with shared fsyncs reads back byte for byte, in order, write-once, read-only, no temp left', async () => {
    const root = newRoot();
    const store = await LocalObjectStore.open({ root });
    const earlier = await store.put(Buffer.from('already here'), { mediaType: 'text/plain' });
    const r = await store.putMany([
      { content: Buffer.from('first'), options: { mediaType: 'application/ofd', filename: 'a.ofd' } },
      { content: Buffer.from('already here'), options: { mediaType: 'text/plain' } },
      { content: Buffer.from('first'), options: { mediaType: 'application/ofd', filename: 'again.ofd' } },
      { content: Buffer.from('second'), options: { mediaType: 'application/pdf' } },
    ]);
    expect(r.map((x) => [x.size, x.created])).toEqual([
      [5, true],
      [12, false],
      [5, false],
      [6, true],
    ]);
    expect(r[1].key).toBe(earlier.key);
    expect(r[0].key).toBe(r[2].key);
    expect(r[0].sha256).toBe('a7937b64b8caa58f03721bb6bacf5c78cb235febe0e70b1b84cd99541461a08e');
    expect((await store.get(r[3].key, { verify: true })).toString()).toBe('second');
    const info = await store.stat(r[0].key);
    expect(info).toMatchObject({ mediaType: 'application/ofd', filename: 'a.ofd', sm3: r[0].sm3, size: 5 });
    expect(statSync(store.pathOf(r[3].key)).mode & 0o777).toBe(0o444);
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
    expect(await store.putMany([])).toEqual([]);
  });

  test('a source stream that fails mid-way stores nothing and leaves no temp file', async () => {
    const root = newRoot();
    const store = await LocalObjectStore.open({ root });
    async function* failing() {
      yield Buffer.alloc(64 * 1024, 1);
      throw new Error('upload connection reset');
    }
    await expect(store.put(Readable.from(failing()), { mediaType: 'application/pdf' })).rejects.toThrow('upload connection reset');
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
    const keys: string[] = [];
    for await (const k of store.list()) keys.push(k);
    expect(keys).toEqual([]);
  });

  test('a writer killed mid-write leaves only an ignored temp file, which cleanupTemp() removes', async () => {
    const root = newRoot();
    // A separate process that starts a streamed put and then hangs, so SIGKILL lands in the middle of the write.
    const child = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        '-e',
        `
        const { LocalObjectStore } = require(${JSON.stringify(join(__dirname, 'local-object-store.ts'))});
        const { Readable } = require('node:stream');
        (async () => {
          const store = await LocalObjectStore.open({ root: ${JSON.stringify(root)} });
          async function* slow() {
            yield Buffer.alloc(256 * 1024, 7);
            process.stdout.write('WROTE\\n');
            // Keep the process alive (a pending promise alone does not) until the parent kills it.
            setInterval(() => {}, 1000);
            await new Promise(() => {});
          }
          await store.put(Readable.from(slow()), { mediaType: 'application/pdf' });
        })();
        `,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('WROTE') && resolve());
      child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
    });
    // The chunk is yielded before it is written; wait until the temp file holds it.
    const tmp = join(root, '.tmp');
    for (let i = 0; i < 100 && !(readdirSync(tmp).length && statSync(join(tmp, readdirSync(tmp)[0])).size > 0); i++) await new Promise((r) => setTimeout(r, 20));
    const exited = new Promise((r) => child.once('exit', r));
    expect(child.exitCode).toBeNull();
    child.kill('SIGKILL');
    await exited;

    const left = readdirSync(tmp);
    expect(left.length).toBe(1);
    expect(left[0]).toMatch(/\.part$/);
    expect(statSync(join(tmp, left[0])).size).toBe(256 * 1024);

    const store = await LocalObjectStore.open({ root });
    const keys: string[] = [];
    for await (const k of store.list()) keys.push(k);
    expect(keys).toEqual([]);
    // A fresh temp file may belong to a writer still running in another process: the default age keeps it.
    expect(await store.cleanupTemp()).toBe(0);
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(join(tmp, left[0]), old, old);
    expect(await store.cleanupTemp()).toBe(1);
    expect(readdirSync(tmp)).toEqual([]);
  }, 30_000);

  test('metadata lost between the two links (crash) is rebuilt from the bytes for content keys', async () => {
    const root = newRoot();
    const store = await LocalObjectStore.open({ root });
    const r = await store.put(Buffer.from('abc'), { mediaType: 'text/plain' });
    const metaPath = join(root, '.meta', 'sha256', 'ba', '78', `${r.sha256}.json`);
    unlinkSync(metaPath);
    expect(await store.stat(r.key)).toMatchObject({ sha256: r.sha256, sm3: r.sm3, size: 3, mediaType: 'application/octet-stream' });
    expect(existsSync(metaPath)).toBe(true);
    expect(await store.verify(r.key)).toMatchObject({ ok: true, sm3: r.sm3 });
    // Lost metadata and altered bytes together: nothing is rebuilt from bad bytes, the key still catches them.
    const path = store.pathOf(r.key);
    chmodSync(path, 0o644);
    writeFileSync(path, 'abd');
    unlinkSync(metaPath);
    await expect(store.get(r.key, { verify: true })).rejects.toMatchObject({ code: 'digest_mismatch' });
    expect(existsSync(metaPath)).toBe(false);
    chmodSync(path, 0o644);
    writeFileSync(path, 'abc');
    // A retry of the interrupted put now simply confirms the object.
    expect(await store.put(Buffer.from('abc'), { mediaType: 'text/plain' })).toMatchObject({ created: false });
  });

  test('putOriginalDirect (the reader threads\' store) writes what the store reads: same key, digests, name, read-only, no temp left', async () => {
    const root = newRoot();
    const store = await LocalObjectStore.open({ root });
    const r = await putOriginalDirect(store.localFolder(), Buffer.from('first'), { mediaType: 'application/ofd', filename: 'a.ofd' });
    expect(r).toMatchObject({ key: `sha256/a7/93/${r.sha256}`, sha256: 'a7937b64b8caa58f03721bb6bacf5c78cb235febe0e70b1b84cd99541461a08e', size: 5, created: true });
    expect(await store.stat(r.key)).toMatchObject({ mediaType: 'application/ofd', filename: 'a.ofd', sha256: r.sha256, sm3: r.sm3, size: 5 });
    expect((await store.get(r.key, { verify: true })).toString()).toBe('first');
    expect(statSync(store.pathOf(r.key)).mode & 0o777).toBe(0o444);
    // The same content again (another thread, a re-run): not written twice, the first name kept.
    expect(await putOriginalDirect(root, Buffer.from('first'), { mediaType: 'application/ofd', filename: 'b.ofd' })).toMatchObject({ key: r.key, created: false });
    expect(await store.put(Buffer.from('first'), { mediaType: 'application/ofd' })).toMatchObject({ key: r.key, created: false });
    expect((await store.stat(r.key)).filename).toBe('a.ofd');
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
    // Bad options are refused before anything is written.
    await expect(putOriginalDirect(root, Buffer.from('x'), { mediaType: '' })).rejects.toThrow();
  });

  test('a sidecar torn by a crash (it is written without a sync) counts as missing for a content key: rebuilt from the bytes', async () => {
    const root = newRoot();
    const store = await LocalObjectStore.open({ root });
    const r = await putOriginalDirect(root, Buffer.from('abc'), { mediaType: 'text/plain', filename: 'x.txt' });
    const metaPath = join(root, '.meta', 'sha256', 'ba', '78', `${r.sha256}.json`);
    chmodSync(metaPath, 0o644);
    writeFileSync(metaPath, '{"v":1,"sha2');
    expect(await store.stat(r.key)).toMatchObject({ sha256: r.sha256, sm3: r.sm3, size: 3 });
    expect(await store.verify(r.key)).toMatchObject({ ok: true, sm3: r.sm3 });
    // A named key cannot be vouched for by its name: a torn sidecar there is an error naming the key.
    await store.putNamed('reports/R/1.pdf', Buffer.from('pdf'), { mediaType: 'application/pdf' });
    const named = join(root, '.meta', 'reports', 'R', '1.pdf.json');
    chmodSync(named, 0o644);
    writeFileSync(named, '{');
    await expect(store.stat('reports/R/1.pdf')).rejects.toThrow(/metadata of reports\/R\/1.pdf is unreadable/);
  });

  test('a named object whose metadata was lost cannot vouch for itself', async () => {
    const root = newRoot();
    const store = await LocalObjectStore.open({ root });
    await store.putNamed('packages/P/1.zip', Buffer.from('zip'), { mediaType: 'application/zip' });
    unlinkSync(join(root, '.meta', 'packages', 'P', '1.zip.json'));
    expect(await store.verify('packages/P/1.zip')).toMatchObject({ ok: false, problem: expect.stringContaining('no digests were recorded') });
    expect(await store.stat('packages/P/1.zip')).toMatchObject({ sha256: '', sm3: '', size: 3 });
    await expect(store.get('packages/P/1.zip', { verify: true })).rejects.toMatchObject({ code: 'digest_mismatch' });
    // The writer retrying the interrupted put vouches for the bytes again.
    expect(await store.putNamed('packages/P/1.zip', Buffer.from('zip'), { mediaType: 'application/zip' })).toMatchObject({ created: false });
    expect((await store.get('packages/P/1.zip', { verify: true })).toString()).toBe('zip');
    expect((await store.verify('packages/P/1.zip')).ok).toBe(true);
  });

  test('opening the store from the configuration clears temp files of writes cut off over an hour ago, and keeps recent ones', async () => {
    const root = newRoot();
    await LocalObjectStore.open({ root });
    const old = join(root, '.tmp', 'cut-off.part');
    const recent = join(root, '.tmp', 'in-flight.part');
    writeFileSync(old, 'x');
    writeFileSync(recent, 'y');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(old, twoHoursAgo, twoHoursAgo);
    await createObjectStore({ storage: { driver: 'local', root, verifyOnRead: false } } as never);
    for (let i = 0; i < 50 && existsSync(old); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
  });

  test('createObjectStore picks the local adapter from the configuration', async () => {
    const root = newRoot();
    const store = await createObjectStore({ storage: { driver: 'local', root, verifyOnRead: true } });
    expect(store).toBeInstanceOf(LocalObjectStore);
    expect(store.capabilities()).toMatchObject({ driver: 'local', objectLock: false, conditionalPut: true });
    const r = await store.put(Buffer.from('x'), { mediaType: 'text/plain' });
    expect(existsSync(join(root, 'sha256', r.sha256.slice(0, 2), r.sha256.slice(2, 4), r.sha256))).toBe(true);
  });
});

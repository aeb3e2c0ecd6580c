/**
 * The behaviour every ObjectStore adapter must have, run against each adapter with a real backend
 * (local: a temp folder; S3: a real S3Proxy server). An adapter passes only if this whole suite passes.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConflictError, NotFoundError, ValidationError } from '../../src/platform/errors/errors';
import { IntegrityError, type ObjectStore } from '../../src/platform/storage/object-store';

export interface ContractHarness {
  /** A new, empty store (its own folder / bucket). */
  open(options?: { verifyOnRead?: boolean }): Promise<ObjectStore>;
  /** Replace the stored bytes of `key` behind the store's back, as bit rot or a rogue admin would. */
  tamper(store: ObjectStore, key: string, bytes: Buffer): Promise<void>;
  /**
   * The backend's "create only if absent" is not atomic (measured on S3Mock: two concurrent conditional PUTs
   * can both succeed). Then only the weaker guarantees are asserted: one key, intact bytes that match one writer.
   */
  racyCreate?: boolean;
}

// Known answers: SHA-256 from FIPS 180-2, SM3 from GB/T 32905-2016 appendix A.
const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const ABC_SM3 = '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const EMPTY_SM3 = '1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b';
// GB/T 32905 example 2: "abcd" repeated 16 times (64 bytes).
const ABCD16_SM3 = 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732';

const MiB = 1024 * 1024;

async function collect(s: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function keysOf(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out.sort();
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

/** Deterministic, distinct 1 MiB chunks (xorshift32 noise), made on demand so the test never holds the whole object. */
function chunk(i: number): Buffer {
  const b = Buffer.allocUnsafeSlow(MiB);
  const words = new Uint32Array(b.buffer, b.byteOffset, MiB / 4);
  let x = (0x9e3779b9 ^ (i * 0x85ebca6b)) >>> 0 || 1;
  for (let j = 0; j < words.length; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[j] = x >>> 0;
  }
  return b;
}

function expectedLarge(n: number): { sha256: string; sm3: string } {
  const sha = createHash('sha256');
  const sm = createHash('sm3');
  for (let i = 0; i < n; i++) {
    const c = chunk(i);
    sha.update(c);
    sm.update(c);
  }
  return { sha256: sha.digest('hex'), sm3: sm.digest('hex') };
}

/** A full GC on demand, so memory samples measure what is retained rather than garbage not yet collected. */
function gcFunction(): () => void {
  setFlagsFromString('--expose_gc');
  return runInNewContext('gc') as () => void;
}

export function objectStoreContract(name: string, harness: () => ContractHarness): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let h: ContractHarness;
    let store: ObjectStore;

    beforeAll(() => {
      h = harness();
    });
    beforeEach(async () => {
      store = await h.open();
    });
    afterEach(async () => {
      await store.close();
    });

    test('put stores content under its SHA-256 key and records SHA-256 and SM3 (known answers)', async () => {
      const r = await store.put(Buffer.from('abc'), { mediaType: 'text/plain', filename: '发票-2026-001.txt' });
      expect(r).toEqual({ key: `sha256/ba/78/${ABC_SHA256}`, sha256: ABC_SHA256, sm3: ABC_SM3, size: 3, created: true });
      expect((await store.get(r.key)).toString()).toBe('abc');
      expect((await collect(await store.getStream(r.key))).toString()).toBe('abc');
      const info = await store.stat(r.key);
      expect(info).toMatchObject({ key: r.key, size: 3, mediaType: 'text/plain', filename: '发票-2026-001.txt', sha256: ABC_SHA256, sm3: ABC_SM3 });
      // Stores report whole seconds at best (S3 Last-Modified); the object was written just now.
      expect(Math.abs(info.storedAt.getTime() - Date.now())).toBeLessThan(60_000);
      expect(await store.exists(r.key)).toBe(true);
      expect(await store.verify(r.key)).toEqual({ key: r.key, ok: true, sha256: ABC_SHA256, sm3: ABC_SM3, size: 3 });
    });

    test('empty content and a 64-byte block hash to their known values; a stream gives the same key as bytes', async () => {
      const empty = await store.put(new Uint8Array(0), { mediaType: 'application/octet-stream' });
      expect(empty).toMatchObject({ key: `sha256/e3/b0/${EMPTY_SHA256}`, sm3: EMPTY_SM3, size: 0, created: true });
      expect((await store.get(empty.key)).length).toBe(0);

      const abcd = 'abcd'.repeat(16);
      const fromStream = await store.put(Readable.from([Buffer.from(abcd.slice(0, 10)), Buffer.from(abcd.slice(10))]), { mediaType: 'text/plain' });
      expect(fromStream.sm3).toBe(ABCD16_SM3);
      expect(fromStream.created).toBe(true);
      const fromBytes = await store.put(Buffer.from(abcd), { mediaType: 'text/plain' });
      expect(fromBytes).toEqual({ ...fromStream, created: false });
    });

    test('putting the same content again is idempotent and keeps the first record', async () => {
      const a = await store.put(Buffer.from('same bytes'), { mediaType: 'application/pdf', filename: 'first.pdf' });
      const b = await store.put(Buffer.from('same bytes'), { mediaType: 'application/ofd', filename: 'second.ofd' });
      expect(b).toEqual({ ...a, created: false });
      expect(await store.stat(a.key)).toMatchObject({ mediaType: 'application/pdf', filename: 'first.pdf' });
      expect(await keysOf(store.list('sha256/'))).toEqual([a.key]);
    });

    test('named objects are write-once: same content is a no-op, other content is a write_once conflict', async () => {
      const key = 'packages/A001-2026-KJ-0001/归档包.zip';
      const first = await store.putNamed(key, Buffer.from('package v1'), { mediaType: 'application/zip', filename: '归档包.zip' });
      expect(first).toMatchObject({ key, size: 10, created: true });
      expect(await store.putNamed(key, Buffer.from('package v1'), { mediaType: 'application/zip' })).toEqual({ ...first, created: false });

      const err = await rejection(store.putNamed(key, Buffer.from('package v2'), { mediaType: 'application/zip' }));
      expect(err).toBeInstanceOf(ConflictError);
      expect(err).toMatchObject({ code: 'write_once', status: 409 });
      expect((err as Error).message).toContain(key);
      const errStream = await rejection(store.putNamed(key, Readable.from([Buffer.from('package v3')]), { mediaType: 'application/zip' }));
      expect(errStream).toMatchObject({ code: 'write_once' });

      expect((await store.get(key, { verify: true })).toString()).toBe('package v1');
      expect(await store.stat(key)).toMatchObject({ filename: '归档包.zip', sha256: first.sha256, sm3: first.sm3 });
      expect((await store.verify(key)).ok).toBe(true);
    });

    test('content keys are reserved for put(); named keys must not use them', async () => {
      const err = await rejection(store.putNamed(`sha256/ba/78/${ABC_SHA256}`, Buffer.from('not abc'), { mediaType: 'text/plain' }));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ code: 'invalid_key' });
    });

    test('altered bytes are detected on a verified read, by the stream variant and by verify()', async () => {
      const orig = await store.put(Buffer.from('original voucher bytes'), { mediaType: 'application/xml' });
      const named = await store.putNamed('reports/fixity-2026.json', Buffer.from('{"ok":true}'), { mediaType: 'application/json' });
      await h.tamper(store, orig.key, Buffer.from('tampered voucher bytes'));
      await h.tamper(store, named.key, Buffer.from('{"ok":false}'));

      for (const key of [orig.key, named.key]) {
        const err = await rejection(store.get(key, { verify: true }));
        expect(err).toBeInstanceOf(IntegrityError);
        expect(err).toMatchObject({ code: 'digest_mismatch', key });
        expect((err as Error).message).toContain(key);

        const streamErr = await rejection(collect(await store.getStream(key, { verify: true })));
        expect(streamErr).toBeInstanceOf(IntegrityError);
        expect(streamErr).toMatchObject({ code: 'digest_mismatch', key });

        const v = await store.verify(key);
        expect(v.ok).toBe(false);
        expect(v.problem).toBeTruthy();
      }
      // Without verification the read is a plain read: that is what verifyOnRead / {verify} are for.
      expect((await store.get(orig.key)).toString()).toBe('tampered voucher bytes');
      const v = await store.verify(orig.key);
      expect(v).toMatchObject({ ok: false, sha256: createHash('sha256').update('tampered voucher bytes').digest('hex') });
    });

    test('verifyOnRead makes every read a verified read', async () => {
      const checking = await h.open({ verifyOnRead: true });
      try {
        const r = await checking.put(Buffer.from('checked on every read'), { mediaType: 'text/plain' });
        expect((await checking.get(r.key)).toString()).toBe('checked on every read');
        await h.tamper(checking, r.key, Buffer.from('changed on disk'));
        expect(await rejection(checking.get(r.key))).toMatchObject({ code: 'digest_mismatch' });
        expect(await rejection(collect(await checking.getStream(r.key)))).toMatchObject({ code: 'digest_mismatch' });
        // An explicit verify:false still reads (a forensic copy of a damaged original must remain possible).
        expect((await checking.get(r.key, { verify: false })).toString()).toBe('changed on disk');
      } finally {
        await checking.close();
      }
    });

    test('20 concurrent puts of the same content: one object, one creator, the same key for all, bytes intact', async () => {
      const content = Buffer.from('一张电子发票的原始字节 '.repeat(2000));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 2 ? store.put(content, { mediaType: 'application/ofd' }) : store.put(Readable.from([content.subarray(0, 7), content.subarray(7)]), { mediaType: 'application/ofd' }),
        ),
      );
      const keys = new Set(results.map((r) => r.key));
      expect(keys.size).toBe(1);
      const [key] = [...keys];
      expect(key).toBe(`sha256/${results[0].sha256.slice(0, 2)}/${results[0].sha256.slice(2, 4)}/${results[0].sha256}`);
      const creators = results.filter((r) => r.created).length;
      if (h.racyCreate) expect(creators).toBeGreaterThanOrEqual(1);
      else expect(creators).toBe(1);
      expect(await keysOf(store.list(''))).toEqual([key]);
      expect((await store.get(key, { verify: true })).equals(content)).toBe(true);
      expect((await store.verify(key)).ok).toBe(true);
    });

    test('concurrent writers of different content to one named key: exactly one wins, the rest conflict', async () => {
      const key = 'packages/V-RACE/package.zip';
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => store.putNamed(key, Buffer.from(`candidate ${i} `.repeat(500)), { mediaType: 'application/zip' })),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<{ sha256: string; created: boolean }>).value);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'write_once' });
      const stored = createHash('sha256').update(await store.get(key, { verify: true })).digest('hex');
      if (h.racyCreate) {
        expect(won.length).toBeGreaterThanOrEqual(1);
        expect(won.map((w) => w.sha256)).toContain(stored);
      } else {
        expect(won.length).toBe(1);
        expect(won[0]).toMatchObject({ created: true, sha256: stored });
      }
    });

    test('a 20 MiB object streams in and out without being held in memory', async () => {
      const n = 20;
      const want = expectedLarge(n);
      const gc = gcFunction();
      gc();
      await new Promise((r) => setTimeout(r, 25));
      gc();
      const base = process.memoryUsage().arrayBuffers;
      let peak = 0;
      // V8 frees the memory of collected buffers on a background thread: collect, let it sweep, collect again.
      const sample = async () => {
        gc();
        await new Promise((r) => setTimeout(r, 25));
        gc();
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      };
      async function* source() {
        for (let i = 0; i < n; i++) {
          // A full GC costs ~0.1-0.3 s in a Jest worker: sample a few times, late enough for retention to show.
          if (i % 5 === 4) await sample();
          yield chunk(i);
        }
      }
      const r = await store.put(Readable.from(source()), { mediaType: 'application/pdf', filename: 'scan.pdf' });
      expect(r).toMatchObject({ sha256: want.sha256, sm3: want.sm3, size: n * MiB, created: true });
      const afterPut = peak;

      peak = 0;
      gc();
      const sha = createHash('sha256');
      let size = 0;
      for await (const c of await store.getStream(r.key, { verify: true })) {
        sha.update(c as Buffer);
        const before = size;
        size += (c as Buffer).length;
        // Chunk sizes differ by adapter (1 MiB files, ~16 KiB HTTP); sample every 5 MiB read.
        if (Math.floor(size / (5 * MiB)) > Math.floor(before / (5 * MiB))) await sample();
      }
      expect(size).toBe(n * MiB);
      expect(sha.digest('hex')).toBe(want.sha256);
      // Holding the object would retain >= 20 MiB; streaming keeps a few chunks in flight.
      expect(afterPut).toBeLessThan(8 * MiB);
      expect(peak).toBeLessThan(8 * MiB);
      expect(await store.verify(r.key)).toMatchObject({ ok: true, sha256: want.sha256, sm3: want.sm3, size: n * MiB });
    });

    test('list() walks a prefix and never shows the store’s own bookkeeping', async () => {
      const media = { mediaType: 'application/zip' };
      await store.putNamed('packages/A/1.zip', Buffer.from('1'), media);
      await store.putNamed('packages/A/2.zip', Buffer.from('2'), media);
      await store.putNamed('packages/A/sub/3.zip', Buffer.from('3'), media);
      await store.putNamed('packages/AB/4.zip', Buffer.from('4'), media);
      const orig = await store.put(Buffer.from('abc'), { mediaType: 'text/plain' });
      expect(await keysOf(store.list('packages/A/'))).toEqual(['packages/A/1.zip', 'packages/A/2.zip', 'packages/A/sub/3.zip']);
      expect(await keysOf(store.list('packages/A'))).toEqual(['packages/A/1.zip', 'packages/A/2.zip', 'packages/A/sub/3.zip', 'packages/AB/4.zip']);
      expect(await keysOf(store.list('nothing/here/'))).toEqual([]);
      expect(await keysOf(store.list())).toEqual(['packages/A/1.zip', 'packages/A/2.zip', 'packages/A/sub/3.zip', 'packages/AB/4.zip', orig.key]);
    });

    test('missing objects are not_found', async () => {
      const key = `sha256/00/00/${'0'.repeat(64)}`;
      expect(await store.exists(key)).toBe(false);
      // Thunks, so each call starts only when awaited (an unawaited rejection would fail the test run).
      for (const call of [() => store.get(key), () => store.getStream(key), () => store.stat(key), () => store.verify(key)]) {
        const err = await rejection(call());
        expect(err).toBeInstanceOf(NotFoundError);
        expect((err as Error).message).toContain(key);
      }
    });

    test('bad keys, prefixes and media types are rejected before anything is stored', async () => {
      const bad = ['', '../etc/passwd', 'a/../../b', '/etc/passwd', 'C:/x', 'a//b', 'a/./b', '.hidden/x', 'a\\b', 'a/b/', 'x\u0000y', 'a/\u202ereversed', 'k'.repeat(513)];
      for (const key of bad) {
        for (const call of [() => store.get(key), () => store.stat(key), () => store.exists(key), () => store.putNamed(key, Buffer.from('x'), { mediaType: 'text/plain' })]) {
          const err = await rejection(call());
          expect(err).toBeInstanceOf(ValidationError);
          expect(err).toMatchObject({ code: 'invalid_key' });
        }
      }
      const listErr = await rejection(keysOf(store.list('../')));
      expect(listErr).toMatchObject({ code: 'invalid_key' });
      expect(await rejection(store.put(Buffer.from('x'), { mediaType: 'not a type' }))).toMatchObject({ code: 'invalid_input' });
      expect(await keysOf(store.list())).toEqual([]);
    });
  });
}

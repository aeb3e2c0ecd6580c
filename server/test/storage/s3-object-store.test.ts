/**
 * The S3 adapter against a real S3 server: S3Proxy 4.1 (filesystem backend) started from Maven Central.
 *
 * What S3Proxy 4.1 supports, as measured here: conditional PUT (`If-None-Match: *` → 412) yes; object lock no
 * (bucket creation with lock, GetObjectLockConfiguration, Put/GetObjectRetention and a PUT with lock headers all
 * answer 501 NotImplemented). So this file tests the adapter's detection and its "no object lock" degradation;
 * retention is tested against S3Mock in s3-object-lock.test.ts.
 */
import { createObjectStore } from '../../src/platform/storage/create-object-store';
import { S3ObjectStore } from '../../src/platform/storage/s3-object-store';
import { startS3Proxy } from '../support/servers';
import { useS3Server } from './s3-fixture';

const s3 = useS3Server(startS3Proxy, 'evarchive-test');
const { newBucket, options } = s3;

s3.contract('S3 (S3Proxy)');

describe('S3ObjectStore against S3Proxy', () => {
  test('creates a missing bucket, detects that object lock is unsupported and says so', async () => {
    const bucket = newBucket();
    expect(await s3.raw.bucketExists(bucket)).toBe(false);
    const store = await S3ObjectStore.open(options(bucket));
    expect(await s3.raw.bucketExists(bucket)).toBe(true);
    const caps = store.capabilities();
    expect(caps).toMatchObject({ driver: 's3', objectLock: false, retentionDays: 0, conditionalPut: true });
    expect(caps.notes.join('\n')).toMatch(/refused to create bucket .* with object lock \(NotImplemented\)/);
    expect(caps.notes.join('\n')).toMatch(/does not implement S3 object lock/);
  });

  test('without object lock no retention headers are sent; the digests travel as object metadata', async () => {
    const bucket = newBucket();
    const store = await S3ObjectStore.open(options(bucket));
    const r = await store.put(Buffer.from('abc'), { mediaType: 'application/pdf', filename: '报销单 第1号.pdf' });
    const st = await s3.raw.statObject(bucket, r.key);
    expect(st.metaData).toMatchObject({ 'content-type': 'application/pdf', sha256: r.sha256, sm3: r.sm3, filename: encodeURIComponent('报销单 第1号.pdf') });
    expect(Object.keys(st.metaData).filter((k) => k.includes('object-lock'))).toEqual([]);
    expect((await store.stat(r.key)).retainUntil).toBeUndefined();
    expect((await store.stat(r.key)).filename).toBe('报销单 第1号.pdf');
  });

  test('an object replaced by another S3 client without digests is reported, not trusted', async () => {
    const bucket = newBucket();
    const store = await S3ObjectStore.open(options(bucket));
    await s3.raw.putObject(bucket, 'reports/foreign.json', Buffer.from('{}'), 2);
    expect(await store.verify('reports/foreign.json')).toMatchObject({ ok: false, problem: expect.stringContaining('no recorded digest') });
    await expect(store.get('reports/foreign.json', { verify: true })).rejects.toMatchObject({ code: 'digest_mismatch' });
  });

  test('a second store on the same bucket sees the first one’s objects (the bucket is the state)', async () => {
    const bucket = newBucket();
    const a = await S3ObjectStore.open(options(bucket));
    const r = await a.put(Buffer.from('shared'), { mediaType: 'text/plain' });
    const b = await S3ObjectStore.open(options(bucket));
    expect(await b.put(Buffer.from('shared'), { mediaType: 'text/plain' })).toMatchObject({ key: r.key, created: false });
    expect((await b.get(r.key, { verify: true })).toString()).toBe('shared');
  });

  test('createObjectStore picks the S3 adapter from the configuration', async () => {
    const bucket = newBucket();
    const store = await createObjectStore({
      storage: { driver: 's3', ...options(bucket), verifyOnRead: true },
    });
    expect(store).toBeInstanceOf(S3ObjectStore);
    const r = await store.put(Buffer.from('via config'), { mediaType: 'text/plain' });
    expect((await store.get(r.key)).toString()).toBe('via config');
  });

  test('an unreachable server is a clear storage_failed error', async () => {
    await expect(S3ObjectStore.open(options(newBucket(), { port: 9199 === s3.server.port ? 9198 : 9199 }))).rejects.toMatchObject({
      code: 'storage_failed',
      message: expect.stringContaining('cannot open bucket http://127.0.0.1:'),
    });
  });
});

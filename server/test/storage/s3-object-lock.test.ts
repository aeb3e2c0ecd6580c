/**
 * The S3 adapter's object-lock path against Adobe S3Mock 5.2 (from Maven Central), the one S3 server available
 * here that accepts object-lock buckets. Measured: it ignores the x-amz-object-lock-* headers of a PUT. It
 * accepts PutObjectRetention and reports that retention through GetObjectRetention, but not on HEAD. It does not
 * enforce retention: a delete still succeeds. Its If-None-Match is not atomic under concurrency. So these tests
 * prove what the adapter asks for (COMPLIANCE until now + retentionDays, on every write, with the PutObjectRetention
 * fallback), not that a server refuses deletion. The whole contract suite runs here as well, because with a lock the
 * write path differs (HEAD and retention after the PUT).
 */
import { fixedClock } from '../../src/platform/clock/clock';
import { S3ObjectStore } from '../../src/platform/storage/s3-object-store';
import { startS3Mock } from '../support/servers';
import { useS3Server } from './s3-fixture';

const s3 = useS3Server(startS3Mock, 'evarchive-lock', { clock: fixedClock('2026-12-03T08:00:00Z') });
const { newBucket, options } = s3;

s3.contract('S3 with object lock (S3Mock)', { racyCreate: true });

describe('S3ObjectStore object lock (S3Mock)', () => {
  test('a new bucket is created with object lock and the store reports it', async () => {
    const bucket = newBucket();
    const store = await S3ObjectStore.open(options(bucket));
    expect(await s3.raw.getObjectLockConfig(bucket)).toMatchObject({ objectLockEnabled: 'Enabled' });
    expect(store.capabilities()).toMatchObject({ driver: 's3', objectLock: true, retentionDays: 3650, conditionalPut: true, notes: [] });
  });

  test('every original and named object is written with COMPLIANCE retention until now + retentionDays', async () => {
    const bucket = newBucket();
    const store = await S3ObjectStore.open(options(bucket));
    const original = await store.put(Buffer.from('sealed e-invoice'), { mediaType: 'application/ofd' });
    const pkg = await store.putNamed('packages/A001-2026-KJ-0001/package.zip', Buffer.from('zip'), { mediaType: 'application/zip' });
    // 2026-12-03 + 3650 days: three leap days (2028, 2032, 2036) fall in between.
    const until = '2036-11-30T08:00:00.000Z';
    for (const key of [original.key, pkg.key]) {
      expect(await s3.raw.getObjectRetention(bucket, key)).toMatchObject({ mode: 'COMPLIANCE', retainUntilDate: until });
      expect((await store.stat(key)).retainUntil?.toISOString()).toBe(until);
    }
  });

  test('putting an original again later keeps its first retention term', async () => {
    const bucket = newBucket();
    const clock = fixedClock('2026-12-03T08:00:00Z');
    const store = await S3ObjectStore.open(options(bucket, { clock }));
    const r = await store.put(Buffer.from('kept for ten years'), { mediaType: 'text/plain' });
    clock.set('2030-01-01T00:00:00Z');
    expect(await store.put(Buffer.from('kept for ten years'), { mediaType: 'text/plain' })).toMatchObject({ created: false });
    expect(await s3.raw.getObjectRetention(bucket, r.key)).toMatchObject({ mode: 'COMPLIANCE', retainUntilDate: '2036-11-30T08:00:00.000Z' });
  });

  test('an original stored without retention (a failed retention step) gets it when put again', async () => {
    const bucket = newBucket();
    const store = await S3ObjectStore.open(options(bucket));
    const content = Buffer.from('written while retention failed');
    // The state a failed retention step leaves: the object with the adapter's metadata, and no retention.
    const plain = await S3ObjectStore.open(options(bucket, { retentionDays: 0 }));
    const r = await plain.put(content, { mediaType: 'text/plain' });
    expect((await store.stat(r.key)).retainUntil).toBeUndefined();
    expect(await store.put(content, { mediaType: 'text/plain' })).toMatchObject({ created: false });
    expect((await store.stat(r.key)).retainUntil?.toISOString()).toBe('2036-11-30T08:00:00.000Z');
  });

  test('retentionDays 0 sends no retention and says so', async () => {
    const bucket = newBucket();
    const store = await S3ObjectStore.open(options(bucket, { retentionDays: 0 }));
    expect(store.capabilities()).toMatchObject({ objectLock: true, retentionDays: 0 });
    expect(store.capabilities().notes.join('\n')).toContain('retentionDays is 0');
    const r = await store.put(Buffer.from('no retention'), { mediaType: 'text/plain' });
    const st = await s3.raw.statObject(bucket, r.key);
    expect(Object.keys(st.metaData).filter((k) => k.includes('object-lock'))).toEqual([]);
    expect((await store.stat(r.key)).retainUntil).toBeUndefined();
  });

  test('an existing bucket without object lock is used as it is, without retention, and the store says why', async () => {
    const bucket = newBucket();
    await s3.raw.makeBucket(bucket, 'us-east-1');
    const store = await S3ObjectStore.open(options(bucket));
    expect(store.capabilities()).toMatchObject({ objectLock: false, retentionDays: 0 });
    expect(store.capabilities().notes.join('\n')).toMatch(/bucket evarchive-lock-\w+ has no object lock/);
    const r = await store.put(Buffer.from('unlocked'), { mediaType: 'text/plain' });
    expect(Object.keys((await s3.raw.statObject(bucket, r.key)).metaData).filter((k) => k.includes('object-lock'))).toEqual([]);
  });
});

/**
 * The S3 adapter against a real S3 server: S3Proxy 4.1 (filesystem backend) started from Maven Central.
 *
 * What S3Proxy 4.1 supports, as measured here: conditional PUT (`If-None-Match: *` → 412) yes; object lock no
 * (bucket creation with lock, GetObjectLockConfiguration, Put/GetObjectRetention and a PUT with lock headers all
 * answer 501 NotImplemented). So this file tests the adapter's detection and its "no object lock" degradation;
 * retention is tested against S3Mock in s3-object-lock.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'minio';
import { createObjectStore } from '../../src/platform/storage/create-object-store';
import type { ObjectStore } from '../../src/platform/storage/object-store';
import { S3ObjectStore, type S3ObjectStoreOptions } from '../../src/platform/storage/s3-object-store';
import { SERVER_START_TIMEOUT_MS, startS3Proxy, type S3ProxyHandle } from '../support/servers';
import { objectStoreContract } from './object-store.contract';

let s3: S3ProxyHandle;
let raw: Client;

beforeAll(async () => {
  s3 = await startS3Proxy();
  raw = new Client({ endPoint: s3.endPoint, port: s3.port, useSSL: false, accessKey: s3.accessKey, secretKey: s3.secretKey, pathStyle: true, region: 'us-east-1' });
}, SERVER_START_TIMEOUT_MS);

afterAll(async () => {
  await s3?.stop();
}, 60_000);

function options(bucket: string, extra: Partial<S3ObjectStoreOptions> = {}): S3ObjectStoreOptions {
  return {
    endPoint: s3.endPoint,
    port: s3.port,
    useSSL: false,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    bucket,
    region: 'us-east-1',
    pathStyle: true,
    retentionDays: 3650,
    verifyOnRead: false,
    ...extra,
  };
}

const newBucket = () => `evarchive-test-${randomBytes(5).toString('hex')}`;
const bucketOf = new WeakMap<ObjectStore, string>();

objectStoreContract('S3 (S3Proxy)', () => ({
  async open({ verifyOnRead } = {}) {
    const bucket = newBucket();
    const store = await S3ObjectStore.open(options(bucket, { verifyOnRead: verifyOnRead ?? false }));
    bucketOf.set(store, bucket);
    return store;
  },
  async tamper(store, key, bytes) {
    // A plain overwrite with another client: S3Proxy has no object lock to stop it, and the new object carries
    // none of the adapter's metadata.
    await raw.putObject(bucketOf.get(store)!, key, bytes, bytes.length);
  },
}));

describe('S3ObjectStore against S3Proxy', () => {
  test('creates a missing bucket, detects that object lock is unsupported and says so', async () => {
    const bucket = newBucket();
    expect(await raw.bucketExists(bucket)).toBe(false);
    const store = await S3ObjectStore.open(options(bucket));
    expect(await raw.bucketExists(bucket)).toBe(true);
    const caps = store.capabilities();
    expect(caps).toMatchObject({ driver: 's3', objectLock: false, retentionDays: 0, conditionalPut: true });
    expect(caps.notes.join('\n')).toMatch(/refused to create bucket .* with object lock \(NotImplemented\)/);
    expect(caps.notes.join('\n')).toMatch(/does not implement S3 object lock/);
  });

  test('without object lock no retention headers are sent; the digests travel as object metadata', async () => {
    const bucket = newBucket();
    const store = await S3ObjectStore.open(options(bucket));
    const r = await store.put(Buffer.from('abc'), { mediaType: 'application/pdf', filename: '报销单 第1号.pdf' });
    const st = await raw.statObject(bucket, r.key);
    expect(st.metaData).toMatchObject({ 'content-type': 'application/pdf', sha256: r.sha256, sm3: r.sm3, filename: encodeURIComponent('报销单 第1号.pdf') });
    expect(Object.keys(st.metaData).filter((k) => k.includes('object-lock'))).toEqual([]);
    expect((await store.stat(r.key)).retainUntil).toBeUndefined();
    expect((await store.stat(r.key)).filename).toBe('报销单 第1号.pdf');
  });

  test('an object replaced by another S3 client without digests is reported, not trusted', async () => {
    const bucket = newBucket();
    const store = await S3ObjectStore.open(options(bucket));
    await raw.putObject(bucket, 'reports/foreign.json', Buffer.from('{}'), 2);
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
    await expect(S3ObjectStore.open(options(newBucket(), { port: 9199 === s3.port ? 9198 : 9199 }))).rejects.toMatchObject({
      code: 'storage_failed',
      message: expect.stringContaining('cannot open bucket http://127.0.0.1:'),
    });
  });
});

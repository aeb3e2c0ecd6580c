/**
 * One real S3 server per test file (S3Proxy or S3Mock from Maven Central), a raw minio client to look behind the
 * adapter's back, adapter options pointing at it, and the object-store contract suite wired to fresh buckets.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'minio';
import type { ObjectStore } from '../../src/platform/storage/object-store';
import { S3ObjectStore, type S3ObjectStoreOptions } from '../../src/platform/storage/s3-object-store';
import { SERVER_START_TIMEOUT_MS, type S3MockHandle, type S3ProxyHandle } from '../support/servers';
import { objectStoreContract } from './object-store.contract';

export interface S3Fixture {
  /** The running server (valid inside tests, after beforeAll). */
  readonly server: S3ProxyHandle | S3MockHandle;
  /** A minio client on the same server, outside the adapter. */
  readonly raw: Client;
  newBucket(): string;
  options(bucket: string, extra?: Partial<S3ObjectStoreOptions>): S3ObjectStoreOptions;
  /** Runs the shared ObjectStore contract on fresh buckets; `tamper` overwrites an object with the raw client. */
  contract(name: string, extra?: { racyCreate?: boolean }): void;
}

export function useS3Server(
  start: () => Promise<S3ProxyHandle | S3MockHandle>,
  bucketPrefix: string,
  defaults: Partial<S3ObjectStoreOptions> = {},
): S3Fixture {
  let server: S3ProxyHandle | S3MockHandle | undefined;
  let raw: Client | undefined;
  const running = () => server ?? fail('the S3 server is not started (use the fixture inside tests)');

  beforeAll(async () => {
    server = await start();
    raw = new Client({ endPoint: server.endPoint, port: server.port, useSSL: false, accessKey: server.accessKey, secretKey: server.secretKey, pathStyle: true, region: 'us-east-1' });
  }, SERVER_START_TIMEOUT_MS);

  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  const fixture: S3Fixture = {
    get server() {
      return running();
    },
    get raw() {
      running();
      return raw!;
    },
    newBucket: () => `${bucketPrefix}-${randomBytes(5).toString('hex')}`,
    options(bucket, extra = {}) {
      const s = running();
      return {
        endPoint: s.endPoint,
        port: s.port,
        useSSL: false,
        accessKey: s.accessKey,
        secretKey: s.secretKey,
        bucket,
        region: 'us-east-1',
        pathStyle: true,
        retentionDays: 3650,
        verifyOnRead: false,
        ...defaults,
        ...extra,
      };
    },
    contract(name, extra = {}) {
      const bucketOf = new WeakMap<ObjectStore, string>();
      objectStoreContract(name, () => ({
        async open({ verifyOnRead } = {}) {
          const bucket = fixture.newBucket();
          const store = await S3ObjectStore.open(fixture.options(bucket, { verifyOnRead: verifyOnRead ?? false }));
          bucketOf.set(store, bucket);
          return store;
        },
        async tamper(store, key, bytes) {
          // A plain overwrite with another client: no object lock stops it here (S3Proxy has none; S3Mock does
          // not enforce retention and keeps no versions), and the new object carries none of the adapter's metadata.
          await fixture.raw.putObject(bucketOf.get(store)!, key, bytes, bytes.length);
        },
        ...extra,
      }));
    },
  };
  return fixture;
}

function fail(message: string): never {
  throw new Error(message);
}

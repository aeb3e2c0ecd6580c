import type { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { LocalObjectStore } from './local-object-store';
import type { ObjectStore } from './object-store';
import { S3ObjectStore } from './s3-object-store';

/**
 * The adapter the configuration asks for, opened and ready (bucket created, capabilities probed). Provided under
 * the STORAGE token; log `capabilities().notes` at start so an admin sees when originals lack object lock.
 */
export async function createObjectStore(config: Pick<AppConfig, 'storage'>, deps: { clock?: Clock } = {}): Promise<ObjectStore> {
  const s = config.storage;
  if (s.driver === 'local') {
    const store = await LocalObjectStore.open({ root: s.root, verifyOnRead: s.verifyOnRead });
    // Temp files of writes that a crash or a stopped reader thread cut off (over an hour old: no write in flight
    // is that slow) are removed in the background; a failure to do so only leaves them for the next start.
    void store.cleanupTemp().catch(() => undefined);
    return store;
  }
  return S3ObjectStore.open({
    endPoint: s.endPoint,
    port: s.port,
    useSSL: s.useSSL,
    accessKey: s.accessKey,
    secretKey: s.secretKey,
    bucket: s.bucket,
    region: s.region,
    pathStyle: s.pathStyle,
    retentionDays: s.retentionDays,
    verifyOnRead: s.verifyOnRead,
    clock: deps.clock,
  });
}

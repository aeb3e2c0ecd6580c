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
  if (s.driver === 'local') return LocalObjectStore.open({ root: s.root, verifyOnRead: s.verifyOnRead });
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

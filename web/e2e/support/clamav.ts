import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A ClamAV signature folder under `dir` (this machine's clamscan has no signature database, and the archiving
 * checks' virus-scan veto must scan, not fail to): one signature that matches no voucher.
 */
export function clamDb(dir: string): string {
  const db = join(dir, 'clamdb');
  mkdirSync(db, { recursive: true });
  const probe = 'evarchive browser test signature, in no voucher';
  writeFileSync(join(db, 'probe.hdb'), `${createHash('md5').update(probe).digest('hex')}:${probe.length}:Evarchive.Test.Probe\n`);
  return db;
}

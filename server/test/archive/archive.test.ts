import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openZip } from '../../src/formats/zip';
import { ArchiveRefusedError, ArchiveService } from '../../src/modules/archive/archive.service';
import { verifyPackage } from '../../src/modules/archive/package-verify';
import { VolumesService } from '../../src/modules/volumes/volumes.service';
import { verifyAuditChain } from '../../src/platform/audit/audit.service';
import { systemClock } from '../../src/platform/clock/clock';
import { createEnv, createVolume, eicarDatabase, flipStoredByte, type Env } from '../checks/fixture';

const run = promisify(execFile);
const BIN = join(__dirname, '..', '..', 'bin', 'evarchive.js');

let env: Env;
let archive: ArchiveService;
beforeAll(async () => {
  env = await createEnv('archive');
  process.env.EVARCHIVE_CLAMAV_DB = eicarDatabase(env.dataDir);
  // markArchived needs only the database, the clock and the audit log of the volumes service.
  const volumes = new VolumesService(env.db, systemClock, env.audit, null as any, null as any, null as any);
  archive = new ArchiveService(env.db, env.store, env.audit, env.checks, { dataDir: env.dataDir }, volumes);
});
afterAll(async () => {
  delete process.env.EVARCHIVE_CLAMAV_DB;
  await env.close();
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { ...process.env, EVARCHIVE_LOG_LEVEL: 'error' }, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e: any) {
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('archiving a volume', () => {
  let pkgZip: Buffer;
  let volumeId: string;
  let packageKey: string;
  let originalKey: string;

  test('archives a clean volume: signed package write-once, volume archived, items snapshotted read-only, audit chain intact', async () => {
    const v = await createVolume(env, { items: 3, volumeNo: 1, receiverFiles: true });
    volumeId = v.volumeId;
    originalKey = v.originals[1][0].objectKey;
    const r = await archive.archive(v.archivalCode, 'system');
    packageKey = r.packageKey;
    expect(r.items).toBe(3);
    // 3 originals + 3 receiver files + report PDF, signature and XML
    expect(r.files).toBe(9);
    const vol = await env.db.selectFrom('volume').select(['state', 'archived_at']).where('id', '=', v.volumeId).executeTakeFirstOrThrow();
    expect(vol.state).toBe('archived');
    pkgZip = await env.store.get(r.packageKey);
    const verdict = await verifyPackage(pkgZip);
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(verdict.signature?.algorithm).toMatch(/rsa-sha256$/);
    const zip = openZip(pkgZip);
    const names = zip.entries.map((e) => e.name);
    expect(names[0]).toBe('manifest.xml');
    expect(names).toContain('report/check-report.pdf');
    expect(names.filter((n) => n.startsWith('receiver/'))).toHaveLength(3);
    // originals byte for byte
    const orig = await env.store.get(v.originals[0][0].objectKey);
    const entry = zip.entries.find((e) => e.name.startsWith('originals/0001/'))!;
    expect(Buffer.compare(Buffer.from(zip.read(entry)), orig)).toBe(0);
    const manifest = Buffer.from(zip.read('manifest.xml')).toString('utf8');
    expect(manifest).toContain('DA/T 48-2009');
    expect(manifest).toContain(v.archivalCode);
    // write-once: the same key cannot take other bytes
    await expect(env.store.putNamed(r.packageKey, Buffer.from('other'), { mediaType: 'application/zip' })).rejects.toMatchObject({ code: 'write_once' });

    const items = await env.db.selectFrom('archived_item').selectAll().where('volume_id', '=', v.volumeId).execute();
    expect(items).toHaveLength(3);
    expect(items[0].retention).toBe('D30');
    expect(items[0].importance).toBe('normal');
    await expect(env.db.updateTable('archived_item').set({ title: 'changed' }).where('volume_id', '=', v.volumeId).execute()).rejects.toThrow(/read-only/);
    await expect(env.db.deleteFrom('archive_package').where('volume_id', '=', v.volumeId).execute()).rejects.toThrow(/read-only/);
    await expect(archive.amendItem(v.volumeId, v.itemIds[0], { title: '更正题名' }, '', 'system')).rejects.toMatchObject({ code: 'reason_required' });
    const amended = await archive.amendItem(v.volumeId, v.itemIds[0], { title: '更正题名' }, '题名录入错误，按原始凭证更正', 'system');
    expect(amended.version).toBe(2);
    const actions = (await env.db.selectFrom('audit_log').select('action').execute()).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['checks.run', 'volume.archive', 'archive.volume', 'archive.item.version']));
    expect((await verifyAuditChain(env.db)).ok).toBe(true);
    await expect(archive.archive(v.volumeId, 'system')).rejects.toMatchObject({ code: 'already_archived' });
  });

  test('refuses a volume with veto failures and lists them', async () => {
    const v = await createVolume(env, { items: 2, volumeNo: 2, attachmentCount: (i) => (i === 0 ? 3 : 1) });
    const err = await archive.archive(v.volumeId, 'system').catch((e) => e);
    expect(err).toBeInstanceOf(ArchiveRefusedError);
    expect(err.code).toBe('archive_refused');
    expect(err.details.vetoFailures.map((x: any) => x.code)).toContain('GD-WZ-3-1');
    expect(err.message).toContain('GD-WZ-3-1');
    const vol = await env.db.selectFrom('volume').select('state').where('id', '=', v.volumeId).executeTakeFirstOrThrow();
    expect(vol.state).toBe('approved');
    expect(await env.db.selectFrom('archive_package').select('id').where('volume_id', '=', v.volumeId).execute()).toHaveLength(0);
  });

  test('package verify (CLI child process) finds a byte flipped inside the package, naming the file', async () => {
    const dir = join(env.dataDir, 'out');
    mkdirSync(dir, { recursive: true });
    expect((await verifyPackage(pkgZip)).ok).toBe(true);
    // flip a byte in the middle of the first original's data
    const zip = openZip(pkgZip);
    const e = zip.entries.find((x) => x.name.startsWith('originals/0002/'))!;
    const bad = Buffer.from(pkgZip);
    bad[e.localHeaderOffset + 30 + Buffer.byteLength(e.rawName) + 100] ^= 0x20;
    writeFileSync(join(dir, 'bad.zip'), bad);
    const r = await cli(['package', 'verify', join(dir, 'bad.zip'), '--json']);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'changed', path: e.name })]));
  });

  test('the long-term sweep re-checks stale archived volumes and finds a flipped byte in a stored original and in the package', async () => {
    const first = await env.checks.sweep({ maxAgeDays: 30 });
    expect(first.volumes).toBe(1);
    expect(first.failed).toEqual([]);
    // fresh now: nothing is stale
    expect((await env.checks.sweep({ maxAgeDays: 30 })).volumes).toBe(0);
    await flipStoredByte(env.storeRoot, originalKey);
    await flipStoredByte(env.storeRoot, packageKey, 2000);
    const again = await env.checks.sweep({ maxAgeDays: 0 });
    expect(again.failed).toEqual([volumeId]);
    const results = await env.checks.results(again.runs[0], { outcome: 'fail' });
    const codes = new Set(results.map((r) => r.code));
    expect(codes).toContain('BC-ZS-1-1');
    expect(codes).toContain('BC-ZS-5-1');
  });
});

// Last: it archives a volume of its own, which the sweep above would count.
test('the pool vouchers are locked and their originals checked inside the transaction, before the package is written: a refusal leaves no package and archiving again succeeds', async () => {
  const v = await createVolume(env, { items: 2, volumeNo: 7 });
  const volumes = new VolumesService(env.db, systemClock, env.audit, null as any, null as any, null as any);
  const order: string[] = [];
  let refuse = true;
  const pool = {
    lockOriginals: async (ids: string[], packaged: ReadonlySet<string>) => {
      order.push(`lock ${ids.length}`);
      // The fixture's originals are exactly what the package was built from.
      expect([...packaged]).toEqual(expect.arrayContaining(v.originals.flat().map((o) => o.fileId)));
      if (refuse) throw Object.assign(new Error('the original of 1 voucher(s) changed while the volume was being archived'), { code: 'originals_changed' });
    },
    markArchived: async () => {
      order.push('mark');
    },
  };
  const withPool = new ArchiveService(env.db, env.store, env.audit, env.checks, { dataDir: env.dataDir }, volumes, pool as any);
  const putNamed = env.store.putNamed.bind(env.store);
  env.store.putNamed = async (...args: Parameters<typeof putNamed>) => {
    if (args[0].startsWith('packages/')) order.push('put'); // (the check run stores its reports by name too)
    return putNamed(...args);
  };
  try {
    await expect(withPool.archive(v.volumeId, 'system')).rejects.toMatchObject({ code: 'originals_changed' });
    expect(order).toEqual(['lock 2']);
    expect(await env.db.selectFrom('archive_package').select('id').where('volume_id', '=', v.volumeId).execute()).toHaveLength(0);
    refuse = false;
    const r = await withPool.archive(v.volumeId, 'system');
    expect(order).toEqual(['lock 2', 'lock 2', 'put', 'mark']);
    expect(r.packageKey).toBe(`packages/${v.volumeId}/v1/package.zip`);
  } finally {
    env.store.putNamed = putNamed;
  }
});

test('a deadlock with an ingest before the package is written (PostgreSQL 40P01) is retried: the volume is archived once', async () => {
  const v = await createVolume(env, { items: 1, volumeNo: 8 });
  const volumes = new VolumesService(env.db, systemClock, env.audit, null as any, null as any, null as any);
  let locks = 0;
  const pool = {
    lockOriginals: async () => {
      if (++locks === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01', severity: 'ERROR' });
    },
    markArchived: async () => undefined,
  };
  const r = await new ArchiveService(env.db, env.store, env.audit, env.checks, { dataDir: env.dataDir }, volumes, pool as any).archive(v.volumeId, 'system');
  expect(locks).toBe(2);
  expect(await env.db.selectFrom('archive_package').select('version').where('volume_id', '=', v.volumeId).execute()).toEqual([{ version: 1 }]);
  expect(r.packageKey).toBe(`packages/${v.volumeId}/v1/package.zip`);
});

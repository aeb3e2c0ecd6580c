/**
 * Archiving a volume moves its pool vouchers booked → archived in the archive's own transaction (POOL_ARCHIVER
 * bound to the pool's ClaimsService): a voucher still in a reimbursement refuses the archive before any package
 * is written, and a failure after the pool step leaves no voucher archived.
 */
import { sql } from 'kysely';
import { ArchiveService, type PoolArchiver } from '../../src/modules/archive/archive.service';
import { ClaimsService } from '../../src/modules/pool/claims/claims.service';
import { VolumesService } from '../../src/modules/volumes/volumes.service';
import { verifyAuditChain } from '../../src/platform/audit/audit.service';
import { systemClock } from '../../src/platform/clock/clock';
import { createEnv, createVolume, eicarDatabase, type Env } from '../checks/fixture';

let env: Env;
let archive: ArchiveService;

beforeAll(async () => {
  env = await createEnv('pool-archiver');
  process.env.EVARCHIVE_CLAMAV_DB = eicarDatabase(env.dataDir);
  const volumes = new VolumesService(env.db, systemClock, env.audit, null as any, null as any, null as any);
  const pool: PoolArchiver = new ClaimsService(env.db, env.store, env.audit, systemClock);
  archive = new ArchiveService(env.db, env.store, env.audit, env.checks, { dataDir: env.dataDir }, volumes, pool);
}, 120_000);
afterAll(async () => {
  delete process.env.EVARCHIVE_CLAMAV_DB;
  await env?.close();
});

const states = async (ids: string[]) => (await env.db.selectFrom('voucher').select(['id', 'state']).where('id', 'in', ids).orderBy('id').execute()).map((r) => r.state);
const voucherIdsOf = (v: Awaited<ReturnType<typeof createVolume>>) => v.originals.flat().map((o) => o.voucherId);

test('archiving a volume moves its booked pool vouchers to archived, with history and audit', async () => {
  const v = await createVolume(env, { items: 2, volumeNo: 1 });
  const ids = voucherIdsOf(v);
  expect(await states(ids)).toEqual(['booked', 'booked']);
  const r = await archive.archive(v.archivalCode, 'system');
  expect(r.poolVouchersArchived).toBe(2);
  expect(await states(ids)).toEqual(['archived', 'archived']);
  const events = await env.db.selectFrom('voucher_event').select(['voucher_id', 'action', 'from_state', 'to_state']).where('voucher_id', 'in', ids).execute();
  expect(events.map((e) => [e.action, e.from_state, e.to_state])).toEqual([
    ['archived', 'booked', 'archived'],
    ['archived', 'booked', 'archived'],
  ]);
  const audit = await env.db.selectFrom('audit_log').select('action').where('target_id', 'in', ids).execute();
  expect(audit.map((a) => a.action)).toEqual(['pool.voucher.archived', 'pool.voucher.archived']);
  expect((await verifyAuditChain(env.db)).ok).toBe(true);
}, 120_000);

test('a voucher still claimed by a reimbursement refuses the archive before the package is written; settled, it archives', async () => {
  const v = await createVolume(env, { items: 2, volumeNo: 2 });
  const ids = voucherIdsOf(v);
  await env.db.updateTable('voucher').set({ state: 'claimed' }).where('id', '=', ids[1]).execute();
  const err = await archive.archive(v.volumeId, 'system').catch((e) => e);
  expect(err.code).toBe('pool_vouchers_not_booked');
  expect(err.message).toContain('is claimed');
  expect(err.details.vouchers).toEqual([expect.objectContaining({ voucherId: ids[1], state: 'claimed', kind: 'inv_ord' })]);
  expect(await env.db.selectFrom('archive_package').select('id').where('volume_id', '=', v.volumeId).execute()).toEqual([]);
  expect(await env.store.exists(`packages/${v.volumeId}/v1/package.zip`)).toBe(false);
  expect((await env.db.selectFrom('volume').select('state').where('id', '=', v.volumeId).executeTakeFirstOrThrow()).state).toBe('approved');
  expect((await states(ids)).sort()).toEqual(['booked', 'claimed']);

  await env.db.updateTable('voucher').set({ state: 'booked' }).where('id', '=', ids[1]).execute();
  const r = await archive.archive(v.volumeId, 'system');
  expect(r.poolVouchersArchived).toBe(2);
  expect(await states(ids)).toEqual(['archived', 'archived']);
}, 120_000);

test('when the archive fails after the pool step, no voucher is left archived', async () => {
  const v = await createVolume(env, { items: 2, volumeNo: 3 });
  const ids = voucherIdsOf(v);
  // The archive's last write (its audit entry) fails: the whole archive transaction must roll back.
  await sql`create function test_refuse_archive() returns trigger language plpgsql as $$ begin
      if new.action = 'archive.volume' then raise exception 'test: audit log unavailable'; end if; return new; end $$`.execute(env.db);
  await sql`create trigger test_refuse_archive before insert on audit_log for each row execute function test_refuse_archive()`.execute(env.db);
  try {
    await expect(archive.archive(v.volumeId, 'system')).rejects.toThrow('test: audit log unavailable');
  } finally {
    await sql`drop trigger test_refuse_archive on audit_log`.execute(env.db);
    await sql`drop function test_refuse_archive()`.execute(env.db);
  }
  expect(await states(ids)).toEqual(['booked', 'booked']);
  expect(await env.db.selectFrom('voucher_event').select('id').where('voucher_id', 'in', ids).execute()).toEqual([]);
  expect((await env.db.selectFrom('volume').select('state').where('id', '=', v.volumeId).executeTakeFirstOrThrow()).state).toBe('approved');
}, 120_000);

import { sql } from 'kysely';
import { fixedClock } from '../../src/platform/clock/clock';
import { AuditService, verifyAuditChain } from '../../src/platform/audit/audit.service';
import { createTestDatabase, type TestDatabase } from '../support/db';

describe('audit chain (PostgreSQL)', () => {
  let t: TestDatabase;
  let audit: AuditService;
  beforeAll(async () => {
    t = await createTestDatabase();
    audit = new AuditService(t.db, fixedClock('2026-12-03T08:00:00.000Z', 1000));
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('chains entries with contiguous seq and verifies them', async () => {
    const a = await audit.record({ actor: 'system', action: 'test.first', details: { n: 1, 名称: '南通市财政局' } });
    const b = await audit.record({
      actor: { kind: 'user', id: '0b8a3d5e-0000-4000-8000-000000000001', username: 'alice' },
      action: 'test.second',
      targetType: 'unit',
      targetId: 'u-1',
      ip: '10.0.0.7',
      digests: { original: 'sm3:abcd' },
      details: { when: new Date('2026-01-01T00:00:00Z'), nested: { z: 1, a: [1, 2] } },
    });
    expect(a.seq).toBe('1');
    expect(b.seq).toBe('2');
    expect(b.prevHash).toBe(a.hash);
    expect(b.actorName).toBe('alice');
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, entries: 2, lastSeq: '2', lastHash: b.hash });
  });

  it('serialises concurrent appends: 40 parallel records give seq 3..42 and a valid chain', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => audit.record({ actor: 'system', action: 'test.parallel', details: { i } })));
    const seqs = (await t.db.selectFrom('audit_log').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));
    expect(seqs).toEqual(Array.from({ length: 42 }, (_, i) => i + 1));
    expect(await verifyAuditChain(t.db, 7)).toMatchObject({ ok: true, entries: 42, lastSeq: '42' });
  });

  it('commits and rolls back with the caller transaction', async () => {
    await expect(
      t.db.transaction().execute(async (trx) => {
        await audit.record({ actor: 'system', action: 'test.rolled_back' }, trx);
        throw new Error('business failure');
      }),
    ).rejects.toThrow('business failure');
    expect(await t.db.selectFrom('audit_log').select('seq').where('action', '=', 'test.rolled_back').execute()).toEqual([]);
    const kept = await t.db.transaction().execute((trx) => audit.record({ actor: 'system', action: 'test.committed' }, trx));
    expect(kept.seq).toBe('43');
  });

  it('refuses UPDATE, DELETE and TRUNCATE even for the owner', async () => {
    await expect(sql`update audit_log set action = 'x' where seq = 1`.execute(t.db)).rejects.toThrow(/append-only: UPDATE/);
    await expect(sql`delete from audit_log where seq = 1`.execute(t.db)).rejects.toThrow(/append-only: DELETE/);
    await expect(sql`truncate audit_log`.execute(t.db)).rejects.toThrow(/append-only: TRUNCATE/);
  });

  it('lists newest first with filters and keyset paging', async () => {
    const page1 = await audit.list({ action: 'test.parallel', unitIds: 'all', limit: 15 });
    expect(page1.items.map((e) => e.seq)).toEqual(Array.from({ length: 15 }, (_, i) => String(42 - i)));
    const page2 = await audit.list({ action: 'test.parallel', unitIds: 'all', limit: 30, beforeSeq: page1.nextBeforeSeq! });
    expect(page2.items).toHaveLength(25);
    expect(page2.nextBeforeSeq).toBeNull();
    expect((await audit.list({ action: 'test.*', actorType: 'user', unitIds: 'all', limit: 10 })).items.map((e) => e.action)).toEqual(['test.second']);
    expect((await audit.list({ unitIds: [], limit: 10 })).items).toEqual([]);
  });

  it('finds an entry altered behind the trigger, naming its seq', async () => {
    await sql`alter table audit_log disable trigger audit_log_no_change`.execute(t.db);
    await sql`update audit_log set details = '{"n": 2, "名称": "南通市财政局"}' where seq = 1`.execute(t.db);
    await sql`alter table audit_log enable trigger audit_log_no_change`.execute(t.db);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, seq: '1', reason: 'hash_mismatch', entries: 0 });
  });
});

describe('audit inside a stricter transaction', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('refuses to append under REPEATABLE READ (its snapshot could miss the newest entry) and stores nothing', async () => {
    const audit = new AuditService(t.db);
    await expect(
      t.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute((trx) => audit.record({ actor: 'system', action: 'test.rr' }, trx)),
    ).rejects.toThrow('audit entry not appended: record inside a READ COMMITTED transaction (this one is repeatable read)');
    expect(await t.db.selectFrom('audit_log').select('seq').execute()).toEqual([]);
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { AuditService, verifyAuditChain } from '../../src/platform/audit/audit.service';
import { entryHash } from '../../src/platform/audit/chain';
import { createTestDatabase, type TestDatabase } from '../support/db';

const root = join(__dirname, '..', '..', '..');

function evarchive(url: string, dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'server', 'bin', 'evarchive.js'), ...args],
      { cwd: root, env: { ...process.env, DATABASE_URL: url, EVARCHIVE_DATA_DIR: dataDir }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('evarchive audit verify (child process)', () => {
  let t: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'evarchive-cli-'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints ok for an intact chain (entries written by the CLI itself), then exit 1 naming the seq of an altered row', async () => {
    const unit = await evarchive(t.url, dataDir, 'unit', 'add', 'A01', '南通市财政局');
    expect(unit).toMatchObject({ code: 0, stdout: expect.stringMatching(/^created unit A01 南通市财政局 \(/) });
    const user = await evarchive(t.url, dataDir, 'user', 'add', 'clerk', '--role', 'reimbursement_clerk', '--unit', 'A01', '--generate');
    expect(user.code).toBe(0);
    const password = /password: (\S+)/.exec(user.stdout)![1];
    expect(password).toHaveLength(16);
    const audit = new AuditService(t.db);
    for (let i = 0; i < 3; i++) await audit.record({ actor: 'system', action: 'test.entry', details: { i } });

    const ok = await evarchive(t.url, dataDir, 'audit', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^audit chain ok: 5 entries, last seq 5, head [0-9a-f]{64}\n$/);

    // A superuser can switch the trigger off; the chain still shows what was changed.
    await sql`alter table audit_log disable trigger audit_log_no_change`.execute(t.db);
    await sql`update audit_log set details = '{"i": 99}' where seq = 4`.execute(t.db);
    await sql`alter table audit_log enable trigger audit_log_no_change`.execute(t.db);

    expect(await verifyAuditChain(t.db)).toEqual({ ok: false, entries: 3, seq: '4', reason: 'hash_mismatch', message: 'seq 4: content does not match its hash (the entry was altered)' });
    const broken = await evarchive(t.url, dataDir, 'audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('audit chain BROKEN at seq 4 (hash_mismatch)');
  }, 180_000);

  // verifyAuditChain is what the CLI prints, so these cases need no further child process.
  it('names the seq after a deleted entry, and a re-hashed forgery by its broken link', async () => {
    await sql`alter table audit_log disable trigger audit_log_no_change`.execute(t.db);
    // Repairing seq 4 by recomputing its own hash does not help: seq 5 still points at the old hash.
    const row = await t.db.selectFrom('audit_log').selectAll().where('seq', '=', '4').executeTakeFirstOrThrow();
    const rehashed = entryHash({
      seq: row.seq,
      at: row.at,
      actorType: row.actor_type,
      actorId: row.actor_id,
      actorName: row.actor_name,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      unitId: row.unit_id,
      ip: row.ip,
      details: row.details,
      digests: row.digests,
      prevHash: row.prev_hash,
    });
    await sql`update audit_log set hash = ${rehashed} where seq = 4`.execute(t.db);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, seq: '5', reason: 'prev_hash_mismatch' });
    await sql`delete from audit_log where seq = 2`.execute(t.db);
    await sql`alter table audit_log enable trigger audit_log_no_change`.execute(t.db);
    expect(await verifyAuditChain(t.db)).toEqual({ ok: false, entries: 1, seq: '3', reason: 'seq_gap', message: 'seq 3: expected seq 2 (entries missing before it)' });
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { AuditService, verifyAuditChain } from '../../src/platform/audit/audit.service';
import { OrgService } from '../../src/platform/identity/org.service';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { invoiceXbrl, REPO_ROOT, syntheticUscc } from './support';

let t: TestDatabase;
let dataDir: string;
let dir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'evarchive-pool-cli-'));
  dir = mkdtempSync(join(tmpdir(), 'evarchive-pool-files-'));
  await new OrgService(t.db, new AuditService(t.db)).createUnit('system', { code: 'A01', name: '示例局', creditCode: syntheticUscc(2) });
});
afterAll(async () => {
  await t?.drop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

function evarchive(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>; lines: string[] } {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'server', 'bin', 'evarchive.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: t.url, EVARCHIVE_DATA_DIR: dataDir, EVARCHIVE_FROM_SRC: '1', EVARCHIVE_LOG_LEVEL: 'error' },
  });
  let stdout = '';
  let stderr = '';
  const lines: string[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
    const parts = stdout.split('\n');
    lines.length = 0;
    lines.push(...parts.slice(0, -1));
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, lines };
}

// Each CLI run compiles the sources on the fly (EVARCHIVE_FROM_SRC): on a loaded 2-core machine that alone can take a
// minute, hence the long timeouts.
test('ingest --json: one line per file, then one summary object as the last line', async () => {
  const d = join(dir, 'small');
  mkdirSync(d);
  writeFileSync(join(d, 'a.xml'), invoiceXbrl({ number: 1 }));
  writeFileSync(join(d, 'a-copy.xml'), invoiceXbrl({ number: 1 }));
  writeFileSync(join(d, 'notes.txt'), 'not a voucher');
  const r = await evarchive(['ingest', d, '--unit', 'A01', '--json']).done;
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines).toHaveLength(4);
  expect(lines.slice(0, 3).map((l) => [l.file.split('/').pop(), l.outcome]).sort()).toEqual([
    ['a-copy.xml', expect.stringMatching(/^(created|duplicate)$/)],
    ['a.xml', expect.stringMatching(/^(created|duplicate)$/)],
    ['notes.txt', 'rejected'],
  ]);
  expect(lines[3]).toMatchObject({ received: 3, created: 1, duplicates: 1, linked: 0, conflicts: 0, rejected: 1, complete: true, resumed: false });

  const unknown = await evarchive(['ingest', d, '--unit', 'NOPE', '--json']).done;
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('--unit: no unit with code "NOPE"');

  // A folder that does not exist: refused before any batch is recorded, the path and the reason named.
  const batchesBefore = Number((await sql<{ n: string }>`select count(*) as n from ingest_batch`.execute(t.db)).rows[0].n);
  const missing = await evarchive(['ingest', join(dir, 'no-such-folder'), '--unit', 'A01', '--json']).done;
  expect(missing.code).toBe(1);
  expect(missing.stdout).toBe('');
  expect(missing.stderr).toContain(`nothing to ingest: cannot read ${join(dir, 'no-such-folder')}: no such file or folder (ENOENT)`);
  expect(Number((await sql<{ n: string }>`select count(*) as n from ingest_batch`.execute(t.db)).rows[0].n)).toBe(batchesBefore);

  const list = await evarchive(['pool', 'list', '--unit', 'A01', '--json']).done;
  expect(list.code).toBe(0);
  expect(list.stdout.trim().split('\n').map((l) => JSON.parse(l).invoiceNumber)).toEqual(['00000001']);
}, 400_000);

test('a 1,000-file batch killed with SIGKILL halfway is completed by running the same command again: one record per file', async () => {
  const d = join(dir, 'thousand');
  mkdirSync(d);
  for (let i = 0; i < 1000; i++) writeFileSync(join(d, `inv-${String(i).padStart(4, '0')}.xml`), invoiceXbrl({ number: 10_000 + i }));

  const first = evarchive(['ingest', d, '--unit', 'A01', '--json', '--concurrency', '2']);
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (first.lines.length >= 300) {
        clearInterval(timer);
        first.child.kill('SIGKILL');
        resolve();
      }
    }, 20);
    first.done.then((r) => {
      clearInterval(timer);
      reject(new Error(`ingest ended before it could be killed: ${r.code} ${r.stderr}`));
    });
  });
  const killed = await first.done;
  expect(killed.signal).toBe('SIGKILL');

  const mid = await t.db.selectFrom('ingest_item').select(['status', sql<string>`count(*)`.as('n')]).groupBy('status').execute();
  const pendingMid = Number(mid.find((r) => r.status === 'pending')?.n ?? 0);
  expect(pendingMid).toBeGreaterThan(0);
  expect(pendingMid).toBeLessThan(1000);

  const second = await evarchive(['ingest', d, '--unit', 'A01', '--json', '--concurrency', '2']).done;
  expect(second.code).toBe(0);
  const out = second.stdout.trim().split('\n');
  const summary = JSON.parse(out[out.length - 1]);
  expect(summary).toMatchObject({ received: 1000, created: 1000, duplicates: 0, rejected: 0, conflicts: 0, resumed: true, complete: true });
  // Only what was pending was processed the second time.
  expect(out.length - 1).toBe(pendingMid);

  const batches = await t.db.selectFrom('ingest_batch').select(['id', 'status', 'total']).where('total', '=', 1000).execute();
  expect(batches).toEqual([{ id: summary.batchId, status: 'complete', total: 1000 }]);
  const perNumber = await t.db
    .selectFrom('voucher')
    .select([sql<string>`count(*)`.as('n'), sql<string>`count(distinct identity_key)`.as('ids')])
    .where('invoice_number', '>=', '00010000')
    .executeTakeFirstOrThrow();
  expect(perNumber).toEqual({ n: '1000', ids: '1000' });
  const files = await t.db.selectFrom('voucher_file').select(sql<string>`count(*)`.as('n')).where('batch_id', '=', summary.batchId).executeTakeFirstOrThrow();
  expect(files.n).toBe('1000');
  const items = await t.db.selectFrom('ingest_item').select(['status', 'outcome', sql<string>`count(*)`.as('n')]).where('batch_id', '=', summary.batchId).groupBy(['status', 'outcome']).execute();
  expect(items).toEqual([{ status: 'done', outcome: 'created', n: '1000' }]);
  const audited = await t.db.selectFrom('audit_log').select(sql<string>`count(*)`.as('n')).where('action', '=', 'pool.ingest.created').where(sql`details->>'batchId'`, '=', summary.batchId).executeTakeFirstOrThrow();
  expect(audited.n).toBe('1000');
  expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
}, 600_000);

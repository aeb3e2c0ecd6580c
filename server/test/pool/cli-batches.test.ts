/**
 * `evarchive ingest` over a folder that changed after its batch was cut off, GBK file names, and
 * `evarchive batches list|close` for stale open batches.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { folderSourceKey } from '../../src/cli/commands/ingest';
import { PoolRepository } from '../../src/modules/pool/pool.repository';
import { AuditService, verifyAuditChain } from '../../src/platform/audit/audit.service';
import { OrgService } from '../../src/platform/identity/org.service';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { invoiceXbrl, REPO_ROOT, syntheticUscc } from './support';

let t: TestDatabase;
let dataDir: string;
let dir: string;
let unitId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'evarchive-batches-cli-'));
  dir = mkdtempSync(join(tmpdir(), 'evarchive-batches-files-'));
  const u = await new OrgService(t.db, new AuditService(t.db)).createUnit('system', { code: 'B01', name: '示例局', creditCode: syntheticUscc(2) });
  unitId = u.id;
});
afterAll(async () => {
  await t?.drop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

function evarchive(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'server', 'bin', 'evarchive.js'), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: t.url, EVARCHIVE_DATA_DIR: dataDir, EVARCHIVE_FROM_SRC: '1', EVARCHIVE_LOG_LEVEL: 'error' }, timeout: 300_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const jsonLines = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const repo = () => new PoolRepository(t.db);

/** A batch as `evarchive ingest` records it before processing anything — and then the process is gone. */
async function cutOffBatch(channel: 'folder' | 'upload', sourceKey: string | null, files: { path: string; bytes: Buffer }[]): Promise<string> {
  return repo().transaction(async (trx) => {
    const id = await repo().createBatch(trx, { channel, unitId, subPool: null, ownerUserId: null, actor: { type: 'system', id: null, name: 'evarchive ingest' }, sourceKey, now: new Date() });
    await repo().addItems(trx, id, files.map((f, i) => ({ seq: i + 1, filename: f.path.split('/').pop()!, sourceRef: f.path, sha256: sha(f.bytes), size: f.bytes.length })));
    return id;
  });
}

test('a cut-off folder batch changed on disk is finished by the re-run: gone and changed files rejected by name, new and changed content added to it', async () => {
  const d = join(dir, 'changed');
  mkdirSync(d);
  const bytes = { a: invoiceXbrl({ number: 201 }), b: invoiceXbrl({ number: 202 }), c: invoiceXbrl({ number: 203 }), d: invoiceXbrl({ number: 204 }) };
  for (const [n, b] of Object.entries(bytes)) writeFileSync(join(d, `${n}.xml`), b);
  const batchId = await cutOffBatch('folder', folderSourceKey([d], unitId), Object.entries(bytes).map(([n, b]) => ({ path: join(d, `${n}.xml`), bytes: b })));
  // Meanwhile: b.xml removed, c.xml replaced by another invoice, e.xml added.
  unlinkSync(join(d, 'b.xml'));
  writeFileSync(join(d, 'c.xml'), invoiceXbrl({ number: 213 }));
  writeFileSync(join(d, 'e.xml'), invoiceXbrl({ number: 205 }));

  const r = await evarchive('ingest', d, '--unit', 'B01', '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = jsonLines(r.stdout);
  const summary = lines.pop();
  expect(lines.map((l) => [l.file.slice(d.length + 1), l.outcome, l.errorCode ?? null])).toEqual([
    ['a.xml', 'created', null],
    ['b.xml', 'rejected', 'unreadable_source'],
    ['c.xml', 'rejected', 'changed'],
    ['d.xml', 'created', null],
    ['c.xml', 'created', null],
    ['e.xml', 'created', null],
  ]);
  expect(lines[1].message).toBe(`b.xml: cannot read it: it is no longer there (removed or renamed since batch ${batchId} recorded it; ENOENT)`);
  expect(lines[2].message).toMatch(/^c\.xml: the file changed since the batch recorded it/);
  expect(summary).toMatchObject({ batchId, resumed: true, added: 2, complete: true, received: 6, created: 4, rejected: 2 });
  // One batch for the folder, complete: nothing left open.
  const batches = await t.db.selectFrom('ingest_batch').select(['id', 'status', 'total']).execute();
  expect(batches).toEqual([{ id: batchId, status: 'complete', total: 6 }]);
  const numbers = await t.db.selectFrom('voucher').select('invoice_number').orderBy('invoice_number').execute();
  expect(numbers.map((n) => n.invoice_number)).toEqual(['00000201', '00000204', '00000205', '00000213']);
}, 400_000);

test('files whose names are GBK bytes (an old Windows zip or share) are ingested and recorded under their Chinese names', async () => {
  const d = join(dir, 'gbk');
  mkdirSync(d);
  // 2024年报销/发票.xml, both names in GBK: a string readdir turns them into U+FFFD and the file cannot be opened.
  const sub = Buffer.concat([Buffer.from(`${d}/2024`), Buffer.from([0xc4, 0xea, 0xb1, 0xa8, 0xcf, 0xfa])]);
  mkdirSync(sub);
  writeFileSync(Buffer.concat([sub, Buffer.from('/'), Buffer.from([0xb7, 0xa2, 0xc6, 0xb1]), Buffer.from('.xml')]), invoiceXbrl({ number: 301 }));
  const r = await evarchive('ingest', d, '--unit', 'B01', '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const [line, summary] = jsonLines(r.stdout);
  expect(line).toMatchObject({ file: join(d, '2024年报销', '发票.xml'), outcome: 'created', kind: 'inv_ord' });
  expect(summary).toMatchObject({ received: 1, created: 1, rejected: 0, complete: true });
  const f = await t.db.selectFrom('voucher_file').select(['filename', 'source_ref']).where('voucher_id', '=', line.voucherId).executeTakeFirstOrThrow();
  expect(f).toEqual({ filename: '发票.xml', source_ref: join(d, '2024年报销', '发票.xml') });
}, 400_000);

test('evarchive batches list shows stale open batches; batches close finishes their pending items as rejected, audited', async () => {
  const stale = await cutOffBatch('upload', null, [
    { path: 'files/x.ofd', bytes: Buffer.from('x') },
    { path: 'files/y.ofd', bytes: Buffer.from('y') },
  ]);
  const open = await evarchive('batches', 'list', '--open', '--json');
  expect(open.stderr).toBe('');
  expect(open.code).toBe(0);
  expect(jsonLines(open.stdout)).toEqual([expect.objectContaining({ id: stale, status: 'open', channel: 'upload', unitCode: 'B01', total: 2, pending: 2, firstSource: 'files/x.ofd', lastFinishedAt: null })]);

  const closed = await evarchive('batches', 'close', stale, '--reason', '上传中断，原件已重新上传', '--json');
  expect(closed.stderr).toBe('');
  expect(closed.code).toBe(0);
  expect(JSON.parse(closed.stdout)).toEqual({ batchId: stale, closed: 2, items: [{ seq: 1, filename: 'x.ofd' }, { seq: 2, filename: 'y.ofd' }] });
  expect(await repo().batch(stale)).toMatchObject({ status: 'complete', finishedAt: expect.any(Date) });
  const items = await repo().items(stale);
  expect(items.map((i) => [i.status, i.outcome, i.errorCode, i.errorMessage])).toEqual([
    ['done', 'rejected', 'batch_closed', 'x.ofd: not ingested: the batch was closed by an operator: 上传中断，原件已重新上传'],
    ['done', 'rejected', 'batch_closed', 'y.ofd: not ingested: the batch was closed by an operator: 上传中断，原件已重新上传'],
  ]);
  expect(items[0].steps.at(-1)).toMatchObject({ step: 'close', outcome: 'stopped' });
  const entry = await t.db.selectFrom('audit_log').select(['action', 'target_id', 'unit_id', sql<Record<string, unknown>>`details`.as('details')]).where('action', '=', 'pool.batch.close').executeTakeFirstOrThrow();
  expect(entry).toMatchObject({ target_id: stale, unit_id: unitId, details: { reason: '上传中断，原件已重新上传', closed: 2, itemIds: items.map((i) => i.id) } });
  expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });

  // Nothing open now; closing again or a made-up id is refused by name, nothing changed.
  const again = await evarchive('batches', 'close', stale, '--reason', 'again');
  expect(again.code).toBe(1);
  expect(again.stderr).toBe(`evarchive: invalid_state: batch ${stale} is already complete; nothing to close\n`);
  const bad = await evarchive('batches', 'close', 'nope', '--reason', 'x');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toBe('evarchive: invalid_input: batch id: expected a batch id (uuid, see evarchive batches list), got "nope"\n');
  const list = await evarchive('batches', 'list');
  expect(list.code).toBe(0);
  const rows = list.stdout.trimEnd().split('\n');
  expect(rows[0]).toMatch(/^id\s+status\s+channel\s+unit\s+created\s+last item\s+items\s+pending\s+by\s+first file$/);
  expect(rows.slice(1).every((l) => / complete /.test(l))).toBe(true);
  expect(Number((await sql<{ n: string }>`select count(*) as n from audit_log where action = 'pool.batch.close'`.execute(t.db)).rows[0].n)).toBe(1);
}, 400_000);

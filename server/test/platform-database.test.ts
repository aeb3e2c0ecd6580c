import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDb, migrateToLatest, type Db } from '../src/platform/database/database';
import { createTestDatabase, type TestDatabase } from './support/db';

/** The same checks run on the test server (CI: the machine's PostgreSQL) and on the embedded PostgreSQL. */
function databaseBehaviour(name: string, open: () => Promise<{ db: Db; close(): Promise<void> }>) {
  describe(name, () => {
    let db: Db;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ db, close } = await open());
    }, 120_000);
    afterAll(async () => {
      await close?.();
    });

    it('is UTF-8 with a C.UTF-8 ctype and has pg_trgm and btree_gin', async () => {
      const r = await sql<{ enc: string; ctype: string }>`select pg_encoding_to_char(encoding) as enc, datctype as ctype from pg_database where datname = current_database()`.execute(db);
      expect(r.rows[0]).toEqual({ enc: 'UTF8', ctype: 'C.UTF-8' });
      const ext = await sql<{ extname: string }>`select extname from pg_extension order by extname`.execute(db);
      expect(ext.rows.map((e) => e.extname)).toEqual(expect.arrayContaining(['btree_gin', 'pg_trgm']));
    });

    it('a connection terminated while a transaction holds it fails that transaction, not the process; the next query reconnects', async () => {
      const failed = db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        // Terminated from another session while this one is idle in its transaction (no query running on it).
        await sql`select pg_terminate_backend(${rows[0].pid})`.execute(db);
        await new Promise((r) => setTimeout(r, 300));
        await sql`select 1`.execute(trx);
      });
      await expect(failed).rejects.toThrow(/terminat|Connection|closed/i);
      const again = await sql<{ one: number }>`select 1 as one`.execute(db);
      expect(again.rows).toEqual([{ one: 1 }]);
    });

    it('indexes Chinese text with pg_trgm: a substring query uses the trigram index', async () => {
      await sql`create table trgm_probe (id serial primary key, seller text not null)`.execute(db);
      await sql`insert into trgm_probe (seller) select '某某科技有限公司第' || g || '分公司' from generate_series(1, 20000) g`.execute(db);
      await sql`insert into trgm_probe (seller) values ('南通市财政局'), ('江苏省南通市税务局'), ('上海铁路局')`.execute(db);
      await sql`create index trgm_probe_seller on trgm_probe using gin (seller gin_trgm_ops)`.execute(db);
      await sql`analyze trgm_probe`.execute(db);
      const found = await sql<{ seller: string }>`select seller from trgm_probe where seller like '%南通市%' order by id`.execute(db);
      expect(found.rows.map((r) => r.seller)).toEqual(['南通市财政局', '江苏省南通市税务局']);
      const plan = await sql<{ 'QUERY PLAN': string }>`explain select seller from trgm_probe where seller like '%财政局%'`.execute(db);
      const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toContain('Bitmap Index Scan on trgm_probe_seller');
    });
  });
}

databaseBehaviour('the test database server', async () => {
  const t: TestDatabase = await createTestDatabase();
  return { db: t.db, close: () => t.drop() };
});

databaseBehaviour('the embedded PostgreSQL (what `npm start` uses without DATABASE_URL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'evarchive-embedded-'));
  const root = join(__dirname, '../..');
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'support/embedded-server.ts'), dir, String(54500 + Math.floor(Math.random() * 90))],
    { cwd: root, env: { ...process.env, SWCRC: 'true' }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^URL=(.+)$/m.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => reject(new Error(`embedded PostgreSQL did not start (exit ${code}): ${err}`)));
  });
  const db = createDb(url);
  await migrateToLatest(db);
  return {
    db,
    async close() {
      await db.destroy();
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

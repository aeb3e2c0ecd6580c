import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from './support/db';

describe('database platform', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('is UTF-8 with a C.UTF-8 ctype and has pg_trgm and btree_gin', async () => {
    const r = await sql<{ enc: string; ctype: string }>`select pg_encoding_to_char(encoding) as enc, datctype as ctype from pg_database where datname = current_database()`.execute(t.db);
    expect(r.rows[0]).toEqual({ enc: 'UTF8', ctype: 'C.UTF-8' });
    const ext = await sql<{ extname: string }>`select extname from pg_extension order by extname`.execute(t.db);
    expect(ext.rows.map((e) => e.extname)).toEqual(expect.arrayContaining(['btree_gin', 'pg_trgm']));
  });

  it('indexes Chinese text with pg_trgm: a substring query uses the trigram index', async () => {
    await sql`create table trgm_probe (id serial primary key, seller text not null)`.execute(t.db);
    await sql`insert into trgm_probe (seller) select '某某科技有限公司第' || g || '分公司' from generate_series(1, 20000) g`.execute(t.db);
    await sql`insert into trgm_probe (seller) values ('南通市财政局'), ('江苏省南通市税务局'), ('上海铁路局')`.execute(t.db);
    await sql`create index trgm_probe_seller on trgm_probe using gin (seller gin_trgm_ops)`.execute(t.db);
    await sql`analyze trgm_probe`.execute(t.db);
    const found = await sql<{ seller: string }>`select seller from trgm_probe where seller like '%南通市%' order by id`.execute(t.db);
    expect(found.rows.map((r) => r.seller)).toEqual(['南通市财政局', '江苏省南通市税务局']);
    const plan = await sql<{ 'QUERY PLAN': string }>`explain select seller from trgm_probe where seller like '%财政局%'`.execute(t.db);
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('Bitmap Index Scan on trgm_probe_seller');
  });
});

/**
 * Journal vouchers in search: an import indexes them in its own transaction (number, summary words, amounts,
 * counterparties, accounts, cited document numbers), a changed re-import replaces the document, a refused import
 * indexes nothing, other units' accountants do not see them, and with the OpenSearch driver every indexed
 * journal voucher has its outbox entry written by the same import.
 */
import { sql } from 'kysely';
import { LedgerRepository } from '../../src/modules/ledger/ledger.repository';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { SearchIndexer } from '../../src/modules/search/indexer.service';
import { SearchRepository } from '../../src/modules/search/search.repository';
import { AuditService } from '../../src/platform/audit/audit.service';
import { OrgService } from '../../src/platform/identity/org.service';
import { UserService } from '../../src/platform/identity/user.service';
import { CLOCK, STORAGE } from '../../src/platform/tokens';
import { createTestApp, type TestApp } from '../support/app';

let t: TestApp;
const tokens: Record<string, string> = {};

async function search(user: string, qs: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${t.url}/api/search?${qs}`, { headers: { authorization: `Bearer ${tokens[user]}` } });
  return { status: res.status, json: await res.json() };
}
const hits = async (user: string, q: string, more = '') => (await search(user, `q=${encodeURIComponent(q)}${more}`)).json.hits.map((h: any) => `${h.docType}:${h.invoiceNumber}`);

const HEAD = '凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,往来单位,对方账号,附件数,发票号,缴款码';
const CSV = [
  HEAD,
  '0001,2025-03-05,报销打印纸硒鼓,500101,业务活动费用-办公费,1130.00,,,,1,25310000000000001234,',
  '0001,2025-03-05,报销打印纸硒鼓,1011,零余额账户用款额度,,1130.00,示例办公设备有限公司1,,1,,',
  '0002,2025-03-09,收到培训费收入,100201,银行存款-基本户,500.00,,示例科技有限公司7,6222000000000000777,1,,20250000000000000777',
  '0002,2025-03-09,收到培训费收入,2103,应缴财政款,,500.00,,,1,,',
].join('\n');

beforeAll(async () => {
  t = await createTestApp({ jobs: false, logger: false });
  const org = t.app.get(OrgService);
  await org.createUnit('system', { code: 'A01', name: '示例市测试局' });
  await org.createUnit('system', { code: 'B02', name: '示例市另一局' });
  const users = t.app.get(UserService);
  await users.create('system', { username: 'acc_a', password: 'correct horse 1', roles: [{ role: 'accountant', unitCode: 'A01' }] });
  await users.create('system', { username: 'acc_b', password: 'correct horse 1', roles: [{ role: 'accountant', unitCode: 'B02' }] });
  for (const u of ['acc_a', 'acc_b']) {
    const res = await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u, password: 'correct horse 1' }) });
    tokens[u] = (await res.json()).token;
  }
}, 120_000);

afterAll(async () => {
  await t?.close();
});

test('an import makes its journal vouchers findable by number, summary word, counterparty, account and cited numbers', async () => {
  const ledger = t.app.get(LedgerService);
  const r = await ledger.importFile({ operator: 'test' }, new TextEncoder().encode(CSV), 'march.csv', { channel: 'cli', unit: 'A01' });
  expect(r.created).toBe(2);

  expect(await hits('acc_a', '0001')).toEqual(['journal:0001']);
  expect(await hits('acc_a', '硒鼓')).toEqual(['journal:0001']);
  expect(await hits('acc_a', '培训费')).toEqual(['journal:0002']);
  expect(await hits('acc_a', '示例办公设备有限公司1')).toEqual(['journal:0001']);
  // The invoice number and 缴款码 the journal vouchers cite find them (联查 from a number on paper).
  expect(await hits('acc_a', '25310000000000001234')).toEqual(['journal:0001']);
  expect(await hits('acc_a', '20250000000000000777')).toEqual(['journal:0002']);
  // Filters: kind, period, account, amount.
  expect(await hits('acc_a', '', '&kind=journal&year=2025&period=3&sort=amount&order=asc')).toEqual(['journal:0002', 'journal:0001']);
  expect(await hits('acc_a', '', '&kind=journal&account=2103')).toEqual(['journal:0002']);
  expect(await hits('acc_a', '', '&kind=journal&amountMin=1000')).toEqual(['journal:0001']);
  const one = (await search('acc_a', 'q=0002')).json;
  expect(one.facets.kind).toEqual([{ value: 'journal', label: '记账凭证', count: 1 }]);
  const [hit] = one.hits;
  expect(hit).toMatchObject({ docType: 'journal', kind: 'journal', category: 'voucher', amount: '500.00', date: '2025-03-09', parties: ['示例科技有限公司7'], title: '记账凭证 0002 收到培训费收入' });
  // Another unit's accountant does not see them.
  expect(await hits('acc_b', '硒鼓')).toEqual([]);
});

test('a changed re-import replaces the document; an unchanged one and a refused one leave the index as it was', async () => {
  const ledger = t.app.get(LedgerService);
  const before = await t.db.selectFrom('search_document').select(['id', 'version']).where('doc_type', '=', 'journal').orderBy('id').execute();
  await ledger.importFile({ operator: 'test' }, new TextEncoder().encode(CSV), 'march.csv', { channel: 'cli', unit: 'A01' });
  expect(await t.db.selectFrom('search_document').select(['id', 'version']).where('doc_type', '=', 'journal').orderBy('id').execute()).toEqual(before);

  const changed = CSV.replace(/报销打印纸硒鼓/g, '报销文件柜');
  const r = await ledger.importFile({ operator: 'test' }, new TextEncoder().encode(changed), 'march-fixed.csv', { channel: 'cli', unit: 'A01' });
  expect(r.updated).toBe(1);
  expect(await hits('acc_a', '硒鼓')).toEqual([]);
  expect(await hits('acc_a', '文件柜')).toEqual(['journal:0001']);

  const bad = changed.replace('0002,2025-03-09,收到培训费收入,2103', '0003,2025-03-09,另一张,2103');
  await expect(ledger.importFile({ operator: 'test' }, new TextEncoder().encode(bad), 'bad.csv', { channel: 'cli', unit: 'A01' })).rejects.toMatchObject({ code: 'import_rejected' });
  expect(await hits('acc_a', '另一张')).toEqual([]);
  expect(Number((await sql<{ n: string }>`select count(*) as n from search_document where doc_type = 'journal'`.execute(t.db)).rows[0].n)).toBe(2);
});

test('journal vouchers missing from the index (stored before indexing existed) are put back by reindexSearch', async () => {
  await sql`delete from search_document where doc_type = 'journal'`.execute(t.db);
  expect(await hits('acc_a', '文件柜')).toEqual([]);
  expect(await t.app.get(LedgerService).reindexSearch({ unit: 'A01', batchSize: 1 })).toEqual({ indexed: 2 });
  expect(await hits('acc_a', '文件柜')).toEqual(['journal:0001']);
  expect(await hits('acc_a', '20250000000000000777')).toEqual(['journal:0002']);
});

test('with the OpenSearch driver the import writes each journal voucher outbox entry in its transaction', async () => {
  const indexer = new SearchIndexer(t.app.get(SearchRepository), { search: { driver: 'opensearch', node: 'http://127.0.0.1:9', indexPrefix: 'unused' } });
  const ledger = new LedgerService(t.app.get(LedgerRepository), t.app.get(AuditService), t.app.get(CLOCK), t.app.get(STORAGE), indexer);
  await sql`delete from search_outbox`.execute(t.db);
  const april = CSV.replace(/2025-03-/g, '2025-04-').replace(/\n0002[^\n]*/g, '');
  const r = await ledger.importFile({ operator: 'test' }, new TextEncoder().encode(april), 'april.csv', { channel: 'cli', unit: 'A01' });
  expect(r.created).toBe(1);
  const [journal] = await t.db.selectFrom('journal_voucher').select('id').where('period', '=', '2025-04').execute();
  const outbox = await sql<{ doc_id: string; op: string }>`select doc_id, op from search_outbox order by seq`.execute(t.db);
  expect(outbox.rows).toEqual([{ doc_id: `journal:${journal.id}`, op: 'upsert' }]);
});

import { createTestDatabase, type TestDatabase } from '../support/db';
import { insertJournals, seedUnit, user, volumeServices } from './support';

/** Linked originals (match_link → voucher) become 组件 of their journal voucher; books and reports get their own series. */
describe('sub-items and other categories', () => {
  let t: TestDatabase;
  let s: ReturnType<typeof volumeServices>;
  let A: { unitId: string; fondsId: string };

  beforeAll(async () => {
    t = await createTestDatabase();
    s = volumeServices(t.db);
    A = await seedUnit(t.db, 'A01', '南通市财政局', 'Q001');
  });
  afterAll(() => t.drop());

  async function original(n: string, seller: string) {
    const now = new Date();
    const v = await (t.db as any)
      .insertInto('voucher')
      .values({ unit_id: A.unitId, kind: 'inv_ord', identity_key: `inv:${n}`, invoice_number: n, total_amount: '100.00', seller_name: seller, data: '{}', signature_verdict: 'valid', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return v.id as string;
  }

  async function link(journalId: string, voucherId: string, tier: 'auto' | 'suggest' | 'manual', status = 'active') {
    const now = new Date();
    await (t.db as any)
      .insertInto('match_link')
      .values({ unit_id: A.unitId, journal_voucher_id: journalId, voucher_id: voucherId, period: '2024-06', tier, status, score: '90.00', rule_id: 'invoice-number', rule_version: 1, rules_digest: 'x', explanation: '{}', created_at: now, updated_at: now, ...(status === 'active' ? {} : { decided_by: 'arch', decided_at: now, decision_reason: 'wrong' }) })
      .execute();
  }

  it('files the accepted originals of each journal voucher as its sub-items, and never a mere suggestion', async () => {
    const [j1, j2] = await insertJournals(t.db, A.unitId, A.fondsId, '2024-06', [1, 2]);
    const o1 = await original('24320000000000000001', '南通文具有限公司');
    const o2 = await original('24320000000000000002', '南通印务有限公司');
    const o3 = await original('24320000000000000003', '某建材公司');
    await link(j1.id, o1, 'auto');
    await link(j1.id, o2, 'manual');
    await link(j2.id, o3, 'suggest');
    const r = await s.volumes.assemble('system', { unitId: A.unitId, fondsId: A.fondsId, year: 2024, period: '2024-06' });
    expect(r.created).toEqual(['Q001-2024-PZ-D30-0001']);
    const vol = (await s.volumes.list('system', { period: '2024-06' })).items[0];
    expect([vol.itemCount, vol.subItemCount]).toEqual([2, 2]);
    const d = await s.volumes.detail('system', vol.id);
    const subs = [o1, o2].sort();
    expect(d.items.map((i) => [i.archivalCode, i.number, i.originals.map((o) => [o.archivalCode, o.sourceType, o.sourceId])])).toEqual([
      ['Q001-2024-PZ-D30-0001-0001', '记-0001', [['Q001-2024-PZ-D30-0001-0001-01', 'original', subs[0]], ['Q001-2024-PZ-D30-0001-0001-02', 'original', subs[1]]]],
      ['Q001-2024-PZ-D30-0001-0002', '记-0002', []],
    ]);
    expect(d.items[0].originals.map((o) => o.title).sort()).toEqual(['inv_ord 24320000000000000001 南通文具有限公司 100.00', 'inv_ord 24320000000000000002 南通印务有限公司 100.00']);

    // Accepting the suggestion later changes the draft in place: same code, one more sub-item.
    await (t.db as any).updateTable('match_link').set({ status: 'accepted', decided_by: 'arch', decided_at: new Date() }).where('voucher_id', '=', o3).execute();
    const again = await s.volumes.assemble('system', { unitId: A.unitId, fondsId: A.fondsId, year: 2024, period: '2024-06' });
    expect(again.updated).toEqual(['Q001-2024-PZ-D30-0001']);
    expect((await s.volumes.detail('system', vol.id)).items[1].originals.map((o) => o.archivalCode)).toEqual(['Q001-2024-PZ-D30-0001-0002-01']);
  });

  it('files books by year and reports by their period with their own retention codes; unlisted kinds are skipped with the reason', async () => {
    const rec = (category: string, record_type: string, period: string, title: string) => ({
      unit_id: A.unitId, fonds_id: A.fondsId, category, record_type, period, title, object_key: `k/${title}`, sha256: title, sm3: title, size: 1, media_type: 'application/pdf', filename: `${title}.pdf`, created_at: new Date(),
    });
    await (t.db as any)
      .insertInto('ledger_record')
      .values([rec('book', 'general_ledger', '2024', '2024年总账'), rec('report', 'annual', '2024', '2024年度部门财务报告'), rec('report', 'monthly', '2024-06', '2024年6月会计报表'), rec('other', 'tax_return', '2024-06', '2024年6月纳税申报表')])
      .execute();
    const r = await s.volumes.assemble(user('arch', [{ role: 'archivist', unitId: A.unitId }]), { unitId: A.unitId, fondsId: A.fondsId, year: 2024 });
    expect(r.created).toEqual(['Q001-2024-BG-D10-0001', 'Q001-2024-BG-Y-0001', 'Q001-2024-ZB-D30-0001']);
    expect(r.unchanged).toEqual(['Q001-2024-PZ-D30-0001']);
    // 附表2's 行政事业 column has no 纳税申报表 row: it waits for an archivist's decision instead of a guessed period.
    expect(r.skipped).toEqual([{ sourceType: 'other', sourceId: expect.any(String), number: null, reason: expect.stringContaining('no row for item kind "tax_return"') }]);
    const list = await s.volumes.list('system', { category: 'report' });
    expect(list.items.map((v) => [v.archivalCode, v.period, v.retention, v.expiresOn, v.title])).toEqual([
      ['Q001-2024-BG-D10-0001', '2024-06', '10y', '2034-12-31', '南通市财政局2024年6月报告'],
      ['Q001-2024-BG-Y-0001', '2024', 'permanent', null, '南通市财政局2024年度报告'],
    ]);
  });
});

import { createTestDatabase, type TestDatabase } from '../support/db';
import { insertJournals, seedUnit, user, volumeServices } from './support';

describe('volume assembly on the ledger tables', () => {
  let t: TestDatabase;
  let s: ReturnType<typeof volumeServices>;
  let A: { unitId: string; fondsId: string };
  let B: { unitId: string; fondsId: string };

  beforeAll(async () => {
    t = await createTestDatabase();
    s = volumeServices(t.db);
    A = await seedUnit(t.db, 'A01', '南通市财政局', 'Q001');
    B = await seedUnit(t.db, 'B02', '南通市教育局', 'Q002');
  });
  afterAll(() => t.drop());

  let archA: ReturnType<typeof user>;
  // One person (one id) across the tests, so four-eyes sees the same submitter.
  const arch = () => (archA ??= user('arch_a', [{ role: 'archivist', unitId: A.unitId }]));

  it('files a month of 230 journal vouchers into three volumes with consecutive ranges and 档号 for every item', async () => {
    // Inserted out of order: the volume order comes from the numbers, not from insertion.
    await insertJournals(t.db, A.unitId, A.fondsId, '2024-03', Array.from({ length: 230 }, (_, i) => 230 - i));
    const r = await s.volumes.assemble(arch(), { unitId: A.unitId, fondsId: A.fondsId, year: 2024, period: '2024-03' });
    expect(r.created).toEqual(['Q001-2024-PZ-D30-0001', 'Q001-2024-PZ-D30-0002', 'Q001-2024-PZ-D30-0003']);
    expect(r).toMatchObject({ updated: [], unchanged: [], deleted: [], gaps: [], skipped: [], regime: 'public_institution', ruleId: 'volumes', ruleVersion: 1 });

    const list = await s.volumes.list(arch(), { unitId: A.unitId, year: 2024 });
    expect(list.items.map((v) => [v.archivalCode, v.itemCount, v.firstNumber, v.lastNumber, v.retention, v.expiresOn, v.state])).toEqual([
      ['Q001-2024-PZ-D30-0001', 100, '记-0001', '记-0100', '30y', '2054-12-31', 'draft'],
      ['Q001-2024-PZ-D30-0002', 100, '记-0101', '记-0200', '30y', '2054-12-31', 'draft'],
      ['Q001-2024-PZ-D30-0003', 30, '记-0201', '记-0230', '30y', '2054-12-31', 'draft'],
    ]);
    expect(list.items[0].title).toBe('南通市财政局2024年3月凭证（记-0001至记-0100）');
    expect(list.items[0].retentionRule).toEqual({ id: 'retention', version: 1, regime: 'public_institution', row: 3 });

    const d = await s.volumes.detail(arch(), list.items[2].id);
    expect(d.items).toHaveLength(30);
    d.items.forEach((it, i) => {
      expect(it.itemNo).toBe(i + 1);
      expect(it.archivalCode).toBe(`Q001-2024-PZ-D30-0003-${String(i + 1).padStart(4, '0')}`);
      expect(it.number).toBe(`记-${String(201 + i).padStart(4, '0')}`);
      expect(it.sourceType).toBe('journal_voucher');
    });
  });

  it('changes nothing when the same inputs are assembled again', async () => {
    const before = await t.db.selectFrom('volume_item').select(['id', 'archival_code']).orderBy('archival_code').execute();
    const audits = await t.db.selectFrom('audit_log').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const r = await s.volumes.assemble(arch(), { unitId: A.unitId, fondsId: A.fondsId, year: 2024 });
    expect(r.created).toEqual([]);
    expect(r.updated).toEqual([]);
    expect(r.unchanged).toEqual(['Q001-2024-PZ-D30-0001', 'Q001-2024-PZ-D30-0002', 'Q001-2024-PZ-D30-0003']);
    expect(await t.db.selectFrom('volume_item').select(['id', 'archival_code']).orderBy('archival_code').execute()).toEqual(before);
    expect(await t.db.selectFrom('audit_log').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).toEqual(audits);
  });

  it('indexes volumes for search', async () => {
    const docs = await t.db.selectFrom('search_document').selectAll().where('doc_type', '=', 'volume').orderBy('archival_code').execute();
    expect(docs.map((d: any) => [d.archival_code, d.year, d.period, d.category, d.retention, d.state])).toEqual([
      ['Q001-2024-PZ-D30-0001', 2024, 3, 'voucher', '30y', 'draft'],
      ['Q001-2024-PZ-D30-0002', 2024, 3, 'voucher', '30y', 'draft'],
      ['Q001-2024-PZ-D30-0003', 2024, 3, 'voucher', '30y', 'draft'],
    ]);
  });

  it('numbers the next month after this one and renumbers drafts gap-free when a month grows', async () => {
    await insertJournals(t.db, A.unitId, A.fondsId, '2024-04', [1, 2, 3]);
    const apr = await s.volumes.assemble(arch(), { unitId: A.unitId, fondsId: A.fondsId, year: 2024, period: '2024-04' });
    expect(apr.created).toEqual(['Q001-2024-PZ-D30-0004']);
    // March grows past 300: a fourth March volume takes 0004 and April moves to 0005 (both still drafts).
    await insertJournals(t.db, A.unitId, A.fondsId, '2024-03', Array.from({ length: 75 }, (_, i) => 231 + i));
    const mar = await s.volumes.assemble(arch(), { unitId: A.unitId, fondsId: A.fondsId, year: 2024, period: '2024-03' });
    expect(mar.created).toEqual(['Q001-2024-PZ-D30-0004']);
    // Part 3 grows to 记-0300; April keeps its content under a new 卷号.
    expect(mar.updated).toEqual(['Q001-2024-PZ-D30-0003', 'Q001-2024-PZ-D30-0005']);
    const list = await s.volumes.list(arch(), { fondsId: A.fondsId, year: 2024 });
    expect(list.items.map((v) => [v.archivalCode, v.period, v.part, v.firstNumber, v.lastNumber])).toEqual([
      ['Q001-2024-PZ-D30-0001', '2024-03', 1, '记-0001', '记-0100'],
      ['Q001-2024-PZ-D30-0002', '2024-03', 2, '记-0101', '记-0200'],
      ['Q001-2024-PZ-D30-0003', '2024-03', 3, '记-0201', '记-0300'],
      ['Q001-2024-PZ-D30-0004', '2024-03', 4, '记-0301', '记-0305'],
      ['Q001-2024-PZ-D30-0005', '2024-04', 1, '记-0001', '记-0003'],
    ]);
    const aprDetail = await s.volumes.detail(arch(), list.items[4].id);
    expect(aprDetail.items.map((i) => i.archivalCode)).toEqual(['Q001-2024-PZ-D30-0005-0001', 'Q001-2024-PZ-D30-0005-0002', 'Q001-2024-PZ-D30-0005-0003']);
  });

  it('reports a missing voucher number, which blocks submission until acknowledged with a reason', async () => {
    await insertJournals(t.db, A.unitId, A.fondsId, '2024-05', [1, 2, 3, 4, 6, 7]);
    const r = await s.volumes.assemble(arch(), { unitId: A.unitId, fondsId: A.fondsId, year: 2024, period: '2024-05' });
    expect(r.gaps).toEqual([{ period: '2024-05', missing: '记-0005', acknowledged: false, reason: null }]);
    const vol = (await s.volumes.list(arch(), { fondsId: A.fondsId, period: '2024-05' })).items[0];
    await expect(s.volumes.submit(arch(), vol.id)).rejects.toMatchObject({ code: 'number_gaps', status: 409, message: expect.stringContaining('记-0005') });
    const submitted = await s.volumes.submit(arch(), vol.id, { gapReason: '记-0005 作废，已附作废说明' });
    expect(submitted.state).toBe('submitted');
    const d = await s.volumes.detail(arch(), vol.id);
    expect(d.gaps).toMatchObject([{ missing: '记-0005', acknowledged: true, acknowledgedBy: 'arch_a', reason: '记-0005 作废，已附作废说明' }]);
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'volume.submit').execute();
    expect(audit.map((a: any) => a.details.acknowledgedGaps)).toEqual([['记-0005']]);
  });

  it('enforces four eyes, freezes submitted volumes and reopens only with a reason', async () => {
    const accountant = user('acc_a', [{ role: 'accountant', unitId: A.unitId }]);
    const admin = user('ua', [{ role: 'unit_admin', unitId: A.unitId }]);
    const archivist = arch();
    const vol = (await s.volumes.list(archivist, { fondsId: A.fondsId, period: '2024-04' })).items[0];
    await s.volumes.submit(accountant, vol.id);
    await expect(s.volumes.submit(accountant, vol.id)).rejects.toMatchObject({ code: 'invalid_state' });
    await expect(s.volumes.approve(admin, vol.id)).resolves.toMatchObject({ state: 'approved', approvedBy: 'ua', submittedBy: 'acc_a' });

    // The approver must not be the submitter.
    const mayVol = (await s.volumes.list(archivist, { fondsId: A.fondsId, period: '2024-05' })).items[0];
    await expect(s.volumes.approve(archivist, mayVol.id)).rejects.toMatchObject({ code: 'four_eyes', status: 403 });
    // An accountant may submit but not approve.
    await expect(s.volumes.approve(accountant, mayVol.id)).rejects.toMatchObject({ status: 403 });

    // Frozen: a new April voucher is not filed, April keeps its code and the summary says so.
    await insertJournals(t.db, A.unitId, A.fondsId, '2024-04', [4]);
    const r = await s.volumes.assemble(archivist, { unitId: A.unitId, fondsId: A.fondsId, year: 2024, period: '2024-04' });
    expect(r.created).toEqual([]);
    expect(r.updated).toEqual([]);
    expect(r.frozen).toEqual([{ period: '2024-04', category: 'voucher', codes: ['Q001-2024-PZ-D30-0005'], differs: true }]);
    expect((await s.volumes.detail(archivist, vol.id)).itemCount).toBe(3);

    await expect(s.volumes.reopen(archivist, vol.id, '  ')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(s.volumes.reopen(admin, vol.id, '补录记-0004')).rejects.toMatchObject({ status: 403 });
    const reopened = await s.volumes.reopen(archivist, vol.id, '补录记-0004');
    expect(reopened).toMatchObject({ state: 'draft', reopenReason: '补录记-0004', reopenedBy: 'arch_a', submittedBy: null, approvedBy: null });
    const again = await s.volumes.assemble(archivist, { unitId: A.unitId, fondsId: A.fondsId, year: 2024, period: '2024-04' });
    expect(again.updated).toEqual(['Q001-2024-PZ-D30-0005']);
    expect((await s.volumes.detail(archivist, vol.id)).items.map((i) => i.number)).toEqual(['记-0001', '记-0002', '记-0003', '记-0004']);
    const actions = (await t.db.selectFrom('audit_log').select('action').where('target_id', '=', vol.id).orderBy('seq').execute()).map((a) => a.action);
    expect(actions).toEqual(['volume.submit', 'volume.approve', 'volume.reopen']);
  });

  it('archives only approved volumes (markArchived) and lists archived items due for appraisal', async () => {
    const archivist = arch();
    const vol = (await s.volumes.list(archivist, { fondsId: A.fondsId, period: '2024-05' })).items[0];
    await t.db.transaction().execute((trx) => expect(s.volumes.markArchived(vol.id, trx)).rejects.toMatchObject({ code: 'invalid_state' }));
    await s.volumes.approve(user('ua', [{ role: 'unit_admin', unitId: A.unitId }]), vol.id);
    await t.db.transaction().execute((trx) => s.volumes.markArchived(vol.id, trx));
    expect((await s.volumes.detail(archivist, vol.id)).state).toBe('archived');

    expect((await s.retention.dueFor(archivist, '2054-12-30')).items).toEqual([]);
    const due = await s.retention.dueFor(archivist, '2054-12-31');
    expect(due.items.map((i) => [i.itemCode, i.number, i.expiresOn, i.retention])).toEqual(
      [1, 2, 3, 4, 6, 7].map((n, i) => [`Q001-2024-PZ-D30-0006-000${i + 1}`, `记-000${n}`, '2054-12-31', '30y']),
    );
    // Another unit's archivist sees none of them.
    expect((await s.retention.dueFor(user('arch_b', [{ role: 'archivist', unitId: B.unitId }]), '2100-01-01')).items).toEqual([]);
    // Drafts never count; submitted/approved only on request.
    expect((await s.retention.dueFor(archivist, '2054-12-31', true)).items).toHaveLength(6);
  });

  it('never files an item twice: one moved out of an archived volume is skipped with the reason', async () => {
    const moved = await (t.db as any).updateTable('journal_voucher').set({ period: '2024-07' }).where('unit_id', '=', A.unitId).where('period', '=', '2024-05').where('number', '=', '记-0007').returning('id').executeTakeFirstOrThrow();
    await insertJournals(t.db, A.unitId, A.fondsId, '2024-07', [1]);
    const r = await s.volumes.assemble(arch(), { unitId: A.unitId, fondsId: A.fondsId, year: 2024, period: '2024-07' });
    expect(r.created).toEqual(['Q001-2024-PZ-D30-0007']);
    expect(r.skipped).toEqual([{ sourceType: 'journal_voucher', sourceId: moved.id, number: '记-0007', reason: 'already filed in Q001-2024-PZ-D30-0006 (archived); reopen that volume to move it' }]);
    const july = (await s.volumes.list(arch(), { period: '2024-07' })).items[0];
    expect(july.itemCount).toBe(1);
    // May is archived: assembling it again reports the change but touches nothing.
    const may = await s.volumes.assemble(arch(), { unitId: A.unitId, fondsId: A.fondsId, year: 2024, period: '2024-05' });
    expect(may.frozen).toEqual([{ period: '2024-05', category: 'voucher', codes: ['Q001-2024-PZ-D30-0006'], differs: true }]);
    expect(may.gaps).toEqual([{ period: '2024-05', missing: '记-0005', acknowledged: true, reason: '记-0005 作废，已附作废说明' }]);
  });

  it('keeps to the unit scope', async () => {
    const other = user('arch_b', [{ role: 'archivist', unitId: B.unitId }]);
    await expect(s.volumes.assemble(other, { unitId: A.unitId, fondsId: A.fondsId, year: 2024 })).rejects.toMatchObject({ status: 403 });
    await expect(s.volumes.assemble(other, { unitId: B.unitId, fondsId: A.fondsId, year: 2024 })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('does not belong') });
    expect((await s.volumes.list(other, {})).items).toEqual([]);
    const vol = (await s.volumes.list(arch(), {})).items[0];
    await expect(s.volumes.detail(other, vol.id)).rejects.toMatchObject({ status: 403 });
    await expect(s.volumes.submit(other, vol.id)).rejects.toMatchObject({ status: 403 });
    const auditor = user('aud', [{ role: 'auditor', unitId: null }]);
    expect((await s.volumes.list(auditor, { limit: 2 })).nextAfter).toBe('Q001-2024-PZ-D30-0002');
    await expect(s.volumes.submit(auditor, vol.id)).rejects.toMatchObject({ status: 403 });
  });

  it('uses the unit regime: an enterprise files the same vouchers under 附表1', async () => {
    await s.retention.setRegime('system', B.unitId, 'enterprise');
    await insertJournals(t.db, B.unitId, null, '2024-01', [1, 2]);
    const r = await s.volumes.assemble('system', { unitId: B.unitId, fondsId: B.fondsId, year: 2024 });
    expect(r).toMatchObject({ regime: 'enterprise', created: ['Q002-2024-PZ-D30-0001'] });
    const v = (await s.volumes.list('system', { fondsId: B.fondsId })).items[0];
    expect(v.retentionRule).toEqual({ id: 'retention', version: 1, regime: 'enterprise', row: 2 });
    await expect(s.retention.setRegime('system', B.unitId, 'tax_office')).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

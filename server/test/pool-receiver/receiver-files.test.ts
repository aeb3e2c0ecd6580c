/**
 * 入账信息结构化数据: a voucher brought in from the MoF toolkit's issuer sample goes claim → reimbursed → booked
 * (with the receiver sample's own journal entries); the receiver XBRL and JSON the pool writes are compared
 * structurally with the toolkit's receiver sample of that kind (element local names, contexts, units, tuples)
 * and read back with readXbrl. The toolkit files are read from the shared corpus at test time, never copied.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedClock } from '../../src/platform/clock/clock';
import { readXbrl, elementMap, type XbrlItem } from '../../src/formats/xbrl';
import { getPath } from '../../src/formats/kinds/build';
import type { ElementMap, FactMapping, TupleMapping } from '../../src/formats/xbrl/model';
import type { Voucher } from '../../src/formats/voucher';
import { STORAGE } from '../../src/platform/tokens';
import type { ObjectStore } from '../../src/platform/storage/object-store';
import type { TestApp } from '../support/app';
import { createPoolTestApp, ingest, seedPoolOrg, signed } from '../pool-claims/support';

const TOOLKIT = '/work/shared/corpus/raw/marlonche__accounting-tools';
const xbrlSample = (c: string) => join(TOOLKIT, `1.基础工具包（推广应用版V1.0）__xbrl生成文件__${c}.xml`);
const jsonSample = (c: string) => join(TOOLKIT, `1.基础工具包（推广应用版V1.0）__json样例文件__${c}.json`);
const KINDS = [
  { kind: 'inv_ord', issuer: 'inv_ord_issuer', receiver: 'inv_ord_receiver' },
  { kind: 'bker', issuer: 'bker_issuer', receiver: 'bker_receiver' },
  { kind: 'rai', issuer: 'rai_issuer', receiver: 'rai_receiver' },
  { kind: 'atr', issuer: 'atr_issuer', receiver: 'atr_receiver' },
  { kind: 'ntrev', issuer: 'ntrev_gpm_issuer', receiver: 'ntrev_gpm_receiver' },
];
const haveCorpus = existsSync(TOOLKIT);
const clock = fixedClock('2026-03-02T02:00:00.000Z');
let t: TestApp;
let seed: Awaited<ReturnType<typeof seedPoolOrg>>;

beforeAll(async () => {
  if (!haveCorpus) return;
  t = await createPoolTestApp({ clock, env: { EVARCHIVE_API_KEY_WINDOW_SECONDS: '300' } });
  seed = await seedPoolOrg(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** Every fact/tuple local name below the root (tuples as `Name[]`, their children as `Name[]/Child`). */
function shape(items: XbrlItem[], at = ''): Set<string> {
  const out = new Set<string>();
  for (const it of items) {
    const name = at ? `${at}/${it.name}` : it.name;
    if (it.type === 'tuple') {
      out.add(`${name}[]`);
      for (const s of shape(it.children, `${name}[]`)) out.add(s);
    } else out.add(name);
  }
  return out;
}

function tupleCounts(items: XbrlItem[]): number[][] {
  return items.filter((i) => i.type === 'tuple' && i.name === 'InformationOfAccountingDocumentsTuple').map((d) => [(d as { children: XbrlItem[] }).children.filter((c) => c.type === 'tuple').length]);
}

/** The mapping of a shape path in the element map (facts, tuples and their children), if the map has one. */
function mappingOf(map: ElementMap, path: string): { fm: FactMapping; tuplePath: TupleMapping[] } | undefined {
  const parts = path.split('/');
  let facts = map.facts;
  let tuples = map.tuples;
  const chain: TupleMapping[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.endsWith('[]')) {
      const tm = tuples.find((x) => x.element === p.slice(0, -2));
      if (!tm) return undefined;
      chain.push(tm);
      facts = tm.facts;
      tuples = tm.tuples ?? [];
      if (i === parts.length - 1) return { fm: { element: tm.element, to: tm.to, type: 'text' }, tuplePath: chain.slice(0, -1) };
    } else {
      const rest = parts.slice(i).join('/');
      const fm = facts.find((f) => f.element === rest);
      return fm && { fm, tuplePath: chain };
    }
  }
  return undefined;
}

/** Whether our written voucher has a value for what the element maps to (top-level fields only with a source). */
function ourDataHas(v: Voucher, m: { fm: FactMapping; tuplePath: TupleMapping[] }): boolean {
  if (m.tuplePath.length === 0) {
    const to = m.fm.to;
    if (!to.startsWith('extra.') && v.sources[to.split('.')[0]] === undefined) return false;
    const val = getPath(v as unknown as Record<string, unknown>, to);
    return val !== undefined && !(Array.isArray(val) && val.length === 0);
  }
  // Inside tuples: some row at the tuple path has the key.
  let rows: unknown[] = [v];
  for (const tm of m.tuplePath) rows = rows.flatMap((r) => (getPath(r as Record<string, unknown>, tm.to) as unknown[] | undefined) ?? []);
  return rows.some((r) => getPath(r as Record<string, unknown>, m.fm.to) !== undefined);
}

const describeCorpus = haveCorpus ? describe : describe.skip;

describeCorpus('receiver files against the MoF toolkit receiver samples', () => {
  test.each(KINDS)('$kind: booked → $receiver XBRL + JSON, structurally like the toolkit sample', async ({ kind, issuer, receiver }) => {
    const id = await ingest(t, seed.unitA.id, `${issuer}.xml`, readFileSync(xbrlSample(issuer)));
    const sample = readXbrl(readFileSync(xbrlSample(receiver)));
    const doc = (sample.voucher.extra.accounting as any).documents[0];
    const entries = doc.entries.map((e: any, i: number) => ({
      accountCode: `${/借/.test(e.direction) ? 5001 : 1002}${String(i + 1).padStart(2, '0')}`,
      accountName: e.generalLedgerSubject,
      ...(e.subsidiaryLedgerSubject ? { subsidiaryName: e.subsidiaryLedgerSubject } : {}),
      [/借/.test(e.direction) ? 'debit' : 'credit']: e.amount,
    }));
    const docId = `BX-${kind}`;
    expect((await signed(t, clock, seed.receiver, 'POST', `/api/pool/receiver/vouchers/${id}/claim`, { reimbursementDocId: docId })).status).toBe(201);
    expect((await signed(t, clock, seed.receiver, 'POST', `/api/pool/receiver/vouchers/${id}/reimbursed`, { reimbursementDocId: docId })).status).toBe(200);
    const booking = { journalVoucherNumber: `记-${kind}-0001`, period: '2026-03', bookedAt: '2026-03-06', summary: `入账 ${kind}`, entries };
    const b = await signed(t, clock, seed.accounting, 'POST', `/api/pool/receiver/vouchers/${id}/booked`, booking);
    expect([b.status, b.json.message]).toEqual([200, undefined]);
    expect(b.json.receiverFiles.configId).toBe(receiver);

    // The files as stored and linked to the voucher.
    const files = await t.db.selectFrom('voucher_file').select(['role', 'object_key', 'media_type', 'channel']).where('voucher_id', '=', id).where('role', 'in', ['receiver_xbrl', 'receiver_json']).execute();
    expect(files.map((f) => f.role).sort()).toEqual(['receiver_json', 'receiver_xbrl']);
    const store = t.app.get<ObjectStore>(STORAGE);
    const xbrl = await store.get(files.find((f) => f.role === 'receiver_xbrl')!.object_key);
    const json = JSON.parse(Buffer.from(await store.get(files.find((f) => f.role === 'receiver_json')!.object_key)).toString('utf8'));
    const ours = readXbrl(xbrl);

    // Same taxonomy view, same context/unit structure.
    expect(ours.configId).toBe(sample.configId);
    expect(ours.taxonomy.entryPoint).toBe(sample.taxonomy.entryPoint);
    expect(ours.contexts.map((c) => ({ id: c.id, scheme: c.entity.scheme, period: Object.keys(c.period).filter((k) => (c.period as any)[k] != null) }))).toEqual(
      sample.contexts.map((c) => ({ id: c.id, scheme: c.entity.scheme, period: Object.keys(c.period).filter((k) => (c.period as any)[k] != null) })),
    );
    expect(ours.units).toEqual(sample.units);
    expect(ours.contexts[0].entity.identifier).toBe('91350100M000100Y43');
    expect(ours.contexts[0].period.instant).toBe('2026-03-06');
    // Facts reference the context, monetary facts the unit with 2 decimals, as in the sample.
    const flat = (items: XbrlItem[]): XbrlItem[] => items.flatMap((i) => (i.type === 'tuple' ? flat(i.children) : [i]));
    for (const f of flat(ours.facts)) expect(f.type === 'fact' && f.contextRef).toBe('c1');
    const unitRefs = (d: typeof ours) => new Set(flat(d.facts).filter((f) => f.type === 'fact' && f.unitRef).map((f) => f.name));
    for (const n of unitRefs(ours)) if (shape(sample.facts).has(n)) expect(unitRefs(sample).has(n)).toBe(true);

    // Element set: ours ⊆ sample, except the subject-code elements the map declares but no sample shows.
    const map = elementMap(receiver);
    const ourShape = shape(ours.facts);
    const sampleShape = shape(sample.facts);
    const extra = [...ourShape].filter((n) => !sampleShape.has(n));
    for (const n of extra) expect([n, mappingOf(map, n)?.fm.$comment ?? 'not in map']).toEqual([n, 'unverified']);
    expect(extra.every((n) => /CodeOf(General|Subsidiary)LedgerSubject$/.test(n))).toBe(true);
    // What the sample has and we do not: only elements our data has no value for.
    const written = ours.voucher;
    const missing = [...sampleShape].filter((n) => !ourShape.has(n));
    for (const n of missing) {
      const m = mappingOf(map, n);
      if (m) expect([n, ourDataHas(written, m)]).toEqual([n, false]);
    }
    // The booking part is always complete.
    for (const n of [
      'UnifiedSocialCreditCodeOfAccountingEntity',
      'NameOfAccountingEntity',
      'InformationOfAccountingDocumentsTuple[]',
      'InformationOfAccountingDocumentsTuple[]/NumberOfAccountingDocuments',
      'InformationOfAccountingDocumentsTuple[]/PostingDate',
      'InformationOfAccountingDocumentsTuple[]/AccountingPeriod',
      'InformationOfAccountingDocumentsTuple[]/InformationOfDebitAndCreditEntryTuple[]',
      'InformationOfAccountingDocumentsTuple[]/InformationOfDebitAndCreditEntryTuple[]/DebitOrCredit',
      'InformationOfAccountingDocumentsTuple[]/InformationOfDebitAndCreditEntryTuple[]/NameOfGeneralLedgerSubject',
      'InformationOfAccountingDocumentsTuple[]/InformationOfDebitAndCreditEntryTuple[]/RecordedAmount',
    ])
      expect([n, ourShape.has(n)]).toEqual([n, true]);
    // Tuple structure: one accounting document with as many entry tuples as the sample's.
    expect(tupleCounts(ours.facts)).toEqual(tupleCounts(sample.facts));

    // Read back: the booked values.
    const acc = ours.voucher.extra.accounting as any;
    expect(acc.entityName).toBe('示例市测试局');
    expect(acc.booked).toBe(true);
    expect(acc.documents).toHaveLength(1);
    expect(acc.documents[0]).toMatchObject({ number: `记-${kind}-0001`, postingDate: '2026-03-06', period: '2026-03', summary: `入账 ${kind}` });
    expect(acc.documents[0].entries.map((e: any) => [e.direction, e.generalLedgerSubjectCode, e.amount])).toEqual(
      entries.map((e: any) => [e.debit ? '借方' : '贷方', e.accountCode, e.debit ?? e.credit]),
    );
    // The voucher's own data survives into the receiver view (e.g. its amount).
    const original = readXbrl(readFileSync(xbrlSample(issuer))).voucher;
    if (original.totalAmount && mappingOf(map, 'TotalAmount') === undefined && ours.voucher.totalAmount) expect(ours.voucher.totalAmount).toBe(original.totalAmount);

    // The JSON twin: same keys as the sample's (modulo the same exceptions), tuples as arrays.
    const sampleJson = JSON.parse(readFileSync(jsonSample(receiver), 'utf8'));
    const keys = (o: Record<string, unknown>, at = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (Array.isArray(v) ? [`${at}${k}[]`, ...v.flatMap((r) => keys(r as Record<string, unknown>, `${at}${k}[]/`))] : [`${at}${k}`]));
    const ourKeys = new Set(keys(json));
    const sampleKeys = new Set(keys(sampleJson));
    expect([...ourKeys].filter((k) => !sampleKeys.has(k) && !/CodeOf(General|Subsidiary)LedgerSubject$/.test(k))).toEqual([]);
    expect(json.InformationOfAccountingDocumentsTuple[0].InformationOfDebitAndCreditEntryTuple).toHaveLength(entries.length);
    expect(json.InformationOfAccountingDocumentsTuple[0].NumberOfAccountingDocuments).toBe(`记-${kind}-0001`);
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { OrgService } from '../../src/platform/identity/org.service';
import { IngestService, sha256Of, type BatchOptions, type ItemOutcome } from '../../src/modules/pool/ingest.service';
import { createTestApp, type TestApp } from '../support/app';
import { CORPUS, HAS_CORPUS } from './support';

/** Every file of the real corpus (test input only: read in place, never copied, nothing personal printed). */
function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) walk(path.join(p, e));
    else out.push(p);
  };
  walk(CORPUS);
  return out;
}

const suite = HAS_CORPUS ? describe : describe.skip;
if (!HAS_CORPUS) console.warn(`pool corpus test skipped: no corpus at ${CORPUS}`);

suite('the real corpus, ingested twice', () => {
  let t: TestApp;
  let opts: BatchOptions;
  beforeAll(async () => {
    t = await createTestApp({ jobs: false, logger: false });
    const unit = await t.app.get(OrgService).createUnit('system', { code: 'A01', name: '示例局' });
    opts = { channel: 'folder', routing: { unitId: unit.id, routableUnitIds: 'all' }, actor: { type: 'system', id: null, name: 'test' } };
  });
  afterAll(async () => {
    await t?.close();
  });

  async function run(files: string[]): Promise<ItemOutcome[]> {
    const ingest = t.app.get(IngestService);
    const { batchId } = await ingest.openBatch(
      opts,
      files.map((f) => {
        const b = readFileSync(f);
        return { filename: path.basename(f), sourceRef: f, sha256: sha256Of(b), size: b.length };
      }),
    );
    const r = await ingest.runBatch(batchId, opts, async (it) => readFileSync(it.sourceRef!), { concurrency: 2 });
    expect(r.complete).toBe(true);
    return r.outcomes;
  }

  const snapshot = async () => ({
    vouchers: await t.db.selectFrom('voucher').select(['id', 'identity_key', 'total_amount', 'updated_at']).orderBy('id').execute(),
    files: await t.db.selectFrom('voucher_file').select(['sha256', 'voucher_id', 'role']).orderBy('sha256').execute(),
  });

  test('every file gets an outcome; the second time every accepted file is a duplicate and nothing changes', async () => {
    const files = corpusFiles();
    const first = await run(files);
    expect(first).toHaveLength(files.length);
    const accepted = first.filter((o) => o.outcome !== 'rejected');
    // Rejected files are the OFD package parts and non-voucher files, each with a code and a reason.
    for (const o of first.filter((x) => x.outcome === 'rejected')) {
      expect(o.errorCode).toMatch(/^[a-z_]+$/);
      expect(o.message).toContain(o.filename);
    }
    // 74 of the 135 files are vouchers (2026-12 corpus); the others are package parts, seal images and OFD/PDF
    // documents that hold no voucher (format libraries' test files), refused as not_a_voucher.
    expect(accepted.length).toBeGreaterThan(60);
    const notVouchers = first.filter((o) => o.errorCode === 'not_a_voucher');
    expect(notVouchers.length).toBeGreaterThan(20);
    expect(notVouchers.map((o) => o.filename)).toEqual(expect.arrayContaining(['ofdrw-reader__src__test__resources__helloworld.ofd']));
    for (const o of notVouchers) expect(o.message).toMatch(/holds no voucher/);
    // A real 数电票 OFD of the corpus is a voucher.
    expect(accepted.filter((o) => o.kind === 'einv_ord' || o.kind === 'einv_spcl').length).toBeGreaterThan(5);
    const before = await snapshot();
    // One file record per distinct accepted content, one voucher per identity.
    const distinct = new Set(files.filter((_, i) => first[i].outcome !== 'rejected').map((f) => sha256Of(readFileSync(f))));
    expect(before.files).toHaveLength(distinct.size);
    expect(new Set(before.vouchers.map((v) => v.identity_key)).size).toBe(before.vouchers.length);
    expect(before.vouchers.length).toBe(first.filter((o) => o.outcome === 'created').length);

    const second = await run(files);
    expect(second.map((o) => o.outcome)).toEqual(first.map((o) => (o.outcome === 'rejected' ? 'rejected' : 'duplicate')));
    expect(second.map((o) => o.voucherId)).toEqual(first.map((o) => o.voucherId));
    expect(await snapshot()).toEqual(before);
    const pending = await t.db.selectFrom('ingest_item').select(sql<string>`count(*)`.as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
    expect(pending.n).toBe('0');
  }, 300_000);
});

import { verifyDetached } from '../../src/modules/checks/report-signature';
import { verifyXmlSignature } from '../../src/modules/archive/xmlsig';
import { createEnv, createVolume, EICAR, eicarDatabase, flipStoredByte, type Env } from './fixture';

let env: Env;
beforeAll(async () => {
  env = await createEnv('volume-checks');
  process.env.EVARCHIVE_CLAMAV_DB = eicarDatabase(env.dataDir);
});
afterAll(async () => {
  delete process.env.EVARCHIVE_CLAMAV_DB;
  await env.close();
});

const failing = (r: { run: { results: { code: string; outcome: string; itemId: string }[] } }) =>
  r.run.results.filter((x) => x.outcome === 'fail').map((x) => x.code);

describe('archiving-stage checks on a linked volume', () => {
  test('a clean volume passes every veto item, and the run, results and signed report are stored', async () => {
    const v = await createVolume(env, { items: 3, volumeNo: 1 });
    const r = await env.checks.checkVolume(v.volumeId, 'GD', 'system');
    expect(failing(r)).toEqual([]);
    expect(r.run.summary.vetoFailures).toEqual([]);
    expect(r.run.schemeId).toBe('dat70-accounting');
    // every GD item of the scheme produced at least one result
    const codes = new Set(r.run.results.map((x) => x.code));
    for (const c of ['GD-ZS-1-1', 'GD-ZS-1-2', 'GD-ZS-2-6', 'GD-WZ-3-1', 'GD-KY-2-2', 'GD-AQ-1-1', 'GD-AQ-3-1']) expect(codes).toContain(c);
    const fix = r.run.results.find((x) => x.code === 'GD-ZS-1-1' && x.itemId === v.itemIds[0])!;
    const ev = (fix.evidence.files as any[])[0];
    expect(ev.computed.sha256).toBe(v.originals[0][0].sha256);
    expect(ev.computed.sm3).toMatch(/^[0-9a-f]{64}$/);

    const stored = await env.db.selectFrom('check_result').select(['code', 'outcome']).where('run_id', '=', r.id).execute();
    expect(stored.length).toBe(r.run.results.length);
    const run = await env.checks.getRun(r.id);
    expect(run.schemeVersion).toBe(1);
    expect(run.verdict).toBe(r.run.summary.verdict);

    const pdf = await env.checks.report(r.id, 'pdf');
    const sig = await env.checks.report(r.id, 'sig');
    expect(verifyDetached(pdf.bytes, sig.bytes).ok).toBe(true);
    const xml = await env.checks.report(r.id, 'xml');
    expect(verifyXmlSignature(xml.bytes.toString('utf8')).ok).toBe(true);
    expect(xml.bytes.toString('utf8')).toContain('GD-ZS-1-1');
  });

  test('a tampered original, a missing linked invoice, an unreadable file and the EICAR file are each caught by the right code', async () => {
    const v = await createVolume(env, {
      items: 4,
      volumeNo: 2,
      fileBytes: (i) =>
        i === 2 ? { bytes: new TextEncoder().encode('%PDF-1.7 this is not really a pdf'), mediaType: 'application/pdf', format: 'pdf', filename: 'broken.pdf' }
        : i === 3 ? { bytes: new TextEncoder().encode(EICAR), mediaType: 'application/pdf', format: 'pdf', filename: 'eicar.pdf' }
        : undefined,
      unlinkedInvoices: (i) => (i === 1 ? ['99990001'] : []),
      attachmentCount: (i) => (i === 1 ? 2 : 1),
    });
    await flipStoredByte(env.storeRoot, v.originals[0][0].objectKey);
    const r = await env.checks.checkVolume(v.archivalCode, 'GD', 'system');
    const failsFor = (i: number) => r.run.results.filter((x) => x.itemId === v.itemIds[i] && x.outcome === 'fail').map((x) => x.code).sort();
    expect(failsFor(0)).toContain('GD-ZS-1-1');
    expect(failsFor(1)).toEqual(['GD-WZ-3-1', 'GD-WZ-3-2']);
    expect(failsFor(2)).toContain('GD-KY-2-2');
    expect(failsFor(3)).toContain('GD-AQ-1-1');
    expect(failsFor(2)).not.toContain('GD-AQ-1-1');
    expect(r.run.summary.verdict).toBe('fail');
    const eicar = r.run.results.find((x) => x.code === 'GD-AQ-1-1' && x.itemId === v.itemIds[3])!;
    expect((eicar.evidence.files as any[])[0].found).toMatch(/Evarchive\.Test\.EICAR/);
  });
});

/**
 * Every check function against a clean subject (pass) and a subject with exactly one defect (fail), table-driven,
 * over a real local object store holding factory-made sealed OFDs. audit_chain needs a database: its pass and
 * fail cases are in server/test/checks/audit-chain.test.ts.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFactory } from '../../formats/factory';
import { LocalObjectStore } from '../../platform/storage';
import { rsaSigningKey } from '../archive/keys';
import { buildPackage } from '../archive/package';
import { CHECK_FUNCTIONS, RunContext, type CheckEnv, type Outcome } from './functions';
import { loadScheme, type CheckFnName } from './scheme';
import type { CheckSubject, SubjectFile } from './subject';

const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
let dir: string;
let store: LocalObjectStore;
let env: CheckEnv;
let files: SubjectFile[];
let extra: Record<string, SubjectFile>;
let pkg: { good: { key: string; sha256: string; sm3: string }; tampered: { key: string; sha256: string; sm3: string }; incomplete: { key: string; sha256: string; sm3: string } };

const hex = (alg: string, b: Uint8Array) => createHash(alg).update(b).digest('hex');

async function stored(bytes: Uint8Array, format: string, mediaType: string, id: string): Promise<SubjectFile> {
  const p = await store.put(bytes, { mediaType, filename: `${id}.${format}` });
  return { id, role: 'original', objectKey: p.key, sha256: p.sha256, sm3: p.sm3, size: p.size, mediaType, filename: `${id}.${format}`, format, signatureVerdict: 'valid' };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'evarchive-fn-'));
  store = await LocalObjectStore.open({ root: join(dir, 'objects') });
  const clamdb = join(dir, 'clamdb');
  mkdirSync(clamdb);
  writeFileSync(join(clamdb, 'eicar.ndb'), `Evarchive.Test.EICAR:0:*:${Buffer.from(EICAR).toString('hex')}\n`);
  env = { store, clamav: { database: clamdb }, sampleSeed: 'spec' };
  const f = createFactory({ seed: 'functions-spec' });
  const [a, b] = [...f.ofdInvoices({ count: 2 })];
  files = [await stored(a.bytes, 'ofd', 'application/ofd', 'f1'), await stored(b.bytes, 'ofd', 'application/ofd', 'f2')];
  const enc = new TextEncoder();
  extra = {
    eicar: await stored(enc.encode(EICAR), 'pdf', 'application/pdf', 'eicar'),
    broken: await stored(enc.encode('%PDF-1.7\nnot a real pdf body'), 'pdf', 'application/pdf', 'broken'),
    unknown: await stored(enc.encode('plain words, no known format'), 'txt', 'text/plain', 'unknown'),
    encrypted: await stored(enc.encode('%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n<< /Root 1 0 R /Encrypt 5 0 R >>\n%%EOF\n'), 'pdf', 'application/pdf', 'encrypted'),
  };
  const key = rsaSigningKey(dir);
  const mk = (n: number) =>
    buildPackage({
      createdAt: '2026-01-01T00:00:00.000Z',
      creator: 'spec',
      volume: { id: 'vol', fonds: '0012', archivalCode: '0012-2025-PZ-D30-0001', title: 't', year: '2025', retention: '30年' },
      check: { schemeId: 's', schemeVersion: 1, stage: 'GD', runId: 'r', verdict: 'pass' },
      items: [a, b].slice(0, n).map((g, i) => ({ seq: i + 1, id: `i${i + 1}`, archivalCode: `0012-2025-PZ-D30-0001-000${i + 1}`, title: 'x', metadata: {}, files: [{ role: 'original', bytes: g.bytes, mediaType: 'application/ofd', filename: `${i}.ofd` }] })),
      extras: [],
      signer: { algorithm: 'rsa-sha256', privateKey: key.privateKeyPem, certificatePem: key.certificatePem },
    }).zip;
  const put = async (name: string, z: Uint8Array) => {
    const p = await store.putNamed(`packages/spec/${name}.zip`, z, { mediaType: 'application/zip' });
    return { key: p.key, sha256: p.sha256, sm3: p.sm3 };
  };
  const good = mk(2);
  const tampered = Buffer.from(good);
  tampered[200] ^= 0x01; // inside manifest.xml, the first entry
  pkg = { good: await put('good', good), tampered: await put('tampered', tampered), incomplete: await put('incomplete', mk(1)) };
}, 60_000);

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function clean(): CheckSubject {
  return {
    type: 'volume',
    id: 'vol',
    metadata: { fonds: '0012', archivalCode: '0012-2025-PZ-D30-0001', title: '示例卷', year: '2025', retention: 'D30', category: 'PZ', expectedArchivalCode: '0012-2025-PZ-D30-0001' },
    items: files.map((f, i) => ({
      id: `i${i + 1}`,
      seq: i + 1,
      archivalCode: `0012-2025-PZ-D30-0001-000${i + 1}`,
      title: `记账凭证 ${i + 1}`,
      identityKey: `jv:${i + 1}`,
      metadata: { issueDate: '2025-03-10', totalAmount: '100.00' },
      files: [{ ...f }],
      expectedAttachments: 1,
      missingLinks: [],
      warnings: [],
    })),
    packages: [pkg.good],
  };
}

type Case = [fn: CheckFnName, defect: string, mutate: (s: CheckSubject) => void, expectOnFail?: Outcome];
const withFile = (f: () => SubjectFile) => (s: CheckSubject) => (s.items[1].files = [{ ...f() }]);

const cases: Case[] = [
  ['fixity', 'recorded digest differs from the stored bytes', (s) => (s.items[1].files[0].sha256 = hex('sha256', Buffer.from('other')))],
  ['signature_verdict', 'an invalid seal', (s) => (s.items[1].files[0].signatureVerdict = 'invalid')],
  ['metadata_format', 'a two-digit year', (s) => (s.metadata.year = '25')],
  ['metadata_domain', 'a retention code outside the domain', (s) => (s.metadata.retention = 'D99')],
  ['file_properties', 'recorded format differs from the bytes', (s) => (s.items[1].files[0].format = 'pdf')],
  ['uniqueness', 'two items with one 档号', (s) => (s.items[1].archivalCode = s.items[0].archivalCode)],
  ['archival_code', 'an item 档号 that breaks the rule', (s) => (s.items[1].archivalCode = '0012-2025-PZ-D30-0001-0009')],
  ['content_consistency', 'structured data disagreeing with the page', (s) => (s.items[1].warnings = ['金额 differs from the page text'])],
  ['package_structure', 'a byte flipped in the manifest', (s) => (s.packages = [pkg.tampered])],
  ['attachment_count', '附件数 2 with one linked original', (s) => (s.items[1].expectedAttachments = 2)],
  ['mandatory_metadata', 'an empty title', (s) => (s.items[1].title = '')],
  ['sequence_gaps', '件号 1 and 3', (s) => (s.items[1].seq = 3)],
  ['linked_present', 'a linked invoice not in the pool', (s) => (s.items[1].missingLinks = ['invoice 99990001'])],
  ['package_complete', 'a package without the second original', (s) => (s.packages = [pkg.incomplete])],
  ['format_allowed', 'a file of no archival format', withFile(() => extra.unknown)],
  ['renders', 'a PDF that does not open', withFile(() => extra.broken)],
  ['no_encryption', 'an encrypted PDF', withFile(() => extra.encrypted)],
  ['virus_scan', 'the EICAR test file', withFile(() => extra.eicar)],
  ['storage_readable', 'an object missing from storage', (s) => (s.items[1].files[0].objectKey = `sha256/00/00/${'0'.repeat(64)}`)],
];

function paramsFor(fn: CheckFnName): Record<string, unknown> {
  return loadScheme().items.find((i) => i.stage === 'GD' && i.check.fn === fn)?.check.params ?? loadScheme().items.find((i) => i.check.fn === fn)!.check.params;
}

async function outcomes(fn: CheckFnName, s: CheckSubject): Promise<Outcome[]> {
  const out = await CHECK_FUNCTIONS[fn](new RunContext(s, env), paramsFor(fn));
  return out.map((r) => r.outcome);
}

describe('check functions: one clean and one defective subject each', () => {
  test('the scheme uses every function this table covers (plus audit_chain)', () => {
    const used = new Set(loadScheme().items.map((i) => i.check.fn));
    expect([...used].sort()).toEqual([...cases.map((c) => c[0]), 'audit_chain'].sort());
  });

  test.each(cases)('%s: passes on the clean subject, fails on %s', async (fn, _defect, mutate) => {
    const ok = await outcomes(fn, clean());
    expect(ok).not.toContain('fail');
    expect(ok).toContain('pass');
    const bad = clean();
    mutate(bad);
    expect(await outcomes(fn, bad)).toContain('fail');
  });

  test('a signature verdict of unsigned is a warning, not a failure', async () => {
    const s = clean();
    s.items[0].files[0].signatureVerdict = 'unsigned';
    expect(await outcomes('signature_verdict', s)).toEqual(['warn', 'pass']);
  });

  test('uniqueness also looks outside the subject', async () => {
    const s = clean();
    const out = await CHECK_FUNCTIONS.uniqueness(new RunContext(s, { ...env, duplicatesElsewhere: async (field, values) => new Map(field === 'identityKey' ? [[values[0], ['other-volume/x']]] : []) }), { fields: ['archivalCode', 'identityKey'] });
    expect(out.map((r) => r.outcome)).toEqual(['fail', 'pass']);
    expect(out[0].evidence.duplicates).toEqual([{ field: 'identityKey', value: 'jv:1', alsoIn: ['other-volume/x'] }]);
  });

  test('audit_chain without a database is not applicable', async () => {
    expect(await outcomes('audit_chain', clean())).toEqual(['not_applicable']);
  });
});

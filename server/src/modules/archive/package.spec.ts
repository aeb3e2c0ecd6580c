import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openZip, writeZip } from '../../formats/zip';
import { rsaSigningKey, sm2SigningKey } from './keys';
import { buildPackage, type PackageInput } from './package';
import { verifyPackage } from './package-verify';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'evarchive-pkg-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function input(alg: 'rsa-sha256' | 'sm2-sm3'): PackageInput {
  const signer =
    alg === 'rsa-sha256'
      ? { algorithm: alg, privateKey: rsaSigningKey(dir).privateKeyPem, certificatePem: rsaSigningKey(dir).certificatePem }
      : { algorithm: alg, privateKey: Buffer.from(sm2SigningKey(dir).privateKey).toString('hex'), certificatePem: sm2SigningKey(dir).certificatePem };
  return {
    createdAt: '2026-01-01T00:00:00.000Z',
    creator: 'evarchive',
    volume: { id: 'v1', fonds: '0012', archivalCode: '0012-2025-PZ-D30-0001', title: '示例卷 & <测试>', year: '2025', retention: '30年' },
    check: { schemeId: 'dat70-accounting', schemeVersion: 1, stage: 'GD', runId: 'r1', verdict: 'pass' },
    items: [1, 2].map((n) => ({ seq: n, id: `i${n}`, archivalCode: `0012-2025-PZ-D30-0001-000${n}`, title: `凭证 ${n}`, metadata: { number: String(n) }, files: [{ role: 'original', bytes: new TextEncoder().encode(`original ${n} `.repeat(50)), mediaType: 'application/ofd', filename: `发票${n}.ofd` }] })),
    extras: [{ path: 'report/check-report.pdf', role: 'check_report', bytes: new TextEncoder().encode('%PDF-1.7 report'), mediaType: 'application/pdf' }],
    signer,
  };
}

const rezip = (zip: Uint8Array, edit: (entries: { name: string; data: Uint8Array; method: 0 }[]) => void) => {
  const z = openZip(zip);
  const entries = z.entries.map((e) => ({ name: e.name, data: z.read(e), method: 0 as const }));
  edit(entries);
  return writeZip(entries);
};

describe('archival package', () => {
  test.each(['rsa-sha256', 'sm2-sm3'] as const)('builds deterministically and verifies (%s)', async (alg) => {
    const a = buildPackage(input(alg));
    const v = await verifyPackage(a.zip);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.volume).toMatchObject({ archivalCode: '0012-2025-PZ-D30-0001', title: '示例卷 & <测试>', items: 2 });
    expect(v.files.map((f) => f.path)).toEqual(['originals/0001/发票1.ofd', 'originals/0002/发票2.ofd', 'report/check-report.pdf']);
    expect(v.signature?.algorithm).toContain(alg);
  });

  test('names a missing file, an extra file, a changed file and a broken signature', async () => {
    const { zip } = buildPackage(input('rsa-sha256'));
    const missing = await verifyPackage(rezip(zip, (e) => e.splice(2, 1)));
    expect(missing.problems).toEqual([expect.objectContaining({ kind: 'missing', path: 'originals/0002/发票2.ofd' })]);
    const extra = await verifyPackage(rezip(zip, (e) => e.push({ name: 'originals/0002/smuggled.ofd', data: new Uint8Array([1]), method: 0 })));
    expect(extra.problems).toEqual([expect.objectContaining({ kind: 'extra', path: 'originals/0002/smuggled.ofd' })]);
    const changed = await verifyPackage(rezip(zip, (e) => (e[1].data = new TextEncoder().encode('replaced'))));
    expect(changed.problems).toEqual([expect.objectContaining({ kind: 'changed', path: 'originals/0001/发票1.ofd' })]);
    const resigned = await verifyPackage(rezip(zip, (e) => (e[0].data = new TextEncoder().encode(new TextDecoder().decode(e[0].data).replace('凭证 1', '凭证 9')))));
    expect(resigned.problems).toEqual([expect.objectContaining({ kind: 'signature' })]);
  });

  test('a byte flipped anywhere — data, headers, central directory, end record — is found', async () => {
    const { zip } = buildPackage(input('rsa-sha256'));
    const step = Math.max(1, Math.floor(zip.length / 97));
    for (let at = 0; at < zip.length; at += step) {
      const bad = Buffer.from(zip);
      bad[at] ^= 0x04;
      const v = await verifyPackage(bad);
      if (v.ok) throw new Error(`flip at byte ${at} of ${zip.length} went unnoticed`);
    }
  });
});

/**
 * The ClamAV adapter's answers when scanning is impossible: a person must be told what to do, not shown
 * clamscan's exit code alone. Needs Debian's clamav (clamscan); the signatures are the test's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClamavUnavailableError, scanBuffers } from './clamav';

let empty: string;
beforeAll(() => {
  empty = mkdtempSync(join(tmpdir(), 'evarchive-clamdb-empty-'));
});
afterAll(() => rmSync(empty, { recursive: true, force: true }));

const files = new Map([['a_pdf', new TextEncoder().encode('%PDF-1.7 nothing to see')]]);

test('a signature folder with no signatures: the error says so and names freshclam and EVARCHIVE_CLAMAV_DB', async () => {
  const e = await scanBuffers(files, { database: empty }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ClamavUnavailableError);
  expect((e as Error).message).toMatch(new RegExp(`^ClamAV has no virus signatures in ${empty}: run freshclam .* or set EVARCHIVE_CLAMAV_DB`));
});

test('no clamscan binary: the error names the Debian package', async () => {
  const e = await scanBuffers(files, { binary: '/nonexistent/clamscan', database: empty }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ClamavUnavailableError);
  expect((e as Error).message).toMatch(/^cannot run \/nonexistent\/clamscan: .*\(install the Debian package clamav\)$/);
});

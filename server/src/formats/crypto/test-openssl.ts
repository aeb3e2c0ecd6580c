/**
 * Test support: the openssl CLI as an independent SM2/SM3 oracle (STACK.md §3). `opensslSm2` is false when
 * openssl is missing or lacks SM2, and tests then skip with a note.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function probe(): boolean {
  try {
    const pem = execFileSync('openssl', ['genpkey', '-algorithm', 'SM2'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return pem.includes('PRIVATE KEY');
  } catch {
    return false;
  }
}

export const opensslSm2 = probe();
if (!opensslSm2) console.warn('openssl with SM2 not available: the openssl oracle tests are skipped');

/** Runs openssl in a scratch folder holding `files`; returns stdout, or throws with stderr on failure. */
export function openssl(args: string[], files: Record<string, string | Uint8Array> = {}): { ok: boolean; out: Buffer } {
  const dir = mkdtempSync(path.join(tmpdir(), 'evarchive-ossl-'));
  try {
    for (const [name, data] of Object.entries(files)) writeFileSync(path.join(dir, name), data);
    try {
      return { ok: true, out: execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }) };
    } catch (e) {
      return { ok: false, out: Buffer.from(String((e as { stdout?: Buffer }).stdout ?? '')) };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Signs with openssl (SM2, SM3, user ID 1234567812345678) and returns the DER signature and key files. */
export function opensslSignSm2(message: Uint8Array): { signature: Uint8Array; keyDer: Uint8Array } {
  const dir = mkdtempSync(path.join(tmpdir(), 'evarchive-ossl-'));
  try {
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    run(['genpkey', '-algorithm', 'SM2', '-out', 'key.pem']);
    writeFileSync(path.join(dir, 'msg.bin'), message);
    run(['dgst', '-sm3', '-sign', 'key.pem', '-sigopt', 'distid:1234567812345678', '-out', 'sig.der', 'msg.bin']);
    const signature = new Uint8Array(execFileSync('cat', ['sig.der'], { cwd: dir }));
    const keyDer = new Uint8Array(run(['pkey', '-in', 'key.pem', '-outform', 'DER']));
    return { signature, keyDer };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** openssl's verdict on an SM2 signature (DER) over `message` with a PEM public key. */
export function opensslVerifySm2(publicKeyPem: string, message: Uint8Array, signatureDer: Uint8Array): boolean {
  const r = openssl(['dgst', '-sm3', '-verify', 'pub.pem', '-sigopt', 'distid:1234567812345678', '-signature', 'sig.der', 'msg.bin'], {
    'pub.pem': publicKeyPem,
    'msg.bin': message,
    'sig.der': signatureDer,
  });
  return r.ok && r.out.toString().includes('Verified OK');
}

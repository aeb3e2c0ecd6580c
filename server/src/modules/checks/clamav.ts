/**
 * Virus scanning with ClamAV's command-line scanner. One clamscan process per batch of files, because loading
 * the signature database dominates (seconds for the full freshclam database).
 *
 * Production uses freshclam's default database (no --database); tests and offline installations pass a folder
 * with their own signatures (e.g. an .ndb with the EICAR test signature) through `database` or
 * $EVARCHIVE_CLAMAV_DB.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ClamavOptions {
  /** clamscan binary; default `clamscan` on PATH or $EVARCHIVE_CLAMSCAN. */
  binary?: string;
  /** Signature database folder (--database); default $EVARCHIVE_CLAMAV_DB, else clamscan's own default. */
  database?: string;
}

export interface ScanOutcome {
  /** Per input name: null when clean, else the signature name that matched. */
  found: Map<string, string | null>;
  engine: string;
}

export class ClamavUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClamavUnavailableError';
  }
}

function run(binary: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', (e) =>
      reject(new ClamavUnavailableError(`cannot run ${binary}: ${(e as Error).message} (install the Debian package clamav)`)),
    );
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Scans named byte arrays; names must be plain file names (they become temp file names). */
export async function scanBuffers(files: Map<string, Uint8Array>, opts: ClamavOptions = {}): Promise<ScanOutcome> {
  const binary = opts.binary ?? process.env.EVARCHIVE_CLAMSCAN ?? 'clamscan';
  const database = opts.database ?? process.env.EVARCHIVE_CLAMAV_DB;
  const dir = await mkdtemp(join(tmpdir(), 'evarchive-scan-'));
  try {
    for (const [name, bytes] of files) await writeFile(join(dir, name), bytes);
    const args = ['--no-summary', '--stdout', '-r'];
    if (database) args.push(`--database=${database}`);
    args.push(dir);
    const r = await run(binary, args);
    // clamscan: 0 = nothing found, 1 = virus found, 2+ = an error (no database, unreadable file …).
    if (r.code !== 0 && r.code !== 1) {
      const said = (r.stderr || r.stdout).trim();
      // The usual cause on a new machine: clamav is installed but its signatures were never downloaded.
      if (/No supported database files found|cli_loaddbdir|Can't open file or directory/i.test(said)) {
        throw new ClamavUnavailableError(
          `ClamAV has no virus signatures${database ? ` in ${database}` : ''}: run freshclam (as root, with access to the ClamAV mirrors) or set EVARCHIVE_CLAMAV_DB to a folder of .cvd/.cld signature files; clamscan said: ${said.slice(0, 300)}`,
        );
      }
      throw new ClamavUnavailableError(`clamscan failed (exit ${r.code}): ${said.slice(0, 500)}`);
    }
    const found = new Map<string, string | null>([...files.keys()].map((k) => [k, null]));
    for (const line of r.stdout.split('\n')) {
      const m = /^(.*): (.+) FOUND$/.exec(line.trim());
      if (!m) continue;
      const name = m[1].slice(dir.length + 1);
      if (found.has(name)) found.set(name, m[2]);
    }
    const version = await run(binary, ['--version']).then((v) => v.stdout.trim(), () => 'clamscan');
    return { found, engine: version };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

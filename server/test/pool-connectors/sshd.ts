/**
 * A real Debian OpenSSH sshd for connector tests: temporary config, host key and authorized_keys in a temp folder,
 * loopback only, a port in 22220–22299, password AND public-key authentication, sftp served by internal-sftp.
 * Runs as root (it must switch to the login user); needs `/run/sshd` and the system user `evsftp` (created here
 * when missing, with a fresh random password each start). Stopped by its PID.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';
export const SFTP_USER = 'evsftp';

export interface SshdHandle {
  port: number;
  user: string;
  password: string;
  /** OpenSSH-format private key accepted by the server. */
  privateKey: string;
  /** Temporary folder (world-readable) for remote folders: put files under it. */
  dir: string;
  pid: number;
  /** Kills every connection's session process (the master keeps listening): a dropped link mid-transfer. */
  killSessions(): void;
  stop(): Promise<void>;
}

export function sshdAvailable(): boolean {
  return existsSync(SSHD) && process.getuid?.() === 0;
}

function ensureUser(password: string) {
  try {
    execFileSync('id', [SFTP_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', SFTP_USER]);
  }
  execFileSync('chpasswd', { input: `${SFTP_USER}:${password}\n` });
}

/** PIDs below `root` (children first found, then theirs), from ps. */
function descendants(root: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const kids = new Map<number, number[]>();
  for (const line of out.split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (!p) continue;
    kids.set(pp, [...(kids.get(pp) ?? []), p]);
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const k of kids.get(p) ?? []) {
      found.push(k);
      walk(k);
    }
  };
  walk(root);
  return found;
}

function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`sshd exited with ${child.exitCode}`));
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > until) reject(new Error(`sshd did not listen on ${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

export async function startSshd(): Promise<SshdHandle> {
  const password = randomBytes(12).toString('base64url');
  ensureUser(password);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'evsftp-'));
  chmodSync(dir, 0o755);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'evarchive-test', '-f', join(dir, 'client_key')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  chmodSync(join(dir, 'authorized_keys'), 0o644);
  const privateKey = readFileSync(join(dir, 'client_key'), 'utf8');
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 8; attempt++) {
    const port = 22220 + Math.floor(Math.random() * 80);
    const conf = join(dir, `sshd_config_${port}`);
    writeFileSync(
      conf,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, `sshd_${port}.pid`)}`,
        'UsePAM no',
        'StrictModes no',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PermitRootLogin no',
        `AllowUsers ${SFTP_USER}`,
        'Subsystem sftp internal-sftp',
        'ForceCommand internal-sftp',
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    const child = spawn(SSHD, ['-D', '-e', '-f', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    try {
      await waitForPort(port, child);
    } catch (e) {
      child.kill('SIGKILL');
      lastError = new Error(`${(e as Error).message}: ${stderr}`);
      continue;
    }
    const pid = child.pid!;
    return {
      port,
      user: SFTP_USER,
      password,
      privateKey,
      dir,
      pid,
      killSessions() {
        // Privilege separation: each connection is a [priv] child of the master with its own children holding the
        // socket too, so the whole subtree goes.
        for (const p of descendants(pid)) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
      },
      async stop() {
        for (const p of descendants(pid)) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
        child.stderr?.destroy();
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 3000)))]);
          // A timer left running would keep Jest's process alive after the suite (an open handle).
          clearTimeout(timer);
          if (child.exitCode === null) child.kill('SIGKILL');
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw lastError ?? new Error('sshd did not start');
}

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/config';
import { ConfigError } from '../errors/errors';

/**
 * The session secret: from the configuration, else generated once into `<dataDir>/secrets/session.key`
 * (mode 0600) so sessions survive restarts. It also keys the encryption of API-client secrets at rest
 * (derived with HKDF under a separate label), so replacing it logs everyone out AND requires re-issuing API keys.
 */
export function resolveSessionSecret(config: Pick<AppConfig, 'dataDir' | 'auth'>): Buffer {
  if (config.auth.sessionSecret) return Buffer.from(config.auth.sessionSecret, 'utf8');
  const dir = join(config.dataDir, 'secrets');
  const file = join(dir, 'session.key');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    // 'wx': two processes starting together must not overwrite each other's fresh key.
    writeFileSync(file, randomBytes(48).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  chmodSync(file, 0o600);
  const text = readFileSync(file, 'utf8').trim();
  if (text.length < 32) throw new ConfigError([`${file}: session secret is shorter than 32 characters; delete the file to regenerate it`]);
  return Buffer.from(text, 'utf8');
}

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** AES-256-GCM with a key derived from the session secret; sealed form `v1:<iv>:<tag>:<ciphertext>` (base64). */
export function secretBox(sessionSecret: Buffer): SecretBox {
  const key = Buffer.from(hkdfSync('sha256', sessionSecret, Buffer.alloc(0), 'evarchive api-client secrets v1', 32));
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
    },
    open(sealed) {
      const [v, iv, tag, ct] = sealed.split(':');
      if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('sealed secret: unknown format');
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      d.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8');
    },
  };
}

import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ValidationError } from '../errors/errors';

/**
 * Password hashing with scrypt (node:crypto). The stored form carries its parameters so they can be raised
 * later without invalidating existing hashes: `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`.
 */
const PARAMS = { N: 16384, r: 8, p: 1 };
const KEY_LEN = 32;
const MIN_LENGTH = 8;

function scrypt(password: string, salt: Buffer, opts: ScryptOptions, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFC'), salt, keylen, { ...opts, maxmem: 256 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export function checkPasswordPolicy(password: unknown, field = 'password'): string {
  if (typeof password !== 'string') throw new ValidationError(`${field}: required`, { field });
  if (password.length < MIN_LENGTH) throw new ValidationError(`${field}: must be at least ${MIN_LENGTH} characters`, { field });
  if (password.length > 512) throw new ValidationError(`${field}: must be at most 512 characters`, { field });
  return password;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, PARAMS, KEY_LEN);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Constant-time check; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (!N || !r || !p || expected.length === 0) return false;
  const actual = await scrypt(password, salt, { N, r, p }, expected.length);
  return timingSafeEqual(actual, expected);
}

// A fixed hash to verify against when the username does not exist, so the response time does not reveal it.
let dummy: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(12).toString('hex'));
  return dummy;
}

/** A readable random password (no 0/O/1/l/I) for generated accounts. */
export function generatePassword(length = 16): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(length);
  let out = '';
  // 256 % 57 bias is irrelevant at this length, but reject to keep the distribution uniform anyway.
  for (let i = 0; out.length < length; i++) {
    const b = i < bytes.length ? bytes[i] : randomBytes(1)[0];
    if (b < 228) out += alphabet[b % alphabet.length];
  }
  return out;
}

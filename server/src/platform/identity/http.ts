import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';

/** Reads one cookie from a Cookie header without depending on @fastify/cookie being registered. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(v);
      } catch {
        return v;
      }
    }
  }
  return undefined;
}

export function sessionCookie(name: string, value: string, opts: { expires?: Date; secure: boolean }): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (opts.expires) parts.push(`Expires=${opts.expires.toUTCString()}`);
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

export const BODY_SHA256 = Symbol('evarchive.bodySha256');
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

/**
 * Fastify preParsing hook: passes the body through unchanged while hashing the exact bytes received, so the
 * guard can check a signed request's body digest whatever content type parser runs afterwards.
 */
export function hashBodyHook(request: any, _reply: unknown, payload: Readable, done: (err: Error | null, body?: Readable) => void): void {
  const hash = createHash('sha256');
  request[BODY_SHA256] = EMPTY_SHA256;
  const tee = new Transform({
    transform(chunk, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
    flush(cb) {
      request[BODY_SHA256] = hash.digest('hex');
      cb();
    },
  });
  payload.on('error', (e) => tee.destroy(e));
  done(null, payload.pipe(tee));
}

export function bodySha256(request: any): string {
  if (typeof request[BODY_SHA256] === 'string') return request[BODY_SHA256];
  // Nest's rawBody option, when the app enables it, is an equally exact source.
  if (request.rawBody) return createHash('sha256').update(request.rawBody).digest('hex');
  return EMPTY_SHA256;
}

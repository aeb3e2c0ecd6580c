import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';

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
 * Fastify preParsing hook: for a signed request, passes the body through unchanged while hashing the exact
 * bytes received, so the guard can check the body digest whatever content type parser runs afterwards.
 */
export function hashBodyHook(request: any, _reply: unknown, payload: Readable, done: (err: Error | null, body?: Readable) => void): void {
  request[BODY_SHA256] = EMPTY_SHA256;
  // Only signed requests need the digest; every other body reaches its parser untouched (a multipart upload is
  // read from request.raw later, and a tee here would swallow its first bytes).
  if (request.headers['x-evarchive-key'] === undefined) {
    done(null, payload);
    return;
  }
  if (/^multipart\//i.test(request.headers['content-type'] ?? '')) {
    bufferSignedMultipart(request, payload, done);
    return;
  }
  const hash = createHash('sha256');
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

/** Signed multipart uploads larger than this are refused: they are held in memory until the guard has checked them. */
export const SIGNED_MULTIPART_LIMIT = 64 * 1024 * 1024;

/**
 * @fastify/multipart ignores the parsed payload and pipes `request.raw` itself, inside the handler, after the
 * guard. For a signed upload the guard must see the digest first, so the body is read whole here and
 * `request.raw.pipe` replays it to the multipart reader.
 */
function bufferSignedMultipart(request: any, payload: Readable, done: (err: Error | null, body?: Readable) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (err: Error | null, body?: Readable) => {
    if (finished) return;
    finished = true;
    done(err, body);
  };
  let tooLarge = false;
  payload.on('data', (c: Buffer) => {
    size += c.length;
    if (tooLarge) return;
    if (size > SIGNED_MULTIPART_LIMIT) {
      // Read to the end and drop the rest: a socket destroyed mid-upload reaches the client as a reset, not as 413.
      tooLarge = true;
      chunks.length = 0;
    } else chunks.push(c);
  });
  payload.on('error', (e) => finish(e));
  payload.on('end', () => {
    if (tooLarge) {
      finish(Object.assign(new Error(`signed multipart body exceeds ${SIGNED_MULTIPART_LIMIT / 1024 / 1024} MB; split the upload`), { statusCode: 413, code: 'too_large' }));
      return;
    }
    const body = Buffer.concat(chunks);
    request[BODY_SHA256] = createHash('sha256').update(body).digest('hex');
    request.raw.pipe = (dest: NodeJS.WritableStream, opts?: { end?: boolean }) => Readable.from([body], { objectMode: false }).pipe(dest, opts);
    finish(null, Readable.from([body], { objectMode: false }));
  });
}

export function bodySha256(request: any): string {
  if (typeof request[BODY_SHA256] === 'string') return request[BODY_SHA256];
  // Nest's rawBody option, when the app enables it, is an equally exact source.
  if (request.rawBody) return createHash('sha256').update(request.rawBody).digest('hex');
  return EMPTY_SHA256;
}

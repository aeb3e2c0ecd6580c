import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Socket } from 'node:net';
import { findImpossibleDate } from './dates';

/** The longest request target (path + query) answered normally; longer ones get a quick 414. */
export const MAX_URL_LENGTH = 8192;
/**
 * Node's limit for the request line plus headers. Its default, 16 KiB, is what signed-in browser requests hit at
 * about 8,100 URL characters: the web app's API requests carry the page's own long URL again as `Referer`, plus the
 * session cookie (request line + Referer + cookie > 16,384 bytes → the parser refuses the request). Raised so such
 * requests are served (≤ MAX_URL_LENGTH) or get the 414 below, instead of a parser refusal.
 */
export const MAX_HEADER_BYTES = 64 * 1024;

function json(code: string, message: string, details?: Record<string, unknown>): string {
  return JSON.stringify(details ? { code, message, details } : { code, message });
}

/**
 * Requests the HTTP parser refuses (headers over MAX_HEADER_BYTES, malformed request lines, header timeouts). Fastify's
 * default handler writes its answer and destroys the socket at once: a client still sending its oversized
 * headers then sees a connection reset instead of the answer (found with a 17 KB URL and a session cookie:
 * "socket hang up"), and clients or proxies that retry a reset request wait on a connection the server already
 * dropped. Here the answer has the API's error shape, the write side is closed after it (the client reads the
 * answer), and the socket is destroyed shortly after.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, text, body] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', json('headers_too_large', `the request line and headers are over ${MAX_HEADER_BYTES} bytes (a URL may have at most ${MAX_URL_LENGTH} characters)`, { max: MAX_HEADER_BYTES })]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', json('request_timeout', 'the request was not received in time')]
        : [400, 'Bad Request', json('bad_request', 'the request could not be read as HTTP')];
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    setTimeout(() => socket.destroy(), 2000).unref();
  } else socket.destroy();
}

/** The server options these checks need, merged under the caller's own. */
export function requestCheckOptions<T extends FastifyServerOptions>(options: T | undefined): T {
  const o = (options ?? {}) as T & { http?: Record<string, unknown> };
  return { clientErrorHandler, ...o, http: { maxHeaderSize: MAX_HEADER_BYTES, ...(o.http ?? {}) } } as T;
}

/**
 * Checks every request gets before routing, installed on the Fastify instance by EvarchiveFastifyAdapter:
 * - a request target longer than MAX_URL_LENGTH is answered 414 at once, before authentication or any database work
 *   (browsers and proxies cut or refuse URLs past 8 KB anyway; long filters belong in a request body);
 * - a query parameter shaped like a date that names no day of the calendar (`?dateFrom=2024-02-30`) is a 400
 *   naming the parameter, whatever the route does with it (JavaScript would read 1 March; PostgreSQL refuses it).
 */
export function installRequestChecks(app: FastifyInstance): void {
  app.addHook('onRequest', async (req, reply) => {
    const length = req.raw.url?.length ?? 0;
    if (length > MAX_URL_LENGTH) {
      return reply
        .code(414)
        .header('content-type', 'application/json; charset=utf-8')
        .header('connection', 'close')
        .send(json('uri_too_long', `the request URL is ${length} characters long; at most ${MAX_URL_LENGTH} are accepted (shorten the query, or send long filters in a request body)`, { length, max: MAX_URL_LENGTH }));
    }
    const bad = findImpossibleDate(req.query);
    if (bad) {
      return reply
        .code(400)
        .header('content-type', 'application/json; charset=utf-8')
        .send(json('invalid_date', `${bad.field}: "${bad.value}" is not a date in the calendar (${bad.problem})`, { field: bad.field, value: bad.value }));
    }
  });
}

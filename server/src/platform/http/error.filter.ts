import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/errors';
import type { SpaFallback } from './static';

/** The one JSON shape of every error the API returns. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
  503: 'unavailable',
};

function codeFor(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : `http_${status}`);
}

/**
 * Input that reached the database or a stream but is not acceptable there: PostgreSQL data exceptions (class 22:
 * a NUL character in text, an impossible date such as 2024-02-30, a word too long for a text search), a
 * reference to a row that does not exist (23503), and a request body cut off mid-way. These are the client's
 * problem and must be a 400 naming it, not a 500. Nothing is stored: the statement failed inside its transaction.
 */
function inputErrorOf(e: unknown): ErrorBody | undefined {
  const pg = e as { code?: unknown; message?: unknown; detail?: unknown; severity?: unknown };
  if (typeof pg?.code === 'string' && typeof pg.severity === 'string' && typeof pg.message === 'string') {
    if (pg.code === '22021' || pg.code === '22P05' || /0x00/.test(pg.message)) {
      return { code: 'invalid_input', message: 'text contains a NUL (0x00) character, which cannot be stored' };
    }
    if (pg.code.startsWith('22')) return { code: 'invalid_input', message: `invalid value: ${pg.message}` };
    // 54000 program_limit_exceeded: e.g. "word is too long to be indexed" from a very long search word.
    if (pg.code === '54000' && /too long/.test(pg.message)) return { code: 'invalid_input', message: pg.message };
    if (pg.code === '23503') return { code: 'invalid_reference', message: `refers to something that does not exist${typeof pg.detail === 'string' ? `: ${pg.detail}` : ''}` };
  }
  const s = e as { code?: unknown; message?: unknown };
  if (s?.code === 'ERR_STREAM_PREMATURE_CLOSE' || s?.message === 'Premature close' || s?.message === 'Unexpected end of form') {
    return { code: 'bad_request', message: 'the request body ended before it was complete (truncated upload?)' };
  }
  return undefined;
}

/** Turns any thrown value into (status, body). Exported for unit tests and for non-HTTP callers. */
export function toErrorResponse(e: unknown): { status: number; body: ErrorBody; unexpected: boolean } {
  if (e instanceof AppError) {
    // A storage failure names the server's folders and keys: logged in full, said to the caller in general.
    if (e.code === 'storage_failed') return { status: e.status, body: { code: e.code, message: 'the object store is unavailable: nothing was stored; try again later' }, unexpected: true };
    const body: ErrorBody = { code: e.code, message: e.message };
    if (e.details !== undefined) body.details = e.details;
    // A 5xx AppError (bad configuration, a job declared twice) is still our fault: log it, but its message is ours.
    return { status: e.status, body, unexpected: e.status >= 500 };
  }
  // PostgreSQL ended this transaction to break a deadlock with another (40P01) or a serialization conflict
  // (40001): nothing of it was kept, and the same request again goes through.
  const pgState = (e as { code?: unknown; severity?: unknown })?.code;
  if ((pgState === '40P01' || pgState === '40001') && typeof (e as { severity?: unknown }).severity === 'string') {
    return { status: 503, body: { code: 'retry', message: 'the database stopped this request to resolve a conflict with another one at the same moment: nothing was kept; send it again' }, unexpected: false };
  }
  if (e instanceof HttpException) {
    const status = e.getStatus();
    const res = e.getResponse();
    let message = e.message;
    if (typeof res === 'string') message = res;
    else if (res && typeof res === 'object') {
      const m = (res as { message?: unknown }).message;
      if (typeof m === 'string') message = m;
      else if (Array.isArray(m)) message = m.map(String).join('; ');
    }
    if (status >= 500) return { status, body: { code: codeFor(status), message: 'internal server error' }, unexpected: true };
    return { status, body: { code: codeFor(status), message }, unexpected: false };
  }
  // Errors raised by Fastify plugins inside a handler (multipart limits, …) carry their own 4xx status.
  const f = e as { statusCode?: unknown; message?: unknown; code?: unknown };
  if (typeof f?.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500 && typeof f.message === 'string') {
    const body: ErrorBody = { code: codeFor(f.statusCode), message: f.message };
    if (typeof f.code === 'string') body.details = { reason: f.code };
    return { status: f.statusCode, body, unexpected: false };
  }
  const input = inputErrorOf(e);
  if (input) return { status: HttpStatus.BAD_REQUEST, body: input, unexpected: false };
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { code: 'internal_error', message: 'internal server error' }, unexpected: true };
}

/**
 * Maps every exception to `{code, message, details?}` with the right status: AppErrors as they declare,
 * Nest's HttpExceptions (unknown route, bad JSON body, …) by status, anything else as a 500 that is logged with
 * its stack but never shows it. A GET for a client-side route of the web app (not /api, no file extension)
 * that found no file gets index.html instead of a 404.
 */
@Catch()
export class AppErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('HTTP');

  constructor(private readonly spa?: SpaFallback) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<FastifyRequest>();
    const { status, body, unexpected } = toErrorResponse(exception);
    if (status === 404 && !(exception instanceof AppError) && this.spa?.serves(req)) {
      this.spa.send(reply);
      return;
    }
    if (unexpected) {
      const err = exception as Error;
      this.log.error(`${req?.method} ${req?.url} → ${status}: ${err?.message ?? String(exception)}`, err?.stack);
    }
    if (reply.sent) return;
    reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

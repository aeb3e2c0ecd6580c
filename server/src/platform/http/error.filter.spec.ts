import { StorageError } from '../storage/object-store';
import { BadRequestException, HttpException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ConfigError, ForbiddenError, ValidationError } from '../errors/errors';
import { toErrorResponse } from './error.filter';
import { DatabaseError } from 'pg';

describe('toErrorResponse', () => {
  test('an AppError keeps its status, code, message and details', () => {
    const r = toErrorResponse(new ValidationError('amount: expected 2 decimals', { field: 'amount' }));
    expect(r).toEqual({ status: 400, body: { code: 'invalid_input', message: 'amount: expected 2 decimals', details: { field: 'amount' } }, unexpected: false });
    expect(toErrorResponse(new ForbiddenError()).body).toEqual({ code: 'forbidden', message: 'not allowed' });
  });

  test('a 5xx AppError is answered as declared but flagged for the log', () => {
    const r = toErrorResponse(new ConfigError(['PORT: bad']));
    expect(r.status).toBe(500);
    expect(r.body.code).toBe('invalid_config');
    expect(r.unexpected).toBe(true);
  });

  test('a storage failure is a 503 that does not name the server\'s folders (logged in full)', () => {
    const r = toErrorResponse(new StorageError('storing to /srv/evarchive/objects failed: ENOSPC: no space left on device', { root: '/srv/evarchive/objects' }));
    expect(r).toEqual({ status: 503, body: { code: 'storage_failed', message: 'the object store is unavailable: nothing was stored; try again later' }, unexpected: true });
  });

  test("Nest's HttpExceptions map by status, with their message", () => {
    expect(toErrorResponse(new NotFoundException('Cannot GET /api/x'))).toEqual({
      status: 404,
      body: { code: 'not_found', message: 'Cannot GET /api/x' },
      unexpected: false,
    });
    expect(toErrorResponse(new BadRequestException(['a must be a string', 'b is empty'])).body).toEqual({
      code: 'bad_request',
      message: 'a must be a string; b is empty',
    });
    expect(toErrorResponse(new PayloadTooLargeException()).body.code).toBe('payload_too_large');
    expect(toErrorResponse(new HttpException('teapot', 418)).body).toEqual({ code: 'http_418', message: 'teapot' });
  });

  test('a 5xx HttpException and any other error hide their message', () => {
    expect(toErrorResponse(new HttpException('db password is x', 502))).toEqual({
      status: 502,
      body: { code: 'internal_error', message: 'internal server error' },
      unexpected: true,
    });
    expect(toErrorResponse(new TypeError('x is undefined'))).toEqual({
      status: 500,
      body: { code: 'internal_error', message: 'internal server error' },
      unexpected: true,
    });
    expect(toErrorResponse('a string').status).toBe(500);
  });

  test('a Fastify plugin error keeps its 4xx status and names its reason', () => {
    const e = Object.assign(new Error('request file too large'), { statusCode: 413, code: 'FST_REQ_FILE_TOO_LARGE' });
    expect(toErrorResponse(e)).toEqual({
      status: 413,
      body: { code: 'payload_too_large', message: 'request file too large', details: { reason: 'FST_REQ_FILE_TOO_LARGE' } },
      unexpected: false,
    });
  });
});

describe('input rejected by the database or a cut-off stream is a 400, not a 500', () => {
  function pgError(code: string, message: string, detail?: string) {
    const e = new DatabaseError(message, message.length, 'error');
    e.code = code;
    e.severity = 'ERROR';
    e.detail = detail;
    return e;
  }

  it('a NUL character in text', () => {
    expect(toErrorResponse(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'))).toEqual({
      status: 400,
      body: { code: 'invalid_input', message: 'text contains a NUL (0x00) character, which cannot be stored' },
      unexpected: false,
    });
  });

  it('an impossible date', () => {
    expect(toErrorResponse(pgError('22008', 'date/time field value out of range: "2024-02-30"')).body).toEqual({
      code: 'invalid_input',
      message: 'invalid value: date/time field value out of range: "2024-02-30"',
    });
  });

  it('a reference to a row that does not exist', () => {
    const r = toErrorResponse(pgError('23503', 'insert or update violates foreign key constraint', 'Key (unit_id)=(…) is not present in table "unit".'));
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('invalid_reference');
    expect(r.body.message).toContain('is not present in table "unit"');
  });

  it('a deadlock or serialization failure PostgreSQL ended the transaction for: 503, send it again', () => {
    for (const code of ['40P01', '40001']) {
      const r = toErrorResponse(pgError(code, 'deadlock detected'));
      expect([code, r.status, r.body.code, r.unexpected]).toEqual([code, 503, 'retry', false]);
      expect(r.body.message).toContain('send it again');
    }
  });

  it('a request body that ended early', () => {
    const e = Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    expect(toErrorResponse(e)).toMatchObject({ status: 400, body: { code: 'bad_request' }, unexpected: false });
  });

  it('other database errors stay 500 without detail', () => {
    expect(toErrorResponse(pgError('57014', 'canceling statement due to statement timeout'))).toMatchObject({ status: 500, body: { code: 'internal_error', message: 'internal server error' } });
  });
});

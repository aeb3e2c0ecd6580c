import { Body, Controller, Get, Module, Post, Req, Res } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Length, Matches, Min, ValidateNested } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictError, NotFoundError } from '../../src/platform/errors/errors';
import { Public } from '../../src/platform/identity/decorators';
import { createTestApp, type TestApp } from '../support/app';

class LineDto {
  @ApiProperty({ example: '12.50', description: 'amount in yuan, two decimals' })
  @Matches(/^\d+\.\d{2}$/)
  amount: string;
}

class VoucherDto {
  @ApiProperty()
  @IsString()
  @Length(1, 20)
  title: string;

  @ApiProperty()
  @IsInt()
  @Min(1)
  pages: number;

  @ApiProperty({ type: [LineDto] })
  @ValidateNested({ each: true })
  @Type(() => LineDto)
  lines: LineDto[];
}

// Public: these probes test the HTTP platform, not the identity guard in front of every route.
@ApiTags('probe')
@Public()
@Controller('probe')
class ProbeController {
  @Post('vouchers')
  create(@Body() body: VoucherDto) {
    return { title: body.title, pages: body.pages, lines: body.lines.length };
  }

  @Get('missing')
  missing() {
    throw new NotFoundError('voucher 42 not found', { id: 42 });
  }

  @Get('conflict')
  conflict() {
    throw new ConflictError('voucher already claimed', undefined, 'already_claimed');
  }

  @Get('crash')
  crash() {
    throw new Error('secret internal detail at /srv/x.ts:12');
  }

  @Post('login')
  login(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.setCookie('evarchive_session', 'tok-1', { httpOnly: true, path: '/', sameSite: 'lax' });
    return { ok: true };
  }

  @Get('ip')
  ip(@Req() req: FastifyRequest) {
    return { ip: req.ip };
  }

  @Post('upload')
  async upload(@Req() req: FastifyRequest) {
    const file = await req.file();
    if (!file) throw new NotFoundError('no file in the upload');
    const bytes = await file.toBuffer();
    return { field: file.fieldname, name: file.filename, type: file.mimetype, size: bytes.length };
  }

  @Get('whoami')
  whoami(@Req() req: FastifyRequest) {
    return { session: req.cookies.evarchive_session ?? null };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

let t: TestApp;
let web: string;
beforeAll(async () => {
  web = mkdtempSync(join(tmpdir(), 'evarchive-web-'));
  mkdirSync(join(web, 'assets'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>档案</title><div id="root"></div>');
  writeFileSync(join(web, 'assets', 'app.js'), 'console.log("app")');
  t = await createTestApp({ modules: [ProbeModule], jobs: false, webDist: web, logger: false });
});
afterAll(async () => {
  await t?.close();
  rmSync(web, { recursive: true, force: true });
});

async function get(path: string, init?: RequestInit) {
  const res = await fetch(`${t.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) };
}

test('an AppError becomes its status and {code, message, details}', async () => {
  const r = await get('/api/probe/missing');
  expect(r.status).toBe(404);
  expect(r.type).toMatch(/^application\/json/);
  expect(r.json()).toEqual({ code: 'not_found', message: 'voucher 42 not found', details: { id: 42 } });

  const c = await get('/api/probe/conflict');
  expect(c.status).toBe(409);
  expect(c.json()).toEqual({ code: 'already_claimed', message: 'voucher already claimed' });
});

test('an unknown API route is a JSON 404, also for POST', async () => {
  const r = await get('/api/no/such/route');
  expect(r.status).toBe(404);
  expect(r.json()).toEqual({ code: 'not_found', message: 'Cannot GET /api/no/such/route' });
  const p = await get('/api/no/such/route', { method: 'POST' });
  expect(p.status).toBe(404);
  expect(p.json().code).toBe('not_found');
});

test('a DTO validation failure names every bad field, nested ones by path', async () => {
  const r = await get('/api/probe/vouchers', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: '', pages: 0, lines: [{ amount: '12.5' }], extra: 1 }),
  });
  expect(r.status).toBe(400);
  const body = r.json();
  expect(body.code).toBe('invalid_input');
  const fields = body.details.fields.map((f: { field: string }) => f.field).sort();
  expect(fields).toEqual(['extra', 'lines.0.amount', 'pages', 'title']);
  expect(body.message).toMatch(/^invalid input: /);
  expect(body.message).toContain('pages: pages must not be less than 1');
  expect(body.message).toContain('property extra should not exist');
});

test('a valid DTO passes, transformed', async () => {
  const r = await get('/api/probe/vouchers', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: '差旅费', pages: 3, lines: [{ amount: '12.50' }, { amount: '0.01' }] }),
  });
  expect(r.status).toBe(201);
  expect(r.json()).toEqual({ title: '差旅费', pages: 3, lines: 2 });
});

test('malformed JSON is a 400 in the same shape', async () => {
  const r = await get('/api/probe/vouchers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":' });
  expect(r.status).toBe(400);
  expect(r.json().code).toBe('bad_request');
  expect(typeof r.json().message).toBe('string');
});

test('an unexpected error is a 500 that leaks nothing', async () => {
  const r = await get('/api/probe/crash');
  expect(r.status).toBe(500);
  expect(r.json()).toEqual({ code: 'internal_error', message: 'internal server error' });
  expect(r.text).not.toContain('secret');
});

test('cookies: set by a handler, read back from the request', async () => {
  const login = await fetch(`${t.url}/api/probe/login`, { method: 'POST' });
  const setCookie = login.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/^evarchive_session=tok-1;/);
  expect(setCookie).toContain('HttpOnly');
  const me = await get('/api/probe/whoami', { headers: { cookie: 'evarchive_session=tok-1; other=x' } });
  expect(me.json()).toEqual({ session: 'tok-1' });
});

test('a multipart upload reaches the handler with its file', async () => {
  const form = new FormData();
  form.append('original', new Blob([Buffer.from('%PDF-1.7 票据')], { type: 'application/pdf' }), '发票.pdf');
  const r = await get('/api/probe/upload', { method: 'POST', body: form });
  expect(r.status).toBe(201);
  expect(r.json()).toEqual({ field: 'original', name: '发票.pdf', type: 'application/pdf', size: Buffer.byteLength('%PDF-1.7 票据') });
});

test('X-Forwarded-For is believed from a proxy on this machine', async () => {
  expect((await get('/api/probe/ip')).json()).toEqual({ ip: '127.0.0.1' });
  expect((await get('/api/probe/ip', { headers: { 'x-forwarded-for': '10.1.2.3' } })).json()).toEqual({ ip: '10.1.2.3' });
});

test('/api/docs-json lists the controllers\' paths and DTO schemas; /api/docs serves Swagger UI', async () => {
  const doc = (await get('/api/docs-json')).json();
  expect(doc.openapi).toMatch(/^3\./);
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/health', '/api/probe/vouchers']));
  expect(doc.components.schemas.VoucherDto.required).toEqual(expect.arrayContaining(['title', 'pages', 'lines']));
  const ui = await get('/api/docs');
  expect(ui.status).toBe(200);
  expect(ui.text).toContain('swagger-ui');
  const asset = await get('/api/docs/swagger-ui-bundle.js');
  expect(asset.status).toBe(200);
});

test('the web app is served at /, client routes fall back to index.html, missing files and API stay 404', async () => {
  const root = await get('/');
  expect(root.status).toBe(200);
  expect(root.text).toContain('<title>档案</title>');
  const asset = await get('/assets/app.js');
  expect(asset.status).toBe(200);
  expect(asset.text).toBe('console.log("app")');
  const route = await get('/pool/vouchers/123');
  expect(route.status).toBe(200);
  expect(route.type).toMatch(/^text\/html/);
  expect(route.text).toContain('<div id="root">');
  const missing = await get('/assets/nope.js');
  expect(missing.status).toBe(404);
  expect(missing.json().code).toBe('not_found');
  const api = await get('/api/nope');
  expect(api.status).toBe(404);
  expect(api.type).toMatch(/^application\/json/);
});

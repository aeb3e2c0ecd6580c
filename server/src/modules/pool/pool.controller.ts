import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../platform/errors/errors';
import { CurrentPrincipal, RequestIp, Roles } from '../../platform/identity/decorators';
import type { ClientPrincipal, Principal, UserPrincipal } from '../../platform/identity/principal';
import { ChannelsService } from './channels.service';
import type { IngestFile } from './ingest.service';
import { parseListQuery, PoolService, POOL_READ_ROLES, POOL_WRITE_ROLES } from './pool.service';
import { IssuerPushDocs } from './pool.api-docs';

/** Reads every part of a multipart request: files into memory (the edge limits their size and number), fields as strings. */
async function readMultipart(req: FastifyRequest): Promise<{ files: IngestFile[]; fields: Record<string, string> }> {
  const r = req as FastifyRequest & { isMultipart?: () => boolean; parts: () => AsyncIterable<any> };
  if (typeof r.isMultipart !== 'function' || !r.isMultipart()) throw new ValidationError('expected a multipart/form-data upload with the files', { field: 'files' });
  const files: IngestFile[] = [];
  const fields: Record<string, string> = {};
  for await (const part of r.parts()) {
    if (part.type === 'file') {
      const bytes: Buffer = await part.toBuffer();
      if (part.file?.truncated) throw new ValidationError(`${part.filename}: larger than the upload limit`, { field: part.fieldname, filename: part.filename }, 'too_large');
      files.push({ filename: part.filename || `file-${files.length + 1}`, sourceRef: `upload:${part.fieldname}`, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) });
    } else fields[part.fieldname] = String(part.value);
  }
  return { files, fields };
}

/** attachment; with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** 票据池: ingest channels, queries, downloads, export, conflicts. Thin: parse, authorise, call one service method. */
@ApiTags('pool')
@Controller('pool')
export class PoolController {
  constructor(
    private readonly pool: PoolService,
    private readonly channels: ChannelsService,
  ) {}

  /**
   * 开票端接口 for issuers' systems (signed API-key requests, client role issuer). The voucher file as multipart
   * field `file`, or JSON `{filename, content}` with the bytes in base64. Answers `{voucherId, outcome, verdict}`.
   */
  @Post('issuer/vouchers')
  @Roles('issuer')
  @IssuerPushDocs()
  async issuerPush(@Req() req: FastifyRequest, @CurrentPrincipal() p: ClientPrincipal, @RequestIp() ip: string | null, @Res({ passthrough: true }) reply: FastifyReply) {
    let file: IngestFile;
    if (/^multipart\//i.test(req.headers['content-type'] ?? '')) {
      const { files } = await readMultipart(req);
      if (files.length !== 1) throw new ValidationError(`expected exactly one file per request, got ${files.length}`, { field: 'file' });
      file = files[0];
    } else {
      const b = (req.body ?? {}) as Record<string, unknown>;
      if (typeof b.filename !== 'string' || !b.filename.trim()) throw new ValidationError('filename: required (the name of the voucher file)', { field: 'filename' });
      if (typeof b.content !== 'string' || !b.content.trim()) throw new ValidationError('content: required, the file bytes in base64', { field: 'content' });
      if (!/^[A-Za-z0-9+/=\s_-]+$/.test(b.content)) throw new ValidationError('content: not base64 (letters, digits, "+", "/", "=", or the URL-safe "-", "_")', { field: 'content' });
      if (b.filename.length > 255) throw new ValidationError(`filename: at most 255 characters (got ${b.filename.length})`, { field: 'filename' });
      if (b.reference !== undefined && b.reference !== null && (typeof b.reference !== 'string' || b.reference.length > 200)) {
        throw new ValidationError('reference: text of at most 200 characters', { field: 'reference' });
      }
      const bytes = Buffer.from(b.content, 'base64');
      file = { filename: b.filename, sourceRef: typeof b.reference === 'string' && b.reference ? `issuer:${b.reference}` : null, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
    }
    const r = await this.channels.issuerPush(p, file, ip);
    reply.status(r.outcome === 'created' ? 201 : 200);
    return r;
  }

  /** Collection upload (many files; photos of paper invoices too). `?wait=true` answers when every file is done. */
  @Post('uploads')
  @Roles(...POOL_WRITE_ROLES)
  @HttpCode(202)
  async upload(@Req() req: FastifyRequest, @CurrentPrincipal() p: UserPrincipal, @RequestIp() ip: string | null, @Query() q: Record<string, string>) {
    const { files, fields } = await readMultipart(req);
    const opt = (k: string) => (fields[k] ?? q[k])?.trim() || undefined;
    return this.channels.upload(p, files, { unitId: opt('unitId'), subPool: opt('subPool'), personal: opt('personal') === 'true' }, ip, opt('wait') === 'true');
  }

  @Get('batches/:id')
  @Roles(...POOL_READ_ROLES, 'issuer')
  batch(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.channels.batch(p, id);
  }

  @Post('batches/:id/resume')
  @Roles(...POOL_WRITE_ROLES)
  @HttpCode(200)
  resume(@CurrentPrincipal() p: Principal, @Param('id') id: string, @RequestIp() ip: string | null) {
    return this.channels.resume(p, id, ip);
  }

  @Get('vouchers')
  @Roles(...POOL_READ_ROLES)
  list(@CurrentPrincipal() p: Principal, @Query() q: Record<string, unknown>) {
    return this.pool.list(p, parseListQuery(q));
  }

  @Get('vouchers.xlsx')
  @Roles(...POOL_READ_ROLES)
  async export(@CurrentPrincipal() p: Principal, @Query() q: Record<string, unknown>) {
    const { cursor: _c, ...query } = parseListQuery({ ...q, limit: q.limit ?? '200' });
    const buf = await this.pool.exportXlsx(p, query as ReturnType<typeof parseListQuery>);
    return new StreamableFile(buf, {
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      disposition: contentDisposition('票据池.xlsx'),
      length: buf.length,
    });
  }

  @Get('vouchers/:id')
  @Roles(...POOL_READ_ROLES)
  detail(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.pool.detail(p, id);
  }

  /** The original as received (audited read). */
  @Get('files/:id')
  @Roles(...POOL_READ_ROLES)
  async file(@CurrentPrincipal() p: Principal, @Param('id') id: string, @RequestIp() ip: string | null) {
    const f = await this.pool.download(p, id, ip);
    return new StreamableFile(f.stream, { type: f.mediaType, disposition: contentDisposition(f.filename), length: f.size });
  }

  @Get('conflicts')
  @Roles(...POOL_READ_ROLES)
  conflicts(@CurrentPrincipal() p: Principal, @Query('status') status?: string) {
    return this.pool.conflicts(p, status);
  }

  @Post('conflicts/:id/resolve')
  @Roles(...POOL_WRITE_ROLES)
  @HttpCode(200)
  resolve(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown, @RequestIp() ip: string | null) {
    return this.pool.resolveConflict(p, id, body, ip);
  }
}

import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../../platform/errors/errors';
import { allowedUnitIds, CurrentPrincipal, RequestIp, Roles, type Principal } from '../../platform/identity';
import { parseJournalJson } from './journal';
import { LEDGER_READ_ROLES, LEDGER_WRITE_ROLES, LedgerService, rejectAsValidation } from './ledger.service';
import type { RecordCategory } from './records';

/** Reads a multipart upload: the first file and the text fields. */
async function readUpload(req: FastifyRequest): Promise<{ filename: string; bytes: Uint8Array; fields: Record<string, string> }> {
  const r = req as FastifyRequest & { isMultipart?: () => boolean; parts: () => AsyncIterable<any> };
  if (typeof r.isMultipart !== 'function' || !r.isMultipart()) throw new ValidationError('expected a multipart/form-data upload with one file', { field: 'file' });
  let file: { filename: string; bytes: Uint8Array } | undefined;
  const fields: Record<string, string> = {};
  for await (const part of r.parts()) {
    if (part.type === 'file') {
      const b: Buffer = await part.toBuffer();
      if (part.file?.truncated) throw new ValidationError(`${part.filename}: larger than the upload limit`, { field: part.fieldname }, 'too_large');
      file ??= { filename: part.filename || 'upload', bytes: new Uint8Array(b.buffer, b.byteOffset, b.length) };
    } else fields[part.fieldname] = String(part.value);
  }
  if (!file) throw new ValidationError('no file in the upload', { field: 'file' });
  return { ...file, fields };
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** 会计核算资料: journal vouchers (batch API, file import, queries), books, reports, other materials. */
@ApiTags('ledger')
@Controller('ledger')
export class LedgerController {
  constructor(private readonly ledger: LedgerService) {}

  /** Accounting systems: `{unit?, reason?, journalVouchers: [...]}` (schemas/ledger/journal-voucher.schema.json). */
  @Post('journal-vouchers')
  @HttpCode(200)
  @Roles(...LEDGER_WRITE_ROLES)
  async batch(@CurrentPrincipal() p: Principal, @Body() body: unknown, @RequestIp() ip: string | null) {
    const unit = str((body as { unit?: unknown } | null)?.unit) ?? (await this.onlyUnit(p));
    const parsed = await rejectAsValidation(() => parseJournalJson(body, { unit }));
    return this.ledger.importParsed({ principal: p }, parsed, { channel: 'api', format: 'json', ip });
  }

  /** People: upload a JSON, CSV or Excel ledger file (field `file`, optional `unit`, `reason`). */
  @Post('imports')
  @HttpCode(200)
  @Roles(...LEDGER_WRITE_ROLES)
  async upload(@CurrentPrincipal() p: Principal, @Req() req: FastifyRequest, @RequestIp() ip: string | null) {
    const { filename, bytes, fields } = await readUpload(req);
    return this.ledger.importFile({ principal: p }, bytes, filename, { channel: 'file', unit: str(fields.unit) ?? (await this.onlyUnit(p)), reason: str(fields.reason), ip });
  }

  /** `?period=2025-03&number=0012&account=1002&min=100.00&max=5000&q=差旅&limit=50&after=<cursor>` */
  @Get('journal-vouchers')
  @Roles(...LEDGER_READ_ROLES)
  async list(@CurrentPrincipal() p: Principal, @Query() q: Record<string, unknown>) {
    const limit = Math.min(Math.max(Number(q.limit ?? 50) || 50, 1), 500);
    const money = (v: unknown, f: string) => {
      const s = str(v);
      if (s !== undefined && !/^-?\d+(\.\d{1,2})?$/.test(s)) throw new ValidationError(`${f} must be an amount like 1234.50`, { field: f });
      return s;
    };
    const period = str(q.period);
    if (period && !/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) throw new ValidationError('period must be YYYY-MM', { field: 'period' });
    let after: { period: string; number: string; id: string } | undefined;
    if (str(q.after)) {
      try {
        after = JSON.parse(Buffer.from(String(q.after), 'base64url').toString('utf8'));
      } catch {
        throw new ValidationError('after is not a cursor from a previous page', { field: 'after' });
      }
    }
    const items = await this.ledger.list({
      unitIds: allowedUnitIds(p, LEDGER_READ_ROLES),
      period,
      number: str(q.number),
      accountCode: str(q.account),
      minAmount: money(q.min, 'min'),
      maxAmount: money(q.max, 'max'),
      q: str(q.q),
      limit,
      after,
    });
    const last = items[items.length - 1];
    const nextAfter = items.length === limit && last ? Buffer.from(JSON.stringify({ period: last.period, number: last.number, id: last.id })).toString('base64url') : null;
    return { items, nextAfter };
  }

  @Get('journal-vouchers/:id')
  @Roles(...LEDGER_READ_ROLES)
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.ledger.get(p, id);
  }

  /** `{unit, category: book|report|other, type, period, title, filename, mediaType, contentBase64, data?}` */
  @Post('records')
  @HttpCode(200)
  @Roles(...LEDGER_WRITE_ROLES)
  async addRecord(@CurrentPrincipal() p: Principal, @Body() body: Record<string, unknown>, @RequestIp() ip: string | null) {
    const need = (f: string) => {
      const v = str(body?.[f]);
      if (!v) throw new ValidationError(`${f} is required`, { field: f });
      return v;
    };
    const content = need('contentBase64');
    if (!/^[A-Za-z0-9+/=\s]+$/.test(content)) throw new ValidationError('contentBase64 is not base64', { field: 'contentBase64' });
    return this.ledger.addRecord(
      { principal: p },
      {
        unit: str(body.unit) ?? (await this.onlyUnit(p)) ?? need('unit'),
        category: need('category') as RecordCategory,
        recordType: need('type'),
        period: need('period'),
        title: need('title'),
        filename: need('filename'),
        mediaType: str(body.mediaType) ?? 'application/octet-stream',
        bytes: new Uint8Array(Buffer.from(content, 'base64')),
        data: typeof body.data === 'object' && body.data ? (body.data as Record<string, unknown>) : undefined,
        ip,
      },
    );
  }

  @Get('records')
  @Roles(...LEDGER_READ_ROLES)
  records(@CurrentPrincipal() p: Principal, @Query() q: Record<string, unknown>) {
    return this.ledger.listRecords(allowedUnitIds(p, LEDGER_READ_ROLES), { category: str(q.category), period: str(q.period) });
  }

  /** A caller with exactly one unit needs not name it. */
  private async onlyUnit(p: Principal): Promise<string | undefined> {
    const ids = allowedUnitIds(p, LEDGER_WRITE_ROLES);
    if (ids === 'all' || ids.length !== 1) return undefined;
    return this.ledger.unitCode(ids[0]);
  }
}

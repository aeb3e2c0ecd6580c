import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ValidationError } from '../../platform/errors/errors';
import { CurrentPrincipal, RequestIp, Roles, UnitScope } from '../../platform/identity/decorators';
import type { Principal } from '../../platform/identity/principal';
import { ARCHIVE_CATEGORIES, type ArchiveCategory } from '../retention/retention.rules';
import { VOLUME_APPROVE_ROLES, VOLUME_ASSEMBLE_ROLES, VOLUME_READ_ROLES, VOLUME_REOPEN_ROLES, VOLUME_SUBMIT_ROLES, VolumesService } from './volumes.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function str(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const v = body[field];
  if (v === undefined || v === null || v === '') {
    if (required) throw new ValidationError(`${field}: required`, { field });
    return undefined;
  }
  if (typeof v !== 'string') throw new ValidationError(`${field}: expected a string`, { field });
  return v;
}

function int(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : /^\d+$/.test(String(v)) ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw new ValidationError(`${field}: expected an integer`, { field });
  return n;
}

function category(v: string | undefined): ArchiveCategory | undefined {
  if (v === undefined) return undefined;
  if (!ARCHIVE_CATEGORIES.includes(v as ArchiveCategory)) throw new ValidationError(`category: expected one of ${ARCHIVE_CATEGORIES.join(', ')}`, { field: 'category' });
  return v as ArchiveCategory;
}

/** 组卷: assemble, list, read and move volumes through their states. Thin: parse, authorise, call the service. */
@ApiTags('volumes')
@Controller('volumes')
export class VolumesController {
  constructor(private readonly volumes: VolumesService) {}

  /** `{unitId, fondsId, year, period?, category?}` → `{created, updated, unchanged, deleted, frozen, gaps, skipped}`. */
  @Post('assemble')
  @Roles(...VOLUME_ASSEMBLE_ROLES)
  @UnitScope((req) => (req.body as Record<string, string> | undefined)?.unitId)
  @HttpCode(200)
  assemble(@CurrentPrincipal() p: Principal, @Body() body: Record<string, unknown>, @RequestIp() ip: string | null) {
    const b = body ?? {};
    const unitId = str(b, 'unitId', true)!;
    const fondsId = str(b, 'fondsId', true)!;
    if (!UUID.test(unitId)) throw new ValidationError('unitId: expected a unit id', { field: 'unitId' });
    if (!UUID.test(fondsId)) throw new ValidationError('fondsId: expected a fonds id', { field: 'fondsId' });
    const year = int(b.year, 'year');
    if (year === undefined) throw new ValidationError('year: required', { field: 'year' });
    return this.volumes.assemble(p, { unitId, fondsId, year, period: str(b, 'period', false), category: category(str(b, 'category', false)) }, ip);
  }

  /** `?unitId&fondsId&year&period&category&state&limit&after` — next page with `after=<nextAfter>`. */
  @Get()
  @Roles(...VOLUME_READ_ROLES)
  list(@CurrentPrincipal() p: Principal, @Query() q: Record<string, string | undefined>) {
    for (const f of ['unitId', 'fondsId'] as const) if (q[f] && !UUID.test(q[f]!)) throw new ValidationError(`${f}: expected an id`, { field: f });
    if (q.state && !['draft', 'submitted', 'approved', 'archived'].includes(q.state)) throw new ValidationError('state: expected draft, submitted, approved or archived', { field: 'state' });
    return this.volumes.list(p, { unitId: q.unitId, fondsId: q.fondsId, year: int(q.year, 'year'), period: q.period, category: category(q.category), state: q.state, limit: int(q.limit, 'limit'), after: q.after });
  }

  /** The fonds of a unit, for choosing where to assemble (readers of volumes need not be administrators). */
  @Get('fonds')
  @Roles(...VOLUME_READ_ROLES)
  @UnitScope((req) => req.query.unitId as string | undefined)
  fonds(@Query('unitId') unitId: string) {
    if (!UUID.test(unitId ?? '')) throw new ValidationError('unitId: expected a unit id', { field: 'unitId' });
    return this.volumes.fondsOf(unitId);
  }

  @Get(':id')
  @Roles(...VOLUME_READ_ROLES)
  detail(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.volumes.detail(p, id);
  }

  /** `{gapReason?}` acknowledges the period's missing voucher numbers. */
  @Post(':id/submit')
  @Roles(...VOLUME_SUBMIT_ROLES)
  @HttpCode(200)
  submit(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: Record<string, unknown> | undefined, @RequestIp() ip: string | null) {
    return this.volumes.submit(p, id, { gapReason: str(body ?? {}, 'gapReason', false) }, ip);
  }

  @Post(':id/approve')
  @Roles(...VOLUME_APPROVE_ROLES)
  @HttpCode(200)
  approve(@CurrentPrincipal() p: Principal, @Param('id') id: string, @RequestIp() ip: string | null) {
    return this.volumes.approve(p, id, ip);
  }

  /** `{reason}` */
  @Post(':id/reopen')
  @Roles(...VOLUME_REOPEN_ROLES)
  @HttpCode(200)
  reopen(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: Record<string, unknown> | undefined, @RequestIp() ip: string | null) {
    return this.volumes.reopen(p, id, str(body ?? {}, 'reason', false), ip);
  }
}

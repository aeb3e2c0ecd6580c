import { Body, Controller, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ValidationError } from '../../platform/errors/errors';
import { CurrentPrincipal, RequestIp, Roles, UnitScope } from '../../platform/identity/decorators';
import type { Principal } from '../../platform/identity/principal';
import { RETENTION_READ_ROLES, RETENTION_WRITE_ROLES, RetentionService } from './retention.service';

/** 保管期限: the unit's table and regime, and items due for appraisal (鉴定). */
@ApiTags('retention')
@Controller('retention')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Get('units/:unitId')
  @Roles(...RETENTION_READ_ROLES)
  @UnitScope((req) => req.params.unitId)
  overview(@CurrentPrincipal() p: Principal, @Param('unitId') unitId: string) {
    return this.retention.overview(p, unitId);
  }

  @Put('units/:unitId/regime')
  @Roles(...RETENTION_WRITE_ROLES)
  @UnitScope((req) => req.params.unitId)
  @HttpCode(200)
  setRegime(@CurrentPrincipal() p: Principal, @Param('unitId') unitId: string, @Body() body: { regime?: unknown }, @RequestIp() ip: string | null) {
    if (typeof body?.regime !== 'string') throw new ValidationError('regime: required', { field: 'regime' });
    return this.retention.setRegime(p, unitId, body.regime, ip);
  }

  /** `?before=YYYY-MM-DD` (default today), `&includeUnarchived=true`, `&limit=`. */
  @Get('due')
  @Roles(...RETENTION_READ_ROLES)
  async due(@CurrentPrincipal() p: Principal, @Query() q: Record<string, string | undefined>) {
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 10_000)) throw new ValidationError('limit: expected 1–10000', { field: 'limit' });
    return this.retention.dueFor(p, q.before, q.includeUnarchived === 'true', limit);
  }
}

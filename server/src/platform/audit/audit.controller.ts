import { ApiTags } from '@nestjs/swagger';
import { Controller, Get, Query } from '@nestjs/common';
import { ValidationError } from '../errors/errors';
import { CurrentPrincipal, Roles } from '../identity/decorators';
import { allowedUnitIds, type Principal } from '../identity/principal';
import { AuditService } from './audit.service';

function optDate(v: string | undefined, field: string): Date | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new ValidationError(`${field}: expected an ISO date-time, got "${v}"`, { field });
  return d;
}

@ApiTags('audit')
@Controller('admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Newest first. Unit-scoped auditors see only entries of their units. Next page: `beforeSeq=<nextBeforeSeq>`. */
  @Get()
  @Roles('system_admin', 'auditor')
  async list(
    @CurrentPrincipal() p: Principal,
    @Query() q: Record<string, string | undefined>,
  ) {
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationError(`limit: expected a whole number from 1 to 500, got "${q.limit}"`, { field: 'limit' });
    if (q.beforeSeq !== undefined && !/^\d{1,18}$/.test(q.beforeSeq)) throw new ValidationError(`beforeSeq: expected a sequence number, got "${q.beforeSeq}"`, { field: 'beforeSeq' });
    return this.audit.list({
      actorType: q.actorType,
      actorId: q.actorId,
      action: q.action,
      targetType: q.targetType,
      targetId: q.targetId,
      from: optDate(q.from, 'from'),
      to: optDate(q.to, 'to'),
      beforeSeq: q.beforeSeq,
      limit,
      unitIds: allowedUnitIds(p, ['system_admin', 'auditor']),
    });
  }

  /** Recomputes the whole chain: `{ok: true, entries, …}` or the first broken link `{ok: false, seq, reason}`. */
  @Get('verify')
  @Roles('system_admin', 'auditor')
  async verify() {
    return this.audit.verify();
  }
}

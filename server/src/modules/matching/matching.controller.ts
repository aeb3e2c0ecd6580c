import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ValidationError } from '../../platform/errors/errors';
import { allowedUnitIds, CurrentPrincipal, RequestIp, Roles, type Principal } from '../../platform/identity';
import { MATCH_DECIDE_ROLES, MATCH_READ_ROLES, MatchingService } from './matching.service';
import { reconciliationXlsx } from './reconciliation';
import { localeFrom } from './engine/explain';

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** Matching: runs, the suggestion queue and decisions, the evidence chain (联查), bank reconciliation. */
@ApiTags('matching')
@Controller()
export class MatchingController {
  constructor(private readonly matching: MatchingService) {}

  /** `{period: "2025-03", unit?: "U001"}` → the run summary (auto links, suggestions, unmatched both sides). */
  @Post('matching/runs')
  @HttpCode(200)
  @Roles(...MATCH_DECIDE_ROLES)
  run(@CurrentPrincipal() p: Principal, @Body() body: Record<string, unknown>) {
    const period = str(body?.period);
    if (!period) throw new ValidationError('period is required (YYYY-MM)', { field: 'period' });
    return this.matching.run({ principal: p }, { period, unit: str(body.unit) });
  }

  /** Suggestions waiting for a person; explanations structured plus `text` per Accept-Language (zh-CN default, en). */
  @Get('matching/suggestions')
  @Roles(...MATCH_READ_ROLES)
  suggestions(@CurrentPrincipal() p: Principal, @Query() q: Record<string, unknown>, @Headers('accept-language') lang?: string) {
    const limit = Math.min(Math.max(Number(q.limit ?? 100) || 100, 1), 1000);
    return this.matching.suggestions(p, { period: str(q.period), unitIds: allowedUnitIds(p, MATCH_READ_ROLES), limit }, localeFrom(lang));
  }

  @Post('matching/links/:id/accept')
  @HttpCode(200)
  @Roles(...MATCH_DECIDE_ROLES)
  accept(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: Record<string, unknown> | undefined, @RequestIp() ip: string | null) {
    return this.matching.decide(p, id, 'accept', str(body?.reason), ip);
  }

  @Post('matching/links/:id/reject')
  @HttpCode(200)
  @Roles(...MATCH_DECIDE_ROLES)
  reject(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: Record<string, unknown> | undefined, @RequestIp() ip: string | null) {
    return this.matching.decide(p, id, 'reject', str(body?.reason), ip);
  }

  /** 联查 from a journal voucher: every linked original, bank receipt and statement line, with explanations. */
  @Get('ledger/journal-vouchers/:id/chain')
  @Roles(...MATCH_READ_ROLES)
  chain(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Headers('accept-language') lang?: string) {
    return this.matching.chain(p, id, localeFrom(lang));
  }

  /** 联查 back from a pool voucher to the journal vouchers that book it. */
  @Get('matching/vouchers/:id/journal-vouchers')
  @Roles(...MATCH_READ_ROLES)
  journals(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Headers('accept-language') lang?: string) {
    return this.matching.journalsOfVoucher(p, id, localeFrom(lang));
  }

  /** 银行存款余额调节表 as JSON: `?unit=U001&period=2025-03&account=1002&bookOpening=1000.00` */
  @Get('matching/reconciliation')
  @Roles(...MATCH_READ_ROLES)
  reconciliation(@CurrentPrincipal() p: Principal, @Query() q: Record<string, unknown>) {
    return this.matching.reconciliation(p, this.reconQuery(q));
  }

  @Get('matching/reconciliation.xlsx')
  @Roles(...MATCH_READ_ROLES)
  async reconciliationXlsx(@CurrentPrincipal() p: Principal, @Query() q: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const r = await this.matching.reconciliation(p, this.reconQuery(q));
    reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    reply.header('content-disposition', `attachment; filename="reconciliation-${r.period}.xlsx"; filename*=UTF-8''${encodeURIComponent(`银行存款余额调节表-${r.unit}-${r.period}.xlsx`)}`);
    return reconciliationXlsx(r, r.unit);
  }

  private reconQuery(q: Record<string, unknown>) {
    const unit = str(q.unit);
    const period = str(q.period);
    if (!unit || !period) throw new ValidationError('unit and period are required', { fields: ['unit', 'period'] });
    const bookOpening = str(q.bookOpening);
    if (bookOpening && !/^-?\d+\.\d{2}$/.test(bookOpening)) throw new ValidationError('bookOpening must be an amount like 1234.50', { field: 'bookOpening' });
    return { unit, period, account: str(q.account), bookOpening };
  }
}

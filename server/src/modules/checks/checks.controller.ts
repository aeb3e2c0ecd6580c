import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ValidationError } from '../../platform/errors/errors';
import { CurrentPrincipal, Roles } from '../../platform/identity/decorators';
import type { Principal } from '../../platform/identity/principal';
import { ScopeService } from '../../platform/identity/scope.service';
import { findVolume } from './loader';
import { CHECK_READ_ROLES, CHECK_RUN_ROLES, ChecksService } from './checks.service';
import { loadScheme, NATURES, parseStage } from './scheme';
import { Inject } from '@nestjs/common';
import { DB } from '../../platform/tokens';
import type { Db } from '../../platform/database/database';

const OUTCOMES = ['pass', 'fail', 'warn', 'not_applicable'];

/** 四性检测: run checks on a volume, list runs, read results with filters, download the signed report. */
@ApiTags('checks')
@Controller('checks')
export class ChecksController {
  constructor(
    private readonly checks: ChecksService,
    private readonly scope: ScopeService,
    @Inject(DB) private readonly db: Db,
  ) {}

  /** The scheme in force (items per stage with clause and severity), for the web's legend. */
  @Get('scheme')
  @Roles(...CHECK_READ_ROLES)
  scheme() {
    const s = loadScheme();
    return { id: s.id, version: s.version, title: s.title, items: s.items.map(({ code, stage, nature, name, clause, severity }) => ({ code, stage, nature, name, clause, severity })) };
  }

  /** `{volume: id|档号, stage?: GD|YJ|BC}` → the run with its summary. */
  @Post('runs')
  @Roles(...CHECK_RUN_ROLES)
  @HttpCode(200)
  async run(@CurrentPrincipal() p: Principal, @Body() body: Record<string, unknown> | undefined) {
    const ref = body?.volume;
    if (typeof ref !== 'string' || !ref) throw new ValidationError('volume: required (id or 档号)', { field: 'volume' });
    const stage = parseStage(typeof body?.stage === 'string' ? body.stage : undefined);
    const v = await findVolume(this.db, ref);
    this.scope.assertUnit(p, v.unit_id, CHECK_RUN_ROLES);
    const r = await this.checks.checkVolume(v.id, stage, p);
    return this.checks.getRun(r.id);
  }

  /** `?subjectId&stage&verdict&limit&before` newest first. */
  @Get('runs')
  @Roles(...CHECK_READ_ROLES)
  runs(@CurrentPrincipal() p: Principal, @Query() q: Record<string, string | undefined>) {
    const limit = q.limit ? Number(q.limit) : 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationError('limit: 1–500', { field: 'limit' });
    if (q.verdict && !['pass', 'warn', 'fail'].includes(q.verdict)) throw new ValidationError('verdict: pass, warn or fail', { field: 'verdict' });
    const before = q.before ? new Date(q.before) : undefined;
    if (before && Number.isNaN(before.getTime())) throw new ValidationError('before: expected a time', { field: 'before' });
    return this.checks.listRuns({ unitIds: this.scope.allowedUnitIds(p, CHECK_READ_ROLES), subjectId: q.subjectId, stage: q.stage ? parseStage(q.stage) : undefined, verdict: q.verdict, limit, before });
  }

  @Get('runs/:id')
  @Roles(...CHECK_READ_ROLES)
  async detail(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    const r = await this.checks.getRun(id);
    if (r.unitId) this.scope.assertUnit(p, r.unitId, CHECK_READ_ROLES);
    return r;
  }

  /** `?nature=ZS&outcome=fail&code=GD-ZS&itemId=` */
  @Get('runs/:id/results')
  @Roles(...CHECK_READ_ROLES)
  async results(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query() q: Record<string, string | undefined>) {
    const r = await this.checks.getRun(id);
    if (r.unitId) this.scope.assertUnit(p, r.unitId, CHECK_READ_ROLES);
    if (q.nature && !(NATURES as readonly string[]).includes(q.nature)) throw new ValidationError(`nature: one of ${NATURES.join(', ')}`, { field: 'nature' });
    if (q.outcome && !OUTCOMES.includes(q.outcome)) throw new ValidationError(`outcome: one of ${OUTCOMES.join(', ')}`, { field: 'outcome' });
    return this.checks.results(id, { nature: q.nature, outcome: q.outcome, code: q.code, itemId: q.itemId });
  }

  /** The report: `pdf` (inline, printable), `sig` (detached SM2 signature) or `xml`; `?download=1` as attachment. */
  @Get('runs/:id/report.:kind')
  @Roles(...CHECK_READ_ROLES)
  async report(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Param('kind') kind: string, @Query('download') download: string | undefined, @Res() reply: FastifyReply) {
    if (!['pdf', 'sig', 'xml'].includes(kind)) throw new ValidationError('report kind: pdf, sig or xml', { field: 'kind' });
    const r = await this.checks.report(id, kind as 'pdf');
    if (r.unitId) this.scope.assertUnit(p, r.unitId, CHECK_READ_ROLES);
    const disposition = download ? 'attachment' : 'inline';
    reply
      .header('content-type', r.mediaType)
      .header('content-disposition', `${disposition}; filename="report.${kind}"; filename*=UTF-8''${encodeURIComponent(r.filename)}`)
      .send(r.bytes);
  }
}

import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Db } from '../../platform/database/database';
import { ValidationError } from '../../platform/errors/errors';
import { CurrentPrincipal, Roles } from '../../platform/identity/decorators';
import type { Principal } from '../../platform/identity/principal';
import { ScopeService } from '../../platform/identity/scope.service';
import { DB } from '../../platform/tokens';
import { findVolume } from '../checks/loader';
import { ARCHIVE_ROLES, ArchiveService, PACKAGE_READ_ROLES } from './archive.service';

/** 归档 and archival packages. */
@ApiTags('archive')
@Controller()
export class ArchiveController {
  constructor(
    private readonly archive: ArchiveService,
    private readonly scope: ScopeService,
    @Inject(DB) private readonly db: Db,
  ) {}

  /** Archives a volume (id or 档号); `{signatureAlgorithm?: 'rsa-sha256'|'sm2-sm3', importance?: 'high'|'normal'}`. 409 archive_refused lists the veto failures. */
  @Post('archive/volumes/:id')
  @Roles(...ARCHIVE_ROLES)
  @HttpCode(200)
  async archiveVolume(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: Record<string, unknown> | undefined) {
    const alg = body?.signatureAlgorithm;
    if (alg !== undefined && alg !== 'rsa-sha256' && alg !== 'sm2-sm3') throw new ValidationError('signatureAlgorithm: rsa-sha256 or sm2-sm3', { field: 'signatureAlgorithm' });
    const imp = body?.importance;
    if (imp !== undefined && imp !== 'high' && imp !== 'normal') throw new ValidationError('importance: high or normal', { field: 'importance' });
    const v = await findVolume(this.db, id);
    this.scope.assertUnit(p, v.unit_id, ARCHIVE_ROLES);
    return this.archive.archive(v.id, p, { signatureAlgorithm: alg as 'sm2-sm3' | undefined, importance: imp as 'high' | undefined });
  }

  /** `{title?, metadata?, reason}`: a new version of an archived item (archived items never change in place). */
  @Post('archive/volumes/:id/items/:itemId/versions')
  @Roles(...ARCHIVE_ROLES)
  @HttpCode(201)
  async amend(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Param('itemId') itemId: string, @Body() body: Record<string, unknown> | undefined) {
    const v = await findVolume(this.db, id);
    this.scope.assertUnit(p, v.unit_id, ARCHIVE_ROLES);
    const title = typeof body?.title === 'string' ? body.title : undefined;
    const metadata = body?.metadata && typeof body.metadata === 'object' ? (body.metadata as Record<string, unknown>) : undefined;
    return this.archive.amendItem(v.id, itemId, { title, metadata }, String(body?.reason ?? ''), p);
  }

  @Get('archive/packages')
  @Roles(...PACKAGE_READ_ROLES)
  packages(@CurrentPrincipal() p: Principal, @Query() q: Record<string, string | undefined>) {
    const limit = q.limit ? Number(q.limit) : 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError('limit: 1–1000', { field: 'limit' });
    return this.archive.listPackages({ unitIds: this.scope.allowedUnitIds(p, PACKAGE_READ_ROLES), volumeId: q.volumeId, limit });
  }

  /** Re-verifies the stored package: digests against the record, every file against the manifest, the signature. */
  @Post('archive/packages/:id/verify')
  @Roles(...PACKAGE_READ_ROLES)
  @HttpCode(200)
  async verify(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    const pkg = await this.archive.getPackage(id);
    if (pkg.unit_id) this.scope.assertUnit(p, pkg.unit_id, PACKAGE_READ_ROLES);
    const v = await this.archive.verifyStoredPackage(id, p);
    return { ok: v.ok, problems: v.problems, signature: v.signature, stored: v.stored, files: v.files.length, volume: v.volume };
  }

  @Get('archive/packages/:id/download')
  @Roles(...PACKAGE_READ_ROLES)
  async download(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Res() reply: FastifyReply) {
    const pkg = await this.archive.getPackage(id);
    if (pkg.unit_id) this.scope.assertUnit(p, pkg.unit_id, PACKAGE_READ_ROLES);
    const r = await this.archive.packageBytes(id);
    reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="package.zip"; filename*=UTF-8''${encodeURIComponent(r.filename)}`).send(r.bytes);
  }
}

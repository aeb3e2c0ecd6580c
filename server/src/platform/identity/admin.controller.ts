import { ApiTags } from '@nestjs/swagger';
import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiClientService } from './api-client.service';
import { CurrentPrincipal, FondsScope, RequestIp, Roles, UnitScope } from './decorators';
import { OrgService } from './org.service';
import { allowedUnitIds, type Principal, type UserPrincipal } from './principal';
import { UserService } from './user.service';

/** Organisation, users and machine clients. system_admin everywhere; unit_admin inside their units. */
@ApiTags('admin')
@Controller('admin')
export class IdentityAdminController {
  constructor(
    private readonly org: OrgService,
    private readonly users: UserService,
    private readonly clients: ApiClientService,
  ) {}

  @Get('units')
  @Roles('unit_admin')
  async units(@CurrentPrincipal() p: Principal, @Query('q') q?: string) {
    return { items: await this.org.listUnits(allowedUnitIds(p, ['unit_admin']), q) };
  }

  @Post('units')
  @Roles('system_admin')
  async createUnit(@CurrentPrincipal() p: UserPrincipal, @Body() body: unknown, @RequestIp() ip: string | null) {
    return this.org.createUnit(p, body, ip);
  }

  @Get('fonds')
  @Roles('unit_admin')
  async fonds(@CurrentPrincipal() p: Principal, @Query('unitId') unitId?: string) {
    return { items: await this.org.listFonds(allowedUnitIds(p, ['unit_admin']), unitId) };
  }

  @Get('units/:unitId/fonds')
  @Roles('unit_admin')
  @UnitScope((req) => req.params.unitId)
  async unitFonds(@Param('unitId') unitId: string) {
    return { items: await this.org.listFonds('all', unitId) };
  }

  @Get('fonds/:fondsId')
  @Roles('unit_admin')
  @FondsScope((req) => req.params.fondsId)
  async oneFonds(@Param('fondsId') fondsId: string) {
    return this.org.getFonds(fondsId);
  }

  /** The unit is checked in the service: the body may name it by id or by code. */
  @Post('fonds')
  @Roles('unit_admin')
  async createFonds(@CurrentPrincipal() p: UserPrincipal, @Body() body: unknown, @RequestIp() ip: string | null) {
    return this.org.createFonds(p, body, ip);
  }

  @Get('users')
  @Roles('unit_admin')
  async listUsers(@CurrentPrincipal() p: Principal, @Query() query: Record<string, string | undefined>) {
    return this.users.list(p, { unitId: query.unitId, q: query.q, after: query.after, limit: query.limit });
  }

  /** Grants are checked in the service: a unit_admin may grant only inside the units they administer. */
  @Post('users')
  @Roles('unit_admin')
  async createUser(@CurrentPrincipal() p: UserPrincipal, @Body() body: unknown, @RequestIp() ip: string | null) {
    return this.users.create(p, body, ip);
  }

  @Post('users/:id/password')
  @HttpCode(200)
  @Roles('unit_admin')
  async setPassword(@CurrentPrincipal() p: UserPrincipal, @Param('id') id: string, @Body() body: any, @RequestIp() ip: string | null) {
    await this.users.setPassword(p, id, body?.password, ip);
    return { ok: true };
  }

  /** Body `{roles: [{role, unitId | unitCode}]}`: replaces the grants inside the caller's units. */
  @Put('users/:id/roles')
  @Roles('unit_admin')
  async setRoles(@CurrentPrincipal() p: UserPrincipal, @Param('id') id: string, @Body() body: unknown, @RequestIp() ip: string | null) {
    return this.users.setGrants(p, id, body, ip);
  }

  @Post('users/:id/disable')
  @HttpCode(200)
  @Roles('unit_admin')
  async disable(@CurrentPrincipal() p: UserPrincipal, @Param('id') id: string, @RequestIp() ip: string | null) {
    return this.users.setDisabled(p, id, true, ip);
  }

  @Post('users/:id/enable')
  @HttpCode(200)
  @Roles('unit_admin')
  async enable(@CurrentPrincipal() p: UserPrincipal, @Param('id') id: string, @RequestIp() ip: string | null) {
    return this.users.setDisabled(p, id, false, ip);
  }

  @Get('api-clients')
  @Roles('system_admin')
  async listClients() {
    return { items: await this.clients.list() };
  }

  /** The secret is in this response only. */
  @Post('api-clients')
  @Roles('system_admin')
  async createClient(@CurrentPrincipal() p: UserPrincipal, @Body() body: unknown, @RequestIp() ip: string | null) {
    return this.clients.create(p, body, ip);
  }

  @Post('api-clients/:id/revoke')
  @HttpCode(200)
  @Roles('system_admin')
  async revokeClient(@CurrentPrincipal() p: UserPrincipal, @Param('id') id: string, @RequestIp() ip: string | null) {
    await this.clients.revoke(p, id, ip);
    return { ok: true };
  }
}

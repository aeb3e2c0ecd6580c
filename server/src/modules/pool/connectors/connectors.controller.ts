import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequestIp, Roles } from '../../../platform/identity/decorators';
import type { Principal } from '../../../platform/identity/principal';
import { CONNECTOR_READ_ROLES, CONNECTOR_ROLES, ConnectorsService } from './connectors.service';

/**
 * Bank SFTP connectors of a unit (unit admins). Secrets go in (password / privateKey / passphrase) and never come
 * out: answers show them as "********". Sending "********" back unchanged keeps the stored secret.
 */
@ApiTags('pool-connectors')
@Controller('pool/connectors')
export class ConnectorsController {
  constructor(private readonly connectors: ConnectorsService) {}

  @Get()
  @Roles(...CONNECTOR_READ_ROLES)
  list(@CurrentPrincipal() p: Principal, @Query('unitId') unitId?: string) {
    return this.connectors.list(p, unitId || undefined);
  }

  @Get(':id')
  @Roles(...CONNECTOR_READ_ROLES)
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.connectors.get(p, id);
  }

  /** `{unitId, name, host, port?, username, authMethod: password|key, password | privateKey [+ passphrase], appId?, agreementNo?, remoteDir, filePattern?, scheduleCron?, hostKeySha256?, enabled?}` */
  @Post()
  @Roles(...CONNECTOR_ROLES)
  @HttpCode(201)
  create(@CurrentPrincipal() p: Principal, @Body() body: unknown, @RequestIp() ip: string | null) {
    return this.connectors.create(p, body, ip);
  }

  @Put(':id')
  @Roles(...CONNECTOR_ROLES)
  update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown, @RequestIp() ip: string | null) {
    return this.connectors.update(p, id, body, ip);
  }

  @Delete(':id')
  @Roles(...CONNECTOR_ROLES)
  remove(@CurrentPrincipal() p: Principal, @Param('id') id: string, @RequestIp() ip: string | null) {
    return this.connectors.remove(p, id, ip);
  }

  /** "Run now": pulls while the request waits and answers the run's summary. */
  @Post(':id/run')
  @Roles(...CONNECTOR_ROLES)
  @HttpCode(200)
  run(@CurrentPrincipal() p: Principal, @Param('id') id: string, @RequestIp() ip: string | null) {
    return this.connectors.runNow(p, id, ip);
  }
}

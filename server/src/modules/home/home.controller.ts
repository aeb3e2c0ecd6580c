import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ValidationError } from '../../platform/errors/errors';
import { CurrentPrincipal } from '../../platform/identity/decorators';
import type { Principal } from '../../platform/identity/principal';
import { HomeService } from './home.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 首页: the counts a signed-in person acts on (any role; each section only where the person may read it). */
@ApiTags('home')
@Controller('home')
export class HomeController {
  constructor(private readonly home: HomeService) {}

  /** `?unitId` limits the counts to one unit the person works in (403 for any other unit). */
  @Get('summary')
  summary(@CurrentPrincipal() p: Principal, @Query('unitId') unitId?: string) {
    if (unitId !== undefined && unitId !== '' && !UUID.test(unitId)) throw new ValidationError('unitId: expected a unit id', { field: 'unitId' });
    return this.home.summary(p, unitId || undefined);
  }
}

import { Injectable } from '@nestjs/common';
import { OrgService } from './org.service';
import { allowedUnitIds, assertUnit, hasRole, type Principal } from './principal';
import type { AnyRole } from './roles';

/**
 * "Role AND unit/fonds" for code that is not a route guard: repositories filter their queries with
 * `allowedUnitIds`/`allowedFondsIds`, services check a single object with `assertUnit`/`assertFonds`. The
 * rules are the same functions the global guard applies (principal.ts).
 */
@Injectable()
export class ScopeService {
  constructor(private readonly org: OrgService) {}

  allowedUnitIds(p: Principal, roles?: readonly AnyRole[]): 'all' | string[] {
    return allowedUnitIds(p, roles);
  }

  allowedFondsIds(p: Principal, roles?: readonly AnyRole[]): Promise<'all' | string[]> {
    return this.org.allowedFondsIds(p, roles);
  }

  hasRole(p: Principal, roles: readonly AnyRole[], unitId?: string | null): boolean {
    return hasRole(p, roles, unitId);
  }

  assertUnit(p: Principal, unitId: string, roles?: readonly AnyRole[]): void {
    assertUnit(p, unitId, roles);
  }

  async assertFonds(p: Principal, fondsId: string, roles?: readonly AnyRole[]): Promise<string> {
    const unitId = await this.org.unitOfFonds(fondsId);
    assertUnit(p, unitId, roles);
    return unitId;
  }
}

import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../errors/errors';
import { ApiClientService } from './api-client.service';
import { AuthService, SESSION_COOKIE } from './auth.service';
import { FONDS_SCOPE_KEY, PUBLIC_KEY, ROLES_KEY, UNIT_SCOPE_KEY, type ScopeResolver } from './decorators';
import { bodySha256, readCookie } from './http';
import { OrgService } from './org.service';
import { assertUnit, hasRole, type Principal } from './principal';
import type { AnyRole } from './roles';
import { SIGNATURE_HEADERS } from './sign-request';
import { isUuid } from './validate';

function header(req: any, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The one place that authenticates and authorises every HTTP request (registered as the global guard):
 * a signed API-key request, else a bearer session token, else the session cookie; then `@Roles` AND the unit
 * or fonds named by `@UnitScope`/`@FondsScope`. Routes are closed unless marked `@Public()`.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly clients: ApiClientService,
    private readonly org: OrgService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    const req = ctx.switchToHttp().getRequest();
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const principal = await this.authenticate(req);
    req.principal = principal;

    const roles = this.reflector.getAllAndOverride<AnyRole[] | undefined>(ROLES_KEY, targets);
    if (!roles?.length && principal.kind === 'client') {
      throw new ForbiddenError('machine clients may call only endpoints open to their client role', { role: principal.role });
    }
    const unitIds = await this.scopedUnits(req, targets);
    if (unitIds) {
      for (const u of unitIds) assertUnit(principal, u, roles);
    } else if (roles?.length && !hasRole(principal, roles)) {
      throw new ForbiddenError(`requires role ${roles.join(' or ')}`, { roles });
    }
    return true;
  }

  private async authenticate(req: any): Promise<Principal> {
    const keyId = header(req, SIGNATURE_HEADERS.key);
    if (keyId !== undefined) {
      return this.clients.authenticate({
        keyId,
        timestamp: header(req, SIGNATURE_HEADERS.timestamp),
        nonce: header(req, SIGNATURE_HEADERS.nonce),
        signature: header(req, SIGNATURE_HEADERS.signature),
        method: req.method,
        pathWithQuery: req.originalUrl ?? req.url,
        bodySha256: bodySha256(req),
        ip: req.ip ?? null,
      });
    }
    const authz = header(req, 'authorization');
    let token: string | undefined;
    if (authz) {
      const m = /^Bearer\s+(\S+)$/i.exec(authz);
      if (!m) throw new UnauthenticatedError('Authorization: expected "Bearer <token>"');
      token = m[1];
    } else token = readCookie(header(req, 'cookie'), SESSION_COOKIE);
    if (!token) throw new UnauthenticatedError();
    const p = await this.auth.authenticateToken(token);
    if (!p) throw new UnauthenticatedError('session expired or signed out; sign in again', 'session_invalid');
    return p;
  }

  /** Units named by the route's scope resolvers (fonds resolved to their unit); null when the route has none. */
  private async scopedUnits(req: any, targets: any[]): Promise<string[] | null> {
    const unitResolver = this.reflector.getAllAndOverride<ScopeResolver | undefined>(UNIT_SCOPE_KEY, targets);
    const fondsResolver = this.reflector.getAllAndOverride<ScopeResolver | undefined>(FONDS_SCOPE_KEY, targets);
    if (!unitResolver && !fondsResolver) return null;
    const asList = (v: string | string[] | null | undefined) => (v == null || v === '' ? [] : Array.isArray(v) ? v : [v]);
    const units: string[] = [];
    if (unitResolver) {
      for (const u of asList(unitResolver(req))) {
        if (!isUuid(u)) throw new ValidationError(`unitId: expected an id (UUID), got ${JSON.stringify(u)}`, { field: 'unitId' });
        units.push(u.toLowerCase());
      }
    }
    if (fondsResolver) {
      for (const f of asList(fondsResolver(req))) units.push(await this.org.unitOfFonds(f));
    }
    if (units.length === 0) {
      throw new ValidationError(unitResolver ? 'unitId: required for this request' : 'fondsId: required for this request', { field: unitResolver ? 'unitId' : 'fondsId' });
    }
    return units;
  }
}

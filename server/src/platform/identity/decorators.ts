import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Principal } from './principal';
import type { AnyRole } from './roles';

export const PUBLIC_KEY = 'evarchive:public';
export const ROLES_KEY = 'evarchive:roles';
export const UNIT_SCOPE_KEY = 'evarchive:unit-scope';
export const FONDS_SCOPE_KEY = 'evarchive:fonds-scope';

/** The request as the scope resolvers see it (Fastify request: params, query, body, headers). */
export interface ScopedRequest {
  params: Record<string, string | undefined>;
  query: Record<string, unknown>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}
/** Returns the unit (or fonds) id(s) the request acts on; undefined/empty when it names none. */
export type ScopeResolver = (req: ScopedRequest) => string | string[] | null | undefined;

/** No authentication needed (login, health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/**
 * Only principals holding one of these roles (system_admin passes for people's roles). Combined with
 * `@UnitScope`/`@FondsScope`, the role must be held in that unit. Without `@Roles`, any signed-in user (but no
 * machine client) may call the route.
 */
export const Roles = (...roles: AnyRole[]) => SetMetadata(ROLES_KEY, roles);

/** The unit(s) the request acts on; the guard requires the `@Roles` role in each. A missing unit is a 400. */
export const UnitScope = (resolve: ScopeResolver) => SetMetadata(UNIT_SCOPE_KEY, resolve);

/** The fonds the request acts on; the guard looks up each fonds' unit and checks as `@UnitScope`. */
export const FondsScope = (resolve: ScopeResolver) => SetMetadata(FONDS_SCOPE_KEY, resolve);

/** The authenticated principal (user or machine client) of the request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest().principal;
});

/** The client address for audit entries (Fastify's `request.ip`, which honours `trustProxy`). */
export const RequestIp = createParamDecorator((_: unknown, ctx: ExecutionContext): string | null => {
  return ctx.switchToHttp().getRequest().ip ?? null;
});

import { ForbiddenError } from '../errors/errors';
import { isRole, type AnyRole, type ClientRole, type Role } from './roles';

/** One grant: a role in one unit, or in every unit (unitId null). */
export interface Grant {
  role: AnyRole;
  unitId: string | null;
}

export interface UserPrincipal {
  kind: 'user';
  id: string;
  username: string;
  displayName: string;
  grants: Grant[];
  sessionId: string | null;
}

/** A machine client: its one client role, held in each of its units. */
export interface ClientPrincipal {
  kind: 'client';
  id: string;
  keyId: string;
  name: string;
  role: ClientRole;
  grants: Grant[];
}

export type Principal = UserPrincipal | ClientPrincipal;

/**
 * system_admin passes every check for people's roles: the admin of the deployment can act anywhere. Machine
 * clients never pass a check that does not name their client role.
 */
function grantMatches(g: Grant, roles: readonly AnyRole[] | undefined, p: Principal): boolean {
  if (!roles || roles.length === 0) return true;
  if (roles.includes(g.role)) return true;
  return p.kind === 'user' && g.role === 'system_admin' && roles.some(isRole);
}

/**
 * The units where the principal holds one of `roles` (any role when omitted): 'all', or a list of unit ids.
 * Repositories filter their queries with it, so "role AND unit" is decided the same way everywhere.
 */
export function allowedUnitIds(p: Principal, roles?: readonly AnyRole[]): 'all' | string[] {
  const ids = new Set<string>();
  for (const g of p.grants) {
    if (!grantMatches(g, roles, p)) continue;
    if (g.unitId === null) return 'all';
    ids.add(g.unitId);
  }
  return [...ids];
}

export function hasRole(p: Principal, roles: readonly AnyRole[], unitId?: string | null): boolean {
  return p.grants.some((g) => grantMatches(g, roles, p) && (unitId === undefined || g.unitId === null || g.unitId === unitId));
}

/** Throws 403 unless the principal holds one of `roles` (any, when empty) in `unitId`. */
export function assertUnit(p: Principal, unitId: string, roles?: readonly AnyRole[]): void {
  if (!hasRole(p, roles ?? [], unitId)) {
    throw new ForbiddenError(
      roles?.length ? `requires role ${roles.join(' or ')} in unit ${unitId}` : `no access to unit ${unitId}`,
      { unitId, roles: roles ?? [] },
    );
  }
}

export function isSystemAdmin(p: Principal): boolean {
  return p.kind === 'user' && p.grants.some((g) => g.role === 'system_admin' && g.unitId === null);
}

export function principalRoles(p: Principal): Role[] {
  return p.kind === 'user' ? [...new Set(p.grants.map((g) => g.role as Role))] : [];
}

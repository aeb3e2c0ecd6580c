/**
 * What other modules use from identity and access: the decorators for routes, the principal and its scope
 * rules, ScopeService for repositories, the role ids, and the client-side request signer.
 */
export { CurrentPrincipal, FondsScope, Public, RequestIp, Roles, UnitScope, type ScopeResolver, type ScopedRequest } from './decorators';
export { allowedUnitIds, assertUnit, hasRole, isSystemAdmin, type ClientPrincipal, type Grant, type Principal, type UserPrincipal } from './principal';
export { ScopeService } from './scope.service';
export { CLIENT_ROLES, CLIENT_ROLE_IDS, ROLES, ROLE_IDS, isClientRole, isRole, type AnyRole, type ClientRole, type Role } from './roles';
export { SIGNATURE_HEADERS, requestSignature, sha256Hex, signRequest, type SignRequestInput } from './sign-request';
export { ensureFirstAdmin } from './user.service';

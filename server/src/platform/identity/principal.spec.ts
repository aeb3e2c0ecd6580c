import { ForbiddenError } from '../errors/errors';
import { allowedUnitIds, assertUnit, hasRole, type ClientPrincipal, type UserPrincipal } from './principal';

const user = (grants: UserPrincipal['grants']): UserPrincipal => ({ kind: 'user', id: 'u', username: 'u', displayName: 'U', grants, sessionId: null });

describe('role AND unit scope', () => {
  const archivistA = user([
    { role: 'archivist', unitId: 'A' },
    { role: 'borrower', unitId: 'B' },
  ]);

  it('lists the units where one of the roles is held', () => {
    expect(allowedUnitIds(archivistA, ['archivist'])).toEqual(['A']);
    expect(allowedUnitIds(archivistA)).toEqual(['A', 'B']);
    expect(allowedUnitIds(archivistA, ['accountant'])).toEqual([]);
    expect(allowedUnitIds(user([{ role: 'auditor', unitId: null }]), ['auditor'])).toBe('all');
  });

  it('requires the role in that unit, not the role somewhere and access elsewhere', () => {
    expect(hasRole(archivistA, ['archivist'], 'A')).toBe(true);
    expect(hasRole(archivistA, ['archivist'], 'B')).toBe(false);
    expect(() => assertUnit(archivistA, 'B', ['archivist'])).toThrow(ForbiddenError);
    expect(() => assertUnit(archivistA, 'B', ['archivist'])).toThrow('requires role archivist in unit B');
  });

  it('lets system_admin pass people-role checks everywhere but not machine-client checks for others', () => {
    const admin = user([{ role: 'system_admin', unitId: null }]);
    expect(hasRole(admin, ['archivist'], 'Z')).toBe(true);
    expect(allowedUnitIds(admin, ['warehouse_keeper'])).toBe('all');
    expect(hasRole(admin, ['issuer'])).toBe(false);
    const client: ClientPrincipal = { kind: 'client', id: 'c', keyId: 'k', name: 'n', role: 'issuer', grants: [{ role: 'issuer', unitId: 'A' }] };
    expect(hasRole(client, ['issuer'], 'A')).toBe(true);
    expect(hasRole(client, ['archivist'], 'A')).toBe(false);
    expect(hasRole(client, ['issuer'], 'B')).toBe(false);
  });
});

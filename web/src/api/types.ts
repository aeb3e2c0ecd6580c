/** Shapes of the server's answers that the shell relies on (the identity API contract). */

export const ROLES = [
  'system_admin',
  'unit_admin',
  'archivist',
  'accountant',
  'reimbursement_clerk',
  'auditor',
  'borrower',
  'warehouse_keeper',
] as const;

export type Role = (typeof ROLES)[number];

export interface RoleGrant {
  role: Role;
  /** null: the role holds in every unit (e.g. 系统管理员). */
  unitId: string | null;
  unitName: string | null;
}

export interface UnitRef {
  id: string;
  code: string;
  name: string;
}

export interface CurrentUser {
  id: string;
  username: string;
  displayName: string;
  roles: RoleGrant[];
  units: UnitRef[];
}

export interface LoginResponse {
  user: CurrentUser;
  token: string;
  expiresAt: string;
}

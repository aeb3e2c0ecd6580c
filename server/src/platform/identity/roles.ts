/** The people's roles (exact ids shared with the web app and every module). */
export const ROLES = {
  system_admin: '系统管理员',
  unit_admin: '单位管理员',
  archivist: '档案员',
  accountant: '会计',
  reimbursement_clerk: '经办人',
  auditor: '审计',
  borrower: '借阅人',
  warehouse_keeper: '库管',
} as const;
export type Role = keyof typeof ROLES;
export const ROLE_IDS = Object.keys(ROLES) as Role[];

/** Roles a grant may hold for every unit at once (unit_id null). Everyone else works inside named units. */
export const ALL_UNIT_ROLES: readonly Role[] = ['system_admin', 'auditor'];

/** Machine clients' roles. */
export const CLIENT_ROLES = {
  issuer: '开票方/开具方',
  receiver: '接收方',
  accounting_system: '会计核算系统',
  reimbursement_system: '报销系统',
  bank_connector: '银行接口',
} as const;
export type ClientRole = keyof typeof CLIENT_ROLES;
export const CLIENT_ROLE_IDS = Object.keys(CLIENT_ROLES) as ClientRole[];

export type AnyRole = Role | ClientRole;

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLE_IDS as string[]).includes(v);
}
export function isClientRole(v: unknown): v is ClientRole {
  return typeof v === 'string' && (CLIENT_ROLE_IDS as string[]).includes(v);
}

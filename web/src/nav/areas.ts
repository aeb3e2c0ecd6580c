import type { Role } from '../api/types';

/**
 * Who may work in each area of the product: the single source the navigation, the route guard and the home
 * page read. The server enforces the same rules on every API call; this only decides what the UI offers.
 * An area appears in the navigation only once a workspace registers a page for it (registry.ts).
 */
export const AREA_ROLES = {
  home: 'all',
  /** 票据池: receive, verify and claim original vouchers. */
  pool: ['reimbursement_clerk', 'accountant', 'archivist', 'unit_admin'],
  /** 记账凭证: journal vouchers and their linked originals. */
  journal: ['accountant', 'archivist', 'auditor', 'unit_admin'],
  /** 组卷: assemble volumes, assign archival codes. */
  volumes: ['archivist', 'unit_admin'],
  /** 四性检测: authenticity, integrity, usability, security checks. */
  checks: ['archivist', 'auditor', 'unit_admin'],
  /** 档案检索 */
  search: ['archivist', 'accountant', 'auditor', 'borrower', 'unit_admin'],
  /** 系统管理: users and units. */
  admin: ['system_admin', 'unit_admin'],
  /** 审计日志校验: verifying the chain is an auditor's job as much as an administrator's. */
  audit: ['system_admin', 'auditor'],
} as const satisfies Record<string, readonly Role[] | 'all'>;

export type Area = keyof typeof AREA_ROLES;

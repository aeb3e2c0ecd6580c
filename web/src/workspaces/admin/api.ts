import { api } from '../../api/client';
import type { Role } from '../../api/types';

/** The identity administration API (server/src/platform/identity/admin.controller.ts). */

export interface AdminUser {
  id: string;
  username: string;
  displayName: string;
  disabled: boolean;
  roles: { role: Role; unitId: string | null; unitName: string | null }[];
  units: { id: string; code: string; name: string }[];
}

export interface Unit {
  id: string;
  code: string;
  name: string;
  creditCode: string | null;
  parentId: string | null;
}

export interface NewUser {
  username: string;
  displayName?: string;
  password: string;
  roles: { role: Role; unitId?: string | null }[];
}

export interface NewUnit {
  code: string;
  name: string;
  creditCode?: string;
  parentId?: string;
}

export type ChainVerdict =
  | { ok: true; entries: number; lastSeq: string | null; lastHash: string }
  | { ok: false; entries: number; seq: string; reason: 'seq_gap' | 'prev_hash_mismatch' | 'hash_mismatch'; message: string };

export interface AuditEntry {
  seq: string;
  at: string;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  unitId: string | null;
  ip: string | null;
  details: unknown;
  hash: string;
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const adminApi = {
  users: (filter: { unitId?: string; q?: string }, signal?: AbortSignal) =>
    api.get<{ items: AdminUser[] }>(`/api/admin/users${query(filter)}`, { signal }),
  createUser: (body: NewUser) => api.post<{ user: AdminUser }>('/api/admin/users', body),
  setPassword: (id: string, password: string) => api.post<{ ok: true }>(`/api/admin/users/${encodeURIComponent(id)}/password`, { password }),
  units: (q?: string, signal?: AbortSignal) => api.get<{ items: Unit[] }>(`/api/admin/units${query({ q })}`, { signal }),
  createUnit: (body: NewUnit) => api.post<Unit>('/api/admin/units', body),
  verifyAudit: () => api.get<ChainVerdict>('/api/admin/audit/verify'),
  auditLog: (beforeSeq?: string, signal?: AbortSignal) =>
    api.get<{ items: AuditEntry[]; nextBeforeSeq: string | null }>(`/api/admin/audit${query({ beforeSeq, limit: '50' })}`, { signal }),
};

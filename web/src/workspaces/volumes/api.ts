import { api } from '../../api/client';

/** The volumes and retention APIs (server/src/modules/volumes, server/src/modules/retention). */

export type VolumeState = 'draft' | 'submitted' | 'approved' | 'archived';
export type Category = 'voucher' | 'ledger' | 'report' | 'other';
export const CATEGORIES: Category[] = ['voucher', 'ledger', 'report', 'other'];

export interface Volume {
  id: string;
  unitId: string;
  fondsId: string;
  year: number;
  period: string;
  category: Category;
  retention: string;
  retentionCode: string;
  expiresOn: string | null;
  volumeNo: number;
  archivalCode: string;
  title: string;
  state: VolumeState;
  rule: { id: string; version: number };
  retentionRule: { id: string; version: number; regime: string; row: number };
  itemCount: number;
  subItemCount: number;
  firstNumber: string | null;
  lastNumber: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  submittedAt: string | null;
  submittedBy: string | null;
  /** Who submitted it: that person may not approve it too (four eyes). */
  submittedById: string | null;
  approvedAt: string | null;
  approvedBy: string | null;
  archivedAt: string | null;
  reopenedAt: string | null;
  reopenedBy: string | null;
  reopenReason: string | null;
}

export interface VolumeItem {
  id: string;
  seq: number;
  itemNo: number;
  archivalCode: string;
  sourceType: 'journal_voucher' | 'account_book' | 'report' | 'other' | 'original';
  sourceId: string;
  number: string | null;
  date: string | null;
  title: string;
}

export interface Gap {
  id: string;
  period: string;
  missing: string;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  reason: string | null;
}

export interface VolumeDetail extends Volume {
  items: (VolumeItem & { originals: VolumeItem[] })[];
  gaps: Gap[];
}

export interface AssembleSummary {
  created: string[];
  updated: string[];
  unchanged: string[];
  deleted: string[];
  frozen: { period: string; category: string; codes: string[]; differs: boolean }[];
  gaps: { period: string; missing: string; acknowledged: boolean; reason: string | null }[];
  skipped: { sourceType: string; sourceId: string; number: string | null; reason: string }[];
  regime: string;
  ruleId: string;
  ruleVersion: number;
}

export interface RetentionRow {
  no: number;
  category: Category;
  item: string;
  retention: string;
  receivedPeriod?: number;
  notes?: string;
  confidence?: string;
}

export interface RetentionOverview {
  unitId: string;
  regime: string;
  regimeName: string;
  explicit: boolean;
  table: string;
  source: string;
  ruleId: string;
  ruleVersion: number;
  regimes: { id: string; name: string }[];
  rows: RetentionRow[];
}

export interface DueItem {
  volumeId: string;
  volumeCode: string;
  itemCode: string;
  itemTitle: string;
  number: string | null;
  retention: string;
  expiresOn: string;
  volumeState: VolumeState;
}

function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const volumesApi = {
  fonds: (unitId: string, signal?: AbortSignal) => api.get<{ items: { id: string; code: string; name: string }[] }>(`/api/volumes/fonds${qs({ unitId })}`, { signal }),
  assemble: (body: { unitId: string; fondsId: string; year: number; period?: string; category?: Category }) => api.post<AssembleSummary>('/api/volumes/assemble', body),
  list: (q: { unitId?: string; year?: number; state?: string; category?: string; after?: string; limit?: number }, signal?: AbortSignal) =>
    api.get<{ items: Volume[]; nextAfter: string | null }>(`/api/volumes${qs(q)}`, { signal }),
  detail: (id: string, signal?: AbortSignal) => api.get<VolumeDetail>(`/api/volumes/${encodeURIComponent(id)}`, { signal }),
  submit: (id: string, gapReason?: string) => api.post<Volume>(`/api/volumes/${encodeURIComponent(id)}/submit`, gapReason ? { gapReason } : {}),
  approve: (id: string) => api.post<Volume>(`/api/volumes/${encodeURIComponent(id)}/approve`),
  reopen: (id: string, reason: string) => api.post<Volume>(`/api/volumes/${encodeURIComponent(id)}/reopen`, { reason }),
  retention: (unitId: string, signal?: AbortSignal) => api.get<RetentionOverview>(`/api/retention/units/${encodeURIComponent(unitId)}`, { signal }),
  setRegime: (unitId: string, regime: string) => api.put<{ regime: string }>(`/api/retention/units/${encodeURIComponent(unitId)}/regime`, { regime }),
  due: (before: string, includeUnarchived: boolean, signal?: AbortSignal) =>
    api.get<{ before: string; items: DueItem[] }>(`/api/retention/due${qs({ before, includeUnarchived: includeUnarchived ? 'true' : undefined })}`, { signal }),
};

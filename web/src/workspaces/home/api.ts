import { api } from '../../api/client';

export const POOL_STATES = ['available', 'claimed', 'reimbursed', 'booked', 'archived'] as const;
export const VOLUME_STATES = ['draft', 'submitted', 'approved', 'archived'] as const;

/** GET /api/home/summary (server/src/modules/home): a section is null where the user may not read it. */
export interface HomeSummary {
  unitId: string | null;
  pool: { byState: Record<(typeof POOL_STATES)[number], number>; invalid: number } | null;
  suggestions: number | null;
  volumes: Record<(typeof VOLUME_STATES)[number], number> | null;
  checksFailed: number | null;
}

export const homeApi = {
  summary: (unitId: string | undefined, signal?: AbortSignal) =>
    api.get<HomeSummary>(`/api/home/summary${unitId ? `?unitId=${encodeURIComponent(unitId)}` : ''}`, { signal }),
};

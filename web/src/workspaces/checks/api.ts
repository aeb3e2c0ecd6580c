import { api } from '../../api/client';

export type Stage = 'GD' | 'YJ' | 'BC';
export type Nature = 'ZS' | 'WZ' | 'KY' | 'AQ';
export type Outcome = 'pass' | 'fail' | 'warn' | 'not_applicable';

export interface RunSummary {
  total: number;
  pass: number;
  fail: number;
  warn: number;
  notApplicable: number;
  byNature: Record<Nature, { pass: number; fail: number; warn: number; notApplicable: number }>;
  /** `message` is the server's English sentence; `messageCode` and `params` say it in the reader's language. */
  vetoFailures: { code: string; itemId: string; name: string; message: string; messageCode?: string; params?: Record<string, string | number> }[];
  verdict: 'pass' | 'warn' | 'fail';
}

export interface CheckRun {
  id: string;
  schemeId: string;
  schemeVersion: number;
  stage: Stage;
  subjectType: string;
  subjectId: string;
  subjectLabel: string;
  unitId: string | null;
  actor: string | null;
  startedAt: string;
  finishedAt: string;
  verdict: 'pass' | 'warn' | 'fail';
  summary: RunSummary;
}

export interface CheckResult {
  code: string;
  nature: Nature;
  severity: 'veto' | 'warn';
  itemId: string;
  outcome: Outcome;
  evidence: Record<string, unknown>;
}

export interface SchemeItem {
  code: string;
  stage: Stage;
  nature: Nature;
  name: string;
  clause: string;
  severity: 'veto' | 'warn';
}

export interface ArchivePackage {
  id: string;
  volumeId: string;
  archivalCode: string;
  version: number;
  sha256: string;
  sm3: string;
  size: number;
  signatureAlgorithm: string;
  checkRunId: string | null;
  files: number;
  createdAt: string;
  createdBy: string;
}

/** POST /api/archive/volumes/:id: the archiving-stage check passed, the package is stored, the volume archived. */
export interface ArchiveOutcome {
  volumeId: string;
  archivalCode: string;
  runId: string;
  packageId: string;
  sha256: string;
  sm3: string;
  size: number;
  items: number;
  files: number;
}

export interface PackageVerdict {
  ok: boolean;
  problems: { kind: string; path?: string; message: string }[];
  signature?: { ok: boolean; signer?: string; algorithm?: string; message?: string };
  stored: { ok: boolean; sha256: string; sm3: string };
  files: number;
}

const qs = (o: Record<string, string | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
};

export const checksApi = {
  scheme: (signal?: AbortSignal) => api.get<{ id: string; version: number; title: string; items: SchemeItem[] }>('/api/checks/scheme', { signal }),
  runs: (q: { stage?: string; verdict?: string }, signal?: AbortSignal) => api.get<CheckRun[]>(`/api/checks/runs${qs({ ...q, limit: '200' })}`, { signal }),
  run: (volume: string, stage: Stage) => api.post<CheckRun>('/api/checks/runs', { volume, stage }),
  results: (id: string, q: { nature?: string; outcome?: string; code?: string }, signal?: AbortSignal) =>
    api.get<CheckResult[]>(`/api/checks/runs/${id}/results${qs(q)}`, { signal }),
  reportUrl: (id: string, kind: 'pdf' | 'sig' | 'xml', download = false) => `/api/checks/runs/${id}/report.${kind}${download ? '?download=1' : ''}`,
  packages: (signal?: AbortSignal) => api.get<ArchivePackage[]>('/api/archive/packages', { signal }),
  archive: (volumeId: string) => api.post<ArchiveOutcome>(`/api/archive/volumes/${encodeURIComponent(volumeId)}`, {}),
  verifyPackage: (id: string) => api.post<PackageVerdict>(`/api/archive/packages/${id}/verify`),
  packageUrl: (id: string) => `/api/archive/packages/${id}/download`,
};

/** Prints a same-origin PDF through a hidden frame, so the browser's print dialog shows the report itself. */
export function printPdf(url: string): void {
  const frame = document.createElement('iframe');
  frame.style.position = 'fixed';
  frame.style.width = '0';
  frame.style.height = '0';
  frame.style.border = '0';
  frame.src = url;
  frame.onload = () => {
    frame.contentWindow?.focus();
    frame.contentWindow?.print();
    setTimeout(() => frame.remove(), 60_000);
  };
  document.body.appendChild(frame);
}

import { api } from '../../api/client';

/** Shapes of the receiver API and the connectors API (server: server/src/modules/pool/claims, …/connectors). */
export interface ClaimView {
  claimId: string;
  reimbursementDocId: string;
  claimant: { type: string; id: string | null; name: string | null; user: string | null };
  claimedAt: string;
  expiresAt: string | null;
  status: string;
  endedAt: string | null;
  endReason: string | null;
  reimbursedAt: string | null;
  reimbursedAmount: string | null;
}

export interface BookingEntry {
  direction: 'debit' | 'credit';
  accountCode: string;
  accountName: string;
  subsidiaryCode?: string;
  subsidiaryName?: string;
  amount: string;
}

export interface Writeback {
  id: string;
  kind: string;
  kindName: string;
  invoiceCode: string | null;
  invoiceNumber: string | null;
  bankSerialNumber: string | null;
  issueDate: string | null;
  totalAmount: string | null;
  sellerName: string | null;
  buyerName: string | null;
  unit: { id: string; code: string; name: string } | null;
  state: string;
  claim: ClaimView | null;
  claims: ClaimView[];
  booking: null | {
    id: string;
    journalVoucherNumber: string;
    period: string;
    bookedAt: string;
    summary: string | null;
    entries: BookingEntry[];
    debitTotal: string;
    creditTotal: string;
    configId: string | null;
    by: { type: string; id: string | null; name: string | null };
    recordedAt: string;
  };
  receiverFiles: { id: string; role: string; filename: string | null; format: string; size: number; sha256: string }[];
  history: { at: string; action: string; fromState: string | null; toState: string | null; actor: { type: string; name: string | null }; details: Record<string, unknown> }[];
}

export interface BookingInput {
  journalVoucherNumber: string;
  period: string;
  bookedAt: string;
  summary?: string;
  entries: { accountCode: string; accountName: string; subsidiaryName?: string; debit?: string; credit?: string }[];
}

export interface RunView {
  id: string;
  trigger: string;
  status: 'running' | 'ok' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  listed: number;
  fetched: number;
  skipped: number;
  failed: number;
  outcomes: Record<string, number>;
  error: string | null;
}

export interface Connector {
  id: string;
  unitId: string;
  name: string;
  host: string;
  port: number;
  appId: string | null;
  username: string;
  authMethod: 'password' | 'key';
  password: string | null;
  privateKey: string | null;
  passphrase: string | null;
  hostKeySha256: string | null;
  agreementNo: string | null;
  remoteDir: string;
  filePattern: string;
  scheduleCron: string | null;
  enabled: boolean;
  nextRunAt: string | null;
  lastRun: RunView | null;
}

export interface RunSummary {
  runId: string;
  status: 'ok' | 'failed';
  listed: number;
  fetched: number;
  skipped: number;
  failed: number;
  outcomes: Record<string, number>;
  files: { remotePath: string; size: number; outcome: string; voucherId: string | null; message?: string | null }[];
  error: string | null;
}

const base = '/api/pool/receiver/vouchers';
const enc = encodeURIComponent;

export const claimsApi = {
  writeback: (id: string, signal?: AbortSignal) => api.get<Writeback>(`${base}/${enc(id)}`, { signal }),
  claim: (id: string, body: { reimbursementDocId: string; expiresAt?: string }) => api.post<ClaimView>(`${base}/${enc(id)}/claim`, body),
  release: (id: string, body: { reason: string; note?: string }) => api.post(`${base}/${enc(id)}/release`, body),
  reimbursed: (id: string, body: { amount?: string }) => api.post(`${base}/${enc(id)}/reimbursed`, body),
  booked: (id: string, body: BookingInput) => api.post(`${base}/${enc(id)}/booked`, body),
  /** Pool A's list, filtered by state (the claims worklist). */
  byState: (state: string, unitId: string | undefined, signal?: AbortSignal) =>
    api.get<{ items: { id: string; kindName: string; invoiceNumber: string | null; bankSerialNumber: string | null; issueDate: string | null; totalAmount: string | null; sellerName: string | null; state: string }[] }>(
      `/api/pool/vouchers?state=${enc(state)}&limit=100${unitId ? `&unitId=${enc(unitId)}` : ''}`,
      { signal },
    ),
  fileUrl: (id: string) => `/api/pool/files/${enc(id)}`,
};

export const connectorsApi = {
  list: (unitId: string | undefined, signal?: AbortSignal) => api.get<{ items: Connector[] }>(`/api/pool/connectors${unitId ? `?unitId=${enc(unitId)}` : ''}`, { signal }),
  create: (body: Record<string, unknown>) => api.post<Connector>('/api/pool/connectors', body),
  update: (id: string, body: Record<string, unknown>) => api.put<Connector>(`/api/pool/connectors/${enc(id)}`, body),
  remove: (id: string) => api.delete(`/api/pool/connectors/${enc(id)}`),
  run: (id: string) => api.post<RunSummary>(`/api/pool/connectors/${enc(id)}/run`),
};

import { api, ApiError } from '../../api/client';

/** The ledger and matching APIs (server/src/modules/ledger, server/src/modules/matching). */

export interface JournalListItem {
  id: string;
  unitCode: string;
  period: string;
  number: string;
  date: string;
  summary: string;
  totalDebit: string;
  attachmentCount: number;
  version: number;
}

export interface JournalEntry {
  line: number;
  summary?: string;
  accountCode: string;
  accountName: string;
  debit: string;
  credit: string;
  counterparty?: string;
  counterpartyAccount?: string;
  project?: string;
  department?: string;
}

export interface JournalVoucher {
  number: string;
  voucherType?: string;
  date: string;
  period: string;
  summary: string;
  entries: JournalEntry[];
  attachmentCount: number;
  maker?: string;
  checker?: string;
  poster?: string;
  references: { invoiceNumbers: string[]; reimbursementIds: string[]; paymentCodes: string[]; bankSerials: string[]; attachments: string[] };
  totalDebit: string;
  totalCredit: string;
}

/** An explanation message: a code (match.reason.<code> in the dictionaries) and the values it compared. */
export interface Reason {
  code: string;
  values: Record<string, string | number>;
}

export interface ConditionOutcome {
  /** The rule's condition id. */
  condition: string;
  match: string;
  passed: boolean;
  exact: boolean;
  weight: number;
  /** Structured (links made since explanations are structured). */
  reason?: Reason;
  /** The server's rendering (Accept-Language); links stored earlier have only this English sentence. */
  text?: string;
}

/** Why a link's tier is lower than its score alone would give; older links have the text only. */
export type LinkNote = Partial<Reason> & { text: string };

export interface LinkView {
  id: string;
  journalVoucherId: string;
  voucherId: string;
  statementLine: number | null;
  period: string;
  tier: 'auto' | 'suggest' | 'manual';
  status: 'active' | 'accepted' | 'rejected';
  score: number;
  ruleId: string;
  ruleVersion: number;
  explanation: ConditionOutcome[];
  notes: LinkNote[];
  decidedBy: string | null;
  decisionReason: string | null;
  journalVoucher?: { id: string; number: string; period: string; date: string; summary: string; totalDebit: string };
  voucher?: { id: string; kind: string; invoiceNumber: string | null; issueDate: string | null; totalAmount: string | null; sellerName: string | null; payeeName: string | null; bankSerial: string | null; statementLine?: { bookkeepingDate?: string; amount?: string; serialNumber?: string; counterpartyName?: string } };
}

/** A journal voucher's head as matching answers it beside a link. */
export interface JournalHead {
  id: string;
  unitId: string;
  period: string;
  number: string;
  date: string;
  summary: string;
  totalDebit: string;
}

/** 联查 back (GET /api/matching/vouchers/:id/journal-vouchers): the journal vouchers that book a pool voucher (rejected links left out). */
export interface VoucherJournals {
  voucher: { id: string; kind: string; invoiceNumber: string | null; issueDate: string | null; totalAmount: string | null; sellerName: string | null; state: string };
  journalVouchers: { link: Omit<LinkView, 'journalVoucher' | 'voucher'>; journalVoucher?: JournalHead }[];
}

export interface Chain {
  journalVoucher: { id: string; unitCode: string; version: number; voucher: JournalVoucher; versions: { version: number; reason: string | null; createdAt: string }[] };
  links: LinkView[];
  reimbursementIds: string[];
  bankSerials: string[];
  paymentCodes: string[];
  invoiceNumbers: string[];
}

export interface ImportSummary {
  importId: string;
  vouchers: number;
  created: number;
  updated: number;
  unchanged: number;
  units: string[];
  periods: string[];
  changes: { unit: string; period: string; number: string; version: number; reason: string }[];
}

export interface RowError {
  row: number;
  column: string;
  /** The server's English sentence; `code` and `params` say it for the reader's language. */
  problem: string;
  code?: string;
  params?: Record<string, string | number>;
}

export interface JournalFilter {
  period?: string;
  number?: string;
  account?: string;
  min?: string;
  max?: string;
  q?: string;
}

const qs = (o: Record<string, string | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
};

export const journalApi = {
  list: (f: JournalFilter, after?: string, signal?: AbortSignal) =>
    api.get<{ items: JournalListItem[]; nextAfter: string | null }>(`/api/ledger/journal-vouchers${qs({ ...f, after, limit: '50' })}`, { signal }),
  chain: (id: string, signal?: AbortSignal) => api.get<Chain>(`/api/ledger/journal-vouchers/${encodeURIComponent(id)}/chain`, { signal }),
  /** The journal vouchers linked to a pool voucher; 403 when the reader's roles may not read matching. */
  ofVoucher: (voucherId: string, signal?: AbortSignal) => api.get<VoucherJournals>(`/api/matching/vouchers/${encodeURIComponent(voucherId)}/journal-vouchers`, { signal }),
  suggestions: (period?: string, signal?: AbortSignal) => api.get<LinkView[]>(`/api/matching/suggestions${qs({ period })}`, { signal }),
  accept: (id: string, reason?: string) => api.post<LinkView>(`/api/matching/links/${id}/accept`, { reason }),
  reject: (id: string, reason: string) => api.post<LinkView>(`/api/matching/links/${id}/reject`, { reason }),
  run: (period: string, unit?: string) => api.post<{ totals: { auto: number; suggestions: number; unmatchedJournals: number; unmatchedVouchers: number } }>('/api/matching/runs', { period, unit }),
  /** Multipart upload; the JSON client cannot send files, so this one call uses fetch directly. */
  async upload(file: File, unit?: string, reason?: string): Promise<ImportSummary> {
    const form = new FormData();
    form.append('file', file, file.name);
    if (unit) form.append('unit', unit);
    if (reason) form.append('reason', reason);
    const res = await fetch('/api/ledger/imports', { method: 'POST', credentials: 'same-origin', body: form, headers: { Accept: 'application/json' } });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(res.status, json.code ?? `http_${res.status}`, json.message ?? res.statusText, json.details, json);
    return json as ImportSummary;
  },
};

import { api } from '../../api/client';
import type { WarningCode } from '../../i18n/server-messages';

/** The pool API's shapes as the pages use them (server: server/src/modules/pool). */
export interface VoucherSummary {
  id: string;
  unit: { id: string; code: string; name: string } | null;
  subPool: string | null;
  kind: string;
  kindName: string;
  identityKey: string;
  invoiceCode: string | null;
  invoiceNumber: string | null;
  issueDate: string | null;
  amountExTax: string | null;
  taxAmount: string | null;
  totalAmount: string | null;
  currency: string;
  sellerName: string | null;
  sellerTaxId: string | null;
  buyerName: string | null;
  buyerTaxId: string | null;
  payerName: string | null;
  payeeName: string | null;
  bankSerialNumber: string | null;
  signatureVerdict: string;
  warnings: string[];
  /** Index for index with `warnings`: their codes (null: said as written). */
  warningCodes?: (WarningCode | null)[];
  carrier: 'electronic' | 'paper';
  state: string;
  createdAt: string;
}

export interface SignatureReport {
  type: string;
  format: string;
  location?: string;
  digestsOk: boolean | null;
  signatureValid: boolean | null;
  signerSubject?: string;
  signingTime?: string;
  chain?: string;
  /** The verifier's English sentences; `reasonCodes[i]` says `reasons[i]` for the reader's language (null: no code). */
  reasons: string[];
  reasonCodes?: ({ code: string; params: Record<string, string> } | null)[];
}

export interface VoucherFile {
  id: string;
  role: string;
  filename: string | null;
  format: string;
  mediaType: string;
  size: number;
  sha256: string;
  sm3: string;
  signatureVerdict: string | null;
  receivedAt: string;
  channel: string;
}

export interface VoucherDetail extends VoucherSummary {
  voucher: Record<string, unknown> & { lineItems?: Record<string, string>[] };
  signatures: SignatureReport[];
  files: VoucherFile[];
  history: { at: string; action: string; fromState: string | null; toState: string | null; actor: { type: string; name: string | null }; details: Record<string, unknown> }[];
  conflicts: { id: string; fileId: string; differences: { field: string; existing: string; incoming: string }[]; status: string; resolution: string | null; note: string | null; createdAt: string }[];
}

export interface BatchItem {
  seq: number;
  filename: string;
  outcome: 'created' | 'duplicate' | 'linked' | 'conflict' | 'rejected' | null;
  voucherId: string | null;
  kind: string | null;
  verdict: string | null;
  errorCode: string | null;
  message: string | null;
}

export interface Batch {
  id: string;
  status: 'open' | 'complete';
  total: number;
  done: number;
  progress: number;
  summary: { received: number; created: number; duplicates: number; linked: number; conflicts: number; rejected: number };
  items: BatchItem[];
}

export type ListFilter = Record<string, string | undefined>;

export function queryString(f: ListFilter): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') p.set(k, v);
  return p.toString();
}

export const poolApi = {
  list: (f: ListFilter, signal?: AbortSignal) => api.get<{ items: VoucherSummary[]; nextCursor: string | null }>(`/api/pool/vouchers?${queryString(f)}`, { signal }),
  detail: (id: string, signal?: AbortSignal) => api.get<VoucherDetail>(`/api/pool/vouchers/${encodeURIComponent(id)}`, { signal }),
  batch: (id: string, signal?: AbortSignal) => api.get<Batch>(`/api/pool/batches/${encodeURIComponent(id)}`, { signal }),
  resolve: (id: string, resolution: 'keep_existing' | 'take_incoming', note?: string) => api.post(`/api/pool/conflicts/${encodeURIComponent(id)}/resolve`, { resolution, note }),
  exportUrl: (f: ListFilter) => `/api/pool/vouchers.xlsx?${queryString({ ...f, cursor: undefined, limit: undefined })}`,
  fileUrl: (id: string) => `/api/pool/files/${encodeURIComponent(id)}`,
  /** Multipart upload (the JSON client does not send forms); answers the batch at once, processing continues. */
  async upload(files: File[], opts: { unitId?: string; subPool?: string; personal?: boolean }): Promise<Batch> {
    const form = new FormData();
    if (opts.unitId && !opts.personal) form.append('unitId', opts.unitId);
    if (opts.subPool) form.append('subPool', opts.subPool);
    if (opts.personal) form.append('personal', 'true');
    for (const f of files) form.append('files', f, f.name);
    const res = await fetch('/api/pool/uploads', { method: 'POST', body: form, credentials: 'same-origin', headers: { Accept: 'application/json' } });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error(json.message ?? `HTTP ${res.status}`), { code: json.code, status: res.status });
    return json as Batch;
  },
};

export const VERDICT_COLORS: Record<string, string> = { valid: 'green', invalid: 'red', incomplete: 'orange', unsigned: 'default', unsupported: 'purple' };
export const STATE_COLORS: Record<string, string> = { available: 'blue', claimed: 'gold', reimbursed: 'cyan', booked: 'geekblue', archived: 'default' };
export const OUTCOME_COLORS: Record<string, string> = { created: 'green', duplicate: 'default', linked: 'blue', conflict: 'orange', rejected: 'red' };
export const KINDS = ['inv_ord', 'inv_spcl', 'einv_ord', 'einv_spcl', 'rai', 'atr', 'efi', 'ntrev', 'bker', 'bkrs', 'ctp', 'other'];
export const STATES = ['available', 'claimed', 'reimbursed', 'booked', 'archived'];
export const VERDICTS = ['valid', 'invalid', 'incomplete', 'unsigned', 'unsupported'];

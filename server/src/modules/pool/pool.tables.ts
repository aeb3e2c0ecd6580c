import type { Generated } from 'kysely';

export type VoucherState = 'available' | 'claimed' | 'reimbursed' | 'booked' | 'archived';
export type FileRole = 'original' | 'version' | 'paper_photo' | 'receiver_xbrl' | 'receiver_json';
export type IngestChannel = 'issuer' | 'upload' | 'folder' | 'receiver' | 'connector';
export type IngestOutcome = 'created' | 'duplicate' | 'linked' | 'conflict' | 'rejected';

/** One step's result for one item: which step, which version of it, what came out. */
export interface StepRecord {
  step: string;
  version: number;
  outcome: 'ok' | 'skipped' | 'stopped' | 'failed';
  /** Wall time of the step in milliseconds (where the time of an ingest goes). */
  ms?: number;
  message?: string;
}

/** Tables owned by the voucher pool (migration 0400_pool). Money columns are numeric(18,2), read as strings. */
export interface PoolTables {
  /** 票据池记录: one per business identity (e.g. invoice code + number), whatever channel brought it. */
  voucher: {
    id: Generated<string>;
    unit_id: string | null;
    /** 二级票池: e.g. a department code inside the unit. */
    sub_pool: string | null;
    /** 个人票夹: the person who collected it (unit_id null until it is moved into a unit pool). */
    owner_user_id: string | null;
    kind: string;
    identity_key: string;
    invoice_code: string | null;
    invoice_number: string | null;
    issue_date: string | null;
    amount_ex_tax: string | null;
    tax_amount: string | null;
    total_amount: string | null;
    currency: Generated<string>;
    seller_name: string | null;
    seller_tax_id: string | null;
    buyer_name: string | null;
    buyer_tax_id: string | null;
    payer_name: string | null;
    payee_name: string | null;
    bank_serial: string | null;
    /** The normalised Voucher (formats/voucher.ts) as read from the file that created the record. */
    data: unknown;
    signature_verdict: string;
    warnings: unknown;
    carrier: Generated<'electronic' | 'paper'>;
    state: Generated<VoucherState>;
    search_text: Generated<string>;
    created_at: Date;
    updated_at: Date;
  };
  /** Every received original, byte for byte in the object store; one row per distinct content. */
  voucher_file: {
    id: Generated<string>;
    voucher_id: string;
    object_key: string;
    sha256: string;
    sm3: string;
    size: string | number;
    media_type: string;
    filename: string | null;
    format: string;
    role: FileRole;
    signature_verdict: string | null;
    signatures: unknown;
    received_at: Date;
    channel: string;
    source_ref: string | null;
    batch_id: string | null;
  };
  ingest_batch: {
    id: Generated<string>;
    channel: IngestChannel;
    unit_id: string | null;
    sub_pool: string | null;
    owner_user_id: string | null;
    actor_type: string;
    actor_id: string | null;
    actor_name: string | null;
    source_key: string | null;
    status: Generated<'open' | 'complete'>;
    total: Generated<number>;
    created_at: Date;
    finished_at: Date | null;
  };
  ingest_item: {
    id: Generated<string>;
    batch_id: string;
    seq: number;
    filename: string;
    source_ref: string | null;
    sha256: string;
    size: string | number;
    status: Generated<'pending' | 'done'>;
    outcome: IngestOutcome | null;
    voucher_id: string | null;
    file_id: string | null;
    steps: Generated<unknown>;
    error_code: string | null;
    error_message: string | null;
    finished_at: Date | null;
  };
  /** Same identity, different amounts or parties: kept for a person to decide. */
  voucher_conflict: {
    id: Generated<string>;
    voucher_id: string;
    file_id: string;
    unit_id: string | null;
    identity_key: string;
    differences: unknown;
    incoming: unknown;
    status: Generated<'open' | 'resolved'>;
    resolution: 'keep_existing' | 'take_incoming' | null;
    resolution_note: string | null;
    resolved_by: string | null;
    resolved_at: Date | null;
    created_at: Date;
  };
  voucher_event: {
    id: Generated<string>;
    voucher_id: string;
    at: Date;
    action: string;
    from_state: string | null;
    to_state: string | null;
    actor_type: string;
    actor_id: string | null;
    actor_name: string | null;
    details: unknown;
  };
}

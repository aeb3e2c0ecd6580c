import type { Generated, Kysely, Transaction } from 'kysely';
import type { Database } from '../../../platform/database/schema';

export type ClaimStatus = 'active' | 'released' | 'expired' | 'reimbursed' | 'booked';
export type BookingSource = 'receiver_api' | 'matching';

/** One booking entry as stored (amount a two-decimal string). */
export interface BookingEntry {
  direction: 'debit' | 'credit';
  accountCode: string;
  accountName: string;
  subsidiaryCode?: string;
  subsidiaryName?: string;
  amount: string;
}

/**
 * Tables of the pool's part B (migration 0450_pool_claims). Kept out of platform/database/schema.ts: the
 * repositories here type their queries with `db.withTables<PoolBTables>()`.
 */
export type PoolBTables = {
  voucher_claim: {
    id: Generated<string>;
    voucher_id: string;
    reimbursement_doc_id: string;
    claimant_type: string;
    claimant_id: string | null;
    claimant_name: string | null;
    claimant_user: string | null;
    claimed_at: Date;
    expires_at: Date | null;
    status: Generated<ClaimStatus>;
    ended_at: Date | null;
    end_reason: string | null;
    reimbursed_at: Date | null;
    reimbursed_amount: string | null;
  };
  voucher_booking: {
    id: Generated<string>;
    voucher_id: string;
    claim_id: string | null;
    journal_voucher_number: string;
    period: string;
    booked_at: string;
    summary: string | null;
    entries: unknown;
    debit_total: string;
    credit_total: string;
    config_id: string | null;
    receiver_xbrl_file_id: string | null;
    receiver_json_file_id: string | null;
    actor_type: string;
    actor_id: string | null;
    actor_name: string | null;
    created_at: Date;
    /** 0460: receiver_api (the accounting system or an accountant) or matching (a link to a journal voucher). */
    source: Generated<BookingSource>;
    match_link_id: string | null;
    journal_voucher_id: string | null;
    /** The state the voucher was booked from (available or reimbursed): where undoing a matching booking returns it. */
    from_state: string | null;
  };
  pool_connector: {
    id: Generated<string>;
    unit_id: string;
    name: string;
    protocol: Generated<'sftp'>;
    host: string;
    port: number;
    app_id: string | null;
    username: string;
    auth_method: 'password' | 'key';
    secret_enc: string;
    passphrase_enc: string | null;
    host_key_sha256: string | null;
    agreement_no: string | null;
    remote_dir: string;
    file_pattern: string;
    schedule_cron: string | null;
    enabled: Generated<boolean>;
    next_run_at: Date | null;
    created_at: Date;
    updated_at: Date;
  };
  pool_connector_run: {
    id: Generated<string>;
    connector_id: string;
    trigger: string;
    status: Generated<'running' | 'ok' | 'failed'>;
    started_at: Date;
    finished_at: Date | null;
    listed: Generated<number>;
    fetched: Generated<number>;
    skipped: Generated<number>;
    failed: Generated<number>;
    outcomes: Generated<unknown>;
    error: string | null;
  };
  pool_connector_file: {
    id: Generated<string>;
    connector_id: string;
    remote_path: string;
    size: string | number;
    mtime: string | number;
    sha256: string;
    run_id: string | null;
    batch_id: string | null;
    outcome: string | null;
    voucher_id: string | null;
    fetched_at: Date;
  };
};

export type PoolBDatabase = Database & PoolBTables;
export type PoolBDb = Kysely<PoolBDatabase>;
export type PoolBTrx = Transaction<PoolBDatabase>;

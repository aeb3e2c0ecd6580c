import type { Generated } from 'kysely';

/** Tables owned by the ledger (migration 0500_ledger). Money columns are numeric(18,2), read as strings. */
export interface LedgerTables {
  /** 记账凭证, current version; unique per unit + period + number. */
  journal_voucher: {
    id: Generated<string>;
    unit_id: string;
    fonds_id: string | null;
    period: string;
    number: string;
    voucher_type: string | null;
    voucher_date: string;
    summary: string;
    attachment_count: number;
    maker: string | null;
    checker: string | null;
    poster: string | null;
    total_debit: string;
    total_credit: string;
    /** {invoiceNumbers, reimbursementIds, paymentCodes, bankSerials, attachments} */
    refs: unknown;
    version: number;
    digest: string;
    import_id: string | null;
    created_at: Date;
    updated_at: Date;
  };
  /** 分录 of the current version. */
  journal_entry: {
    id: Generated<string>;
    journal_voucher_id: string;
    line: number;
    summary: string | null;
    account_code: string;
    account_name: string;
    debit: string;
    credit: string;
    counterparty: string | null;
    counterparty_account: string | null;
    project: string | null;
    department: string | null;
  };
  /** Every version ever received, with the reason for a change. */
  journal_voucher_version: {
    id: Generated<string>;
    journal_voucher_id: string;
    version: number;
    digest: string;
    data: unknown;
    reason: string | null;
    import_id: string | null;
    created_at: Date;
  };
  ledger_import: {
    id: Generated<string>;
    unit_id: string | null;
    channel: 'file' | 'api' | 'cli';
    filename: string | null;
    format: string;
    actor_type: string;
    actor_id: string | null;
    actor_name: string | null;
    created: number;
    updated: number;
    unchanged: number;
    records: number;
    created_at: Date;
  };
  /** 会计账簿, 财务会计报告 and 其他会计资料, each with its file in the object store. */
  ledger_record: {
    id: Generated<string>;
    unit_id: string;
    fonds_id: string | null;
    category: 'book' | 'report' | 'other';
    record_type: string;
    period: string;
    title: string;
    object_key: string;
    sha256: string;
    sm3: string;
    size: string | number;
    media_type: string;
    filename: string;
    data: unknown;
    import_id: string | null;
    created_at: Date;
  };
}

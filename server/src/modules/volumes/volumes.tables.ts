import type { Generated } from 'kysely';

export type VolumeState = 'draft' | 'submitted' | 'approved' | 'archived';

/** Tables owned by volume assembly (migration 0700_volumes). */
export interface VolumesTables {
  /** 卷 */
  volume: {
    id: Generated<string>;
    unit_id: string;
    fonds_id: string;
    year: number;
    period: string;
    category: 'voucher' | 'ledger' | 'report' | 'other';
    retention: string;
    retention_code: string;
    expires_on: string | null;
    part: number;
    volume_no: number;
    archival_code: string;
    title: string;
    state: Generated<VolumeState>;
    rule_id: string;
    rule_version: number;
    retention_rule_id: string;
    retention_rule_version: number;
    retention_regime: string;
    retention_row: number;
    item_count: number;
    sub_item_count: number;
    first_number: string | null;
    last_number: string | null;
    fingerprint: string;
    created_at: Date;
    created_by: string;
    updated_at: Date;
    updated_by: string;
    submitted_at: Date | null;
    submitted_by_id: string | null;
    submitted_by: string | null;
    approved_at: Date | null;
    approved_by_id: string | null;
    approved_by: string | null;
    archived_at: Date | null;
    reopened_at: Date | null;
    reopened_by: string | null;
    reopen_reason: string | null;
  };
  /** 件 (and 组件: the originals filed under a journal voucher, parent_seq set). */
  volume_item: {
    id: Generated<string>;
    volume_id: string;
    seq: number;
    parent_seq: number | null;
    item_no: number;
    source_type: 'journal_voucher' | 'account_book' | 'report' | 'other' | 'original';
    source_id: string;
    item_key: string;
    number: string | null;
    item_date: string | null;
    title: string;
    archival_code: string;
  };
  /** A missing journal voucher number of a period (断号). */
  volume_gap: {
    id: Generated<string>;
    unit_id: string;
    fonds_id: string;
    year: number;
    period: string;
    category: string;
    word: string;
    missing: string;
    detected_at: Date;
    acknowledged_at: Date | null;
    acknowledged_by_id: string | null;
    acknowledged_by: string | null;
    reason: string | null;
  };
}

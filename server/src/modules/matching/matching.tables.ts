import type { Generated } from 'kysely';

/** Tables owned by matching (migration 0600_matching). */
export interface MatchingTables {
  /** One link between a journal voucher and a pool voucher (or one line of a bank statement). */
  match_link: {
    id: Generated<string>;
    unit_id: string;
    journal_voucher_id: string;
    voucher_id: string;
    /** Index into the statement's extra.statementLines when the voucher is a bank statement (bkrs). */
    statement_line: number | null;
    period: string;
    tier: 'auto' | 'suggest' | 'manual';
    /** active: in force (auto) or waiting (suggest); accepted / rejected: a person decided. */
    status: 'active' | 'accepted' | 'rejected';
    score: string;
    rule_id: string;
    rule_version: number;
    rules_digest: string;
    explanation: unknown;
    notes: unknown;
    run_id: string | null;
    decided_by: string | null;
    decided_at: Date | null;
    decision_reason: string | null;
    created_at: Date;
    updated_at: Date;
  };
  match_run: {
    id: Generated<string>;
    unit_id: string | null;
    period: string;
    rules_digest: string;
    rules_source: string;
    summary: unknown;
    actor_type: string;
    actor_id: string | null;
    created_at: Date;
  };
}

/** Tables owned by the audit chain (migration 0300_audit). */
export interface AuditTables {
  /** 审计日志: append-only, hash-chained with SM3. `seq` is contiguous from 1. */
  audit_log: {
    seq: string;
    at: Date;
    actor_type: 'user' | 'client' | 'system' | 'anonymous';
    actor_id: string | null;
    actor_name: string | null;
    action: string;
    target_type: string | null;
    target_id: string | null;
    unit_id: string | null;
    ip: string | null;
    details: unknown;
    digests: unknown;
    prev_hash: string;
    hash: string;
  };
}

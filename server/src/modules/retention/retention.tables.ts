/** Tables owned by retention (migration 0710_retention). */
export interface RetentionTables {
  unit_retention_regime: {
    unit_id: string;
    /** A regime id of archive-rules/retention.yaml (enterprise, public_institution, general_budget). */
    regime: string;
    updated_at: Date;
    updated_by: string;
  };
}

import type { Generated } from 'kysely';

/** Tables owned by the checks module (migration 0800_checks). */
export interface ChecksTables {
  check_run: {
    id: Generated<string>;
    scheme_id: string;
    scheme_version: number;
    stage: 'GD' | 'YJ' | 'BC';
    subject_type: string;
    subject_id: string;
    subject_label: string;
    unit_id: string | null;
    actor_type: string;
    actor_id: string | null;
    actor_name: string | null;
    started_at: Date;
    finished_at: Date;
    verdict: 'pass' | 'warn' | 'fail';
    summary: unknown;
    report_pdf_key: string | null;
    report_sig_key: string | null;
    report_xml_key: string | null;
    report_sha256: string | null;
    report_sm3: string | null;
  };
  check_result: {
    id: Generated<string>;
    run_id: string;
    code: string;
    nature: 'ZS' | 'WZ' | 'KY' | 'AQ';
    severity: 'veto' | 'warn';
    item_id: string;
    outcome: 'pass' | 'fail' | 'warn' | 'not_applicable';
    evidence: unknown;
  };
  check_item_status: {
    subject_type: string;
    subject_id: string;
    item_id: string;
    stage: string;
    scheme_id: string;
    scheme_version: number;
    last_run_id: string;
    last_checked_at: Date;
    outcome: string;
  };
}

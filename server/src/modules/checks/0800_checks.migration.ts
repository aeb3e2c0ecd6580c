import { Kysely, sql } from 'kysely';

/**
 * Four-nature check runs and their results. Results are evidence: append-only (a trigger refuses UPDATE and
 * DELETE); a re-check is a new run. `check_item_status` is the one mutable table: the last check of every item
 * per stage, which the sweep uses to find items whose check is missing or stale.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table check_run (
      id uuid primary key default gen_random_uuid(),
      scheme_id text not null,
      scheme_version integer not null,
      stage text not null check (stage in ('GD', 'YJ', 'BC')),
      subject_type text not null,
      subject_id text not null,
      subject_label text not null,
      unit_id uuid,
      actor_type text not null,
      actor_id text,
      actor_name text,
      started_at timestamptz not null,
      finished_at timestamptz not null,
      verdict text not null check (verdict in ('pass', 'warn', 'fail')),
      summary jsonb not null,
      report_pdf_key text,
      report_sig_key text,
      report_xml_key text,
      report_sha256 text,
      report_sm3 text
    )`.execute(db);
  await sql`create index check_run_subject on check_run (subject_type, subject_id, finished_at desc)`.execute(db);
  await sql`create index check_run_finished on check_run (finished_at desc)`.execute(db);
  await sql`
    create table check_result (
      id bigserial primary key,
      run_id uuid not null references check_run (id),
      code text not null,
      nature text not null check (nature in ('ZS', 'WZ', 'KY', 'AQ')),
      severity text not null check (severity in ('veto', 'warn')),
      item_id text not null,
      outcome text not null check (outcome in ('pass', 'fail', 'warn', 'not_applicable')),
      evidence jsonb not null
    )`.execute(db);
  await sql`create index check_result_run on check_result (run_id, code)`.execute(db);
  await sql`
    create function check_evidence_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'check runs and results are evidence and cannot be changed or deleted (table %)', tg_table_name
        using errcode = 'P0001';
    end $$`.execute(db);
  await sql`create trigger check_result_no_change before update or delete on check_result for each row execute function check_evidence_append_only()`.execute(db);
  await sql`create trigger check_run_no_change before update or delete on check_run for each row execute function check_evidence_append_only()`.execute(db);
  await sql`
    create table check_item_status (
      subject_type text not null,
      subject_id text not null,
      item_id text not null,
      stage text not null,
      scheme_id text not null,
      scheme_version integer not null,
      last_run_id uuid not null references check_run (id),
      last_checked_at timestamptz not null,
      outcome text not null,
      primary key (subject_type, subject_id, item_id, stage)
    )`.execute(db);
  await sql`create index check_item_status_age on check_item_status (stage, last_checked_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists check_item_status`.execute(db);
  await sql`drop table if exists check_result`.execute(db);
  await sql`drop table if exists check_run`.execute(db);
  await sql`drop function if exists check_evidence_append_only()`.execute(db);
}

import { Kysely, sql } from 'kysely';

/**
 * Archived volumes: the packages stored for them and a snapshot of every archived item (件) with its files.
 * Archived items are read-only: a trigger refuses UPDATE and DELETE; a change is a new row with the next
 * version and a reason (also enforced by a check constraint). Packages are append-only too.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table archive_package (
      id uuid primary key default gen_random_uuid(),
      volume_id text not null,
      unit_id uuid,
      archival_code text not null,
      version integer not null,
      object_key text not null unique,
      sha256 text not null,
      sm3 text not null,
      size bigint not null,
      signature_algorithm text not null,
      check_run_id uuid references check_run (id),
      file_count integer not null,
      created_at timestamptz not null,
      created_by text not null,
      reason text,
      unique (volume_id, version)
    )`.execute(db);
  await sql`
    create table archived_item (
      id bigserial primary key,
      volume_id text not null,
      unit_id uuid,
      item_id text not null,
      version integer not null,
      seq integer,
      archival_code text,
      title text,
      identity_key text,
      importance text,
      retention text not null,
      expires_on date,
      metadata jsonb not null,
      files jsonb not null,
      package_id uuid references archive_package (id),
      reason text,
      created_at timestamptz not null,
      created_by text not null,
      unique (volume_id, item_id, version),
      check (version = 1 or (reason is not null and length(trim(reason)) > 0))
    )`.execute(db);
  await sql`create index archived_item_volume on archived_item (volume_id, item_id, version desc)`.execute(db);
  await sql`
    create function archive_read_only() returns trigger language plpgsql as $$
    begin
      raise exception 'archived records are read-only (table %): add a new version with a reason instead', tg_table_name
        using errcode = 'P0001';
    end $$`.execute(db);
  await sql`create trigger archived_item_read_only before update or delete on archived_item for each row execute function archive_read_only()`.execute(db);
  await sql`create trigger archive_package_read_only before update or delete on archive_package for each row execute function archive_read_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists archived_item`.execute(db);
  await sql`drop table if exists archive_package`.execute(db);
  await sql`drop function if exists archive_read_only()`.execute(db);
}

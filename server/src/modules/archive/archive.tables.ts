import type { Generated } from 'kysely';

/** Tables owned by the archive module (migration 0810_archive). */
export interface ArchiveTables {
  archive_package: {
    id: Generated<string>;
    volume_id: string;
    unit_id: string | null;
    archival_code: string;
    version: number;
    object_key: string;
    sha256: string;
    sm3: string;
    size: string | number;
    signature_algorithm: string;
    check_run_id: string | null;
    file_count: number;
    created_at: Date;
    created_by: string;
    reason: string | null;
  };
  archived_item: {
    id: Generated<string>;
    volume_id: string;
    unit_id: string | null;
    item_id: string;
    version: number;
    seq: number | null;
    archival_code: string | null;
    title: string | null;
    identity_key: string | null;
    importance: string | null;
    retention: string;
    expires_on: string | null;
    metadata: unknown;
    files: unknown;
    package_id: string | null;
    reason: string | null;
    created_at: Date;
    created_by: string;
  };
}

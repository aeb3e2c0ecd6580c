import type { Generated } from 'kysely';

/** Tables owned by the platform itself. */
export interface PlatformTables {
  /** Key/value facts about this installation (first-start markers, generated secrets' fingerprints). */
  system_setting: {
    key: string;
    value: unknown;
    updated_at: Generated<Date>;
  };
}

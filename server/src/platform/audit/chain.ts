import { createHash } from 'node:crypto';

/**
 * The hash chain of the audit log, independent of storage: how an entry is serialised and hashed. Changing
 * anything here breaks verification of every existing entry, so the serialisation carries a version (`v`).
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedEntry {
  seq: string;
  at: Date;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  unitId: string | null;
  ip: string | null;
  details: unknown;
  digests: unknown;
  prevHash: string;
}

/**
 * JSON with object keys sorted at every level and no whitespace: the same value always gives the same bytes,
 * whatever order the caller built it in and whatever order jsonb returns it in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * Brings a caller's value to what jsonb will give back (Dates to ISO strings, undefined dropped, NaN to null),
 * so the hash computed before the insert equals the hash recomputed from the stored row.
 */
export function jsonNormalise(value: unknown): unknown {
  if (value === undefined) return undefined;
  return JSON.parse(JSON.stringify(value));
}

export function canonicalEntry(e: ChainedEntry): string {
  return canonicalJson({
    v: 1,
    seq: e.seq,
    at: e.at.toISOString(),
    actorType: e.actorType,
    actorId: e.actorId,
    actorName: e.actorName,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    unitId: e.unitId,
    ip: e.ip,
    details: e.details,
    digests: e.digests,
    prevHash: e.prevHash,
  });
}

/** SM3 (GB/T 32905) of the canonical entry, which includes the previous entry's hash. */
export function entryHash(e: ChainedEntry): string {
  return createHash('sm3').update(canonicalEntry(e), 'utf8').digest('hex');
}

import { Inject, Injectable } from '@nestjs/common';
import { sql, type Transaction } from 'kysely';
import { systemClock, type Clock } from '../clock/clock';
import type { Db } from '../database/database';
import type { Database } from '../database/schema';
import { ConflictError, ValidationError } from '../errors/errors';
import { CLOCK, DB } from '../tokens';
import { entryHash, GENESIS_HASH, jsonNormalise, type ChainedEntry } from './chain';

/** Who did it: a principal (user or machine client), an explicit actor, or the system itself. */
export type AuditActor =
  | 'system'
  | { kind: 'user'; id: string; username: string }
  | { kind: 'client'; id: string; keyId: string; name: string }
  | { type: 'user' | 'client' | 'system' | 'anonymous'; id?: string | null; name?: string | null };

export interface AuditInput {
  actor: AuditActor;
  /** Dotted verb, e.g. `auth.login`, `unit.create`, `archive.file.read`. */
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  /** The unit the change or read belongs to; lets unit-scoped auditors see their part of the log. */
  unitId?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
  /** Digests of the files involved, e.g. `{ original: 'sm3:…' }`. */
  digests?: Record<string, string>;
}

/** A stored entry: the chained fields plus the hash that seals them. */
export interface AuditEntry extends ChainedEntry {
  hash: string;
}

export type ChainVerdict =
  | { ok: true; entries: number; lastSeq: string | null; lastHash: string }
  | { ok: false; entries: number; seq: string; reason: 'seq_gap' | 'prev_hash_mismatch' | 'hash_mismatch'; message: string };

export interface AuditQuery {
  actorType?: string;
  actorId?: string;
  /** Exact action, or a prefix when it ends with `.` or `*` (`auth.` → every auth action). */
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  /** 'all' or the units the reader may see (entries without a unit are then hidden). */
  unitIds: 'all' | string[];
  /** Newest first; continue with `beforeSeq` = the last seq of the previous page. */
  beforeSeq?: string;
  limit: number;
}

type Executor = Db | Transaction<Database>;

// One advisory lock key for the whole chain: appends are serialised so each entry sees its predecessor.
const CHAIN_LOCK = 0x61756469; // 'audi'
const UNIT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function actorColumns(actor: AuditActor): { type: string; id: string | null; name: string | null } {
  if (actor === 'system') return { type: 'system', id: null, name: 'system' };
  if ('kind' in actor) {
    return actor.kind === 'user'
      ? { type: 'user', id: actor.id, name: actor.username }
      : { type: 'client', id: actor.id, name: actor.name };
  }
  return { type: actor.type, id: actor.id ?? null, name: actor.name ?? null };
}

function toEntry(r: Database['audit_log']): AuditEntry {
  return {
    seq: String(r.seq),
    at: r.at,
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorName: r.actor_name,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    unitId: r.unit_id,
    ip: r.ip,
    details: r.details,
    digests: r.digests,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Appends one entry inside `trx` (which must be a transaction: the chain lock is held until it ends). */
export async function appendAuditEntry(trx: Transaction<Database>, clock: Clock, input: AuditInput): Promise<AuditEntry> {
  return (await appendAuditEntries(trx, clock, [input]))[0];
}

/**
 * Appends entries in the order given, inside `trx`, with one lock, one look-up of the chain's end and one insert
 * for all of them (bulk work such as ingest records an entry per item).
 */
export async function appendAuditEntries(trx: Transaction<Database>, clock: Clock, inputs: readonly AuditInput[]): Promise<AuditEntry[]> {
  for (const input of inputs) {
    if (!input.action || typeof input.action !== 'string' || input.action.length > 200) {
      throw new ValidationError('audit entry: action is required (a dotted verb of at most 200 characters)', { field: 'action' });
    }
    if (input.unitId != null && !UNIT_ID.test(input.unitId)) {
      throw new ValidationError(`audit entry: unitId is not a unit id: "${input.unitId}"`, { field: 'unitId' });
    }
  }
  if (!inputs.length) return [];
  // Under REPEATABLE READ / SERIALIZABLE the snapshot may predate the lock and miss the newest entry.
  const iso = await sql<{ level: string }>`select current_setting('transaction_isolation') as level`.execute(trx);
  if (iso.rows[0]?.level !== 'read committed') {
    throw new ConflictError(`audit entry not appended: record inside a READ COMMITTED transaction (this one is ${iso.rows[0]?.level})`, {}, 'audit_isolation');
  }
  await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
  const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  let seq = last ? BigInt(last.seq) : 0n;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const out: AuditEntry[] = [];
  for (const input of inputs) {
    const actor = actorColumns(input.actor);
    seq += 1n;
    const entry: ChainedEntry = {
      seq: seq.toString(),
      // Millisecond precision on purpose: that is what a JS Date holds, so the stored time hashes identically.
      at: new Date(clock.now().getTime()),
      actorType: actor.type,
      actorId: actor.id,
      actorName: actor.name,
      action: input.action,
      targetType: input.targetType ?? null,
      targetId: input.targetId ?? null,
      unitId: input.unitId ?? null,
      ip: input.ip ?? null,
      details: jsonNormalise(input.details ?? {}),
      digests: jsonNormalise(input.digests ?? {}),
      prevHash,
    };
    prevHash = entryHash(entry);
    out.push({ ...entry, hash: prevHash });
  }
  await trx
    .insertInto('audit_log')
    .values(
      out.map((entry) => ({
        seq: entry.seq,
        at: entry.at,
        actor_type: entry.actorType as Database['audit_log']['actor_type'],
        actor_id: entry.actorId,
        actor_name: entry.actorName,
        action: entry.action,
        target_type: entry.targetType,
        target_id: entry.targetId,
        unit_id: entry.unitId,
        ip: entry.ip,
        details: JSON.stringify(entry.details),
        digests: JSON.stringify(entry.digests),
        prev_hash: entry.prevHash,
        hash: entry.hash,
      })),
    )
    .execute();
  return out;
}

/**
 * Walks the whole chain in seq order and recomputes every hash. Returns the first broken link: a missing seq,
 * an entry whose prev_hash is not its predecessor's hash, or an entry whose content no longer matches its hash.
 */
export async function verifyAuditChain(db: Executor, batchSize = 2000): Promise<ChainVerdict> {
  let expectedSeq = 1n;
  let prevHash = GENESIS_HASH;
  let entries = 0;
  let after = '0';
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(batchSize).execute();
    for (const row of rows) {
      const e = toEntry(row);
      if (BigInt(e.seq) !== expectedSeq) {
        return { ok: false, entries, seq: e.seq, reason: 'seq_gap', message: `seq ${e.seq}: expected seq ${expectedSeq} (entries missing before it)` };
      }
      if (e.prevHash !== prevHash) {
        return { ok: false, entries, seq: e.seq, reason: 'prev_hash_mismatch', message: `seq ${e.seq}: prev_hash does not match the hash of the entry before it` };
      }
      if (entryHash(e) !== e.hash) {
        return { ok: false, entries, seq: e.seq, reason: 'hash_mismatch', message: `seq ${e.seq}: content does not match its hash (the entry was altered)` };
      }
      prevHash = e.hash;
      expectedSeq += 1n;
      entries += 1;
      after = e.seq;
    }
    if (rows.length < batchSize) break;
  }
  return { ok: true, entries, lastSeq: entries ? after : null, lastHash: prevHash };
}

/**
 * The audit log. Use `record(input, trx)` inside the transaction of the change being recorded, so the entry
 * commits (or rolls back) with it. Record late in the transaction: the chain lock is held until commit.
 */
@Injectable()
export class AuditService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async record(input: AuditInput, trx?: Transaction<Database>): Promise<AuditEntry> {
    if (trx) return appendAuditEntry(trx, this.clock, input);
    return this.db.transaction().execute((t) => appendAuditEntry(t, this.clock, input));
  }

  /** Several entries in one append (in the order given), inside `trx`. */
  recordMany(inputs: readonly AuditInput[], trx: Transaction<Database>): Promise<AuditEntry[]> {
    return appendAuditEntries(trx, this.clock, inputs);
  }

  verify(): Promise<ChainVerdict> {
    return verifyAuditChain(this.db);
  }

  async list(q: AuditQuery): Promise<{ items: AuditEntry[]; nextBeforeSeq: string | null }> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (q.unitIds !== 'all') {
      if (q.unitIds.length === 0) return { items: [], nextBeforeSeq: null };
      query = query.where('unit_id', 'in', q.unitIds);
    }
    if (q.actorType) query = query.where('actor_type', '=', q.actorType as Database['audit_log']['actor_type']);
    if (q.actorId) query = query.where('actor_id', '=', q.actorId);
    if (q.action) {
      if (q.action.endsWith('.') || q.action.endsWith('*')) {
        const prefix = q.action.replace(/\*$/, '').replace(/[\\%_]/g, (c) => `\\${c}`);
        query = query.where('action', 'like', `${prefix}%`);
      } else query = query.where('action', '=', q.action);
    }
    if (q.targetType) query = query.where('target_type', '=', q.targetType);
    if (q.targetId) query = query.where('target_id', '=', q.targetId);
    if (q.from) query = query.where('at', '>=', q.from);
    if (q.to) query = query.where('at', '<', q.to);
    if (q.beforeSeq) query = query.where('seq', '<', q.beforeSeq);
    const rows = await query.orderBy('seq', 'desc').limit(q.limit + 1).execute();
    const items = rows.slice(0, q.limit).map(toEntry);
    return { items, nextBeforeSeq: rows.length > q.limit ? items[items.length - 1].seq : null };
  }
}

/**
 * The rows an ingested item writes (voucher, file, event), built in one place for the record step of a single
 * item (`PoolRepository.recordIngest`) and for the chunk's fast path (`commit-fresh.ts`), so both write the same;
 * and the item's final state, written for a whole chunk at once.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/database/schema';
import { voucherColumns } from '../pool.repository';
import type { FileRole, IngestOutcome, StepRecord } from '../pool.tables';
import type { IngestContext } from './pipeline';

/** A new voucher record from the item's reading and routing. */
export function voucherInsertRow(ctx: IngestContext) {
  return {
    unit_id: ctx.unitId ?? null,
    sub_pool: ctx.routing.subPool ?? null,
    owner_user_id: ctx.unitId ? null : (ctx.ownerUserId ?? null),
    ...voucherColumns(ctx.voucher!),
    identity_key: ctx.identity!.key,
    carrier: ctx.role === 'paper_photo' ? ('paper' as const) : ('electronic' as const),
    created_at: ctx.now,
    updated_at: ctx.now,
  };
}

/** The received original, as stored, attached to `voucherId`. */
export function fileInsertRow(ctx: IngestContext, voucherId: string, role: FileRole) {
  const v = ctx.voucher!;
  return {
    voucher_id: voucherId,
    object_key: ctx.stored!.key,
    sha256: ctx.stored!.sha256,
    sm3: ctx.stored!.sm3,
    size: ctx.stored!.size,
    media_type: ctx.mediaType ?? 'application/octet-stream',
    filename: ctx.item.filename.slice(0, 255),
    format: ctx.format!,
    role,
    signature_verdict: v.signatureVerdict ?? null,
    signatures: JSON.stringify(v.signatures ?? []),
    received_at: ctx.now,
    channel: ctx.channel,
    source_ref: ctx.item.sourceRef ?? null,
    batch_id: ctx.item.batchId,
  };
}

/** The record's warning when a copy that verifies replaced an original that did not (pool.repository.ts originalSwap). */
export function originalReplacedWarning(filename: string | null, fileId: string, verdict: string): string {
  return `the copy received first (${filename ?? 'no name'}, file ${fileId}) has signature verdict ${verdict}; a copy that verifies is kept as the original`;
}

/** The record's warning when a copy of a voucher whose original verifies does not verify itself. */
export function copyNotVerifiedWarning(filename: string | null, fileId: string, verdict: string): string {
  return `a later copy (${filename ?? 'no name'}, file ${fileId}) has signature verdict ${verdict}; the original that verifies is kept`;
}

/** The voucher's history entry for this item. */
export function eventInsertRow(ctx: IngestContext, voucherId: string, fileId: string, action: string, role: FileRole) {
  return {
    voucher_id: voucherId,
    at: ctx.now,
    action,
    from_state: null,
    to_state: ctx.outcome === 'created' ? 'available' : null,
    ...actorColumns(ctx),
    details: JSON.stringify({
      fileId,
      role,
      channel: ctx.channel,
      filename: ctx.item.filename,
      sha256: ctx.stored!.sha256,
      ...(ctx.conflictId ? { conflictId: ctx.conflictId, differences: ctx.differences } : {}),
    }),
  };
}

/**
 * Marks items done with their outcome and step records, in one statement; an item no longer pending (finished
 * meanwhile by another run of the batch) is left as it is.
 */
export async function finishItems(
  trx: Transaction<Database>,
  items: { itemId: string; outcome: IngestOutcome; voucherId: string | null; fileId: string | null; steps: StepRecord[]; errorCode: string | null; errorMessage: string | null; at: Date }[],
): Promise<void> {
  if (!items.length) return;
  const rows = items.map((it) => ({
    id: it.itemId,
    outcome: it.outcome,
    voucher_id: it.voucherId,
    file_id: it.fileId,
    steps: it.steps,
    error_code: it.errorCode,
    error_message: it.errorMessage?.slice(0, 2000) ?? null,
    finished_at: it.at.toISOString(),
  }));
  await sql`
    update ingest_item as i
    set status = 'done', outcome = v.outcome, voucher_id = v.voucher_id, file_id = v.file_id, steps = v.steps,
        error_code = v.error_code, error_message = v.error_message, finished_at = v.finished_at
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as v(id uuid, outcome text, voucher_id uuid, file_id uuid, steps jsonb, error_code text, error_message text, finished_at timestamptz)
    where i.id = v.id and i.status = 'pending'`.execute(trx);
}

function actorColumns(ctx: IngestContext): { actor_type: string; actor_id: string | null; actor_name: string | null } {
  const a = ctx.actor;
  if (a === 'system') return { actor_type: 'system', actor_id: null, actor_name: 'system' };
  if ('kind' in a) return a.kind === 'user' ? { actor_type: 'user', actor_id: a.id, actor_name: a.username } : { actor_type: 'client', actor_id: a.id, actor_name: a.name };
  return { actor_type: a.type, actor_id: a.id ?? null, actor_name: a.name ?? null };
}

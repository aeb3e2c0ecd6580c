/**
 * The ingest pipeline (录入流水线): the one path every channel (issuer API, collection upload, folder CLI, later
 * receivers and bank connectors) takes from received bytes to a pool record. It is an ordered list of small
 * steps with the same hooks (`canRun?`, `run`); the order is data (`ingestSteps()`). Steps of the `read` phase
 * work on one item's bytes; steps of the `store` phase run once over a chunk of items (`runMany`: the originals
 * go to the content-addressed store together, durable before the commit that records them, harmless without a
 * record); steps of the `commit` phase run inside one database transaction with the item's outcome and audit
 * entry, so an item is either fully recorded (voucher, file, conflict, event, item outcome, audit entry) or not
 * at all.
 *
 * A step ends an item early by throwing `StopItem` (duplicate, rejected). Every step that ran, was skipped or
 * stopped the item is recorded with its name and version on the ingest item, so a result can be explained and
 * items whose step version is stale can be found and re-run.
 */
import type { Transaction } from 'kysely';
import type { AuditActor } from '../../../platform/audit/audit.service';
import type { Database } from '../../../platform/database/schema';
import type { DetectedFormat } from '../../../formats/detect';
import type { InspectResult } from '../../../formats/inspect';
import type { Voucher } from '../../../formats/voucher';
import type { BusinessIdentity, Difference } from '../identity';
import type { FileRole, IngestChannel, IngestOutcome, StepRecord } from '../pool.tables';

/** Who brought the file and where it may go. */
export interface IngestRouting {
  /** The unit the channel names (CLI --unit, the issuer's only unit, the unit chosen on upload). */
  unitId?: string | null;
  /** Units the item may be routed to by buyer tax ID when `unitId` is not given ('all' for the CLI operator). */
  routableUnitIds: 'all' | string[];
  subPool?: string | null;
  /** Collection uploads: a voucher no unit can be found for goes into this person's folder (个人票夹). */
  personalOwnerId?: string | null;
  /** Put it in the personal folder even when a unit could be found (the uploader asked for that). */
  personalOnly?: boolean;
}

export interface IngestItemInput {
  itemId: string;
  batchId: string;
  filename: string;
  sourceRef?: string | null;
  bytes: Uint8Array;
  /** SHA-256 hex of `bytes`, computed when the item was recorded. */
  sha256: string;
  mediaType?: string;
}

export interface IngestContext {
  readonly item: IngestItemInput;
  readonly channel: IngestChannel;
  readonly routing: IngestRouting;
  readonly actor: AuditActor;
  readonly ip: string | null;
  readonly now: Date;
  steps: StepRecord[];
  format?: DetectedFormat;
  mediaType?: string;
  inspected?: InspectResult;
  voucher?: Voucher;
  identity?: BusinessIdentity;
  role?: FileRole;
  /** Unit the voucher belongs to, or null with `ownerUserId` for a personal folder. */
  unitId?: string | null;
  ownerUserId?: string | null;
  /** Set by dedupe. */
  outcome?: Exclude<IngestOutcome, 'rejected' | 'duplicate'>;
  existing?: { voucherId: string; unitId: string | null; data: Partial<Voucher>; carrier: string; ownerUserId: string | null; state: string };
  differences?: Difference[];
  stored?: { key: string; sha256: string; sm3: string; size: number };
  voucherId?: string;
  fileId?: string;
  conflictId?: string;
  searchText?: string;
  /** The commit-phase transaction (set by the runner for `commit` steps only). */
  trx?: Transaction<Database>;
}

/** Ends the item: a duplicate of something already recorded, or rejected with a stable code and a reason. */
export class StopItem extends Error {
  constructor(
    readonly outcome: 'duplicate' | 'rejected',
    readonly code: string,
    message: string,
    readonly voucherId?: string,
    readonly fileId?: string,
  ) {
    super(message);
    this.name = 'StopItem';
  }
}

export interface IngestStep {
  readonly name: string;
  /** Bumped whenever the step's behaviour changes, so items processed by an older version can be found. */
  readonly version: number;
  readonly phase: 'read' | 'store' | 'commit';
  /** false: the step does not apply to this item (recorded as skipped). Default: always runs. */
  canRun?(ctx: IngestContext): boolean;
  /** Does its part; returns a short note for the item's step record, or throws StopItem. */
  run(ctx: IngestContext): Promise<string | void> | string | void;
  /**
   * `store` phase: the step over a whole chunk at once, one answer per item in order (a note, or the item's own
   * StopItem / error). A thrown error (an outage) fails the chunk, whose items then stay pending.
   */
  runMany?(ctxs: IngestContext[]): Promise<(string | void | Error)[]>;
}

/**
 * Runs the `store` phase over a chunk: each step once over the items it applies to, each item's record with
 * its share of the step's wall time. Items whose step answered with an error leave the phase with it (returned
 * per item: StopItem or the error); the others go on to the commit.
 */
export async function runChunkPhase(steps: readonly IngestStep[], ctxs: IngestContext[]): Promise<Map<IngestContext, Error>> {
  const failed = new Map<IngestContext, Error>();
  for (const step of steps) {
    if (step.phase !== 'store') continue;
    const todo: IngestContext[] = [];
    for (const ctx of ctxs) {
      if (failed.has(ctx)) continue;
      // Already done for this item (the store step runs in the reader thread when the store is a local folder).
      if (ctx.steps.some((s) => s.step === step.name)) continue;
      if (step.canRun && !step.canRun(ctx)) ctx.steps.push({ step: step.name, version: step.version, outcome: 'skipped' });
      else todo.push(ctx);
    }
    if (!todo.length) continue;
    const t0 = performance.now();
    const answers = step.runMany
      ? await step.runMany(todo)
      : await Promise.all(
          todo.map((c) =>
            Promise.resolve()
              .then(() => step.run(c))
              .catch((e: unknown) => {
                if (e instanceof StopItem) return e;
                throw e;
              }),
          ),
        );
    const ms = Math.round(((performance.now() - t0) / todo.length) * 10) / 10;
    todo.forEach((ctx, i) => {
      const a = answers[i];
      if (a instanceof StopItem) ctx.steps.push({ step: step.name, version: step.version, outcome: 'stopped', ms, message: `${a.code}: ${a.message}` });
      else if (a instanceof Error) ctx.steps.push({ step: step.name, version: step.version, outcome: 'failed', ms, message: a.message });
      else ctx.steps.push({ step: step.name, version: step.version, outcome: 'ok', ms, ...(a ? { message: a } : {}) });
      if (a instanceof Error) failed.set(ctx, a);
    });
  }
  return failed;
}

/** What `runPhase` needs of a step and of the context it runs on (the read steps run on a narrower context). */
interface PhaseStep<C> {
  readonly name: string;
  readonly version: number;
  readonly phase: IngestStep['phase'];
  canRun?(ctx: C): boolean;
  run(ctx: C): Promise<string | void> | string | void;
}

/** Runs the steps of one phase in order, recording each; a StopItem or any other error ends the phase. */
export async function runPhase<C extends { steps: StepRecord[] }>(steps: readonly PhaseStep<C>[], phase: IngestStep['phase'], ctx: C): Promise<void> {
  for (const step of steps) {
    if (step.phase !== phase) continue;
    if (step.canRun && !step.canRun(ctx)) {
      ctx.steps.push({ step: step.name, version: step.version, outcome: 'skipped' });
      continue;
    }
    const t0 = performance.now();
    const ms = () => Math.round((performance.now() - t0) * 10) / 10;
    try {
      const note = await step.run(ctx);
      ctx.steps.push({ step: step.name, version: step.version, outcome: 'ok', ms: ms(), ...(note ? { message: note } : {}) });
    } catch (e) {
      if (e instanceof StopItem) {
        ctx.steps.push({ step: step.name, version: step.version, outcome: 'stopped', ms: ms(), message: `${e.code}: ${e.message}` });
      } else {
        ctx.steps.push({ step: step.name, version: step.version, outcome: 'failed', ms: ms(), message: (e as Error).message });
      }
      throw e;
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import type { Db } from '../../platform/database/database';
import { ForbiddenError } from '../../platform/errors/errors';
import { allowedUnitIds, hasRole, type Principal } from '../../platform/identity/principal';
import type { AnyRole } from '../../platform/identity/roles';
import { DB } from '../../platform/tokens';
import { CHECK_READ_ROLES } from '../checks/checks.service';
import { MATCH_READ_ROLES } from '../matching/matching.service';
import { POOL_READ_ROLES } from '../pool/pool.service';
import { VOLUME_READ_ROLES } from '../volumes/volumes.service';

export const POOL_STATES = ['available', 'claimed', 'reimbursed', 'booked', 'archived'] as const;
export const VOLUME_STATES = ['draft', 'submitted', 'approved', 'archived'] as const;

/**
 * The work a person can act on, counted where they may read it. A section is null when the person holds none
 * of the roles that may read it (in the asked unit, or anywhere): the page then shows no figure rather than a 0
 * that would mean "nothing to do".
 */
export interface HomeSummary {
  /** The unit the counts are limited to; null: every unit the person may read. */
  unitId: string | null;
  pool: {
    /** Vouchers of the unit pools by state (personal folders are not counted). */
    byState: Record<(typeof POOL_STATES)[number], number>;
    /** Vouchers whose seal or signature did not verify (verdict `invalid`). */
    invalid: number;
  } | null;
  /** Suggested links waiting for a person's decision (tier `suggest`, still active). */
  suggestions: number | null;
  volumes: Record<(typeof VOLUME_STATES)[number], number> | null;
  /** Volumes whose latest check (per stage) failed. */
  checksFailed: number | null;
}

type Scope = 'all' | string[];

/**
 * Read-only counts for the home page, one grouped query per section. Reads the pool's `voucher`, matching's
 * `match_link`, volumes' `volume` and checks' `check_run` tables (counting only; it never writes), each filtered
 * by the same read roles the owning module's list endpoints use, so a count equals the rows the linked page shows.
 */
@Injectable()
export class HomeService {
  constructor(@Inject(DB) private readonly db: Db) {}

  async summary(p: Principal, unitId?: string): Promise<HomeSummary> {
    if (unitId && !hasRole(p, [], unitId)) throw new ForbiddenError(`no access to unit ${unitId}`, { unitId });
    const scope = (roles: readonly AnyRole[]): Scope | null => {
      if (unitId) return hasRole(p, roles, unitId) ? [unitId] : null;
      const ids = allowedUnitIds(p, roles);
      return ids === 'all' || ids.length ? ids : null;
    };
    const [pool, suggestions, volumes, checksFailed] = await Promise.all([
      this.pool(scope(POOL_READ_ROLES)),
      this.suggestions(scope(MATCH_READ_ROLES)),
      this.volumes(scope(VOLUME_READ_ROLES)),
      this.checksFailed(scope(CHECK_READ_ROLES)),
    ]);
    return { unitId: unitId ?? null, pool, suggestions, volumes, checksFailed };
  }

  private async pool(scope: Scope | null): Promise<HomeSummary['pool']> {
    if (!scope) return null;
    let q = this.db
      .selectFrom('voucher')
      .select(['state', sql<string>`count(*)`.as('n'), sql<string>`count(*) filter (where signature_verdict = 'invalid')`.as('invalid')])
      .where('unit_id', 'is not', null);
    if (scope !== 'all') q = q.where('unit_id', 'in', scope);
    const rows = await q.groupBy('state').execute();
    const byState = Object.fromEntries(POOL_STATES.map((s) => [s, 0])) as Record<(typeof POOL_STATES)[number], number>;
    let invalid = 0;
    for (const r of rows) {
      if (r.state in byState) byState[r.state as keyof typeof byState] = Number(r.n);
      invalid += Number(r.invalid);
    }
    return { byState, invalid };
  }

  private async suggestions(scope: Scope | null): Promise<number | null> {
    if (!scope) return null;
    let q = this.db.selectFrom('match_link').select(sql<string>`count(*)`.as('n')).where('tier', '=', 'suggest').where('status', '=', 'active');
    if (scope !== 'all') q = q.where('unit_id', 'in', scope);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  private async volumes(scope: Scope | null): Promise<HomeSummary['volumes']> {
    if (!scope) return null;
    let q = this.db.selectFrom('volume').select(['state', sql<string>`count(*)`.as('n')]);
    if (scope !== 'all') q = q.where('unit_id', 'in', scope);
    const rows = await q.groupBy('state').execute();
    const out = Object.fromEntries(VOLUME_STATES.map((s) => [s, 0])) as Record<(typeof VOLUME_STATES)[number], number>;
    for (const r of rows) if (r.state in out) out[r.state as keyof typeof out] = Number(r.n);
    return out;
  }

  private async checksFailed(scope: Scope | null): Promise<number | null> {
    if (!scope) return null;
    // The latest run of each subject and stage decides; an older failure fixed by a later passing run is done.
    let latest = this.db
      .selectFrom('check_run')
      .distinctOn(['subject_type', 'subject_id', 'stage'])
      .select(['subject_type', 'subject_id', 'verdict'])
      .orderBy('subject_type')
      .orderBy('subject_id')
      .orderBy('stage')
      .orderBy('finished_at', 'desc');
    if (scope !== 'all') latest = latest.where('unit_id', 'in', scope);
    const r = await this.db
      .selectFrom(latest.as('l'))
      .select(sql<string>`count(distinct (l.subject_type, l.subject_id))`.as('n'))
      .where('l.verdict', '=', 'fail')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

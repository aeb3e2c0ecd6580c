import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely, type Transaction } from 'kysely';
import { AuditService } from '../../platform/audit/audit.service';
import { systemClock, type Clock } from '../../platform/clock/clock';
import type { Db } from '../../platform/database/database';
import type { Database } from '../../platform/database/schema';
import { NotFoundError, ValidationError } from '../../platform/errors/errors';
import type { Principal } from '../../platform/identity/principal';
import { ScopeService } from '../../platform/identity/scope.service';
import { CLOCK, DB } from '../../platform/tokens';
import { loadRetentionRules, retentionLabel, type RetentionRules } from './retention.rules';

export const RETENTION_READ_ROLES = ['archivist', 'accountant', 'unit_admin', 'auditor'] as const;
export const RETENTION_WRITE_ROLES = ['archivist', 'unit_admin'] as const;
/** Default: only volumes already archived are due for appraisal (earlier states are still being filed). */
const DUE_STATES = ['archived'] as const;

export interface DueItem {
  volumeId: string;
  volumeCode: string;
  volumeTitle: string;
  volumeState: string;
  unitId: string;
  fondsId: string;
  year: number;
  period: string;
  category: string;
  retention: string;
  expiresOn: string;
  itemId: string;
  itemCode: string;
  itemTitle: string;
  sourceType: string;
  sourceId: string;
  number: string | null;
}

export interface DueQuery {
  /** YYYY-MM-DD: items whose retention ends on or before this day. */
  before: string;
  unitIds: 'all' | string[];
  /** Also volumes not yet archived (submitted, approved) — for planning; drafts never. */
  includeUnarchived?: boolean;
  limit?: number;
}

function actorName(p: Principal | 'system'): string {
  return p === 'system' ? 'system' : p.kind === 'user' ? p.username : p.name;
}

/**
 * 保管期限: the tables of archive-rules/retention.yaml, each unit's regime (enterprise 附表1, or a column of
 * 附表2), and the list of archived items whose period has run out (due for 鉴定).
 */
@Injectable()
export class RetentionService {
  readonly rules: RetentionRules = loadRetentionRules();

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
    private readonly audit: AuditService,
    private readonly scope: ScopeService,
  ) {}

  /** The regime of a unit: its own setting, else the table's default. */
  async regimeOf(unitId: string, trx?: Transaction<Database>): Promise<{ regime: string; explicit: boolean }> {
    const row = await (trx ?? this.db).selectFrom('unit_retention_regime').select('regime').where('unit_id', '=', unitId).executeTakeFirst();
    return row ? { regime: row.regime, explicit: true } : { regime: this.rules.defaultRegime, explicit: false };
  }

  async setRegime(p: Principal | 'system', unitId: string, regime: string, ip: string | null = null): Promise<{ unitId: string; regime: string }> {
    if (p !== 'system') this.scope.assertUnit(p, unitId, RETENTION_WRITE_ROLES);
    if (!this.rules.regimes[regime]) throw new ValidationError(`regime: "${regime}" is not one of ${Object.keys(this.rules.regimes).join(', ')}`, { field: 'regime' });
    const unit = await this.db.selectFrom('unit').select('id').where('id', '=', unitId).executeTakeFirst();
    if (!unit) throw new NotFoundError(`unit ${unitId} not found`);
    await this.db.transaction().execute(async (trx) => {
      const before = await this.regimeOf(unitId, trx);
      const now = this.clock.now();
      await trx
        .insertInto('unit_retention_regime')
        .values({ unit_id: unitId, regime, updated_at: now, updated_by: actorName(p) })
        .onConflict((oc) => oc.column('unit_id').doUpdateSet({ regime, updated_at: now, updated_by: actorName(p) }))
        .execute();
      await this.audit.record({ actor: p, action: 'retention.regime.set', targetType: 'unit', targetId: unitId, unitId, details: { from: before.regime, to: regime, table: `${this.rules.id} v${this.rules.version}` }, ip }, trx);
    });
    return { unitId, regime };
  }

  /** The periods per category for the unit's regime (the 保管期限表 page). */
  async overview(p: Principal, unitId: string) {
    this.scope.assertUnit(p, unitId, RETENTION_READ_ROLES);
    const { regime, explicit } = await this.regimeOf(unitId);
    const r = this.rules.regimes[regime];
    return {
      unitId,
      regime,
      explicit,
      regimeName: r.name,
      table: r.table,
      ruleId: this.rules.id,
      ruleVersion: this.rules.version,
      source: this.rules.source,
      regimes: Object.entries(this.rules.regimes).map(([id, x]) => ({ id, name: x.name })),
      rows: r.rows.map((row) => ({ ...row, retention: retentionLabel(row.period) })),
    };
  }

  /** Archived items whose retention ends on or before `before`, oldest expiry first. */
  async due(q: DueQuery): Promise<DueItem[]> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(q.before) || Number.isNaN(Date.parse(q.before))) throw new ValidationError(`before: expected a date YYYY-MM-DD, got "${q.before}"`, { field: 'before' });
    if (q.unitIds !== 'all' && q.unitIds.length === 0) return [];
    const states: readonly string[] = q.includeUnarchived ? ['submitted', 'approved', 'archived'] : DUE_STATES;
    // The volume tables belong to the volumes module; read-only here so the retention view needs no service call per row.
    const db = this.db as unknown as Kysely<any>;
    let query = db
      .selectFrom('volume as v')
      .innerJoin('volume_item as i', 'i.volume_id', 'v.id')
      .select([
        'v.id as volumeId', 'v.archival_code as volumeCode', 'v.title as volumeTitle', 'v.state as volumeState', 'v.unit_id as unitId', 'v.fonds_id as fondsId',
        'v.year', 'v.period', 'v.category', 'v.retention', sql<string>`v.expires_on::text`.as('expiresOn'),
        'i.id as itemId', 'i.archival_code as itemCode', 'i.title as itemTitle', 'i.source_type as sourceType', 'i.source_id as sourceId', 'i.number',
      ])
      .where('i.parent_seq', 'is', null)
      .where('v.expires_on', 'is not', null)
      .where('v.expires_on', '<=', q.before)
      .where('v.state', 'in', states)
      .orderBy('v.expires_on')
      .orderBy('v.archival_code')
      .orderBy('i.seq')
      .limit(Math.min(Math.max(q.limit ?? 1000, 1), 10_000));
    if (q.unitIds !== 'all') query = query.where('v.unit_id', 'in', q.unitIds);
    return (await query.execute()) as DueItem[];
  }

  /** `before` defaults to today (the product clock). */
  async dueFor(p: Principal, before: string | undefined, includeUnarchived = false, limit?: number): Promise<{ before: string; items: DueItem[] }> {
    before ??= this.clock.now().toISOString().slice(0, 10);
    return { before, items: await this.due({ before, unitIds: this.scope.allowedUnitIds(p, RETENTION_READ_ROLES), includeUnarchived, limit }) };
  }
}

import { Inject, Injectable, Optional } from '@nestjs/common';
import { sql, type Selectable, type Transaction } from 'kysely';
import { AuditService } from '../../platform/audit/audit.service';
import { systemClock, type Clock } from '../../platform/clock/clock';
import type { Db } from '../../platform/database/database';
import type { Database } from '../../platform/database/schema';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../platform/errors/errors';
import type { Principal } from '../../platform/identity/principal';
import { ScopeService } from '../../platform/identity/scope.service';
import { CLOCK, DB } from '../../platform/tokens';
import { SearchIndexer } from '../search/indexer.service';
import type { SearchDocumentInput } from '../search/search.types';
import { ARCHIVE_CATEGORIES, retentionFor, type ArchiveCategory, type RetentionPeriod } from '../retention/retention.rules';
import { RetentionService } from '../retention/retention.service';
import { periodMonth, planVolumes, renderVolume, type CodeContext, type NumberGap, type PlannedVolume, type RenderedVolume, type SourceItem } from './plan';
import { VolumeSources } from './sources';
import { loadVolumeRules, type VolumeRules } from './volumes.rules';
import type { VolumesTables, VolumeState } from './volumes.tables';

export const VOLUME_READ_ROLES = ['archivist', 'accountant', 'unit_admin', 'auditor'] as const;
export const VOLUME_ASSEMBLE_ROLES = ['archivist', 'accountant'] as const;
export const VOLUME_SUBMIT_ROLES = ['archivist', 'accountant'] as const;
export const VOLUME_APPROVE_ROLES = ['archivist', 'unit_admin'] as const;
export const VOLUME_REOPEN_ROLES = ['archivist'] as const;

type Actor = Principal | 'system';
type VolumeRow = Selectable<VolumesTables['volume']>;
type ItemRow = Selectable<VolumesTables['volume_item']>;

export interface AssembleInput {
  unitId: string;
  fondsId: string;
  year: number;
  /** Only the groups of this period (YYYY-MM for monthly voucher volumes, YYYY for yearly books, …). */
  period?: string;
  category?: ArchiveCategory;
}

export interface AssembleSummary {
  unitId: string;
  fondsId: string;
  year: number;
  period: string | null;
  category: ArchiveCategory | null;
  ruleId: string;
  ruleVersion: number;
  regime: string;
  created: string[];
  updated: string[];
  unchanged: string[];
  deleted: string[];
  /** Groups left alone because their volumes are submitted, approved or archived. */
  frozen: { period: string; category: string; codes: string[]; differs: boolean }[];
  gaps: { period: string; missing: string; acknowledged: boolean; reason: string | null }[];
  skipped: { sourceType: string; sourceId: string; number: string | null; reason: string }[];
}

function actorId(a: Actor): string {
  return a === 'system' ? 'system' : a.id;
}
function actorName(a: Actor): string {
  return a === 'system' ? 'system' : a.kind === 'user' ? a.username : a.name;
}

const FROZEN: readonly VolumeState[] = ['submitted', 'approved', 'archived'];
const YEAR = /^\d{4}$/;
const PERIOD = /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$/;

function parseRetentionLabel(label: string): RetentionPeriod {
  if (label === 'permanent') return 'permanent';
  const d = /^disposal\+(\d+)y$/.exec(label);
  if (d) return { afterDisposal: Number(d[1]) };
  return Number(label.replace(/y$/, ''));
}

/**
 * 组卷/组件: assembles a fonds' items of a year into volumes with 档号, keeps them gap-free and reproducible,
 * and moves volumes through draft → submitted → approved → archived (four eyes, audited).
 */
@Injectable()
export class VolumesService {
  readonly rules: VolumeRules = loadVolumeRules();

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
    private readonly audit: AuditService,
    private readonly scope: ScopeService,
    private readonly retention: RetentionService,
    private readonly sources: VolumeSources,
    @Optional() private readonly indexer?: SearchIndexer,
  ) {}

  async assemble(actor: Actor, input: AssembleInput, ip: string | null = null): Promise<AssembleSummary> {
    if (!Number.isInteger(input.year) || input.year < 1900 || input.year > 9999) throw new ValidationError(`year: expected a four-digit year, got ${JSON.stringify(input.year)}`, { field: 'year' });
    if (input.period !== undefined && (!PERIOD.test(input.period) || !input.period.startsWith(String(input.year)))) {
      throw new ValidationError(`period: expected YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY inside ${input.year}, got "${input.period}"`, { field: 'period' });
    }
    if (input.category !== undefined && !ARCHIVE_CATEGORIES.includes(input.category)) throw new ValidationError(`category: expected one of ${ARCHIVE_CATEGORIES.join(', ')}`, { field: 'category' });
    const fonds = await this.db.selectFrom('fonds').innerJoin('unit', 'unit.id', 'fonds.unit_id').select(['fonds.id', 'fonds.code', 'fonds.name', 'fonds.unit_id', 'unit.code as unit_code', 'unit.name as unit_name']).where('fonds.id', '=', input.fondsId).executeTakeFirst();
    if (!fonds) throw new NotFoundError(`fonds ${input.fondsId} not found`, { field: 'fondsId' });
    if (fonds.unit_id !== input.unitId) throw new ValidationError(`fonds ${fonds.code} does not belong to unit ${input.unitId}`, { field: 'fondsId' });
    if (actor !== 'system') this.scope.assertUnit(actor, input.unitId, VOLUME_ASSEMBLE_ROLES);
    const ctx: CodeContext = { fondsCode: fonds.code, fondsName: fonds.name, unitCode: fonds.unit_code, unitName: fonds.unit_name, year: input.year };

    return this.db.transaction().execute(async (trx) => {
      // One assembler per fonds and year at a time: numbering reads and rewrites the whole series.
      await sql`select pg_advisory_xact_lock(hashtext(${`volumes:${input.fondsId}:${input.year}`}))`.execute(trx);
      return this.assembleIn(trx, actor, input, ctx, ip);
    });
  }

  private async assembleIn(trx: Transaction<Database>, actor: Actor, input: AssembleInput, ctx: CodeContext, ip: string | null) {
    const rules = this.rules;
    const { regime } = await this.retention.regimeOf(input.unitId, trx);
    const fondsCount = await trx.selectFrom('fonds').select(sql<string>`count(*)`.as('n')).where('unit_id', '=', input.unitId).executeTakeFirstOrThrow();
    const offered = await this.sources.load({ unitId: input.unitId, fondsId: input.fondsId, soleFonds: Number(fondsCount.n) === 1, year: input.year }, trx);

    const existing = (await trx.selectFrom('volume').selectAll().where('fonds_id', '=', input.fondsId).where('year', '=', input.year).execute()) as VolumeRow[];
    const frozenIds = existing.filter((v) => FROZEN.includes(v.state)).map((v) => v.id);
    const filedFrozen = new Map<string, { code: string; volumeId: string }>();
    if (frozenIds.length) {
      const rows = await trx.selectFrom('volume_item as i').innerJoin('volume as v', 'v.id', 'i.volume_id').select(['i.source_type', 'i.source_id', 'v.archival_code', 'v.id']).where('i.volume_id', 'in', frozenIds).where('i.parent_seq', 'is', null).execute();
      for (const r of rows) filedFrozen.set(`${r.source_type}:${r.source_id}`, { code: r.archival_code, volumeId: r.id });
    }

    const skipped: AssembleSummary['skipped'] = [];
    const items: SourceItem[] = [];
    for (const it of offered) {
      try {
        retentionFor(this.retention.rules, regime, it.itemKey);
      } catch (e) {
        skipped.push({ sourceType: it.sourceType, sourceId: it.sourceId, number: it.number, reason: (e as Error).message });
        continue;
      }
      items.push(it);
    }
    const firstPlan = planVolumes({ rules, retention: this.retention.rules, regime, year: input.year, items });
    const inScope = (category: string, period: string) => (!input.category || input.category === category) && (!input.period || input.period === period);
    const groupKey = (category: string, period: string, retention: string) => `${category}|${period}|${retention}`;

    // Groups with a frozen volume are not touched; their items stay where they were filed.
    const existingByGroup = new Map<string, VolumeRow[]>();
    for (const v of existing) {
      const k = groupKey(v.category, v.period, v.retention);
      existingByGroup.set(k, [...(existingByGroup.get(k) ?? []), v]);
    }
    const plannedByGroup = new Map<string, PlannedVolume[]>();
    for (const v of firstPlan.volumes) {
      const k = groupKey(v.category, v.period, v.retention.retention);
      plannedByGroup.set(k, [...(plannedByGroup.get(k) ?? []), v]);
    }
    const frozen: AssembleSummary['frozen'] = [];
    const frozenGroups = new Set<string>();
    for (const [k, vols] of existingByGroup) {
      if (!vols.some((v) => FROZEN.includes(v.state))) continue;
      frozenGroups.add(k);
      const [category, period] = k.split('|');
      if (!inScope(category, period)) continue;
      // Items added to or removed from the period since it was frozen: the archivist must reopen to file them.
      const ids = new Set(vols.map((v) => v.id));
      const filed = [...filedFrozen.entries()].filter(([, f]) => ids.has(f.volumeId)).map(([key]) => key);
      const plannedIds = new Set((plannedByGroup.get(k) ?? []).flatMap((p) => p.items.map((i) => `${i.source.sourceType}:${i.source.sourceId}`)));
      const differs = plannedIds.size !== filed.length || filed.some((key) => !plannedIds.has(key)) || vols.some((v) => v.state === 'draft');
      frozen.push({ period, category, codes: vols.map((v) => v.archival_code).sort(), differs });
    }
    // An item already filed in a frozen volume of another group (its period or retention changed since) is never
    // filed twice: it is skipped with the reason, and the rest is planned without it.
    const refiled = new Set<string>();
    for (const v of firstPlan.volumes) {
      if (frozenGroups.has(groupKey(v.category, v.period, v.retention.retention))) continue;
      for (const it of v.items) {
        const filed = filedFrozen.get(`${it.source.sourceType}:${it.source.sourceId}`);
        if (!filed) continue;
        refiled.add(`${it.source.sourceType}:${it.source.sourceId}`);
        skipped.push({ sourceType: it.source.sourceType, sourceId: it.source.sourceId, number: it.source.number, reason: `already filed in ${filed.code} (${existing.find((x) => x.id === filed.volumeId)?.state}); reopen that volume to move it` });
      }
    }
    const plan = refiled.size ? planVolumes({ rules, retention: this.retention.rules, regime, year: input.year, items: items.filter((i) => !refiled.has(`${i.sourceType}:${i.sourceId}`)) }) : firstPlan;

    // The desired drafts of the whole fonds-year: planned ones in scope, stored ones (unchanged content) outside it.
    interface Desired { key: string; planned: PlannedVolume; current?: VolumeRow }
    const desired: Desired[] = [];
    for (const v of plan.volumes) {
      const k = groupKey(v.category, v.period, v.retention.retention);
      if (frozenGroups.has(k) || !inScope(v.category, v.period)) continue;
      desired.push({ key: k, planned: v, current: existingByGroup.get(k)?.find((x) => x.part === v.part) });
    }
    // Drafts outside the scope, or beside a frozen part of their group, keep their content (their 卷号 may move).
    const outOfScopeDrafts = existing.filter((v) => v.state === 'draft' && (!inScope(v.category, v.period) || frozenGroups.has(groupKey(v.category, v.period, v.retention))));
    if (outOfScopeDrafts.length) {
      const stored = (await trx.selectFrom('volume_item').selectAll().where('volume_id', 'in', outOfScopeDrafts.map((v) => v.id)).orderBy('volume_id').orderBy('seq').execute()) as ItemRow[];
      for (const v of outOfScopeDrafts) desired.push({ key: groupKey(v.category, v.period, v.retention), planned: this.storedAsPlanned(v, stored.filter((i) => i.volume_id === v.id)), current: v });
    }
    const keep = new Set(desired.map((d) => d.current?.id).filter(Boolean));
    const toDelete = existing.filter((v) => v.state === 'draft' && !keep.has(v.id));

    // 卷号 per series (category, retention code): frozen volumes keep theirs, drafts fill the free numbers in order.
    const rendered: { d: Desired; no: number; r: RenderedVolume }[] = [];
    const series = new Map<string, Desired[]>();
    for (const d of desired) {
      const s = `${d.planned.category}|${d.planned.retentionCode}`;
      series.set(s, [...(series.get(s) ?? []), d]);
    }
    for (const [s, list] of series) {
      const taken = new Set(existing.filter((v) => FROZEN.includes(v.state) && `${v.category}|${v.retention_code}` === s).map((v) => v.volume_no));
      list.sort((a, b) => (a.planned.period < b.planned.period ? -1 : a.planned.period > b.planned.period ? 1 : a.planned.part - b.planned.part));
      let no = 0;
      for (const d of list) {
        do no++;
        while (taken.has(no));
        rendered.push({ d, no, r: renderVolume(rules, ctx, d.planned, no) });
      }
    }

    const now = this.clock.now();
    const created: string[] = [];
    const updated: string[] = [];
    const unchanged: string[] = [];
    const changed: { id: string; r: RenderedVolume }[] = [];
    if (toDelete.length) await trx.deleteFrom('volume').where('id', 'in', toDelete.map((v) => v.id)).execute();
    const changedRows = rendered.filter((x) => !x.d.current || x.d.current.fingerprint !== x.r.fingerprint || x.d.current.volume_no !== x.no);
    // Items move between volumes of a group when it is re-split: clear them all before inserting any.
    const clearIds = changedRows.map((x) => x.d.current?.id).filter((id): id is string => !!id);
    if (clearIds.length) await trx.deleteFrom('volume_item').where('volume_id', 'in', clearIds).execute();
    for (const x of rendered) {
      const p = x.d.planned;
      const row = {
        unit_id: input.unitId,
        fonds_id: input.fondsId,
        year: input.year,
        period: p.period,
        category: p.category,
        retention: p.retention.retention,
        retention_code: p.retentionCode,
        expires_on: p.expiresOn,
        part: p.part,
        volume_no: x.no,
        archival_code: x.r.archivalCode,
        title: x.r.title,
        rule_id: rules.id,
        rule_version: rules.version,
        retention_rule_id: p.retention.ruleId,
        retention_rule_version: p.retention.ruleVersion,
        retention_regime: p.retention.regime,
        retention_row: p.retention.rowNo,
        item_count: p.items.length,
        sub_item_count: p.items.reduce((n, i) => n + i.subItems.length, 0),
        first_number: p.firstNumber,
        last_number: p.lastNumber,
        fingerprint: x.r.fingerprint,
        updated_at: now,
        updated_by: actorName(actor),
      };
      if (!x.d.current) {
        const ins = await trx.insertInto('volume').values({ ...row, created_at: now, created_by: actorName(actor) }).returning('id').executeTakeFirstOrThrow();
        changed.push({ id: ins.id, r: x.r });
        created.push(x.r.archivalCode);
      } else if (changedRows.includes(x)) {
        await trx.updateTable('volume').set(row).where('id', '=', x.d.current.id).execute();
        changed.push({ id: x.d.current.id, r: x.r });
        updated.push(x.r.archivalCode);
      } else unchanged.push(x.r.archivalCode);
    }
    const itemRows = changed.flatMap((c) => c.r.items.map((i) => ({ volume_id: c.id, seq: i.seq, parent_seq: i.parentSeq, item_no: i.itemNo, source_type: i.sourceType, source_id: i.sourceId, item_key: i.itemKey, number: i.number, item_date: i.date, title: i.title, archival_code: i.archivalCode })));
    // Batches stay well under PostgreSQL's 65535 bind parameters (11 per row) for a year of vouchers at once.
    for (let i = 0; i < itemRows.length; i += 2000) await trx.insertInto('volume_item').values(itemRows.slice(i, i + 2000)).execute();

    const gaps = await this.syncGaps(trx, input, plan.gaps, plan.volumes, frozenGroups, inScope, now);
    const deleted = toDelete.map((v) => v.archival_code).sort();
    const summary: AssembleSummary = {
      unitId: input.unitId,
      fondsId: input.fondsId,
      year: input.year,
      period: input.period ?? null,
      category: input.category ?? null,
      ruleId: rules.id,
      ruleVersion: rules.version,
      regime,
      created: created.sort(),
      updated: updated.sort(),
      unchanged: unchanged.sort(),
      deleted,
      frozen,
      gaps,
      skipped,
    };
    if (created.length || updated.length || deleted.length) {
      await this.audit.record(
        {
          actor,
          action: 'volume.assemble',
          targetType: 'fonds',
          targetId: input.fondsId,
          unitId: input.unitId,
          details: { year: input.year, period: input.period ?? null, category: input.category ?? null, rule: `${rules.id} v${rules.version}`, created, updated, deleted, gaps: gaps.filter((g) => !g.acknowledged).map((g) => g.missing) },
          ip,
        },
        trx,
      );
    }
    await this.indexIn(trx, changed.map((c) => c.id), toDelete.map((v) => v.id));
    return summary;
  }

  /** Rebuilds the plan of a stored draft (for renumbering without re-reading its sources). */
  private storedAsPlanned(v: VolumeRow, items: ItemRow[]): PlannedVolume {
    const top = items.filter((i) => i.parent_seq === null);
    return {
      category: v.category,
      period: v.period,
      retention: { retention: v.retention, period: parseRetentionLabel(v.retention), regime: v.retention_regime, rowNo: v.retention_row, item: '', ruleId: v.retention_rule_id, ruleVersion: v.retention_rule_version },
      retentionCode: v.retention_code,
      part: v.part,
      items: top.map((t) => ({
        itemNo: t.item_no,
        source: { sourceType: t.source_type as SourceItem['sourceType'], sourceId: t.source_id, itemKey: t.item_key, period: v.period, number: t.number, date: t.item_date, title: t.title, originals: [] },
        subItems: items.filter((s) => s.parent_seq === t.seq).map((s) => ({ subNo: s.item_no, sourceId: s.source_id, title: s.title })),
      })),
      firstNumber: v.first_number,
      lastNumber: v.last_number,
      expiresOn: v.expires_on,
    };
  }

  /** Stores the voucher number gaps of the periods assembled; acknowledged gaps keep their reason while still missing. */
  private async syncGaps(trx: Transaction<Database>, input: AssembleInput, found: NumberGap[], planned: PlannedVolume[], frozenGroups: Set<string>, inScope: (c: string, p: string) => boolean, now: Date) {
    const checked = (Object.entries(this.rules.categories) as [ArchiveCategory, VolumeRules['categories'][ArchiveCategory]][]).filter(([, c]) => c.numberGapCheck).map(([name]) => name);
    for (const category of checked) {
      if (input.category && input.category !== category) continue;
      const frozenPeriods = new Set([...frozenGroups].filter((k) => k.startsWith(`${category}|`)).map((k) => k.split('|')[1]));
      const periods = new Set(planned.filter((v) => v.category === category).map((v) => v.period));
      const stored = await trx.selectFrom('volume_gap').selectAll().where('fonds_id', '=', input.fondsId).where('year', '=', input.year).where('category', '=', category).execute();
      for (const g of stored) periods.add(g.period);
      for (const period of periods) {
        if (!inScope(category, period) || frozenPeriods.has(period)) continue;
        const now_ = found.filter((g) => g.period === period && g.category === category);
        const missing = new Set(now_.map((g) => g.missing));
        const stale = stored.filter((g) => g.period === period && !missing.has(g.missing)).map((g) => g.id);
        if (stale.length) await trx.deleteFrom('volume_gap').where('id', 'in', stale).execute();
        if (now_.length) {
          await trx
            .insertInto('volume_gap')
            .values(now_.map((g) => ({ unit_id: input.unitId, fonds_id: input.fondsId, year: input.year, period, category, word: g.word, missing: g.missing, detected_at: now })))
            .onConflict((oc) => oc.columns(['fonds_id', 'year', 'period', 'category', 'missing']).doNothing())
            .execute();
        }
      }
    }
    let q = trx.selectFrom('volume_gap').select(['period', 'missing', 'acknowledged_at', 'reason']).where('fonds_id', '=', input.fondsId).where('year', '=', input.year);
    if (input.period) q = q.where('period', '=', input.period);
    if (input.category) q = q.where('category', '=', input.category);
    const rows = await q.orderBy('period').orderBy('word').orderBy('missing').execute();
    return rows.map((g) => ({ period: g.period, missing: g.missing, acknowledged: !!g.acknowledged_at, reason: g.reason }));
  }

  // ---- reading ----------------------------------------------------------------------------------------------

  async list(p: Principal | 'system', q: { unitId?: string; fondsId?: string; year?: number; period?: string; category?: string; state?: string; limit?: number; after?: string }) {
    const unitIds = p === 'system' ? 'all' : this.scope.allowedUnitIds(p, VOLUME_READ_ROLES);
    const limit = q.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError('limit: expected 1–1000', { field: 'limit' });
    if (unitIds !== 'all' && unitIds.length === 0) return { items: [], nextAfter: null };
    let query = this.db.selectFrom('volume').selectAll();
    if (unitIds !== 'all') query = query.where('unit_id', 'in', unitIds);
    if (q.unitId) query = query.where('unit_id', '=', q.unitId);
    if (q.fondsId) query = query.where('fonds_id', '=', q.fondsId);
    if (q.year !== undefined) query = query.where('year', '=', q.year);
    if (q.period) query = query.where('period', '=', q.period);
    if (q.category) query = query.where('category', '=', q.category as ArchiveCategory);
    if (q.state) query = query.where('state', '=', q.state as VolumeState);
    if (q.after) {
      // Keyset: the cursor is the last row's 档号 (unique), so pages never repeat or skip under concurrent writes.
      query = query.where('archival_code', '>', q.after);
    }
    const rows = (await query.orderBy('archival_code').limit(limit + 1).execute()) as VolumeRow[];
    const page = rows.slice(0, limit);
    return { items: page.map((v) => this.view(v)), nextAfter: rows.length > limit ? page[page.length - 1].archival_code : null };
  }

  async fondsOf(unitId: string) {
    const rows = await this.db.selectFrom('fonds').select(['id', 'code', 'name']).where('unit_id', '=', unitId).orderBy('code').execute();
    return { items: rows };
  }

  async detail(p: Principal | 'system', id: string) {
    const v = await this.load(this.db, id);
    if (p !== 'system') this.scope.assertUnit(p, v.unit_id, VOLUME_READ_ROLES);
    const items = (await this.db.selectFrom('volume_item').selectAll().where('volume_id', '=', id).orderBy('seq').execute()) as ItemRow[];
    const gaps = v.category === 'voucher' ? await this.db.selectFrom('volume_gap').selectAll().where('fonds_id', '=', v.fonds_id).where('year', '=', v.year).where('period', '=', v.period).where('category', '=', v.category).orderBy('word').orderBy('missing').execute() : [];
    const top = items.filter((i) => i.parent_seq === null);
    return {
      ...this.view(v),
      items: top.map((t) => ({
        ...this.itemView(t),
        originals: items.filter((s) => s.parent_seq === t.seq).map((s) => this.itemView(s)),
      })),
      gaps: gaps.map((g) => ({ id: g.id, period: g.period, missing: g.missing, acknowledged: !!g.acknowledged_at, acknowledgedBy: g.acknowledged_by, acknowledgedAt: g.acknowledged_at, reason: g.reason })),
    };
  }

  private itemView(i: ItemRow) {
    return { id: i.id, seq: i.seq, itemNo: i.item_no, archivalCode: i.archival_code, sourceType: i.source_type, sourceId: i.source_id, itemKey: i.item_key, number: i.number, date: i.item_date, title: i.title };
  }

  private view(v: VolumeRow) {
    return {
      id: v.id,
      unitId: v.unit_id,
      fondsId: v.fonds_id,
      year: v.year,
      period: v.period,
      category: v.category,
      retention: v.retention,
      retentionCode: v.retention_code,
      expiresOn: v.expires_on,
      part: v.part,
      volumeNo: v.volume_no,
      archivalCode: v.archival_code,
      title: v.title,
      state: v.state,
      rule: { id: v.rule_id, version: v.rule_version },
      retentionRule: { id: v.retention_rule_id, version: v.retention_rule_version, regime: v.retention_regime, row: v.retention_row },
      itemCount: v.item_count,
      subItemCount: v.sub_item_count,
      firstNumber: v.first_number,
      lastNumber: v.last_number,
      createdAt: v.created_at,
      createdBy: v.created_by,
      updatedAt: v.updated_at,
      updatedBy: v.updated_by,
      submittedAt: v.submitted_at,
      submittedBy: v.submitted_by,
      submittedById: v.submitted_by_id,
      approvedAt: v.approved_at,
      approvedBy: v.approved_by,
      archivedAt: v.archived_at,
      reopenedAt: v.reopened_at,
      reopenedBy: v.reopened_by,
      reopenReason: v.reopen_reason,
    };
  }

  private async load(db: Db | Transaction<Database>, id: string, forUpdate = false): Promise<VolumeRow> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new NotFoundError(`volume ${id} not found`);
    let q = db.selectFrom('volume').selectAll().where('id', '=', id);
    if (forUpdate) q = q.forUpdate();
    const v = (await q.executeTakeFirst()) as VolumeRow | undefined;
    if (!v) throw new NotFoundError(`volume ${id} not found`);
    return v;
  }

  // ---- state transitions -------------------------------------------------------------------------------------

  /** draft → submitted. Open number gaps of its period block it unless `gapReason` acknowledges them. */
  async submit(actor: Principal, id: string, opts: { gapReason?: string } = {}, ip: string | null = null) {
    const reason = opts.gapReason?.trim();
    const v = await this.db.transaction().execute(async (trx) => {
      const v = await this.load(trx, id, true);
      this.scope.assertUnit(actor, v.unit_id, VOLUME_SUBMIT_ROLES);
      if (v.state !== 'draft') throw new ConflictError(`volume ${v.archival_code} is ${v.state}; only a draft can be submitted`, { state: v.state }, 'invalid_state');
      const open = await trx.selectFrom('volume_gap').selectAll().where('fonds_id', '=', v.fonds_id).where('year', '=', v.year).where('period', '=', v.period).where('category', '=', v.category).where('acknowledged_at', 'is', null).orderBy('word').orderBy('missing').execute();
      const now = this.clock.now();
      if (open.length) {
        if (!reason) {
          throw new ConflictError(`volume ${v.archival_code}: journal voucher numbers missing in ${v.period}: ${open.map((g) => g.missing).join(', ')}; acknowledge them with a reason (gapReason) to submit`, { gaps: open.map((g) => g.missing) }, 'number_gaps');
        }
        await trx.updateTable('volume_gap').set({ acknowledged_at: now, acknowledged_by_id: actor.id, acknowledged_by: actorName(actor), reason }).where('id', 'in', open.map((g) => g.id)).execute();
      }
      await trx.updateTable('volume').set({ state: 'submitted', submitted_at: now, submitted_by_id: actor.id, submitted_by: actorName(actor), updated_at: now, updated_by: actorName(actor) }).where('id', '=', id).execute();
      await this.audit.record({ actor, action: 'volume.submit', targetType: 'volume', targetId: id, unitId: v.unit_id, details: { archivalCode: v.archival_code, acknowledgedGaps: open.map((g) => g.missing), reason: open.length ? reason : undefined }, ip }, trx);
      await this.indexIn(trx, [id], []);
      return this.load(trx, id);
    });
    return this.view(v);
  }

  /** submitted → approved, by someone other than the submitter (four eyes). */
  async approve(actor: Principal, id: string, ip: string | null = null) {
    const v = await this.db.transaction().execute(async (trx) => {
      const v = await this.load(trx, id, true);
      this.scope.assertUnit(actor, v.unit_id, VOLUME_APPROVE_ROLES);
      if (v.state !== 'submitted') throw new ConflictError(`volume ${v.archival_code} is ${v.state}; only a submitted volume can be approved`, { state: v.state }, 'invalid_state');
      if (v.submitted_by_id === actor.id) throw new AppError('four_eyes', `volume ${v.archival_code} was submitted by ${v.submitted_by}; another person must approve it`, 403, { submittedBy: v.submitted_by });
      const now = this.clock.now();
      await trx.updateTable('volume').set({ state: 'approved', approved_at: now, approved_by_id: actor.id, approved_by: actorName(actor), updated_at: now, updated_by: actorName(actor) }).where('id', '=', id).execute();
      await this.audit.record({ actor, action: 'volume.approve', targetType: 'volume', targetId: id, unitId: v.unit_id, details: { archivalCode: v.archival_code, submittedBy: v.submitted_by }, ip }, trx);
      await this.indexIn(trx, [id], []);
      return this.load(trx, id);
    });
    return this.view(v);
  }

  /** submitted/approved → draft again, by an archivist with a reason (archived volumes stay archived). */
  async reopen(actor: Principal, id: string, reason: string | undefined, ip: string | null = null) {
    const why = reason?.trim();
    if (!why) throw new ValidationError('reason: required to reopen a volume', { field: 'reason' });
    const v = await this.db.transaction().execute(async (trx) => {
      const v = await this.load(trx, id, true);
      this.scope.assertUnit(actor, v.unit_id, VOLUME_REOPEN_ROLES);
      if (v.state !== 'submitted' && v.state !== 'approved') throw new ConflictError(`volume ${v.archival_code} is ${v.state}; only submitted or approved volumes can be reopened`, { state: v.state }, 'invalid_state');
      const now = this.clock.now();
      await trx
        .updateTable('volume')
        .set({ state: 'draft', reopened_at: now, reopened_by: actorName(actor), reopen_reason: why, submitted_at: null, submitted_by_id: null, submitted_by: null, approved_at: null, approved_by_id: null, approved_by: null, updated_at: now, updated_by: actorName(actor) })
        .where('id', '=', id)
        .execute();
      await this.audit.record({ actor, action: 'volume.reopen', targetType: 'volume', targetId: id, unitId: v.unit_id, details: { archivalCode: v.archival_code, from: v.state, reason: why, submittedBy: v.submitted_by, approvedBy: v.approved_by }, ip }, trx);
      await this.indexIn(trx, [id], []);
      return this.load(trx, id);
    });
    return this.view(v);
  }

  /** approved → archived, called by the archive step inside its own transaction. */
  async markArchived(volumeId: string, trx: Transaction<Database>): Promise<void> {
    const v = await this.load(trx, volumeId, true);
    if (v.state !== 'approved') throw new ConflictError(`volume ${v.archival_code} is ${v.state}; only an approved volume can be archived`, { state: v.state }, 'invalid_state');
    const now = this.clock.now();
    await trx.updateTable('volume').set({ state: 'archived', archived_at: now, updated_at: now, updated_by: 'system' }).where('id', '=', volumeId).execute();
    await this.audit.record({ actor: 'system', action: 'volume.archive', targetType: 'volume', targetId: volumeId, unitId: v.unit_id, details: { archivalCode: v.archival_code } }, trx);
    await this.indexIn(trx, [volumeId], []);
  }

  // ---- search -------------------------------------------------------------------------------------------------

  private searchDoc(v: VolumeRow): SearchDocumentInput {
    return {
      docType: 'volume',
      sourceId: v.id,
      unitId: v.unit_id,
      fondsId: v.fonds_id,
      category: v.category,
      year: v.year,
      period: periodMonth(v.period),
      archivalCode: v.archival_code,
      number: v.first_number,
      numbers: [v.first_number, v.last_number].filter((n): n is string => !!n),
      title: v.title,
      state: v.state,
      retention: v.retention,
    };
  }

  /** Search documents change in the same transaction as the volumes, so the index never shows an uncommitted state. */
  private async indexIn(trx: Transaction<Database>, ids: string[], removed: string[]): Promise<void> {
    if (!this.indexer) return;
    if (removed.length) await this.indexer.remove(removed.map((id) => SearchIndexer.id('volume', id)), { trx });
    if (!ids.length) return;
    const rows = (await trx.selectFrom('volume').selectAll().where('id', 'in', ids).execute()) as VolumeRow[];
    await this.indexer.upsert(rows.map((v) => this.searchDoc(v)), { trx });
  }
}

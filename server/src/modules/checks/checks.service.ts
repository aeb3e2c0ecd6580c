import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { AuditService, type AuditActor } from '../../platform/audit/audit.service';
import { systemClock, type Clock } from '../../platform/clock/clock';
import type { AppConfig } from '../../platform/config/config';
import type { Db } from '../../platform/database/database';
import type { Database } from '../../platform/database/schema';
import { NotFoundError, ValidationError } from '../../platform/errors/errors';
import { Job } from '../../platform/jobs/job.decorator';
import type { ObjectStore } from '../../platform/storage';
import { CLOCK, CONFIG, DB, STORAGE } from '../../platform/tokens';
import { sm2SigningKey } from '../archive/keys';
import { signXml } from '../archive/xmlsig';
import { runChecks, type EngineRun } from './engine';
import type { CheckEnv } from './functions';
import { findVolume, loadArchivedSubject, loadVolumeSubject } from './loader';
import { renderReportPdf, renderReportXml } from './report';
import { signDetached } from './report-signature';
import { loadScheme, type Stage } from './scheme';
import type { CheckSubject } from './subject';

export const CHECK_READ_ROLES = ['archivist', 'auditor', 'unit_admin', 'accountant'] as const;
export const CHECK_RUN_ROLES = ['archivist', 'unit_admin'] as const;

export interface StoredRun {
  id: string;
  run: EngineRun;
  reportPdfKey: string;
  reportSigKey: string;
  reportXmlKey: string;
  reportPdf: Uint8Array;
  reportSig: string;
  reportXml: string;
}

export interface RunListQuery {
  subjectId?: string;
  stage?: Stage;
  verdict?: string;
  unitIds: 'all' | string[];
  limit: number;
  before?: Date;
}

export interface ResultQuery {
  nature?: string;
  outcome?: string;
  code?: string;
  itemId?: string;
}

/** How long a long-term (BC) check stays fresh before the sweep re-checks the item. */
export const DEFAULT_MAX_AGE_DAYS = 30;

type ActorLike = AuditActor;

function actorColumns(actor: ActorLike): { type: string; id: string | null; name: string } {
  if (actor === 'system') return { type: 'system', id: null, name: 'system' };
  if ('kind' in actor) return actor.kind === 'user' ? { type: 'user', id: actor.id, name: actor.username } : { type: 'client', id: actor.id, name: actor.name };
  return { type: actor.type, id: actor.id ?? null, name: actor.name ?? actor.type };
}

/**
 * Runs check schemes over volumes, stores every result with the scheme id and version, writes the signed
 * report (PDF + detached SM2 signature, XML with an enveloped signature) write-once to object storage, and keeps
 * each item's last check so the nightly sweep re-checks what is missing or stale.
 */
@Injectable()
export class ChecksService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(STORAGE) private readonly store: ObjectStore,
    private readonly audit: AuditService,
    @Inject(CONFIG) private readonly config: Pick<AppConfig, 'dataDir'>,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  env(): CheckEnv {
    return {
      store: this.store,
      db: this.db,
      sampleSeed: this.clock.now().toISOString().slice(0, 10),
      duplicatesElsewhere: async (field, values, subject) => {
        const out = new Map<string, string[]>();
        const column = field === 'archivalCode' ? 'archival_code' : field === 'identityKey' ? 'identity_key' : null;
        if (!column || values.length === 0) return out;
        const rows = await sql<{ v: string; volume_id: string; item_id: string }>`
          select distinct ${sql.ref(column)} as v, volume_id, item_id from archived_item
          where ${sql.ref(column)} = any(${values}) and volume_id <> ${subject.id}`.execute(this.db);
        for (const r of rows.rows) out.set(r.v, [...(out.get(r.v) ?? []), `${r.volume_id}/${r.item_id}`]);
        return out;
      },
    };
  }

  /** Checks a volume at a stage: GD/YJ look at the live tables, BC at the archived snapshot. */
  async checkVolume(ref: string, stage: Stage, actor: ActorLike, opts: { schemeId?: string; codes?: string[]; trx?: Transaction<Database> } = {}): Promise<StoredRun> {
    if (stage === 'BC') {
      // The archived snapshot is keyed by volume id; a 档号 is resolved through the volumes table.
      const id = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref) ? ref : (await findVolume(this.db, ref)).id;
      const { subject, itemLabels } = await loadArchivedSubject(this.db, id);
      return this.checkSubject(subject, stage, actor, { ...opts, itemLabels });
    }
    const { subject, itemLabels } = await loadVolumeSubject(this.db, ref);
    return this.checkSubject(subject, stage, actor, { ...opts, itemLabels });
  }

  /**
   * Runs, renders, signs and stores. The report objects are written first (write-once, keyed by the new run
   * id), then the run, its results, the items' last-check status and the audit entry commit together — a
   * crash between the two leaves only unreferenced report objects, never a run without its report.
   */
  async checkSubject(
    subject: CheckSubject,
    stage: Stage,
    actor: ActorLike,
    opts: { schemeId?: string; codes?: string[]; itemLabels?: Record<string, string>; trx?: Transaction<Database> } = {},
  ): Promise<StoredRun> {
    const scheme = loadScheme(opts.schemeId);
    const run = await runChecks(scheme, stage, subject, this.env(), { codes: opts.codes, now: () => this.clock.now() });
    const id = randomUUID();
    const a = actorColumns(actor);
    const meta = { runId: id, actor: a.name, itemLabels: opts.itemLabels };
    const pdf = await renderReportPdf(run, meta);
    const key = sm2SigningKey(this.config.dataDir);
    const sig = JSON.stringify(signDetached(pdf, key, run.finishedAt), null, 2);
    const xml = signXml(renderReportXml(run, meta), {
      algorithm: 'sm2-sm3',
      privateKey: Buffer.from(key.privateKey).toString('hex'),
      certificatePem: key.certificatePem,
      location: "//*[local-name(.)='签名']",
    });
    const base = `reports/${run.finishedAt.toISOString().slice(0, 10)}/${id}`;
    const pdfPut = await this.store.putNamed(`${base}/check-report.pdf`, pdf, { mediaType: 'application/pdf', filename: 'check-report.pdf' });
    await this.store.putNamed(`${base}/check-report.pdf.sig`, Buffer.from(sig), { mediaType: 'application/json', filename: 'check-report.pdf.sig' });
    await this.store.putNamed(`${base}/check-report.xml`, Buffer.from(xml), { mediaType: 'application/xml', filename: 'check-report.xml' });
    const persist = async (trx: Transaction<Database>) => {
      await trx
        .insertInto('check_run')
        .values({
          id,
          scheme_id: run.schemeId,
          scheme_version: run.schemeVersion,
          stage,
          subject_type: subject.type,
          subject_id: subject.id,
          subject_label: String(subject.metadata.archivalCode ?? subject.id),
          unit_id: subject.unitId ?? null,
          actor_type: a.type,
          actor_id: a.id,
          actor_name: a.name,
          started_at: run.startedAt,
          finished_at: run.finishedAt,
          verdict: run.summary.verdict,
          summary: JSON.stringify(run.summary),
          report_pdf_key: `${base}/check-report.pdf`,
          report_sig_key: `${base}/check-report.pdf.sig`,
          report_xml_key: `${base}/check-report.xml`,
          report_sha256: pdfPut.sha256,
          report_sm3: pdfPut.sm3,
        })
        .execute();
      for (let i = 0; i < run.results.length; i += 500) {
        await trx
          .insertInto('check_result')
          .values(run.results.slice(i, i + 500).map((r) => ({ run_id: id, code: r.code, nature: r.nature, severity: r.severity, item_id: r.itemId, outcome: r.outcome, evidence: JSON.stringify(r.evidence) })))
          .execute();
      }
      // Each item's worst outcome of this run becomes its last check at this stage.
      const perItem = new Map<string, string>();
      const rank: Record<string, number> = { not_applicable: 0, pass: 1, warn: 2, fail: 3 };
      for (const r of run.results) {
        if (r.itemId === '*' || r.itemId.startsWith('package:')) continue;
        const cur = perItem.get(r.itemId);
        if (!cur || rank[r.outcome] > rank[cur]) perItem.set(r.itemId, r.outcome);
      }
      for (const it of subject.items) if (!perItem.has(it.id)) perItem.set(it.id, 'not_applicable');
      const rows = [...perItem].map(([itemId, outcome]) => ({
        subject_type: subject.type,
        subject_id: subject.id,
        item_id: itemId,
        stage,
        scheme_id: run.schemeId,
        scheme_version: run.schemeVersion,
        last_run_id: id,
        last_checked_at: run.finishedAt,
        outcome,
      }));
      for (let i = 0; i < rows.length; i += 500) {
        await trx
          .insertInto('check_item_status')
          .values(rows.slice(i, i + 500))
          .onConflict((oc) =>
            oc.columns(['subject_type', 'subject_id', 'item_id', 'stage']).doUpdateSet((eb) => ({
              scheme_id: eb.ref('excluded.scheme_id'),
              scheme_version: eb.ref('excluded.scheme_version'),
              last_run_id: eb.ref('excluded.last_run_id'),
              last_checked_at: eb.ref('excluded.last_checked_at'),
              outcome: eb.ref('excluded.outcome'),
            })),
          )
          .execute();
      }
      await this.audit.record(
        {
          actor,
          action: 'checks.run',
          targetType: subject.type,
          targetId: subject.id,
          unitId: subject.unitId ?? null,
          details: { runId: id, stage, scheme: `${run.schemeId}@${run.schemeVersion}`, verdict: run.summary.verdict, fail: run.summary.fail, warn: run.summary.warn, vetoFailures: run.summary.vetoFailures.map((v) => `${v.code}@${v.itemId}`).slice(0, 50) },
          digests: { report: `sm3:${pdfPut.sm3}` },
        },
        trx,
      );
    };
    if (opts.trx) await persist(opts.trx);
    else await this.db.transaction().execute(persist);
    return { id, run, reportPdfKey: `${base}/check-report.pdf`, reportSigKey: `${base}/check-report.pdf.sig`, reportXmlKey: `${base}/check-report.xml`, reportPdf: pdf, reportSig: sig, reportXml: xml };
  }

  async listRuns(q: RunListQuery) {
    let query = this.db.selectFrom('check_run').selectAll();
    if (q.unitIds !== 'all') {
      if (!q.unitIds.length) return [];
      query = query.where('unit_id', 'in', q.unitIds);
    }
    if (q.subjectId) query = query.where('subject_id', '=', q.subjectId);
    if (q.stage) query = query.where('stage', '=', q.stage);
    if (q.verdict) query = query.where('verdict', '=', q.verdict as 'pass');
    if (q.before) query = query.where('finished_at', '<', q.before);
    const rows = await query.orderBy('finished_at', 'desc').limit(q.limit).execute();
    return rows.map(runView);
  }

  async getRun(id: string) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new ValidationError('run id: expected a UUID', { field: 'id' });
    const r = await this.db.selectFrom('check_run').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new NotFoundError(`no check run ${id}`, { id });
    return runView(r);
  }

  async results(runId: string, q: ResultQuery = {}) {
    await this.getRun(runId);
    let query = this.db.selectFrom('check_result').selectAll().where('run_id', '=', runId);
    if (q.nature) query = query.where('nature', '=', q.nature as 'ZS');
    if (q.outcome) query = query.where('outcome', '=', q.outcome as 'pass');
    if (q.code) query = query.where('code', 'like', `${q.code.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (q.itemId) query = query.where('item_id', '=', q.itemId);
    const rows = await query.orderBy('id').execute();
    return rows.map((r) => ({ code: r.code, nature: r.nature, severity: r.severity, itemId: r.item_id, outcome: r.outcome, evidence: r.evidence }));
  }

  /** The stored report bytes: `pdf`, `sig` (detached signature JSON) or `xml`. */
  async report(runId: string, kind: 'pdf' | 'sig' | 'xml'): Promise<{ bytes: Buffer; mediaType: string; filename: string; unitId: string | null }> {
    const r = await this.getRun(runId);
    const key = kind === 'pdf' ? r.reportPdfKey : kind === 'sig' ? r.reportSigKey : r.reportXmlKey;
    if (!key) throw new NotFoundError(`check run ${runId} has no ${kind} report`, { runId, kind });
    const bytes = await this.store.get(key, { verify: true });
    const mediaType = kind === 'pdf' ? 'application/pdf' : kind === 'sig' ? 'application/json' : 'application/xml';
    return { bytes, mediaType, filename: `check-report-${r.subjectLabel.replace(/[^\w.\u4e00-\u9fff·-]/g, '_')}-${r.stage}.${kind === 'sig' ? 'pdf.sig' : kind}`, unitId: r.unitId };
  }

  /**
   * Archived volumes with at least one item whose last long-term (BC) check is missing, older than `maxAgeDays`
   * or made with an older scheme version — what the sweep re-checks.
   */
  async staleArchivedVolumes(maxAgeDays = DEFAULT_MAX_AGE_DAYS, limit = 1000): Promise<string[]> {
    const scheme = loadScheme();
    const cutoff = new Date(this.clock.now().getTime() - maxAgeDays * 86400_000);
    const rows = await sql<{ volume_id: string }>`
      select distinct a.volume_id from archived_item a
      left join check_item_status s
        on s.subject_type = 'volume' and s.subject_id = a.volume_id and s.item_id = a.item_id and s.stage = 'BC'
      where s.item_id is null or s.last_checked_at < ${cutoff} or s.scheme_id <> ${scheme.id} or s.scheme_version < ${scheme.version}
      order by a.volume_id limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => r.volume_id);
  }

  /**
   * The nightly long-term sweep (长期保存检测): re-checks fixity of every original and package, re-renders a
   * sample, scans for viruses and verifies the audit chain, for every archived volume whose check is stale.
   */
  @Job({ name: 'checks.sweep', cron: '30 2 * * *', retry: { limit: 2, delaySeconds: 300 } })
  async sweep(data: { maxAgeDays?: number } = {}): Promise<{ volumes: number; failed: string[]; runs: string[] }> {
    const ids = await this.staleArchivedVolumes(data?.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS);
    const failed: string[] = [];
    const runs: string[] = [];
    for (const id of ids) {
      const r = await this.checkVolume(id, 'BC', 'system');
      runs.push(r.id);
      if (r.run.summary.verdict === 'fail') failed.push(id);
    }
    return { volumes: ids.length, failed, runs };
  }
}

function runView(r: Database['check_run'] extends infer T ? { [K in keyof T]: any } : never) {
  return {
    id: r.id as string,
    schemeId: r.scheme_id as string,
    schemeVersion: r.scheme_version as number,
    stage: r.stage as Stage,
    subjectType: r.subject_type as string,
    subjectId: r.subject_id as string,
    subjectLabel: r.subject_label as string,
    unitId: r.unit_id as string | null,
    actor: r.actor_name as string | null,
    startedAt: r.started_at as Date,
    finishedAt: r.finished_at as Date,
    verdict: r.verdict as string,
    summary: r.summary as Record<string, unknown>,
    reportPdfKey: r.report_pdf_key as string | null,
    reportSigKey: r.report_sig_key as string | null,
    reportXmlKey: r.report_xml_key as string | null,
    reportSha256: r.report_sha256 as string | null,
    reportSm3: r.report_sm3 as string | null,
  };
}

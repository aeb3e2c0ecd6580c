/**
 * Ledger imports: journal vouchers from files and accounting systems, stored one import per transaction, and
 * account books / reports / other accounting materials with their files.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { AuditService, type AuditActor } from '../../platform/audit/audit.service';
import { type Clock } from '../../platform/clock/clock';
import { NotFoundError, ValidationError } from '../../platform/errors/errors';
import { assertUnit, type Principal } from '../../platform/identity';
import type { AnyRole } from '../../platform/identity/roles';
import type { ObjectStore } from '../../platform/storage/object-store';
import { CLOCK, STORAGE } from '../../platform/tokens';
import { ImportRejected, journalDigest, parseLedgerFile, rowError, type JournalVoucher, type ParsedImport, type RowError } from './journal';
import { LedgerRepository, type JournalFilter, type StoredJournal } from './ledger.repository';
import { checkRecordKind, type RecordCategory } from './records';
import { SearchIndexer } from '../search/indexer.service';
import { projectJournal } from './search-document';

/** Who may write the ledger of a unit. */
export const LEDGER_WRITE_ROLES: readonly AnyRole[] = ['accountant', 'accounting_system'];
/** Who may read it. */
export const LEDGER_READ_ROLES: readonly AnyRole[] = ['accountant', 'archivist', 'auditor', 'unit_admin'];

/** The caller: a principal (API) or the operator at the CLI, who acts for the whole installation. */
export type LedgerActor = { principal: Principal } | { operator: string };

export interface ImportSummary {
  importId: string;
  vouchers: number;
  created: number;
  updated: number;
  unchanged: number;
  units: string[];
  periods: string[];
  /** Changed vouchers: number, new version, why. */
  changes: { unit: string; period: string; number: string; version: number; reason: string }[];
}

export interface ImportOptions {
  channel: 'file' | 'api' | 'cli';
  filename?: string;
  format: string;
  /** Unit code for vouchers that name none (CLI --unit, or the client's only unit). */
  unit?: string;
  reason?: string;
  ip?: string | null;
}

function auditActor(a: LedgerActor): AuditActor {
  return 'principal' in a ? a.principal : { type: 'system', id: 'cli', name: a.operator };
}

/** Top-level fields whose change a version note names. */
const DIFF_FIELDS: (keyof JournalVoucher)[] = ['date', 'summary', 'entries', 'attachmentCount', 'maker', 'checker', 'poster', 'references', 'voucherType', 'fonds'];

@Injectable()
export class LedgerService {
  constructor(
    readonly repo: LedgerRepository,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(STORAGE) private readonly storage: ObjectStore,
    @Optional() private readonly indexer?: SearchIndexer,
  ) {}

  /** Reads a file (JSON, CSV, Excel) and imports it; a file with any problem is refused with every problem. */
  async importFile(actor: LedgerActor, bytes: Uint8Array, filename: string, opts: Omit<ImportOptions, 'format' | 'filename'>): Promise<ImportSummary> {
    const parsed = await rejectAsValidation(() => parseLedgerFile(bytes, filename, { unit: opts.unit }));
    const format = /\.xlsx$/i.test(filename) ? 'xlsx' : /\.json$/i.test(filename) ? 'json' : 'csv';
    return this.importParsed(actor, parsed, { ...opts, filename, format });
  }

  /**
   * Stores parsed journal vouchers in one transaction: new ones are created, identical ones left alone, changed
   * ones (same unit + period + number, other content) become a new version with a reason.
   */
  async importParsed(actor: LedgerActor, parsed: ParsedImport, opts: ImportOptions): Promise<ImportSummary> {
    const errors: RowError[] = [];
    const codes = [...new Set(parsed.vouchers.map((v) => v.unit).filter((u): u is string => !!u))];
    const units = await this.repo.unitsByCode(codes);
    const fonds = await this.repo.fondsByCode([...new Set(parsed.vouchers.map((v) => v.fonds).filter((f): f is string => !!f))]);
    parsed.vouchers.forEach((v, i) => {
      const row = parsed.rows[i] ?? i + 1;
      if (!v.unit) errors.push(rowError({ row, column: 'unit' }, 'no_unit'));
      else if (!units.has(v.unit)) errors.push(rowError({ row, column: 'unit' }, 'unknown_unit', { unit: v.unit }));
      else if ('principal' in actor) {
        try {
          assertUnit(actor.principal, units.get(v.unit)!, LEDGER_WRITE_ROLES);
        } catch {
          errors.push(rowError({ row, column: 'unit' }, 'unit_not_allowed', { unit: v.unit! }));
        }
      }
      if (v.fonds) {
        const f = fonds.get(v.fonds);
        if (!f) errors.push(rowError({ row, column: 'fonds' }, 'unknown_fonds', { fonds: v.fonds }));
        else if (units.get(v.unit ?? '') !== f.unitId) errors.push(rowError({ row, column: 'fonds' }, 'fonds_of_other_unit', { fonds: v.fonds, unit: String(v.unit) }));
      }
    });
    if (errors.length) throw importRejected(errors);

    const now = this.clock.now();
    const who = 'principal' in actor ? actor.principal : undefined;
    return this.repo.db.transaction().execute(async (trx) => {
      const importId = await this.repo.insertImport(trx, {
        unit_id: codes.length === 1 ? units.get(codes[0])! : null,
        channel: opts.channel,
        filename: opts.filename ?? null,
        format: opts.format,
        actor_type: who ? who.kind : 'system',
        actor_id: who ? who.id : 'cli',
        actor_name: who ? (who.kind === 'user' ? who.username : who.name) : 'operator' in actor ? actor.operator : null,
        created: 0,
        updated: 0,
        unchanged: 0,
        records: 0,
        created_at: now,
      });
      const keyed = parsed.vouchers.map((v) => ({ v, unitId: units.get(v.unit!)!, digest: journalDigest(v), fondsId: v.fonds ? fonds.get(v.fonds)!.id : null }));
      const existing = await this.repo.existing(trx, keyed.map((k) => ({ unitId: k.unitId, period: k.v.period, number: k.v.number })));
      const fresh: typeof keyed = [];
      const changes: ImportSummary['changes'] = [];
      const indexed: ReturnType<typeof projectJournal>[] = [];
      let unchanged = 0;
      for (const k of keyed) {
        const ex = existing.get(`${k.unitId}|${k.v.period}|${k.v.number}`);
        if (!ex) fresh.push(k);
        else if (ex.digest === k.digest) unchanged++;
        else {
          const prev = await this.repo.previousVersion(trx, ex.id);
          const changed = prev ? DIFF_FIELDS.filter((f) => JSON.stringify(prev[f]) !== JSON.stringify(k.v[f])) : [];
          const reason = opts.reason ?? parsed.reason ?? `re-imported with changes to ${changed.join(', ') || 'content'}`;
          await this.repo.updateJournal(trx, ex.id, ex.version + 1, k.v, k.digest, reason, importId, k.fondsId, now);
          indexed.push(projectJournal({ id: ex.id, unitId: k.unitId, fondsId: k.fondsId }, k.v));
          changes.push({ unit: k.v.unit!, period: k.v.period, number: k.v.number, version: ex.version + 1, reason });
        }
      }
      const ids = await this.repo.insertJournals(trx, fresh.map((k) => ({ unitId: k.unitId, fondsId: k.fondsId, voucher: k.v, digest: k.digest, reason: null })), importId, now);
      fresh.forEach((k, i) => indexed.push(projectJournal({ id: ids[i], unitId: k.unitId, fondsId: k.fondsId }, k.v)));
      // Search (and its OpenSearch outbox) in this transaction: a journal voucher is findable exactly when it is stored.
      if (this.indexer) await this.indexer.upsert(indexed, { trx });
      const counts = { created: fresh.length, updated: changes.length, unchanged, records: 0 };
      await this.repo.finishImport(trx, importId, counts);
      const periods = [...new Set(parsed.vouchers.map((v) => v.period))].sort();
      await this.audit.record(
        {
          actor: auditActor(actor),
          action: 'ledger.import',
          targetType: 'ledger_import',
          targetId: importId,
          unitId: codes.length === 1 ? units.get(codes[0])! : null,
          details: { channel: opts.channel, filename: opts.filename ?? null, format: opts.format, units: codes, periods, ...counts, changed: changes.map((c) => `${c.unit}/${c.period}/${c.number} v${c.version}`).slice(0, 100) },
          ip: opts.ip ?? null,
        },
        trx,
      );
      return { importId, vouchers: parsed.vouchers.length, created: fresh.length, updated: changes.length, unchanged, units: codes, periods, changes };
    });
  }

  /**
   * Re-projects every journal voucher (of one unit, or all) into search, a batch per transaction: for journal
   * vouchers stored before they were indexed, or after the index was rebuilt from scratch.
   */
  async reindexSearch(opts: { unit?: string; batchSize?: number; onProgress?: (done: number) => void } = {}): Promise<{ indexed: number }> {
    if (!this.indexer) throw new ValidationError('search is not available in this process', { field: 'search' });
    const unitId = opts.unit ? await this.unitId(opts.unit) : undefined;
    const batch = opts.batchSize ?? 1000;
    let after = '00000000-0000-0000-0000-000000000000';
    let indexed = 0;
    for (;;) {
      const ids = await this.repo.journalIdsAfter(after, batch, unitId);
      if (ids.length === 0) break;
      const journals = await this.repo.load({ ids });
      await this.indexer.upsert(journals.map((j) => projectJournal(j, j.voucher)));
      indexed += journals.length;
      after = ids[ids.length - 1];
      opts.onProgress?.(indexed);
    }
    return { indexed };
  }

  list(f: JournalFilter) {
    return this.repo.list(f);
  }

  /** One journal voucher with entries and version history; 404 outside the caller's units. */
  async get(principal: Principal | null, id: string): Promise<StoredJournal & { versions: Awaited<ReturnType<LedgerRepository['versions']>> }> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError(`journal voucher ${id} not found`);
    const [j] = await this.repo.load({ ids: [id] });
    if (!j) throw new NotFoundError(`journal voucher ${id} not found`);
    if (principal) assertUnit(principal, j.unitId, LEDGER_READ_ROLES);
    return { ...j, versions: await this.repo.versions(id) };
  }

  /** Journal vouchers of a period (with entries), for matching and reconciliation. */
  loadPeriod(unitIds: 'all' | string[], period: string): Promise<StoredJournal[]> {
    return this.repo.load({ unitIds, period });
  }

  loadByIds(ids: string[]): Promise<StoredJournal[]> {
    return this.repo.load({ ids });
  }

  async unitCode(id: string): Promise<string | undefined> {
    return this.repo.unitCode(id);
  }

  async unitId(code: string): Promise<string> {
    const id = (await this.repo.unitsByCode([code])).get(code);
    if (!id) throw new NotFoundError(`unit ${code} not found`);
    return id;
  }

  /** An account book, financial report or other accounting material with its file (idempotent by content). */
  async addRecord(
    actor: LedgerActor,
    input: { unit: string; category: RecordCategory; recordType: string; period: string; title: string; filename: string; mediaType: string; bytes: Uint8Array; data?: Record<string, unknown>; ip?: string | null },
  ): Promise<{ id: string; created: boolean; sha256: string }> {
    const problems = checkRecordKind(input.category, input.recordType, input.period);
    if (!input.title.trim()) problems.push('title is empty');
    if (input.bytes.length === 0) problems.push('the file is empty');
    if (problems.length) throw new ValidationError(`record refused: ${problems.join('; ')}`, { problems });
    const unitId = await this.unitId(input.unit);
    if ('principal' in actor) assertUnit(actor.principal, unitId, LEDGER_WRITE_ROLES);
    // The object is written first: a write-once object without a row is harmless, a row without its file is not.
    const put = await this.storage.put(input.bytes, { mediaType: input.mediaType, filename: input.filename });
    return this.repo.db.transaction().execute(async (trx) => {
      const r = await this.repo.insertRecord(trx, {
        unit_id: unitId,
        fonds_id: null,
        category: input.category,
        record_type: input.recordType,
        period: input.period,
        title: input.title.trim(),
        object_key: put.key,
        sha256: put.sha256,
        sm3: put.sm3,
        size: put.size,
        media_type: input.mediaType,
        filename: input.filename,
        data: JSON.stringify(input.data ?? {}),
        import_id: null,
        created_at: this.clock.now(),
      });
      if (r.created)
        await this.audit.record(
          { actor: auditActor(actor), action: 'ledger.record.add', targetType: 'ledger_record', targetId: r.id, unitId, details: { category: input.category, type: input.recordType, period: input.period, title: input.title }, digests: { original: `sha256:${put.sha256}`, sm3: `sm3:${put.sm3}` }, ip: input.ip ?? null },
          trx,
        );
      return { ...r, sha256: put.sha256 };
    });
  }

  listRecords(unitIds: 'all' | string[], filter: { category?: string; period?: string }) {
    return this.repo.listRecords(unitIds, filter);
  }
}

/** ImportRejected → the one HTTP/CLI error shape, with every problem in details.errors. */
export function importRejected(errors: RowError[]): ValidationError {
  const first = errors.slice(0, 3).map((e) => `row ${e.row} ${e.column}: ${e.problem}`).join('; ');
  return new ValidationError(`import rejected, nothing stored: ${errors.length} problem(s): ${first}${errors.length > 3 ? '; …' : ''}`, { errors }, 'import_rejected');
}

export async function rejectAsValidation<T>(f: () => Promise<T> | T): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof ImportRejected) throw importRejected(e.errors);
    throw e;
  }
}

import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Transaction } from 'kysely';
import type { AppConfig } from '../../platform/config/config';
import type { Database } from '../../platform/database/schema';
import { ValidationError } from '../../platform/errors/errors';
import { JobsService } from '../../platform/jobs/jobs.service';
import { CONFIG } from '../../platform/tokens';
import { documentId, SearchRepository } from './search.repository';
import { CATEGORIES, DOC_TYPES, type SearchDocumentInput } from './search.types';

export const OUTBOX_JOB = 'search.outbox';

export interface IndexOptions {
  /** The caller's transaction: the document (and its outbox entry) commits or rolls back with the change. */
  trx?: Transaction<Database>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MONEY = /^-?\d{1,16}(\.\d{1,2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function check(d: SearchDocumentInput, i: number): void {
  const bad = (field: string, why: string) => {
    throw new ValidationError(`search document ${i} (${d.docType}:${d.sourceId}): ${field}: ${why}`, { field });
  };
  if (!(DOC_TYPES as readonly string[]).includes(d.docType)) bad('docType', `expected one of ${DOC_TYPES.join(', ')}`);
  if (!d.sourceId) bad('sourceId', 'required');
  if (!UUID.test(d.unitId ?? '')) bad('unitId', 'expected a unit id (UUID)');
  if (d.fondsId && !UUID.test(d.fondsId)) bad('fondsId', 'expected a fonds id (UUID)');
  if (!(CATEGORIES as readonly string[]).includes(d.category)) bad('category', `expected one of ${CATEGORIES.join(', ')}`);
  if (d.amount != null && !MONEY.test(d.amount)) bad('amount', `expected a decimal string with up to two places, got ${JSON.stringify(d.amount)}`);
  if (d.date != null && !DATE.test(d.date)) bad('date', `expected YYYY-MM-DD, got ${JSON.stringify(d.date)}`);
  if (d.period != null && !(Number.isInteger(d.period) && d.period >= 1 && d.period <= 12)) bad('period', 'expected 1–12');
  if (!d.state) bad('state', 'required');
  if (typeof d.title !== 'string') bad('title', 'required');
}

/**
 * The indexing API for other modules. Call it inside the transaction that changes the source row:
 *
 *   await db.transaction().execute(async (trx) => {
 *     await trx.updateTable('voucher')…;
 *     await indexer.upsert([projectVoucher(row)], { trx });
 *   });
 *
 * With the OpenSearch backend every write also appends to search_outbox in that transaction and queues the
 * `search.outbox` job, so the external index cannot miss a committed change (and never sees a rolled-back one).
 */
@Injectable()
export class SearchIndexer {
  constructor(
    private readonly repo: SearchRepository,
    @Inject(CONFIG) private readonly config: Pick<AppConfig, 'search'>,
    @Optional() private readonly jobs?: JobsService,
  ) {}

  private get external(): boolean {
    return this.config.search.driver === 'opensearch';
  }

  async upsert(docs: SearchDocumentInput[], opts: IndexOptions = {}): Promise<string[]> {
    docs.forEach(check);
    if (!docs.length) return [];
    return this.inTrx(opts, async (trx) => {
      const ids = await this.repo.upsertDocuments(trx, docs);
      if (this.external) await this.enqueue(trx, ids, 'upsert');
      return ids;
    });
  }

  /** Removes documents by id (`<docType>:<sourceId>`, see `SearchIndexer.id`). */
  async remove(ids: string[], opts: IndexOptions = {}): Promise<void> {
    if (!ids.length) return;
    await this.inTrx(opts, async (trx) => {
      await this.repo.deleteDocuments(trx, ids);
      if (this.external) await this.enqueue(trx, ids, 'delete');
    });
  }

  static id(docType: string, sourceId: string): string {
    return documentId(docType, sourceId);
  }

  private inTrx<T>(opts: IndexOptions, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return opts.trx ? fn(opts.trx) : this.repo.db.transaction().execute(fn);
  }

  private async enqueue(trx: Transaction<Database>, ids: string[], op: 'upsert' | 'delete'): Promise<void> {
    await this.repo.appendOutbox(trx, ids, op);
    // The job is a nudge; the outbox row is the record. Without pg-boss in this process (tests, some CLI
    // commands) the every-minute sweep or `evarchive search reindex` picks the rows up.
    if (this.jobs?.running) await this.jobs.send(OUTBOX_JOB, {}, { trx, singletonKey: 'outbox' });
  }
}

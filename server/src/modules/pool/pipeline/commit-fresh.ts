/**
 * The commit phase of a chunk's fresh items in a handful of statements instead of a dozen per item. An item is
 * fresh when neither its content (SHA-256) nor its business identity is recorded yet, and no other item of the
 * chunk carries either: dedupe can only answer `created` for it, and the record and index steps are plain
 * inserts. The chunk's advisory locks (the same keys the dedupe step takes) are held, in sorted order, so no
 * concurrent ingest can record the same content or identity until this transaction ends. Everything else in
 * the chunk (duplicates, versions, conflicts, repeats within the chunk) goes through the steps one by one.
 *
 * The step records are the same as the steps would write (name, version, outcome, note), each with its share of
 * the chunk's wall time.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/database/schema';
import type { SearchIndexer } from '../../search/indexer.service';
import { searchText } from '../identity';
import type { IngestContext, IngestStep } from './pipeline';
import { eventInsertRow, fileInsertRow, voucherInsertRow } from './records';
import { indexPoolVouchers } from './steps';

/** Records the fresh items among `ctxs` (those that passed the read and store phases); returns them. */
export async function commitFresh(trx: Transaction<Database>, ctxs: IngestContext[], steps: readonly IngestStep[], indexer?: SearchIndexer): Promise<Set<IngestContext>> {
  const done = new Set<IngestContext>();
  // Only the commit steps this function stands in for; any other commit step makes every item go one by one.
  const commitSteps = steps.filter((s) => s.phase === 'commit').map((s) => s.name);
  if (commitSteps.join() !== 'dedupe,record,index') return done;
  const candidates = ctxs.filter((c) => c.stored && c.identity);
  if (candidates.length < 2) return done;
  const version = (name: string) => steps.find((s) => s.name === name)?.version ?? 1;

  let t = performance.now();
  // The chunk's keys were locked when it was claimed (IngestService.claim); taking them again costs nothing and
  // keeps this function safe on its own.
  const keys = [...new Set(candidates.flatMap((c) => [`sha256:${c.item.sha256}`, c.identity!.key]))].sort();
  await sql`select pg_advisory_xact_lock(hashtextextended(k, 4400)) from unnest(${keys}::text[]) with ordinality as t(k, n) order by n`.execute(trx);
  const shas = candidates.map((c) => c.item.sha256);
  const identities = candidates.map((c) => c.identity!.key);
  const knownShas = new Set((await trx.selectFrom('voucher_file').select('sha256').where('sha256', 'in', shas).execute()).map((r) => r.sha256));
  const knownIds = new Set((await trx.selectFrom('voucher').select('identity_key').where('identity_key', 'in', identities).execute()).map((r) => r.identity_key));
  const once = (list: string[]) => {
    const n = new Map<string, number>();
    for (const k of list) n.set(k, (n.get(k) ?? 0) + 1);
    return (k: string) => n.get(k) === 1;
  };
  const shaOnce = once(shas);
  const idOnce = once(identities);
  const fresh = candidates.filter((c) => !knownShas.has(c.item.sha256) && !knownIds.has(c.identity!.key) && shaOnce(c.item.sha256) && idOnce(c.identity!.key));
  if (!fresh.length) return done;
  const dedupeMs = (performance.now() - t) / fresh.length;

  t = performance.now();
  for (const c of fresh) {
    c.outcome = 'created';
    c.searchText = searchText(c.voucher!);
  }
  const vouchers = await trx
    .insertInto('voucher')
    .values(fresh.map((c) => ({ ...voucherInsertRow(c), search_text: c.searchText! })))
    .returning(['id', 'identity_key'])
    .execute();
  const voucherOf = new Map(vouchers.map((r) => [r.identity_key, r.id]));
  for (const c of fresh) c.voucherId = voucherOf.get(c.identity!.key)!;
  const files = await trx
    .insertInto('voucher_file')
    .values(fresh.map((c) => fileInsertRow(c, c.voucherId!, c.role!)))
    .returning(['id', 'sha256'])
    .execute();
  const fileOf = new Map(files.map((r) => [r.sha256, r.id]));
  for (const c of fresh) c.fileId = fileOf.get(c.item.sha256)!;
  await trx
    .insertInto('voucher_event')
    .values(fresh.map((c) => eventInsertRow(c, c.voucherId!, c.fileId!, 'created', c.role!)))
    .execute();
  const recordMs = (performance.now() - t) / fresh.length;

  t = performance.now();
  if (indexer) await indexPoolVouchers(trx, indexer, fresh.map((c) => c.voucherId!));
  const indexMs = (performance.now() - t) / fresh.length;

  const ms = (x: number) => Math.round(x * 10) / 10;
  for (const c of fresh) {
    c.steps.push(
      { step: 'dedupe', version: version('dedupe'), outcome: 'ok', ms: ms(dedupeMs), message: 'new identity' },
      { step: 'record', version: version('record'), outcome: 'ok', ms: ms(recordMs), message: `created voucher ${c.voucherId} file ${c.fileId} (${c.role})` },
      { step: 'index', version: version('index'), outcome: 'ok', ms: ms(indexMs), message: `${c.searchText!.length} characters` },
    );
    done.add(c);
  }
  return done;
}

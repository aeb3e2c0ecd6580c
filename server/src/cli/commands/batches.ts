import type { Command } from 'commander';
import { createAppContext } from '../../main';
import { AuditService } from '../../platform/audit/audit.service';
import { systemClock } from '../../platform/clock/clock';
import { loadConfig } from '../../platform/config/config';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors/errors';
import { PoolRepository, type BatchListRow } from '../../modules/pool/pool.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const operator = () => `cli:${process.env.USER ?? 'operator'}`;

/**
 * `evarchive batches list [--open] [--unit CODE] [--limit N] [--json]` and `evarchive batches close <id> --reason TEXT
 * [--json]`: the operator's view of ingest batches (every channel: folder, upload, issuer, …). A batch stays open
 * while any item is pending — cut off by a crash, an outage, or an upload never resumed; closing one finishes its
 * pending items as rejected (`batch_closed`, with the reason) and is audited (`pool.batch.close`).
 */
export function batchesCommand(program: Command): void {
  const batches = program.command('batches').description('ingest batches of the voucher pool (入池批次): see and close stale open ones');
  batches
    .command('list')
    .description('batches newest first, with pending items and when an item last finished')
    .option('--open', 'only batches still open (items pending)')
    .option('--unit <code>', 'only this unit')
    .option('--limit <n>', 'at most this many (1–10000)', '50')
    .option('--json', 'one JSON object per batch per line')
    .action(async (opts: { open?: boolean; unit?: string; limit: string; json?: boolean }) => {
      const limit = Number(opts.limit);
      if (!/^\d+$/.test(opts.limit.trim()) || limit < 1 || limit > 10_000) throw new ValidationError(`--limit: expected a whole number from 1 to 10000, got "${opts.limit}"`, { field: 'limit' });
      const ctx = await createAppContext(loadConfig(), { jobs: false });
      try {
        const repo = ctx.get(PoolRepository);
        let unitId: string | undefined;
        if (opts.unit) {
          const u = await repo.unitByCode(opts.unit);
          if (!u) throw new NotFoundError(`--unit: no unit with code "${opts.unit}"`, { field: 'unit' });
          unitId = u.id;
        }
        const rows = await repo.listBatches({ status: opts.open ? 'open' : undefined, unitId, limit });
        if (opts.json) {
          for (const b of rows) process.stdout.write(JSON.stringify(b) + '\n');
          return;
        }
        if (!rows.length) {
          process.stdout.write(opts.open ? 'no open batches\n' : 'no batches\n');
          return;
        }
        const when = (d: Date | null) => (d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : '');
        process.stdout.write(
          table(
            ['id', 'status', 'channel', 'unit', 'created', 'last item', 'items', 'pending', 'by', 'first file'],
            rows.map((b: BatchListRow) => [b.id, b.status, b.channel, b.unitCode ?? '', when(b.createdAt), when(b.lastFinishedAt), String(b.total), String(b.pending), b.actorName ?? '', b.firstSource ?? '']),
          ),
        );
      } finally {
        await ctx.close();
      }
    });
  batches
    .command('close <id>')
    .description('end an open batch: its pending items become rejected (batch_closed) with the reason; audited')
    .requiredOption('--reason <text>', 'why (kept with each closed item and in the audit log)')
    .option('--json', 'print {batchId, closed, items: [{seq, filename}]}')
    .action(async (id: string, opts: { reason: string; json?: boolean }) => {
      if (!UUID.test(id)) throw new ValidationError(`batch id: expected a batch id (uuid, see evarchive batches list), got "${id}"`, { field: 'id' });
      const reason = opts.reason.trim();
      if (!reason) throw new ValidationError('--reason: say why the batch is closed', { field: 'reason' });
      if (reason.length > 500) throw new ValidationError(`--reason: at most 500 characters, got ${reason.length}`, { field: 'reason' });
      const ctx = await createAppContext(loadConfig(), { jobs: false });
      try {
        const repo = ctx.get(PoolRepository);
        const audit = ctx.get(AuditService);
        const closed = await repo.transaction(async (trx) => {
          const b = await repo.batchForUpdate(trx, id);
          if (!b) throw new NotFoundError(`no ingest batch ${id} (see evarchive batches list)`, { batchId: id });
          if (b.status !== 'open') throw new ConflictError(`batch ${id} is already complete; nothing to close`, { batchId: id, status: b.status }, 'invalid_state');
          const items = await repo.closeBatch(trx, id, reason, systemClock.now());
          await audit.record(
            {
              actor: { type: 'system', id: null, name: operator() },
              action: 'pool.batch.close',
              targetType: 'ingest_batch',
              targetId: id,
              unitId: b.unit_id,
              details: { channel: b.channel, reason, total: b.total, closed: items.length, itemIds: items.map((i) => i.id) },
            },
            trx,
          );
          return items;
        });
        if (opts.json) process.stdout.write(JSON.stringify({ batchId: id, closed: closed.length, items: closed.map((i) => ({ seq: i.seq, filename: i.filename })) }) + '\n');
        else process.stdout.write(`closed batch ${id}: ${closed.length} pending item${closed.length === 1 ? '' : 's'} rejected (batch_closed)\n`);
      } finally {
        await ctx.close();
      }
    });
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((s, i) => s.padEnd(widths[i])).join('  ').trimEnd() + '\n';
  return line(head) + rows.map(line).join('');
}

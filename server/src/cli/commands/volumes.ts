import type { Command } from 'commander';
import type { INestApplicationContext } from '@nestjs/common';
import { createAppContext } from '../../main';
import { loadConfig } from '../../platform/config/config';
import { DB } from '../../platform/tokens';
import type { Db } from '../../platform/database/database';
import { NotFoundError, ValidationError } from '../../platform/errors/errors';
import { ARCHIVE_CATEGORIES, type ArchiveCategory } from '../../modules/retention/retention.rules';
import { RetentionService } from '../../modules/retention/retention.service';
import { VolumesService } from '../../modules/volumes/volumes.service';

async function withContext<T>(fn: (ctx: INestApplicationContext) => Promise<T>): Promise<T> {
  const ctx = await createAppContext(loadConfig(), { jobs: false });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

async function unitByCode(db: Db, code: string) {
  const u = await db.selectFrom('unit').select(['id', 'code', 'name']).where('code', '=', code).executeTakeFirst();
  if (!u) throw new NotFoundError(`--unit: no unit with code "${code}"`, { field: 'unit' });
  return u;
}

function year(v: string | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{4}$/.test(v)) throw new ValidationError(`${field}: expected a four-digit year, got "${v}"`, { field });
  return Number(v);
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((s, i) => s.padEnd(widths[i])).join('  ').trimEnd() + '\n';
  return line(head) + rows.map(line).join('');
}

/** `evarchive volumes assemble|list`: 组卷 from the command line (acts as the system, audited as such). */
export function volumesCommand(program: Command): void {
  const volumes = program.command('volumes').description('volume assembly (组卷) and 档号');
  volumes
    .command('assemble')
    .description("assemble a fonds' items of a year (or one period) into volumes; re-running with the same inputs changes nothing")
    .requiredOption('--unit <code>', 'unit code')
    .requiredOption('--fonds <code>', 'fonds code (全宗号)')
    .requiredOption('--year <yyyy>', 'fiscal year')
    .option('--period <period>', 'only this period: YYYY-MM (vouchers), YYYY (books), YYYY-Qn/YYYY-Hn (reports)')
    .option('--category <c>', `only this category: ${ARCHIVE_CATEGORIES.join(', ')}`)
    .option('--json', 'the summary as JSON')
    .action(async (opts: { unit: string; fonds: string; year: string; period?: string; category?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const db = ctx.get<Db>(DB);
        const unit = await unitByCode(db, opts.unit);
        const fonds = await db.selectFrom('fonds').select(['id', 'unit_id']).where('code', '=', opts.fonds).executeTakeFirst();
        if (!fonds) throw new NotFoundError(`--fonds: no fonds with code "${opts.fonds}"`, { field: 'fonds' });
        if (opts.category && !ARCHIVE_CATEGORIES.includes(opts.category as ArchiveCategory)) throw new ValidationError(`--category: expected one of ${ARCHIVE_CATEGORIES.join(', ')}`, { field: 'category' });
        const r = await ctx.get(VolumesService).assemble('system', { unitId: unit.id, fondsId: fonds.id, year: year(opts.year, '--year')!, period: opts.period, category: opts.category as ArchiveCategory | undefined });
        if (opts.json) {
          process.stdout.write(JSON.stringify(r) + '\n');
          return;
        }
        const out: string[] = [`assembled ${unit.code} ${opts.fonds} ${opts.year}${opts.period ? ` ${opts.period}` : ''} (rules ${r.ruleId} v${r.ruleVersion}, regime ${r.regime}): ${r.created.length} created, ${r.updated.length} updated, ${r.unchanged.length} unchanged, ${r.deleted.length} deleted`];
        for (const [label, codes] of [['created', r.created], ['updated', r.updated], ['deleted', r.deleted]] as const) if (codes.length) out.push(`  ${label}: ${codes.join(', ')}`);
        for (const f of r.frozen) out.push(`  frozen ${f.category} ${f.period}: ${f.codes.join(', ')}${f.differs ? ' — the ledger has changed since; reopen to re-assemble' : ''}`);
        for (const g of r.gaps) out.push(`  gap ${g.period}: ${g.missing} ${g.acknowledged ? `(acknowledged: ${g.reason})` : 'missing — blocks submission'}`);
        for (const s of r.skipped) out.push(`  skipped ${s.sourceType} ${s.number ?? s.sourceId}: ${s.reason}`);
        process.stdout.write(out.join('\n') + '\n');
      });
    });
  volumes
    .command('list')
    .description('volumes by 档号')
    .option('--unit <code>', 'only this unit')
    .option('--year <yyyy>', 'only this fiscal year')
    .option('--state <state>', 'draft, submitted, approved or archived')
    .option('--limit <n>', 'at most this many (1–1000)', '200')
    .option('--json', 'one JSON object per volume per line')
    .action(async (opts: { unit?: string; year?: string; state?: string; limit: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const unitId = opts.unit ? (await unitByCode(ctx.get<Db>(DB), opts.unit)).id : undefined;
        if (opts.state && !['draft', 'submitted', 'approved', 'archived'].includes(opts.state)) throw new ValidationError('--state: expected draft, submitted, approved or archived', { field: 'state' });
        const page = await ctx.get(VolumesService).list('system', { unitId, year: year(opts.year, '--year'), state: opts.state, limit: Number(opts.limit) });
        if (opts.json) {
          for (const v of page.items) process.stdout.write(JSON.stringify(v) + '\n');
          return;
        }
        const rows = page.items.map((v) => [v.archivalCode, v.period, v.state, String(v.itemCount), [v.firstNumber, v.lastNumber].filter(Boolean).join('–'), v.retention, v.expiresOn ?? '', v.title]);
        process.stdout.write(table(['档号', 'period', 'state', 'items', 'range', 'retention', 'expires', 'title'], rows));
        if (page.nextAfter) process.stdout.write('(more: raise --limit)\n');
      });
    });
}

/** `evarchive retention due|regime`: 保管期限 — items due for appraisal (鉴定), and a unit's regime. */
export function retentionCommand(program: Command): void {
  const retention = program.command('retention').description('retention periods (保管期限) and appraisal (鉴定)');
  retention
    .command('due')
    .description('archived items whose retention period ends on or before a date')
    .option('--before <date>', 'YYYY-MM-DD (default: today)')
    .option('--unit <code>', 'only this unit')
    .option('--include-unarchived', 'also submitted and approved volumes (planning)')
    .option('--limit <n>', 'at most this many (1–10000)', '1000')
    .option('--json', 'one JSON object per item per line')
    .action(async (opts: { before?: string; unit?: string; includeUnarchived?: boolean; limit: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const unitIds = opts.unit ? [(await unitByCode(ctx.get<Db>(DB), opts.unit)).id] : 'all';
        const before = opts.before ?? new Date().toISOString().slice(0, 10);
        const items = await ctx.get(RetentionService).due({ before, unitIds, includeUnarchived: !!opts.includeUnarchived, limit: Number(opts.limit) });
        if (opts.json) {
          for (const i of items) process.stdout.write(JSON.stringify(i) + '\n');
          return;
        }
        process.stdout.write(`${items.length} item(s) due for appraisal on or before ${before}\n`);
        if (items.length) process.stdout.write(table(['档号', 'expires', 'retention', 'number', 'title'], items.map((i) => [i.itemCode, i.expiresOn, i.retention, i.number ?? '', i.itemTitle])));
      });
    });
  retention
    .command('regime')
    .description("show or set a unit's retention regime (enterprise, public_institution, general_budget)")
    .requiredOption('--unit <code>', 'unit code')
    .option('--set <regime>', 'the new regime')
    .action(async (opts: { unit: string; set?: string }) => {
      await withContext(async (ctx) => {
        const unit = await unitByCode(ctx.get<Db>(DB), opts.unit);
        const svc = ctx.get(RetentionService);
        if (opts.set) await svc.setRegime('system', unit.id, opts.set);
        const r = await svc.regimeOf(unit.id);
        process.stdout.write(`${unit.code} ${unit.name}: ${r.regime} (${svc.rules.regimes[r.regime].name})${r.explicit ? '' : ' — the default'}\n`);
      });
    });
}

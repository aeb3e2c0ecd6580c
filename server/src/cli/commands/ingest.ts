import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { createAppContext } from '../../main';
import { loadConfig } from '../../platform/config/config';
import { NotFoundError, ValidationError } from '../../platform/errors/errors';
import { IngestService, summarise, type BatchOptions, type ItemOutcome } from '../../modules/pool/ingest.service';
import { PoolRepository } from '../../modules/pool/pool.repository';
import { collectFiles, displayPath, readError, type FoundFile } from '../files';

interface IngestOpts {
  unit?: string;
  subPool?: string;
  watch?: boolean;
  json?: boolean;
  concurrency?: string;
  readers?: string;
}

/**
 * `evarchive ingest <paths...> [--unit CODE] [--sub-pool CODE] [--watch] [--json] [--concurrency N] [--readers N]`:
 * folder ingest through the
 * same pipeline as the API. Files are recorded as one batch (name, size, SHA-256) before any is processed; running
 * the same command again (the same paths, unit and sub-pool) after an interruption resumes that batch, even when
 * the folder changed meanwhile: its unfinished files are processed (one gone since is rejected as no longer
 * there, one whose content changed as `changed`), and files new or changed since are added to it, so the batch
 * completes and nothing in the folder is left out. `--json`: one line per file, then one summary line
 * `{received, created, duplicates, linked, conflicts, rejected, added, …}`; otherwise a progress bar and a table.
 */
export function ingestCommand(program: Command): void {
  program
    .command('ingest')
    .description('bring voucher files from folders into the voucher pool (票据池)')
    .argument('<paths...>', 'files or folders (walked recursively)')
    .option('--unit <code>', 'the unit the vouchers belong to (default: the unit whose credit code is the buyer tax ID)')
    .option('--sub-pool <code>', '二级票池, e.g. a department code')
    .option('--watch', 'keep watching the folders and ingest new files until Ctrl-C')
    .option('--json', 'one JSON line per file, then one summary line')
    .option('--concurrency <n>', 'files in flight at once (default: 4, at least twice the reader threads)')
    .option('--readers <n>', 'threads that parse and verify (default: the cores available; 0 = the main thread)')
    .action(async (paths: string[], opts: IngestOpts) => {
      const concurrency = wholeNumber(opts.concurrency, 'concurrency', 1, 64);
      const readers = wholeNumber(opts.readers, 'readers', 0, 64);
      // The paths first: nothing readable at all is an error before any batch is recorded or the database started.
      const { files, unreadable } = collectFiles(paths.map((p) => path.resolve(p)), { skipHidden: true });
      if (!files.length && unreadable.length) throw new ValidationError(`nothing to ingest: cannot read ${unreadable.join('; ')}`, { field: 'paths' });
      const config = loadConfig();
      const ctx = await createAppContext(config, { jobs: false });
      try {
        if (readers !== undefined) ctx.get(IngestService).useReaders(readers);
        const runner = new FolderIngest(ctx, opts, concurrency);
        await runner.init();
        for (const u of unreadable) console.error(`evarchive: cannot read ${u}`);
        await runner.run(files, paths.map((p) => path.resolve(p)));
        if (unreadable.length) process.exitCode = 1;
        if (opts.watch) await runner.watch(paths.map((p) => path.resolve(p)));
      } finally {
        await ctx.close();
      }
    });
}

class FolderIngest {
  private ingest: IngestService;
  private repo: PoolRepository;
  private unitId: string | null = null;

  constructor(
    ctx: INestApplicationContext,
    private readonly opts: IngestOpts,
    private readonly concurrency: number | undefined,
  ) {
    this.ingest = ctx.get(IngestService);
    this.repo = ctx.get(PoolRepository);
  }

  async init(): Promise<void> {
    if (this.opts.unit) {
      const u = await this.repo.unitByCode(this.opts.unit);
      if (!u) throw new NotFoundError(`--unit: no unit with code "${this.opts.unit}" (see evarchive unit list)`, { field: 'unit' });
      this.unitId = u.id;
    }
  }

  /**
   * One batch over `files`. `roots` (the paths named on the command line): the batch of these roots, unit and
   * sub-pool that is still open is resumed, with the files it does not hold yet added; none (--watch) → always a new
   * batch. Items are recorded under the file's shown name (`sourceRef`, `filename`) and read by its exact bytes.
   */
  async run(files: FoundFile[], roots: string[] | null): Promise<void> {
    const items: { filename: string; sourceRef: string; sha256: string; size: number }[] = [];
    const bytePaths = new Map<string, Buffer>();
    for (const f of files) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(f.path);
      } catch (e) {
        console.error(`evarchive: cannot read ${f.name}: ${readError(e)}`);
        process.exitCode = 1;
        continue;
      }
      bytePaths.set(f.name, f.path);
      items.push({ filename: path.basename(f.name), sourceRef: f.name, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
    }
    const key = roots && folderSourceKey(roots, this.unitId, this.opts.subPool);
    const batchOpts: BatchOptions = {
      channel: 'folder',
      routing: { unitId: this.unitId, routableUnitIds: 'all', subPool: this.opts.subPool ?? null },
      actor: { type: 'system', id: null, name: 'evarchive ingest' },
      sourceKey: key,
    };
    // A batch cut off before this version was keyed by its exact file list: the same files again take it over.
    if (key) await this.repo.rekeyOpenBatch(this.repo.db, legacySourceKey(items, this.unitId, this.opts.subPool), key);
    const { batchId, resumed, added } = await this.ingest.openBatch(batchOpts, items, { addNew: true });
    const pendingCount = (await this.repo.batchCounts(batchId)).pending;
    const bar = this.opts.json || pendingCount === 0 ? undefined : new SingleBar({ format: '{bar} {percentage}% | {value}/{total} files | {rate}/s', hideCursor: true }, Presets.shades_classic);
    const started = Date.now();
    const cpuStart = process.cpuUsage();
    bar?.start(pendingCount, 0, { rate: '0' });
    let n = 0;
    const load = async (item: { filename: string; sourceRef: string | null }) => {
      try {
        return await readFile(bytePaths.get(item.sourceRef!) ?? item.sourceRef!);
      } catch (e) {
        // An item of the resumed batch whose file was removed or renamed since the batch recorded it.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`it is no longer there (removed or renamed since batch ${batchId} recorded it; ENOENT)`);
        throw new Error(readError(e));
      }
    };
    const { complete } = await this.ingest.runBatch(batchId, batchOpts, load, {
      concurrency: this.concurrency,
      onItem: (r) => {
        n++;
        if (this.opts.json) process.stdout.write(JSON.stringify(outcomeLine(r)) + '\n');
        else bar?.update(n, { rate: (n / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(0) });
      },
    });
    bar?.stop();
    const all = await this.ingest.batchOutcomes(batchId);
    const cpu = process.cpuUsage(cpuStart);
    // cpuSeconds: this process, every thread (reader threads included), while the batch ran.
    const summary = { ...summarise(all), added, batchId, resumed, complete, seconds: Math.round((Date.now() - started) / 100) / 10, cpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100 };
    if (this.opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
    else process.stdout.write(renderSummary(all, summary));
  }

  /** Watches the folders; files that appear (or change) are ingested once writes have settled. */
  async watch(roots: string[]): Promise<void> {
    const dirs = roots.filter((r) => {
      try {
        return statSync(r).isDirectory();
      } catch {
        return false;
      }
    });
    if (!dirs.length) throw new ValidationError('--watch: give at least one folder', { field: 'watch' });
    if (!this.opts.json) console.log(`watching ${dirs.join(', ')} (Ctrl-C to stop)`);
    // By the bytes of their names (a GBK name read as a string could not be opened), shown decoded.
    const changed = new Map<string, FoundFile>();
    let timer: NodeJS.Timeout | undefined;
    let busy: Promise<void> = Promise.resolve();
    const flush = () => {
      const files = [...changed.values()].filter((f) => {
        try {
          return statSync(f.path).isFile();
        } catch {
          return false;
        }
      });
      changed.clear();
      if (files.length) busy = busy.then(() => this.run(files.sort((a, b) => Buffer.compare(a.path, b.path)), null)).catch((e) => console.error(`evarchive: ${(e as Error).message}`));
    };
    const watchers: FSWatcher[] = dirs.map((d) =>
      watch(d, { recursive: true, encoding: 'buffer' }, (_event, name) => {
        if (!name || path.basename(name.toString('latin1')).startsWith('.')) return;
        const p = Buffer.concat([Buffer.from(d + path.sep), name]);
        changed.set(p.toString('latin1'), { path: p, name: path.join(d, displayPath(name)) });
        // Debounce: a copy in progress fires many events; ingest after a quiet second.
        clearTimeout(timer);
        timer = setTimeout(flush, 1000);
      }),
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    clearTimeout(timer);
    for (const w of watchers) w.close();
    await busy;
  }
}

function wholeNumber(v: string | undefined, field: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < min || n > max) throw new ValidationError(`--${field}: expected a whole number from ${min} to ${max}, got "${v}"`, { field });
  return n;
}

/** "The same batch": the same paths named (in any order), unit and sub-pool, whatever the folders hold now. */
export function folderSourceKey(roots: string[], unitId: string | null, subPool?: string): string {
  const h = createHash('sha256').update(JSON.stringify({ roots: [...new Set(roots)].sort(), unitId, subPool: subPool ?? null }));
  return `folder-paths:${h.digest('hex')}`;
}

/** The key of earlier versions: the same files (path, size, digest), unit and sub-pool. */
function legacySourceKey(items: { sourceRef: string; sha256: string; size: number }[], unitId: string | null, subPool?: string): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ unitId, subPool: subPool ?? null }));
  for (const it of items) h.update(`\n${it.sourceRef}\t${it.size}\t${it.sha256}`);
  return `folder:${h.digest('hex')}`;
}

function outcomeLine(r: ItemOutcome) {
  return { file: r.sourceRef ?? r.filename, outcome: r.outcome, voucherId: r.voucherId, kind: r.kind, verdict: r.verdict, ...(r.errorCode ? { errorCode: r.errorCode, message: r.message } : {}) };
}

function renderSummary(all: ItemOutcome[], s: ReturnType<typeof summarise> & { batchId: string; resumed: boolean; added: number; seconds: number }): string {
  const problems = all.filter((o) => o.outcome === 'rejected' || o.outcome === 'conflict');
  const lines = [
    '',
    `batch ${s.batchId}${s.resumed ? ` (resumed${s.added ? `, ${s.added} new or changed file${s.added === 1 ? '' : 's'} added` : ''})` : ''}: ${s.received} files in ${s.seconds}s`,
    `  created     ${s.created}`,
    `  duplicates  ${s.duplicates}`,
    `  linked      ${s.linked}`,
    `  conflicts   ${s.conflicts}`,
    `  rejected    ${s.rejected}`,
    ...problems.slice(0, 50).map((o) => `  ${o.outcome} ${o.sourceRef ?? o.filename}: ${o.errorCode ?? ''} ${o.message ?? ''}`.trimEnd()),
    ...(problems.length > 50 ? [`  … and ${problems.length - 50} more (use --json)`] : []),
  ];
  return lines.join('\n') + '\n';
}


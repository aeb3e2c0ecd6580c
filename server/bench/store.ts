/**
 * The local object store's cost per original: what storing a voucher file costs the process and the kernel, apart
 * from reading it. Random 13.5 KB files (the size of a factory invoice) into a fresh store folder, each way the
 * ingest pipeline stores originals:
 *   1. `putOriginalDirect`, one file at a time per caller, `--inflight` callers (the reader threads' way);
 *   2. `LocalObjectStore.putMany` in chunks of 32 (the store stage's way: shared fsyncs);
 * and two references that are not stores, to tell what the file system itself charges:
 *   3. a file per original (temp file, link, unlink) without any sync — the cost of the names alone;
 *   4. the chunk's 32 files appended to ONE file with one fdatasync — what a pack-file store would cost.
 * Prints files/s, this process's user / system CPU per file (process.cpuUsage) and the whole machine's busy CPU
 * per file (/proc/stat: the kernel's journal and writeback threads work for the syncs too). The folder is made
 * under --dir (default: the system's temp folder, i.e. the disk the default data folder is on) and removed
 * afterwards.
 *
 *   npm run bench:store [-- --count 1500 --inflight 4 --dir /path]
 */
import { closeSync, fdatasyncSync, linkSync, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { putOriginalDirect } from '../src/platform/storage/local-direct-write';
import { LocalObjectStore } from '../src/platform/storage/local-object-store';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function measure(name: string, count: number, run: (root: string, files: Buffer[]) => Promise<void>, dir: string): Promise<void> {
  const root = mkdtempSync(path.join(dir, 'evarchive-bench-store-'));
  try {
    await LocalObjectStore.open({ root });
    const files = Array.from({ length: count }, () => randomBytes(13_800));
    const m0 = machineBusyMs();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run(root, files);
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const machine = machineBusyMs() - m0;
    console.log(
      `${name}: ${((count / wall) * 1000).toFixed(0)} files/s; CPU per file ${(c.user / 1000 / count).toFixed(2)} ms user + ${(c.system / 1000 / count).toFixed(2)} ms system; machine ${(machine / count).toFixed(2)} ms`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Busy CPU time of the whole machine so far (user, nice, system, irq, softirq, steal), ms; Linux only, else 0. */
function machineBusyMs(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) * 10;
  } catch {
    return 0;
  }
}

async function main() {
  const count = Number(arg('count', '1500'));
  const inflight = Number(arg('inflight', '4'));
  const dir = arg('dir', tmpdir());
  console.log(`${count} files of 13.5 KB under ${dir}`);
  await measure(`putOriginalDirect, ${inflight} in flight`, count, async (root, files) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: inflight }, async () => {
        while (next < files.length) await putOriginalDirect(root, files[next++], { mediaType: 'application/ofd', filename: 'voucher.ofd' });
      }),
    );
  }, dir);
  await measure('LocalObjectStore.putMany, chunks of 32', count, async (root, files) => {
    const store = await LocalObjectStore.open({ root });
    for (let i = 0; i < files.length; i += 32) await store.putMany(files.slice(i, i + 32).map((content) => ({ content, options: { mediaType: 'application/ofd', filename: 'voucher.ofd' } })));
  }, dir);
  await measure('reference: a file per original, no sync at all', count, async (root, files) => {
    files.forEach((content, i) => {
      const name = createHash('sha256').update(content).digest('hex');
      const tmp = path.join(root, `.tmp/${i}.part`);
      writeFileSync(tmp, content, { flag: 'wx' });
      linkSync(tmp, path.join(root, name));
      unlinkSync(tmp);
    });
  }, dir);
  await measure('reference: 32 originals appended to one file, one fdatasync', count, async (root, files) => {
    for (let i = 0; i < files.length; i += 32) {
      const fd = openSync(path.join(root, `pack-${i}`), 'wx');
      try {
        for (const content of files.slice(i, i + 32)) writeSync(fd, content);
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }, dir);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

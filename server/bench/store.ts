/**
 * The local object store's cost per original: what storing a voucher file costs the process and the kernel, apart
 * from reading it. Random 13.5 KB files (the size of a factory invoice) into a fresh store folder, each way the
 * ingest pipeline stores originals:
 *   1. `putOriginalDirect`, one file at a time per caller, `--inflight` callers (the reader threads' way);
 *   2. `LocalObjectStore.putMany` in chunks of 32 (the store stage's way: shared fsyncs).
 * Prints files/s and user / system CPU per file (process.cpuUsage). The folder is made under --dir (default: the
 * system's temp folder, i.e. the disk the default data folder is on) and removed afterwards.
 *
 *   npm run bench:store [-- --count 1500 --inflight 4 --dir /path]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
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
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run(root, files);
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    console.log(`${name}: ${((count / wall) * 1000).toFixed(0)} files/s; CPU per file ${(c.user / 1000 / count).toFixed(2)} ms user + ${(c.system / 1000 / count).toFixed(2)} ms system`);
  } finally {
    rmSync(root, { recursive: true, force: true });
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
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

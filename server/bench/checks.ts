/**
 * `npm run bench:checks [-- --volumes 10 --items 100 --seed bench]`: archiving-stage (GD) four-nature checks on
 * factory-made volumes — each item a journal voucher with one sealed invoice OFD in a local object store, linked
 * as 组件 — on a fresh database at DATABASE_URL (created and dropped here). Reports items/s for the check engine
 * alone (every GD item: fixity re-computation of SHA-256 + SM3, seal verdicts, metadata, 档号, uniqueness,
 * attachments, formats, open every file + render a sample of 3 first pages per run, encryption, one clamscan per
 * volume, storage, audit chain) and for the full run (engine + report PDF/XML with their signatures + storing
 * results), per wall second and per CPU second of this process (the machine is shared).
 */
import { execFileSync } from 'node:child_process';
import { runChecks } from '../src/modules/checks/engine';
import { loadVolumeSubject } from '../src/modules/checks/loader';
import { loadScheme } from '../src/modules/checks/scheme';
import { createEnv, createVolume, eicarDatabase } from '../test/checks/fixture';

function parseArgs(argv: string[]) {
  const a = { volumes: 10, items: 100, seed: 'bench' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--volumes') a.volumes = Number(argv[++i]);
    else if (argv[i] === '--items') a.items = Number(argv[++i]);
    else if (argv[i] === '--seed') a.seed = argv[++i];
  }
  return a;
}

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL to a PostgreSQL server the bench may create a database on');
  process.env.EVARCHIVE_TEST_ADMIN_URL = url;
  const env = await createEnv(args.seed);
  // No freshclam database is reachable offline: the scan uses a one-signature database (EICAR); the cost per
  // volume is then the process start and file hand-over, not signature matching.
  process.env.EVARCHIVE_CLAMAV_DB = eicarDatabase(env.dataDir);
  try {
    let t = Date.now();
    const vols = [];
    for (let v = 0; v < args.volumes; v++) vols.push(await createVolume(env, { items: args.items, volumeNo: v + 1, month: (v % 12) + 1 }));
    const build = (Date.now() - t) / 1000;
    const scheme = loadScheme();
    const items = args.volumes * args.items;

    t = Date.now();
    let c = cpu();
    let failures = 0;
    for (const v of vols) {
      const { subject } = await loadVolumeSubject(env.db, v.volumeId);
      const run = await runChecks(scheme, 'GD', subject, env.checks.env());
      failures += run.summary.vetoFailures.length;
    }
    const engineWall = (Date.now() - t) / 1000;
    const engineCpu = cpu() - c;

    t = Date.now();
    c = cpu();
    for (const v of vols) {
      const r = await env.checks.checkVolume(v.volumeId, 'GD', 'system');
      failures += r.run.summary.vetoFailures.length;
    }
    const fullWall = (Date.now() - t) / 1000;
    const fullCpu = cpu() - c;
    const load = execFileSync('cat', ['/proc/loadavg']).toString().split(' ').slice(0, 3).join(' / ');
    console.log(`bench:checks — ${args.volumes} volumes × ${args.items} items (${items} items, ${items} sealed OFDs), scheme ${scheme.id}@${scheme.version}, stage GD`);
    console.log(`node ${process.version}, load average ${load}; fixtures built in ${build.toFixed(1)} s; veto failures: ${failures} (expected 0)`);
    console.log(`engine only:            ${(items / engineWall).toFixed(1)} items/s wall, ${(items / engineCpu).toFixed(1)} items/CPU-s (${engineWall.toFixed(1)} s)`);
    console.log(`full run incl. report:  ${(items / fullWall).toFixed(1)} items/s wall, ${(items / fullCpu).toFixed(1)} items/CPU-s (${fullWall.toFixed(1)} s)`);
    if (failures) process.exitCode = 1;
  } finally {
    await env.close();
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});

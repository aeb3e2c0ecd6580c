/**
 * Format reading throughput: parse + verify of sealed OFD invoices from the synthetic factory, and inspectFile
 * over every corpus file. One process, one thread for OFD/XML/XBRL/JSON (PDFs go through the pdf.js worker
 * thread and photos through OCR, as inspectFile does in production).
 *
 *   npm run bench:formats [-- --count 2000 --seconds 5 --seed bench]
 *
 * cold = the first pass over files never seen by this process (certificate parsing, SM2 key tables, seal cache
 * and the JIT all empty); warm = further passes over the same files for about `--seconds`. Target: ≥ 500
 * sealed OFD invoices/s per core, parse + verify, warm.
 *
 * Each rate is given twice: per wall-clock second, and per CPU second of this process (process.cpuUsage, all
 * its threads). On a shared, loaded machine the wall rate measures the neighbours; the CPU rate is what one
 * core does for this work. The SM2 yardstick (bare verifications, ~840/s on an idle core) is measured the
 * same way, before and after, to show how loaded the machine was.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { sm2 } from '../src/formats/crypto/sm2';
import { detectFormat } from '../src/formats/detect';
import { createFactory } from '../src/formats/factory';
import { INVOICE_KINDS } from '../src/formats/factory/invoice-data';
import { inspectFile } from '../src/formats/inspect';
import { readOfdVoucher } from '../src/formats/ofd/read';

interface Args {
  count: number;
  seconds: number;
  seed: string;
  corpus: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { count: 2000, seconds: 5, seed: 'bench', corpus: true };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--count') (a.count = Number(v)), i++;
    else if (argv[i] === '--seconds') (a.seconds = Number(v)), i++;
    else if (argv[i] === '--seed') (a.seed = v), i++;
    else if (argv[i] === '--no-corpus') a.corpus = false;
  }
  return a;
}

const now = () => Number(process.hrtime.bigint()) / 1e9;

interface Rate {
  wall: number;
  cpu: number;
}
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Files per wall second and per CPU second of `pass` (one pass over all files), repeated for about `seconds`. */
async function measure(files: number, seconds: number, pass: () => Promise<void> | void): Promise<Rate> {
  let n = 0;
  const start = now();
  const cpu0 = cpuSeconds();
  do {
    await pass();
    n += files;
  } while (now() - start < seconds);
  return { wall: n / (now() - start), cpu: n / Math.max(1e-6, cpuSeconds() - cpu0) };
}
const show = (r: Rate | undefined, digits = 0) => (r ? `${r.wall.toFixed(digits)} / ${r.cpu.toFixed(digits)}` : '');

function corpusFiles(): string[] {
  const root = path.resolve(__dirname, '../..', '../shared/corpus/raw');
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = path.join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

const row = (cells: (string | number)[], widths: number[]) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const lines: (string | number)[][] = [];

  // SM2 yardstick: the machine's speed in this run (about 840 verifications/s on an idle core).
  const kp = sm2.generateKeyPair();
  const msg = new Uint8Array(1024);
  const sig = sm2.sign(kp.privateKey, msg);
  const yardstick = () =>
    measure(20, 2, () => {
      for (let i = 0; i < 20; i++) sm2.verify(kp.publicKey, msg, sig);
    });
  const sm2Before = await yardstick();

  // 1. Generate.
  let t = now();
  const factory = createFactory({ seed: args.seed });
  void factory.pki;
  const pkiSeconds = now() - t;
  t = now();
  const invoices: Uint8Array[] = [];
  for (const g of factory.ofdInvoices({ count: args.count, kinds: INVOICE_KINDS })) invoices.push(g.bytes);
  const genSeconds = now() - t;
  const meanKiB = invoices.reduce((s, b) => s + b.length, 0) / invoices.length / 1024;

  // 2. Parse + verify the sealed invoices.
  let valid = 0;
  const cold = await measure(invoices.length, 0, () => {
    for (const b of invoices) if (readOfdVoucher(b).voucher.signatureVerdict === 'valid') valid++;
  });
  if (valid !== invoices.length) throw new Error(`only ${valid} of ${invoices.length} generated invoices verified`);
  const warm = await measure(invoices.length, args.seconds, () => {
    for (const b of invoices) readOfdVoucher(b);
  });
  const warmInspect = await measure(invoices.length, args.seconds, async () => {
    for (let i = 0; i < invoices.length; i++) await inspectFile(invoices[i], `${i}.ofd`);
  });
  const warmNoVerify = await measure(invoices.length, args.seconds, () => {
    for (const b of invoices) readOfdVoucher(b, { verifySignatures: false });
  });
  lines.push(['factory OFD invoices, readOfdVoucher (parse+verify)', invoices.length, show(cold), show(warm)]);
  lines.push(['factory OFD invoices, inspectFile (parse+verify)', invoices.length, '', show(warmInspect)]);
  lines.push(['factory OFD invoices, readOfdVoucher without verify', invoices.length, '', show(warmNoVerify)]);

  // 3. Every corpus file through inspectFile, by detected format.
  if (args.corpus) {
    const files = corpusFiles().map((f) => ({ name: path.basename(f), bytes: new Uint8Array(readFileSync(f)) }));
    const groups = new Map<string, typeof files>();
    for (const f of files) {
      const fmt = detectFormat(f.bytes);
      if (!groups.has(fmt)) groups.set(fmt, []);
      groups.get(fmt)!.push(f);
    }
    const pass = (group: typeof files) => async () => {
      for (const f of group) await inspectFile(f.bytes, f.name);
    };
    const all = await measure(files.length, 0, pass(files));
    for (const [fmt, group] of [...groups].sort()) {
      const c = await measure(group.length, 0, pass(group));
      // Photos run OCR and PDFs pdf.js in a worker (hundreds of ms each): one warm pass is enough to see the rate.
      const w = await measure(group.length, fmt === 'png' || fmt === 'jpeg' || fmt === 'pdf' ? 0 : args.seconds, pass(group));
      lines.push([`corpus ${fmt}, inspectFile`, group.length, show(c, 1), show(w, 1)]);
    }
    lines.push(['corpus, all files, inspectFile (first pass of the process)', files.length, show(all, 1), '']);
  }

  const sm2After = await yardstick();
  const widths = [58, 6, 16, 16];
  console.log(`node ${process.version}, ${process.arch}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; seed "${args.seed}"`);
  console.log(`SM2 verify yardstick (wall / CPU, ~840/s on an idle core): before ${show(sm2Before)}, after ${show(sm2After)}`);
  console.log(`generated ${invoices.length} sealed OFD invoices (${INVOICE_KINDS.join(', ')}), mean ${meanKiB.toFixed(1)} KiB: ${(invoices.length / genSeconds).toFixed(0)}/s (test PKI ${(pkiSeconds * 1000).toFixed(0)} ms)`);
  console.log(row(['files/s (wall / CPU), one thread', 'files', 'cold', 'warm'], widths));
  for (const l of lines) console.log(row(l, widths));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

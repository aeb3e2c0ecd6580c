/**
 * Throughput of OFD signature checking: parse (unzip) + verify all signatures, per core, on given OFD files.
 *   node -r @swc-node/register server/bench/signatures.ts [file.ofd …]   (default: the signed corpus OFDs)
 * Reports cold (first pass: certificate parsing, key tables, seal cache empty) and warm rates. Target ≥ 500/s.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openOfd } from '../src/formats/ofd/container';
import { verifyOfdSignatures } from '../src/formats/signatures/ofd';
import { sm2 } from '../src/formats/crypto/sm2';

export interface VerifyMeasurement {
  files: number;
  signatures: number;
  coldPerSecond: number;
  warmPerSecond: number;
  /** Warm rate of verification alone (package already opened). */
  verifyOnlyPerSecond: number;
  /** Bare SM2 verifications per second (cached key) in the same run: the machine's yardstick (~840 idle). */
  sm2PerSecond: number;
}

/** Parses and verifies each OFD repeatedly for about `seconds`; returns documents per second. */
export function measureVerify(ofds: Uint8Array[], seconds = 3): VerifyMeasurement {
  let signatures = 0;
  const t0 = process.hrtime.bigint();
  for (const b of ofds) signatures += verifyOfdSignatures(openOfd(b)).reports.length;
  const cold = ofds.length / (Number(process.hrtime.bigint() - t0) / 1e9);
  const warm = rate(() => {
    for (const b of ofds) verifyOfdSignatures(openOfd(b));
    return ofds.length;
  }, seconds);
  const opened = ofds.map((b) => openOfd(b));
  const verifyOnly = rate(() => {
    for (const p of opened) verifyOfdSignatures(p);
    return opened.length;
  }, seconds);
  const kp = sm2.generateKeyPair();
  const msg = new Uint8Array(4096);
  const sig = sm2.sign(kp.privateKey, msg);
  const sm2PerSecond = rate(() => {
    for (let i = 0; i < 20; i++) sm2.verify(kp.publicKey, msg, sig);
    return 20;
  }, Math.min(seconds, 2));
  return { files: ofds.length, signatures, coldPerSecond: cold, warmPerSecond: warm, verifyOnlyPerSecond: verifyOnly, sm2PerSecond };
}

function rate(round: () => number, seconds: number): number {
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    n += round();
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return n / elapsed;
}

function corpusSigned(): string[] {
  const root = path.resolve(__dirname, '../..', '../shared/corpus/raw');
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const dir of readdirSync(root)) {
    for (const f of readdirSync(path.join(root, dir))) {
      if (!f.endsWith('.ofd')) continue;
      const file = path.join(root, dir, f);
      try {
        if (verifyOfdSignatures(openOfd(new Uint8Array(readFileSync(file)))).verdict === 'valid') out.push(file);
      } catch {
        // not an OFD the container reads: not part of the benchmark
      }
    }
  }
  return out;
}

if (require.main === module) {
  const files = process.argv.slice(2).length ? process.argv.slice(2) : corpusSigned();
  if (files.length === 0) {
    console.error('no OFD files given and no corpus found');
    process.exit(1);
  }
  const ofds = files.map((f) => new Uint8Array(readFileSync(f)));
  const m = measureVerify(ofds);
  const kb = ofds.reduce((s, b) => s + b.length, 0) / ofds.length / 1024;
  console.log(`${m.files} valid signed OFD(s), ${m.signatures} signature(s), mean ${kb.toFixed(0)} KiB`);
  console.log(`cold (first sight of each seal/key): ${m.coldPerSecond.toFixed(0)} documents/s`);
  console.log(`warm parse+verify: ${m.warmPerSecond.toFixed(0)} documents/s per core`);
  console.log(`warm verify only (package opened): ${m.verifyOnlyPerSecond.toFixed(0)} documents/s per core`);
  console.log(`yardstick: bare SM2 verify ${m.sm2PerSecond.toFixed(0)}/s in this run (about 840/s on an idle core)`);
}

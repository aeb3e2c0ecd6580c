#!/usr/bin/env node
// `npm test`: runs every Jest project (unit, server, browser) and ends with the line CI reads:
// "N passed, N failed[, N skipped]". Extra arguments go to Jest (e.g. `npm test -- server/src/formats`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.test-output');
mkdirSync(out, { recursive: true });
// One results file per run: several runs in one checkout must not read each other's counts.
const resultFile = join(out, `jest-results-${process.pid}.json`);
rmSync(resultFile, { force: true });

const args = ['--json', `--outputFile=${resultFile}`, ...process.argv.slice(2)];
if (!args.some((a) => a.startsWith('--maxWorkers') || a === '-i' || a === '--runInBand')) args.push('--maxWorkers=2');
const r = spawnSync(process.execPath, [join(root, 'node_modules/jest/bin/jest.js'), ...args], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, TZ: process.env.TZ ?? 'Asia/Shanghai' },
});

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(resultFile)) {
  const res = JSON.parse(readFileSync(resultFile, 'utf8'));
  passed = res.numPassedTests;
  failed = res.numFailedTests;
  skipped = res.numPendingTests + (res.numTodoTests ?? 0);
  // A test file that fails to load counts as a failure even though it ran no test.
  failed += res.testResults.filter((t) => t.status === 'failed' && t.assertionResults.length === 0).length;
} else failed = 1;
const code = r.status ?? 1;
if (code !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
rmSync(resultFile, { force: true });
process.exit(code);

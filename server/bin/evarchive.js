#!/usr/bin/env node
// The `evarchive` command. Runs the built server (server/dist) when it is there and up to date with the
// sources; otherwise (a fresh clone, a developer's edits, EVARCHIVE_FROM_SRC=1) it compiles the TypeScript on
// the fly with swc, so `npx evarchive …` works right after `npm install`.
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const serverDir = join(__dirname, '..');
const distMain = join(serverDir, 'dist', 'cli', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const useDist =
  process.env.EVARCHIVE_FROM_SRC !== '1' &&
  existsSync(distMain) &&
  statSync(distMain).mtimeMs >= newestMtime(join(serverDir, 'src'));

if (useDist) {
  require(distMain).main(process.argv);
} else {
  process.env.SWCRC = 'true';
  process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || join(serverDir, '..', 'tsconfig.json');
  require('@swc-node/register');
  require(join(serverDir, 'src', 'cli', 'main.ts')).main(process.argv);
}

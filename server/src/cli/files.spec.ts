import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { collectFiles } from './files';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'evarchive-walk-'));
  mkdirSync(path.join(dir, 'in', 'sub', 'deeper'), { recursive: true });
  writeFileSync(path.join(dir, 'in', 'a.ofd'), 'a');
  writeFileSync(path.join(dir, 'in', '.DS_Store'), 'x');
  writeFileSync(path.join(dir, 'in', 'sub', 'b.xml'), 'b');
  writeFileSync(path.join(dir, 'in', 'sub', 'deeper', 'c.json'), 'c');
  // Links back to parents, a loop, and a second name for a file: none may repeat or run forever.
  symlinkSync('..', path.join(dir, 'in', 'sub', 'up1'));
  symlinkSync('../..', path.join(dir, 'in', 'sub', 'deeper', 'up2'));
  symlinkSync('loop', path.join(dir, 'in', 'loop'));
  symlinkSync('a.ofd', path.join(dir, 'in', 'z-alias.ofd'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('folders are walked in name order, each real folder and file once, links to parents and loops included', () => {
  const r = collectFiles([path.join(dir, 'in')], { skipHidden: true });
  expect(r.files.map((f) => path.relative(dir, f))).toEqual([path.join('in', 'a.ofd'), path.join('in', 'sub', 'b.xml'), path.join('in', 'sub', 'deeper', 'c.json')]);
  expect(r.unreadable).toEqual([`${path.join(dir, 'in', 'loop')}: too many levels of symbolic links (ELOOP)`]);
});

test('hidden names are kept unless asked otherwise; a missing path is named with the reason in words', () => {
  const r = collectFiles([path.join(dir, 'in', '.DS_Store'), path.join(dir, 'nope')]);
  expect(r.files).toEqual([path.join(dir, 'in', '.DS_Store')]);
  expect(r.unreadable).toEqual([`${path.join(dir, 'nope')}: no such file or folder (ENOENT)`]);
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { collectFiles, decodeName, displayPath } from './files';

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
  expect(r.files.map((f) => path.relative(dir, f.name))).toEqual([path.join('in', 'a.ofd'), path.join('in', 'sub', 'b.xml'), path.join('in', 'sub', 'deeper', 'c.json')]);
  expect(r.unreadable).toEqual([`${path.join(dir, 'in', 'loop')}: too many levels of symbolic links (ELOOP)`]);
});

test('hidden names are kept unless asked otherwise; a missing path is named with the reason in words', () => {
  const r = collectFiles([path.join(dir, 'in', '.DS_Store'), path.join(dir, 'nope')]);
  expect(r.files.map((f) => f.name)).toEqual([path.join(dir, 'in', '.DS_Store')]);
  expect(r.unreadable).toEqual([`${path.join(dir, 'nope')}: no such file or folder (ENOENT)`]);
});

// 发票 in GBK (B7 A2 C6 B1) and 2024年报销 in GBK: names from an old Windows zip or share, not valid UTF-8.
const GBK_FAPIAO = Buffer.from([0xb7, 0xa2, 0xc6, 0xb1]);
const GBK_BAOXIAO = Buffer.concat([Buffer.from('2024'), Buffer.from([0xc4, 0xea, 0xb1, 0xa8, 0xcf, 0xfa])]);

test('names in GBK bytes are walked by their exact bytes (the file opens) and shown decoded as GB18030', () => {
  const root = path.join(dir, 'gbk');
  mkdirSync(root);
  const sub = Buffer.concat([Buffer.from(root + path.sep), GBK_BAOXIAO]);
  mkdirSync(sub);
  const file = Buffer.concat([sub, Buffer.from(path.sep), GBK_FAPIAO, Buffer.from('.xml')]);
  writeFileSync(file, 'gbk');
  writeFileSync(path.join(root, '发票.xml'), 'utf8');
  // The same name once in GBK and once in UTF-8 side by side: two files, two names.
  writeFileSync(Buffer.concat([Buffer.from(root + path.sep), GBK_FAPIAO, Buffer.from('.xml')]), 'gbk twin');
  const r = collectFiles([root]);
  expect(r.unreadable).toEqual([]);
  // Byte order: 2024… (ASCII), then B7 A2 (GBK), then E5 8F 91 (UTF-8 发).
  expect(r.files.map((f) => path.relative(root, f.name))).toEqual([path.join('2024年报销', '发票.xml'), '%B7%A2%C6%B1.xml', '发票.xml']);
  expect(r.files.map((f) => readFileSync(f.path, 'utf8'))).toEqual(['gbk', 'gbk twin', 'utf8']);
  expect(r.files[0].path.equals(file)).toBe(true);
});

test('a name is UTF-8 when it is valid UTF-8, else GB18030, else UTF-8 with U+FFFD; paths decode per component', () => {
  expect(decodeName(Buffer.from('凭证.ofd'))).toBe('凭证.ofd');
  expect(decodeName(GBK_FAPIAO)).toBe('发票');
  expect(decodeName(Buffer.from([0x61, 0xff]))).toBe('a\ufffd');
  expect(displayPath(Buffer.concat([Buffer.from('/数据/'), GBK_FAPIAO]))).toBe(`${path.sep}数据${path.sep}发票`);
});

import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { verifyDetached } from '../../src/modules/checks/report-signature';
import { verifyXmlSignature } from '../../src/modules/archive/xmlsig';
import { createEnv, createVolume, eicarDatabase, type Env } from './fixture';

const run = promisify(execFile);
const BIN = join(__dirname, '..', '..', 'bin', 'evarchive.js');

let env: Env;
let pdfPath: string;
beforeAll(async () => {
  env = await createEnv('report');
  process.env.EVARCHIVE_CLAMAV_DB = eicarDatabase(env.dataDir);
  const v = await createVolume(env, { items: 2, attachmentCount: (i) => (i === 1 ? 2 : 1) });
  const r = await env.checks.checkVolume(v.volumeId, 'GD', { type: 'user', id: null, name: '档案员甲' });
  pdfPath = join(env.dataDir, 'report.pdf');
  writeFileSync(pdfPath, r.reportPdf);
  writeFileSync(`${pdfPath}.sig`, r.reportSig);
  writeFileSync(join(env.dataDir, 'report.xml'), r.reportXml);
});
afterAll(async () => {
  delete process.env.EVARCHIVE_CLAMAV_DB;
  await env.close();
});

describe('the check report', () => {
  test('its Chinese renders from the embedded font alone (empty fontconfig) and reads back with pdftotext', () => {
    // An empty fontconfig: no system font can stand in, so what renders comes from the embedded subset.
    const conf = join(env.dataDir, 'empty-fonts.conf');
    writeFileSync(conf, '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n');
    const fenv = { ...process.env, FONTCONFIG_FILE: conf };
    const out = join(env.dataDir, 'page');
    execFileSync('pdftoppm', ['-r', '40', '-f', '1', '-l', '1', '-png', pdfPath, out], { env: fenv, stdio: 'pipe' });
    const png = readFileSync(`${out}-1.png`);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // pdffonts: one CJK TrueType font, embedded; a subset (the whole wqy-microhei face is ~5 MB, the report far less).
    const fonts = execFileSync('pdffonts', [pdfPath], { env: fenv }).toString();
    expect(fonts).toMatch(/WenQuanYi\S*\s+CID TrueType\s+Identity-H\s+yes/);
    expect(readFileSync(pdfPath).length).toBeLessThan(1_000_000);
    const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { env: fenv }).toString();
    for (const s of ['四性检测报告', '真实性', '完整性', '可用性', '安全性', '否决项不通过', 'GD-ZS-1-1', 'GD-WZ-3-1', 'GD-AQ-1-1', '不通过', '档案员甲']) expect(text).toContain(s);
  });

  test('its signatures verify, and a tampered copy fails (CLI exit code 1)', async () => {
    const pdf = readFileSync(pdfPath);
    const sig = readFileSync(`${pdfPath}.sig`);
    const ok = verifyDetached(pdf, sig, { trustedCertificatePem: readFileSync(join(env.dataDir, 'keys', 'sm2-signing.crt.pem'), 'utf8') });
    expect(ok).toMatchObject({ ok: true, problems: [] });
    const bad = Buffer.from(pdf);
    bad[Math.floor(bad.length / 2)] ^= 0x01;
    expect(verifyDetached(bad, sig).ok).toBe(false);
    expect(verifyXmlSignature(readFileSync(join(env.dataDir, 'report.xml'), 'utf8')).ok).toBe(true);
    expect(verifyXmlSignature(readFileSync(join(env.dataDir, 'report.xml'), 'utf8').replace('GD-ZS-1-1', 'GD-ZS-1-9')).ok).toBe(false);

    const badPath = join(env.dataDir, 'tampered.pdf');
    writeFileSync(badPath, bad);
    writeFileSync(`${badPath}.sig`, sig);
    const r = await run(process.execPath, [BIN, 'report', 'verify', badPath], { timeout: 60_000 }).then(
      (x) => ({ code: 0, ...x }),
      (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('INVALID');
    expect(r.stderr).toContain('changed since signing');
  });
});

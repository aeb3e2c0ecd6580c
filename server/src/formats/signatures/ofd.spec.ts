import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { FormatError } from '../errors';
import { sm3 } from '../crypto/hash';
import { sm2 } from '../crypto/sm2';
import { createSm2Certificate } from '../crypto/x509-build';
import { buildSesSealV4, buildSesSignatureV4 } from '../ses/build';
import { verifyOfdSignatures, readOfdSeals } from './ofd';
import { CORPUS, corpusAvailable, corpusFile, openOfdFile, packageFromMap, unzipOfd } from './test-helpers';
import { readFileSync } from 'node:fs';

const enc = (s: string) => new TextEncoder().encode(s);

/**
 * Expected verdict of every OFD in the corpus (file name → verdict). Where a file is not `valid`, the reason
 * was checked by hand: see signatures/README.md "Corpus".
 */
const EXPECTED: Record<string, string> = {
  'AnnXF__esl-demo/output.ofd': 'incomplete', // Sign_3 lists SignedValue.dat that is not in the package
  'AnnXF__esl-demo/test-1.ofd': 'invalid', // page content changed after sealing
  'AnnXF__esl-demo/test-edit.ofd': 'unsigned',
  'AnnXF__esl-demo/test.ofd': 'valid',
  'Mmiaoshu__SignClient/ClientSigned.ofd': 'invalid', // 110-byte signature value that verifies in no known form
  'Mmiaoshu__SignClient/ServerSigned.ofd': 'valid', // legacy V1 RSA-SHA1 over Signature.xml
  'Mmiaoshu__SignClient/test-signed.ofd': 'valid', // legacy V1 SM2, SM3(Z ‖ file) reference digests
  'itlabers__ofd-go/samples__0200216819200056225_001_21253000001_20220101_acc.ofd': 'valid',
  'itlabers__ofd-go/samples__DZHD_1605281110201000001_202205250016050102202100000069141950_20220525_000413.ofd': 'valid', // DJ: SignValue.dat
  'itlabers__ofd-go/samples__bank_receipt_1.ofd': 'valid',
  'itlabers__ofd-go/samples__bker_issuer_20191231_C10303110004552019030390296600243000000000019444.ofd': 'valid',
  'itlabers__ofd-go/samples__bkrs_issuer_20220309_C1030311000455.ofd': 'valid',
  'itlabers__ofd-go/samples__gh11.ofd': 'valid', // DJ: SignValue.dat
  'itlabers__ofd-go/samples__gonghang_1.ofd': 'valid', // DER signature missing its final zero byte
  'itlabers__ofd-go/samples__售票换开样例.ofd': 'valid', // Type=Sign, GM/T CMS SignedData
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__1.ofd': 'valid',
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__20240531141733.ofd': 'unsigned',
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__999.ofd': 'valid',
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__SignScaleError.ofd': 'valid',
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__V4RideRight.ofd': 'valid',
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__csfapiao1.ofd': 'unsigned',
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__h.ofd': 'invalid', // 2nd seal changed Signatures.xml protected by the 1st
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__n.ofd': 'invalid', // files re-serialised after signing
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__signout.ofd': 'unsigned',
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__testImageNotFound.ofd': 'valid',
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__zsbk.ofd': 'invalid', // both seals: pages changed after signing
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__不规范资源路径.ofd': 'valid', // DJ: SignValue.dat
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__发票监制章-数科.ofd': 'unsigned',
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__发票示例.ofd': 'invalid', // Document.xml changed
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__安证通手动盖章.ofd': 'valid',
  'ofdrw__ofdrw/ofdrw-converter__src__test__resources__金格信创自动盖章.ofd': 'valid', // KingGrid version 2
  'ofdrw__ofdrw/ofdrw-crypto__src__test__resources__hello-integrity.ofd': 'unsigned',
  'ofdrw__ofdrw/ofdrw-layout__src__test__resources__fptpl.ofd': 'incomplete', // signatures stripped, list kept
  'ofdrw__ofdrw/ofdrw-layout__src__test__resources__no_page_container.ofd': 'unsigned',
  'ofdrw__ofdrw/ofdrw-reader__src__test__resources__SESV4SignDoc.ofd': 'invalid', // signed after the seal expired
  'ofdrw__ofdrw/ofdrw-reader__src__test__resources__helloworld.ofd': 'unsigned',
  'ofdrw__ofdrw/ofdrw-reader__src__test__resources__keyword.ofd': 'invalid', // OFD.xml, Document.xml, page changed
  'ofdrw__ofdrw/ofdrw-reader__src__test__resources__path_unstd.ofd': 'unsigned',
  'ofdrw__ofdrw/ofdrw-sign__src__test__resources__DigitalSign.ofd': 'incomplete', // bare signature, no certificate
  'ofdrw__ofdrw/ofdrw-sign__src__test__resources__allprotected.ofd': 'valid',
  'ofdrw__ofdrw/ofdrw-sign__src__test__resources__signedFile.ofd': 'valid',
  'ofdrw__ofdrw/ofdrw-sign__src__test__resources__v4signed.ofd': 'valid',
  'renoyuan__easyofd/test__增值税电子专票5.ofd': 'valid',
  'renoyuan__easyofd/test__test.zip': 'unsigned',
};

if (!corpusAvailable) console.warn(`corpus not found at ${CORPUS}: corpus OFD signature tests skipped`);

describe('OFD signatures of every corpus OFD', () => {
  const present = Object.keys(EXPECTED).filter((f) => existsSync(corpusFile(f)));

  (corpusAvailable ? it : it.skip)('gives the expected verdict for each file', () => {
    const got: Record<string, string> = {};
    for (const f of present) got[f] = verifyOfdSignatures(openOfdFile(corpusFile(f))).verdict;
    const want = Object.fromEntries(present.map((f) => [f, EXPECTED[f]]));
    expect(got).toEqual(want);
    expect(present.length).toBeGreaterThanOrEqual(40);
  });

  (corpusAvailable ? it : it.skip)('covers every signed OFD of the corpus in the table', () => {
    const unlisted: string[] = [];
    for (const dir of readdirSync(CORPUS)) {
      for (const f of readdirSync(path.join(CORPUS, dir))) {
        const rel = `${dir}/${f}`;
        if (!/\.ofd$/.test(f) || EXPECTED[rel] || rel.startsWith('c5soft__ofd.js/examples__ofds__6.')) continue;
        if (rel.startsWith('c5soft__ofd.js/examples__solid__')) continue; // checked below
        unlisted.push(rel);
      }
    }
    expect(unlisted).toEqual([]);
  });

  (corpusAvailable ? it : it.skip)('verifies the c5soft Type=Sign samples (CMS SignedData, SM2)', () => {
    const dir = path.join(CORPUS, 'c5soft__ofd.js');
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('examples__solid__')) : [];
    for (const f of files) {
      const r = verifyOfdSignatures(openOfdFile(path.join(dir, f)));
      expect(`${f} ${r.verdict} ${r.reports.map((x) => x.format)}`).toBe(`${f} valid pkcs7`);
    }
  });

  const INVOICE = 'ofdrw__ofdrw/ofdrw-converter__src__test__resources__1.ofd';
  const haveInvoice = corpusAvailable && existsSync(corpusFile(INVOICE));

  (haveInvoice ? it : it.skip)('reports every check of a tax-bureau invoice seal in a sentence', () => {
    const r = verifyOfdSignatures(openOfdFile(corpusFile(INVOICE)));
    expect(r.signaturesPath).toBe('Doc_0/Signs/Signatures.xml');
    expect(r.reports).toHaveLength(1);
    const rep = r.reports[0];
    expect(rep).toMatchObject({ type: 'seal', format: 'ses-v4', location: 'Doc_0/Signs/Sign_0', digestsOk: true, signatureValid: true, chain: 'not-checkable', signingTime: '2020-07-23T13:09:07.000Z' });
    expect(rep.signerSubject).toMatch(/^CN=浙江省税务监制章电子证书/);
    expect(rep.reasons).toContain('reference /Doc_0/Pages/Page_0/Content.xml: SM3 digest matches');
    expect(rep.reasons).toContain('data hash: SM3 of Signature.xml matches TBS_Sign.dataHash');
    expect(rep.reasons.some((s) => /^signature: SM2\/SM3 signature of signer ".*" over TBS_Sign verifies$/.test(s))).toBe(true);
    expect(rep.reasons.some((s) => /^seal maker signature over SES_SealInfo verifies/.test(s))).toBe(true);
    expect(rep.reasons).toContain("signer certificate is in the seal's certificate list");
    expect(rep.reasons).toContain('seal validity 2019-10-23 … 2023-05-28 covers the signing time 2020-07-23T13:09:07.000Z');
    const detail = r.details[0];
    expect(detail.seal?.name).toBe('国家税务总局浙江省税务局');
    // The renderer's cheap path gives the same placement and picture without verifying.
    const placements = readOfdSeals(openOfdFile(corpusFile(INVOICE)));
    expect(placements).toHaveLength(1);
    expect(placements[0].stampAnnots).toEqual(detail.stampAnnots);
    expect(placements[0].seal?.picture?.data).toEqual(detail.seal?.picture?.data);
    expect(detail.seal?.picture?.type).toBe('ofd');
    expect(detail.stampAnnots.length).toBeGreaterThan(0);
  });

  (haveInvoice ? it : it.skip)('tampering: page content, SignedValue.dat, Signature.xml; and a missing SignedValue.dat', () => {
    const base = () => unzipOfd(new Uint8Array(readFileSync(corpusFile(INVOICE))));
    const flip = (files: Map<string, Uint8Array>, entry: string, at: (b: Uint8Array) => number) => {
      const b = files.get(entry)!.slice();
      b[at(b)] ^= 0x01;
      files.set(entry, b);
      return verifyOfdSignatures(packageFromMap(files));
    };

    const page = flip(base(), 'Doc_0/Pages/Page_0/Content.xml', (b) => b.length - 20);
    expect(page.verdict).toBe('invalid');
    expect(page.reports[0].digestsOk).toBe(false);
    expect(page.reports[0].signatureValid).toBe(true);
    expect(page.reports[0].reasons).toContain('reference /Doc_0/Pages/Page_0/Content.xml: SM3 digest mismatch (file changed after signing)');

    const value = flip(base(), 'Doc_0/Signs/Sign_0/SignedValue.dat', (b) => b.length - 3); // inside the signature value
    expect(value.verdict).toBe('invalid');
    expect(value.reports[0].signatureValid).toBe(false);
    expect(value.reports[0].reasons.some((s) => s.startsWith('signature invalid: SM2/SM3 signature of signer'))).toBe(true);

    const xml = flip(base(), 'Doc_0/Signs/Sign_0/Signature.xml', (b) => Buffer.from(b).indexOf(Buffer.from('20200723130907')) + 3);
    expect(xml.verdict).toBe('invalid');
    expect(xml.reports[0].digestsOk).toBe(false);
    expect(xml.reports[0].reasons.some((s) => s.startsWith('data hash mismatch:'))).toBe(true);

    const missing = base();
    missing.delete('Doc_0/Signs/Sign_0/SignedValue.dat');
    const m = verifyOfdSignatures(packageFromMap(missing));
    expect(m.verdict).toBe('incomplete');
    expect(m.reports[0].signatureValid).toBeNull();
    expect(m.reports[0].reasons).toContain('SignedValue.dat listed as /Doc_0/Signs/Sign_0/SignedValue.dat but missing from the package: signature value not checkable');

    const noPage = base();
    noPage.delete('Doc_0/Pages/Page_0/Content.xml');
    const p = verifyOfdSignatures(packageFromMap(noPage));
    expect(p.verdict).toBe('invalid');
    expect(p.reports[0].reasons).toContain('reference /Doc_0/Pages/Page_0/Content.xml: file missing from the package');
  });
});

describe('robustness: damaged signature files never crash the verifier', () => {
  const INVOICE = 'ofdrw__ofdrw/ofdrw-converter__src__test__resources__1.ofd';
  (corpusAvailable && existsSync(corpusFile(INVOICE)) ? it : it.skip)('random byte flips and truncations give a report, never an exception', () => {
    const files = unzipOfd(new Uint8Array(readFileSync(corpusFile(INVOICE))));
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const verdicts = new Set<string>();
    for (let i = 0; i < 120; i++) {
      const entry = ['Doc_0/Signs/Sign_0/SignedValue.dat', 'Doc_0/Signs/Sign_0/Signature.xml', 'Doc_0/Signs/Signatures.xml', 'OFD.xml'][i % 4];
      const copy = new Map(files);
      const b = files.get(entry)!;
      const damaged = i % 3 === 0 ? b.subarray(0, rnd(b.length)) : b.slice();
      if (i % 3 !== 0) for (let k = 0; k < 1 + rnd(4); k++) damaged[rnd(damaged.length)] ^= 1 + rnd(255);
      copy.set(entry, damaged);
      let r;
      try {
        r = verifyOfdSignatures(packageFromMap(copy));
      } catch (e) {
        // An unreadable OFD.xml means the file is not an OFD: the one FormatError the verifier throws.
        expect(e).toBeInstanceOf(FormatError);
        expect(entry).toBe('OFD.xml');
        verdicts.add('format-error');
        continue;
      }
      verdicts.add(r.verdict);
      // Signatures.xml is not among 1.ofd's references: a change that keeps the list readable may stay valid.
      if (r.verdict === 'valid' && entry !== 'Doc_0/Signs/Signatures.xml') throw new Error(`damaged ${entry} (case ${i}) still valid: ${r.reports.map((x) => x.reasons.join(' / ')).join(' // ')}`);
    }
    expect(verdicts.has('invalid')).toBe(true);
  });
});

describe('OFD signatures of a generated package (test CA, V4 seal)', () => {
  const rootKey = sm2.generateKeyPair();
  const signerKey = sm2.generateKeyPair();
  const rootName: Array<[string, string]> = [['C', 'CN'], ['CN', '测试根 CA']];
  const notBefore = new Date('2024-01-01T00:00:00Z');
  const notAfter = new Date('2030-01-01T00:00:00Z');
  const root = createSm2Certificate({ subject: rootName, publicKey: rootKey.publicKey, issuerPrivateKey: rootKey.privateKey, notBefore, notAfter, isCa: true });
  const signer = createSm2Certificate({ subject: [['C', 'CN'], ['CN', '测试单位']], issuer: rootName, publicKey: signerKey.publicKey, issuerPrivateKey: rootKey.privateKey, notBefore, notAfter });
  const seal = buildSesSealV4({
    vid: 'TEST', esId: '1', name: '测试章', signerCerts: [signer.der], createDate: notBefore, validStart: notBefore, validEnd: notAfter,
    picture: { type: 'png', data: new Uint8Array(8), widthMm: 40, heightMm: 40 }, makerCert: root.der, makerPrivateKey: rootKey.privateKey,
  });

  function build(): Map<string, Uint8Array> {
    const files = new Map<string, Uint8Array>();
    // Relative Signatures path in OFD.xml and a relative BaseLoc, as some producers write them.
    files.set('OFD.xml', enc('<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot><ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures></ofd:DocBody></ofd:OFD>'));
    files.set('Doc_0/Document.xml', enc('<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"/>'));
    files.set('Doc_0/Pages/Page_0/Content.xml', enc('<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content/></ofd:Page>'));
    files.set('Doc_0/Signs/Signatures.xml', enc('<ofd:Signatures xmlns:ofd="http://www.ofdspec.org/2016"><ofd:MaxSignId>1</ofd:MaxSignId><ofd:Signature ID="1" Type="Seal" BaseLoc="Sign_0/Signature.xml"/></ofd:Signatures>'));
    const refs = ['OFD.xml', 'Doc_0/Document.xml', 'Doc_0/Pages/Page_0/Content.xml', 'Doc_0/Signs/Signatures.xml']
      .map((p) => `<ofd:Reference FileRef="/${p}"><ofd:CheckValue>${Buffer.from(sm3(files.get(p)!)).toString('base64')}</ofd:CheckValue></ofd:Reference>`)
      .join('');
    const sigXml = enc(`<?xml version="1.0" encoding="UTF-8"?><ofd:Signature xmlns:ofd="http://www.ofdspec.org/2016"><ofd:SignedInfo><ofd:Provider ProviderName="evarchive-test"/><ofd:SignatureMethod>1.2.156.10197.1.501</ofd:SignatureMethod><ofd:SignatureDateTime>20250305112131Z</ofd:SignatureDateTime><ofd:References CheckMethod="1.2.156.10197.1.401">${refs}</ofd:References><ofd:StampAnnot ID="1" PageRef="1" Boundary="10 10 40 40"/></ofd:SignedInfo><ofd:SignedValue>SignedValue.dat</ofd:SignedValue></ofd:Signature>`);
    files.set('Doc_0/Signs/Sign_0/Signature.xml', sigXml);
    files.set('Doc_0/Signs/Sign_0/SignedValue.dat', buildSesSignatureV4({
      seal, timeInfo: new Date('2025-03-05T11:21:31Z'), signedFile: sigXml, propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml', signerCert: signer.der, signerPrivateKey: signerKey.privateKey,
    }));
    return files;
  }

  it('is valid, with a trusted chain against the test root', () => {
    const r = verifyOfdSignatures(packageFromMap(build()), { trustAnchors: [root] });
    expect(r.verdict).toBe('valid');
    expect(r.reports[0]).toMatchObject({ format: 'ses-v4', digestsOk: true, signatureValid: true, chain: 'trusted', signerSubject: 'CN=测试单位, C=CN' });
    expect(r.uncoveredFiles).toEqual([]);
    expect(r.details[0].stampAnnots).toEqual([{ id: '1', pageRef: '1', boundary: '10 10 40 40', clip: undefined }]);
    expect(verifyOfdSignatures(packageFromMap(build()), { requireTrustedChain: true }).verdict).toBe('incomplete');
    expect(verifyOfdSignatures(packageFromMap(build()), { trustAnchors: [signer], requireTrustedChain: true }).verdict).toBe('valid');
  });

  it('fails a signature whose protected file appears twice in the ZIP', () => {
    const pkg = Object.assign(packageFromMap(build()), { duplicates: ['Doc_0/Pages/Page_0/Content.xml'] });
    const r = verifyOfdSignatures(pkg);
    expect(r.verdict).toBe('invalid');
    expect(r.reports[0].reasons).toContain('the ZIP holds more than one entry named Doc_0/Pages/Page_0/Content.xml: readers may show contents other than the signed ones');
    const harmless = Object.assign(packageFromMap(build()), { duplicates: ['Doc_0/Res/unrelated.png'] });
    expect(verifyOfdSignatures(harmless).verdict).toBe('valid');
  });

  it('reports files added after signing, and a missing Signature.xml as incomplete', () => {
    const added = build();
    added.set('Doc_0/Attachs/extra.xml', enc('<x/>'));
    const r = verifyOfdSignatures(packageFromMap(added));
    expect(r.verdict).toBe('valid');
    expect(r.uncoveredFiles).toEqual(['Doc_0/Attachs/extra.xml']);
    expect(r.reports[0].reasons).toContain('1 package file(s) protected by no signature (added after signing?): Doc_0/Attachs/extra.xml');

    const gone = build();
    gone.delete('Doc_0/Signs/Sign_0/Signature.xml');
    const g = verifyOfdSignatures(packageFromMap(gone));
    expect(g.verdict).toBe('incomplete');
    expect(g.reports[0].reasons).toEqual(['Signature.xml listed as Sign_0/Signature.xml but missing from the package']);
  });

  it('treats unreadable parts as reports, and a package without OFD.xml as a FormatError', () => {
    const broken = build();
    broken.set('Doc_0/Signs/Sign_0/SignedValue.dat', enc('not DER'));
    const r = verifyOfdSignatures(packageFromMap(broken));
    expect(r.verdict).toBe('unsupported');
    expect(r.reports[0].reasons.some((s) => s.startsWith('unsupported: SignedValue (7 bytes'))).toBe(true);

    const dtd = build();
    dtd.set('Doc_0/Signs/Signatures.xml', enc('<!DOCTYPE x [<!ENTITY a "b">]><ofd:Signatures/>'));
    const d = verifyOfdSignatures(packageFromMap(dtd));
    expect(d.verdict).toBe('incomplete');
    expect(d.reports[0].reasons[0]).toMatch(/^Signatures.xml unreadable: .*DTD/);

    const noOfd = build();
    noOfd.delete('OFD.xml');
    expect(() => verifyOfdSignatures(packageFromMap(noOfd))).toThrow(FormatError);
  });
});

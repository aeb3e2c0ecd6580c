import { sm2 } from '../crypto/sm2';
import { createSm2Certificate } from '../crypto/x509-build';
import { buildSesSealV4 } from '../ses/build';
import { verifyOfdSignatures } from './ofd';
import { sealOfdPackage } from './sign';
import { packageFromMap } from './test-helpers';

const enc = (s: string) => new TextEncoder().encode(s);

describe('sealOfdPackage (factory side)', () => {
  const rootKey = sm2.generateKeyPair();
  const rootName: Array<[string, string]> = [['C', 'CN'], ['CN', 'evarchive 测试根 CA']];
  const notBefore = new Date('2024-01-01T00:00:00Z');
  const notAfter = new Date('2030-01-01T00:00:00Z');
  const root = createSm2Certificate({ subject: rootName, publicKey: rootKey.publicKey, issuerPrivateKey: rootKey.privateKey, notBefore, notAfter, isCa: true });
  const party = (cn: string) => {
    const key = sm2.generateKeyPair();
    const cert = createSm2Certificate({ subject: [['C', 'CN'], ['CN', cn]], issuer: rootName, publicKey: key.publicKey, issuerPrivateKey: rootKey.privateKey, notBefore, notAfter });
    const seal = buildSesSealV4({
      vid: 'EVARCHIVE', esId: `3301000000000${cn.length}`, name: `${cn}专用章`, signerCerts: [cert.der], createDate: notBefore, validStart: notBefore, validEnd: notAfter,
      picture: { type: 'png', data: Uint8Array.of(0x89, 0x50, 0x4e, 0x47), widthMm: 40, heightMm: 40 }, makerCert: root.der, makerPrivateKey: rootKey.privateKey,
    });
    return { key, cert, seal };
  };
  const unsigned = () =>
    new Map<string, Uint8Array>([
      ['OFD.xml', enc('<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.1"><ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')],
      ['Doc_0/Document.xml', enc('<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"/>')],
      ['Doc_0/Pages/Page_0/Content.xml', enc('<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"/>')],
    ]);

  it('produces a package that verifies with a trusted chain, and takes a second seal', () => {
    const bureau = party('测试财政局');
    const bank = party('测试银行');
    const once = sealOfdPackage(unsigned(), { seal: bureau.seal, signerCert: bureau.cert.der, signerPrivateKey: bureau.key.privateKey, signingTime: new Date('2025-03-05T11:21:31Z'), stamp: { pageRef: '1', boundary: '120 10 40 40' } });
    const r1 = verifyOfdSignatures(packageFromMap(once), { trustAnchors: [root] });
    expect(r1.verdict).toBe('valid');
    expect(r1.signaturesPath).toBe('Doc_0/Signs/Signatures.xml');
    expect(r1.reports[0]).toMatchObject({ format: 'ses-v4', digestsOk: true, signatureValid: true, chain: 'trusted', signingTime: '2025-03-05T11:21:31.000Z', signerSubject: 'CN=测试财政局, C=CN' });
    expect(r1.details[0].seal?.name).toBe('测试财政局专用章');
    expect(r1.uncoveredFiles).toEqual([]);

    const twice = sealOfdPackage(once, { seal: bank.seal, signerCert: bank.cert.der, signerPrivateKey: bank.key.privateKey, signingTime: new Date('2025-03-06T08:00:00Z') });
    const r2 = verifyOfdSignatures(packageFromMap(twice), { trustAnchors: [root] });
    expect(r2.verdict).toBe('valid');
    expect(r2.reports.map((r) => r.location)).toEqual(['Doc_0/Signs/Sign_0', 'Doc_0/Signs/Sign_1']);
    expect(r2.reports.map((r) => r.signerSubject)).toEqual(['CN=测试财政局, C=CN', 'CN=测试银行, C=CN']);

    // The first seal protects the page: changing it breaks both.
    twice.set('Doc_0/Pages/Page_0/Content.xml', enc('<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><x/></ofd:Page>'));
    const r3 = verifyOfdSignatures(packageFromMap(twice));
    expect(r3.verdict).toBe('invalid');
    expect(r3.reports.every((r) => r.digestsOk === false)).toBe(true);
  });

  it('refuses a package without OFD.xml', () => {
    const p = party('x');
    expect(() => sealOfdPackage(new Map(), { seal: p.seal, signerCert: p.cert.der, signerPrivateKey: p.key.privateKey, signingTime: new Date() })).toThrow(/no OFD.xml/);
  });
});

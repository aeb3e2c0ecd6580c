import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sm2 as smc } from 'sm-crypto-v2';
import { FormatError } from '../errors';
import { readDer, readOctetString, readBitOrOctetString, Tag, concatBytes, toHex } from '../asn1/der';
import { seq, oid, explicit, encodeLength } from '../asn1/writer';
import { digest } from '../crypto/hash';
import { decodeSm2Signature, encodeSm2SignatureDer } from '../crypto/sm2';
import { parseCertificate, readCertificates } from '../crypto/x509';
import { opensslSm2 } from '../crypto/test-openssl';
import { corpusAvailable, corpusFile, openOfdFile, CORPUS } from './test-helpers';
import { verifyCms, isCmsSignedData, cmsToReport } from './cms';

const enc = (s: string) => new TextEncoder().encode(s);

/** openssl-made RSA CMS signatures (independent producer): detached with and without signed attributes. */
function opensslCms(content: Uint8Array, extra: string[]): { der: Uint8Array; certPem: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'evarchive-cms-'));
  try {
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-subj', '/C=CN/O=测试银行/CN=测试银行电子回单专用', '-utf8', '-days', '3650', '-sha256']);
    writeFileSync(path.join(dir, 'content.bin'), content);
    run(['cms', '-sign', '-binary', '-in', 'content.bin', '-signer', 'c.pem', '-inkey', 'k.pem', '-outform', 'DER', '-out', 'sig.der', ...extra]);
    return { der: new Uint8Array(readFileSync(path.join(dir, 'sig.der'))), certPem: readFileSync(path.join(dir, 'c.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('CMS SignedData (RFC 5652) made by openssl with RSA', () => {
  const content = enc('%PDF byte ranges or Signature.xml');

  (opensslSm2 ? it : it.skip)('verifies a detached signature with signed attributes, and catches a changed content', () => {
    const { der, certPem } = opensslCms(content, ['-md', 'sha256']);
    expect(isCmsSignedData(der)).toBe(true);
    const ok = verifyCms(der, { detachedContent: content });
    expect(ok).toMatchObject({ digestsOk: true, signatureValid: true, chain: 'not-checkable', signerSubject: 'CN=测试银行电子回单专用, O=测试银行, C=CN' });
    expect(ok.signingTime).toBeInstanceOf(Date);
    expect(ok.reasons).toContain('messageDigest matches the SHA-256 digest of the signed content');
    expect(ok.reasons).toContain('RSA/SHA-256 signature of signer "测试银行电子回单专用" over the signed attributes verifies');

    const changed = verifyCms(der, { detachedContent: enc('%PDF byte ranges or Signature.xmL') });
    expect(changed.digestsOk).toBe(false);
    expect(changed.signatureValid).toBe(true);
    expect(changed.reasons.some((s) => s.startsWith('messageDigest mismatch: the signed content was changed'))).toBe(true);

    const digestOnly = verifyCms(der, { digestOnly: true });
    expect(digestOnly.digestsOk).toBeNull();
    expect(digestOnly.signatureValid).toBe(true);

    expect(verifyCms(der, { detachedContent: content, trustAnchors: readCertificates(certPem) }).chain).toBe('trusted');
  });

  (opensslSm2 ? it : it.skip)('verifies SHA-1 without signed attributes (signature over the content itself)', () => {
    const { der } = opensslCms(content, ['-md', 'sha1', '-noattr']);
    const ok = verifyCms(der, { detachedContent: content });
    expect(ok.signatureValid).toBe(true);
    expect(ok.digestsOk).toBe(true); // the signature itself covers the content
    expect(verifyCms(der, { detachedContent: enc('other') })).toMatchObject({ signatureValid: false, digestsOk: false });
  });

  (opensslSm2 ? it : it.skip)('finds the signer by subjectKeyIdentifier (-keyid) among several certificates', () => {
    // No embedded certificates: the signer must be picked by key identifier from two same-named candidates.
    const { der, certPem } = opensslCms(content, ['-md', 'sha256', '-keyid', '-nocerts']);
    const other = opensslCms(content, ['-md', 'sha256']);
    const r = verifyCms(der, { detachedContent: content, certificates: [...readCertificates(other.certPem), ...readCertificates(certPem)] });
    expect(r).toMatchObject({ digestsOk: true, signatureValid: true, signerSubject: 'CN=测试银行电子回单专用, O=测试银行, C=CN' });
    expect(verifyCms(der, { detachedContent: content }).signatureValid).toBeNull(); // no certificate at all
    expect(r.signers[0].signer?.subjectKeyIdentifier).toBeDefined();
  });

  (opensslSm2 ? it : it.skip)('detects a changed signature value', () => {
    const { der } = opensslCms(content, ['-md', 'sha256']);
    const bad = der.slice();
    bad[bad.length - 5] ^= 1; // inside the RSA signature, the last element of SignerInfo
    const r = verifyCms(bad, { detachedContent: content });
    expect(r.signatureValid).toBe(false);
    expect(r.reasons.some((s) => s.startsWith('signature invalid: RSA/SHA-256 signature'))).toBe(true);
  });

  (opensslSm2 ? it : it.skip)('damaged CMS gives a result or a FormatError, never another exception', () => {
    const { der } = opensslCms(content, ['-md', 'sha256']);
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 150; i++) {
      const bad = i % 3 === 0 ? der.subarray(0, rnd(der.length)) : der.slice();
      if (i % 3 !== 0) bad[rnd(bad.length)] ^= 1 + rnd(255);
      // A flip inside an unsigned part (the certificate's own signature, say) may legitimately stay valid;
      // what must never happen is an exception other than FormatError.
      try {
        const r = verifyCms(bad, { detachedContent: content });
        expect(typeof r.reasons.length).toBe('number');
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
      }
    }
  });

  it('rejects what is not SignedData', () => {
    expect(() => verifyCms(seq(oid('1.2.840.113549.1.7.1'), explicit(0, seq())))).toThrow(/not SignedData/);
    expect(() => verifyCms(enc('garbage'))).toThrow(FormatError);
    expect(isCmsSignedData(enc('garbage'))).toBe(false);
  });
});

/** Signature dictionaries of a PDF, found the simple way: /ByteRange [a b c d] and the /Contents hex string. */
function pdfSignature(file: string): { der: Uint8Array; signed: Uint8Array } {
  const pdf = new Uint8Array(readFileSync(file));
  const text = Buffer.from(pdf).toString('latin1');
  const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text)!;
  const [a, b, c, d] = m.slice(1).map(Number);
  const hex = text.slice(a + b, c).replace(/[<>\s]/g, '');
  return { der: Uint8Array.from(Buffer.from(hex, 'hex')), signed: Uint8Array.from([...pdf.subarray(a, a + b), ...pdf.subarray(c, c + d)]) };
}

describe('CMS signatures of real PDF vouchers (corpus)', () => {
  const BANK = corpusFile('hyg__js.sample/pdf-parse__002614004999.pdf'); // adbe.pkcs7.sha1, CFCA RSA
  const INVOICE = corpusFile('kudeerliu48-web__fapiaohezi/fp_api_new__files__087924330369534421__uploads__482078385650808140.pdf'); // adbe.pkcs7.detached

  (corpusAvailable && existsSync(BANK) ? it : it.skip)('bank receipt (adbe.pkcs7.sha1): eContent is SHA-1 of the byte ranges; signature valid', () => {
    const { der, signed } = pdfSignature(BANK);
    const r = verifyCms(der); // content embedded: SHA-1 of the signed byte ranges
    expect(r.signatureValid).toBe(true);
    expect(r.digestsOk).toBe(true);
    expect(toHex(r.content!)).toBe(toHex(digest('sha1', signed)));
    // Given the byte ranges, the embedded SHA-1 is compared too; one changed byte is caught.
    const withRanges = verifyCms(der, { detachedContent: signed });
    expect(withRanges).toMatchObject({ digestsOk: true, signatureValid: true });
    expect(withRanges.reasons).toContain('embedded content is the SHA-1 digest of the signed file');
    const changed = signed.slice();
    changed[500] ^= 1;
    const bad = cmsToReport(verifyCms(der, { detachedContent: changed }), { format: 'pdf-cms', location: 'Signature1' });
    expect(bad).toMatchObject({ type: 'sign', format: 'pdf-cms', location: 'Signature1', digestsOk: false });
    expect(bad.reasons).toContain('embedded content differs from the signed file');
  });

  (corpusAvailable && existsSync(INVOICE) ? it : it.skip)('VAT invoice (adbe.pkcs7.detached): valid over the byte ranges, invalid when one byte changes', () => {
    const { der, signed } = pdfSignature(INVOICE);
    const r = verifyCms(der, { detachedContent: signed });
    expect(r).toMatchObject({ digestsOk: true, signatureValid: true });
    const changed = signed.slice();
    changed[100] ^= 1;
    expect(verifyCms(der, { detachedContent: changed }).digestsOk).toBe(false);
  });
});

describe('GM/T CMS (Type=Sign) signatures of the corpus against sm-crypto-v2', () => {
  /** The signer's key, the signed bytes (DER SET of signed attributes, or the eContent) and the signature. */
  function pieces(der: Uint8Array) {
    const sd = readDer(der, { allowTrailing: true }).child(1).child(0);
    const certs = sd.children.find((k) => k.isContext(0) && k.constructed && k.children[0]?.isUniversal(Tag.sequence) && k.children[0].children.length === 3);
    const si = sd.children[sd.children.length - 1].child(0);
    const attrs = si.children.find((k) => k.isContext(0));
    const encap = sd.child(2);
    const signed = attrs
      ? concatBytes(Uint8Array.of(0x31), encodeLength(attrs.content.length), attrs.content)
      : readOctetString(encap.child(1).child(0));
    const cert = parseCertificate(certs!.children[0].bytes);
    return { key: cert.publicKey.key, signed, signature: readBitOrOctetString(si.children[si.children.length - 1], 'sig') };
  }

  (corpusAvailable ? it : it.skip)('our SM2 verdict on every Type=Sign SignedValue.dat equals sm-crypto-v2\'s', () => {
    let compared = 0;
    for (const dir of readdirSync(CORPUS)) {
      for (const f of readdirSync(`${CORPUS}/${dir}`)) {
        if (!f.endsWith('.ofd')) continue;
        let pkg;
        try {
          pkg = openOfdFile(`${CORPUS}/${dir}/${f}`);
        } catch {
          continue;
        }
        for (const entry of pkg.list().filter((e) => /\/SignedValue\.dat$/.test(e))) {
          const der = pkg.read(entry);
          if (!isCmsSignedData(der)) continue;
          const sigXml = pkg.read(entry.replace(/SignedValue\.dat$/, 'Signature.xml'));
          const ours = verifyCms(der, { detachedContent: sigXml }).signatureValid;
          const p = pieces(der);
          const theirs = smc.doVerifySignature(p.signed, Buffer.from(encodeSm2SignatureDer(decodeSm2Signature(p.signature))).toString('hex'), Buffer.from(p.key).toString('hex'), { der: true, hash: true });
          expect(`${f}:${entry} ${ours}`).toBe(`${f}:${entry} ${theirs}`);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThanOrEqual(8);
  });
});

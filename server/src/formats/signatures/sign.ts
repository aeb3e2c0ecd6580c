/**
 * Sealing an OFD package with a GENUINE GB/T 38540 V4 seal, for the synthetic-voucher factory and tests: the
 * inverse of `verifyOfdSignatures`, laid out like the tax-bureau invoices of the corpus (ofd.md §9):
 *   Doc_0/Signs/Signatures.xml            list (created, or a Signature appended)
 *   Doc_0/Signs/Sign_N/Signature.xml      SignedInfo: Provider, SM3withSM2, time, References (SM3), StampAnnot
 *   Doc_0/Signs/Sign_N/SignedValue.dat    SES_Signature over SM3(Signature.xml)
 *   Doc_0/Signs/Sign_N/Seal.esl           copy of the seal (optional)
 * and OFD.xml gets `DocBody/Signatures` if it has none. References cover every file except Signatures.xml and
 * other signatures' Signature.xml/SignedValue.dat, so further seals can be added (as in the 2020 invoices).
 */
import { sm3 } from '../crypto/hash';
import { buildSesSignatureV4 } from '../ses/build';

export interface SealOfdOptions {
  /** DER SESeal (ses/build.ts `buildSesSealV4`). */
  seal: Uint8Array;
  signerCert: Uint8Array;
  signerPrivateKey: Uint8Array;
  signingTime: Date;
  /** Where the seal picture is drawn: page ID (PageRef) and box "x y w h" in mm. */
  stamp?: { pageRef: string; boundary: string };
  /** Document folder (default Doc_0). */
  docDir?: string;
  providerName?: string;
  /** Also store Seal.esl (default true). */
  writeSealFile?: boolean;
}

const NS = 'http://www.ofdspec.org/2016';
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Returns a new file map with the seal added. Paths are package paths without a leading slash. */
export function sealOfdPackage(input: Map<string, Uint8Array>, opts: SealOfdOptions): Map<string, Uint8Array> {
  const files = new Map(input);
  const docDir = opts.docDir ?? 'Doc_0';
  const signsDir = `${docDir}/Signs`;
  const listPath = `${signsDir}/Signatures.xml`;
  const ofdXml = files.get('OFD.xml');
  if (!ofdXml) throw new Error('sealOfdPackage: the package has no OFD.xml');

  // OFD.xml → DocBody/Signatures.
  let ofdText = dec.decode(ofdXml);
  if (!/<(\w+:)?Signatures>/.test(ofdText)) {
    const m = /<\/((\w+:)?)DocBody>/.exec(ofdText);
    if (!m) throw new Error('sealOfdPackage: OFD.xml has no DocBody');
    ofdText = `${ofdText.slice(0, m.index)}<${m[1]}Signatures>/${listPath}</${m[1]}Signatures>${ofdText.slice(m.index)}`;
    files.set('OFD.xml', enc.encode(ofdText));
  }

  // Next free Sign_N and signature ID.
  let n = 0;
  while ([...files.keys()].some((p) => p.startsWith(`${signsDir}/Sign_${n}/`))) n++;
  const dir = `${signsDir}/Sign_${n}`;
  const existing = files.get(listPath);
  const ids = existing ? [...dec.decode(existing).matchAll(/\sID="(\d+)"/g)].map((m) => Number(m[1])) : [];
  const id = Math.max(0, ...ids) + 1;
  const entry = `<ofd:Signature ID="${id}" Type="Seal" BaseLoc="/${dir}/Signature.xml"/>`;
  const listText = existing
    ? dec.decode(existing).replace(/<(\w+:)?MaxSignId>\d+<\/(\w+:)?MaxSignId>/, `<ofd:MaxSignId>${id}</ofd:MaxSignId>`).replace(/<\/((\w+:)?)Signatures>\s*$/, `${entry}</$1Signatures>`)
    : `<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures xmlns:ofd="${NS}"><ofd:MaxSignId>${id}</ofd:MaxSignId>${entry}</ofd:Signatures>`;
  files.set(listPath, enc.encode(listText));
  if (opts.writeSealFile ?? true) files.set(`${dir}/Seal.esl`, opts.seal);

  // References: every file but the signature list and signature files themselves.
  const isSignatureFile = (p: string) => p === listPath || /\/Sign_\d+\/(Signature\.xml|Sign(ed)?Value\.dat)$/.test(p);
  const refs = [...files.keys()]
    .filter((p) => !isSignatureFile(p))
    .sort()
    .map((p) => `<ofd:Reference FileRef="/${escapeXml(p)}"><ofd:CheckValue>${Buffer.from(sm3(files.get(p)!)).toString('base64')}</ofd:CheckValue></ofd:Reference>`)
    .join('');
  const time = opts.signingTime.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const stamp = opts.stamp ? `<ofd:StampAnnot ID="1" PageRef="${escapeXml(opts.stamp.pageRef)}" Boundary="${escapeXml(opts.stamp.boundary)}"/>` : '';
  const sealLoc = opts.writeSealFile ?? true ? `<ofd:Seal><ofd:BaseLoc>/${dir}/Seal.esl</ofd:BaseLoc></ofd:Seal>` : '';
  const signatureXml = enc.encode(
    `<?xml version="1.0" encoding="UTF-8"?><ofd:Signature xmlns:ofd="${NS}"><ofd:SignedInfo>` +
      `<ofd:Provider ProviderName="${escapeXml(opts.providerName ?? 'evarchive-factory')}" Version="1.0" Company="evarchive"/>` +
      `<ofd:SignatureMethod>1.2.156.10197.1.501</ofd:SignatureMethod><ofd:SignatureDateTime>${time}</ofd:SignatureDateTime>` +
      `<ofd:References CheckMethod="1.2.156.10197.1.401">${refs}</ofd:References>${stamp}${sealLoc}</ofd:SignedInfo>` +
      `<ofd:SignedValue>/${dir}/SignedValue.dat</ofd:SignedValue></ofd:Signature>`,
  );
  files.set(`${dir}/Signature.xml`, signatureXml);
  files.set(
    `${dir}/SignedValue.dat`,
    buildSesSignatureV4({
      seal: opts.seal,
      timeInfo: opts.signingTime,
      signedFile: signatureXml,
      propertyInfo: `/${dir}/Signature.xml`,
      signerCert: opts.signerCert,
      signerPrivateKey: opts.signerPrivateKey,
    }),
  );
  return files;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

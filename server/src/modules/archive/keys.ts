/**
 * The installation's signing keys, generated on first use into `<dataDir>/keys/` (mode 0600, folder 0700):
 * - SM2 key + self-signed SM2/SM3 certificate: signs check reports (detached) and, when chosen, package manifests;
 * - RSA-2048 key + self-signed certificate (node-forge): signs package manifests by default (RSA-SHA256 is what
 *   every receiving XML-DSig tool can verify).
 * The certificates name the installation; a real deployment may replace the files with CA-issued ones.
 */
import forge from 'node-forge';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { certificatePem, createSm2Certificate, generateSm2KeyPair, readCertificates, type Certificate } from '../../formats/crypto';

export interface Sm2SigningKey {
  kind: 'sm2';
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  certificate: Certificate;
  certificatePem: string;
}

export interface RsaSigningKey {
  kind: 'rsa';
  privateKeyPem: string;
  certificatePem: string;
}

const SUBJECT_CN = 'evarchive 电子会计档案系统 签名';

function keysDir(dataDir: string): string {
  const dir = join(dataDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Writes through a temp file and rename, so a crash never leaves half a key. */
function writeSecret(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

const cache = new Map<string, Sm2SigningKey | RsaSigningKey>();

export function sm2SigningKey(dataDir: string): Sm2SigningKey {
  const dir = keysDir(dataDir);
  const keyPath = join(dir, 'sm2-signing.key.hex');
  const certPath = join(dir, 'sm2-signing.crt.pem');
  const hit = cache.get(keyPath);
  if (hit) return hit as Sm2SigningKey;
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    const pair = generateSm2KeyPair();
    const now = new Date();
    const cert = createSm2Certificate({
      subject: [['CN', SUBJECT_CN], ['O', 'evarchive']],
      publicKey: pair.publicKey,
      issuerPrivateKey: pair.privateKey,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + 30 * 365 * 86400_000),
    });
    writeSecret(keyPath, Buffer.from(pair.privateKey).toString('hex') + '\n');
    writeSecret(certPath, certificatePem(cert.der));
  }
  const privateKey = new Uint8Array(Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'hex'));
  const pem = readFileSync(certPath, 'utf8');
  const certificate = readCertificates(pem)[0];
  const key: Sm2SigningKey = { kind: 'sm2', privateKey, publicKey: certificate.publicKey.key, certificate, certificatePem: pem };
  cache.set(keyPath, key);
  return key;
}

export function rsaSigningKey(dataDir: string): RsaSigningKey {
  const dir = keysDir(dataDir);
  const keyPath = join(dir, 'rsa-signing.key.pem');
  const certPath = join(dir, 'rsa-signing.crt.pem');
  const hit = cache.get(keyPath);
  if (hit) return hit as RsaSigningKey;
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    // Node generates the key (native, milliseconds; forge's pure-JS generation takes many seconds); forge builds
    // the certificate.
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    const keys = {
      privateKey: forge.pki.privateKeyFromPem(pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
      publicKey: forge.pki.publicKeyFromPem(pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    };
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(8));
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + 30 * 365 * 86400_000);
    const attrs = [{ shortName: 'CN', value: forge.util.encodeUtf8(SUBJECT_CN) }, { shortName: 'O', value: 'evarchive' }];
    cert.setSubject(attrs);
    cert.setIssuer(attrs);
    cert.setExtensions([{ name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true, nonRepudiation: true }]);
    cert.sign(keys.privateKey, forge.md.sha256.create());
    writeSecret(keyPath, forge.pki.privateKeyToPem(keys.privateKey));
    writeSecret(certPath, forge.pki.certificateToPem(cert));
  }
  const key: RsaSigningKey = { kind: 'rsa', privateKeyPem: readFileSync(keyPath, 'utf8'), certificatePem: readFileSync(certPath, 'utf8') };
  cache.set(keyPath, key);
  return key;
}

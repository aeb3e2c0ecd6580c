/**
 * Builds the archival package (归档信息包) of one volume: a ZIP of stored (uncompressed) entries — the originals
 * byte for byte, the receiver 入账 files, the check report — plus manifest.xml listing every other entry with
 * SHA-256 and SM3 and signed with an enveloped XML signature. Entries are stored, in a fixed order, without
 * timestamps, so the same content always gives the same bytes and `verifyPackage` can compare byte for byte.
 */
import { createHash } from 'node:crypto';
import { writeZip, type ZipWriteEntry } from '../../formats/zip';
import { manifestXml, MANIFEST_PATH, SIGNATURE_LOCATION, type ManifestData, type ManifestFile, type ManifestItem } from './manifest';
import { signXml, type XmlSignatureAlgorithm } from './xmlsig';

export interface PackageFileInput {
  role: string;
  bytes: Uint8Array;
  mediaType: string;
  filename?: string | null;
  format?: string;
}

export interface PackageItemInput extends ManifestItem {
  files: PackageFileInput[];
}

export interface PackageInput {
  createdAt: string;
  creator: string;
  volume: ManifestData['volume'];
  check: ManifestData['check'];
  items: PackageItemInput[];
  /** Package-level files, e.g. report/check-report.pdf and its signature. */
  extras: { path: string; role: string; bytes: Uint8Array; mediaType: string }[];
  signer: { algorithm: XmlSignatureAlgorithm; privateKey: string; certificatePem: string };
}

export interface BuiltPackage {
  zip: Uint8Array;
  manifest: string;
  files: ManifestFile[];
  sha256: string;
  sm3: string;
}

const ROLE_FOLDER: Record<string, string> = { original: 'originals', receiver_xbrl: 'receiver', receiver_json: 'receiver', journal: 'journal' };

/** A file name safe inside the ZIP: letters, digits, CJK, dot, dash, underscore; never a path. */
function safeName(name: string | null | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9\u4e00-\u9fff._-]/g, '_').replace(/^\.+/, '');
  return cleaned.length > 0 && cleaned.length <= 120 ? cleaned : fallback;
}

export const digestHex = (alg: 'sha256' | 'sm3', b: Uint8Array) => createHash(alg).update(b).digest('hex');

export function buildPackage(input: PackageInput): BuiltPackage {
  const entries: ZipWriteEntry[] = [];
  const files: ManifestFile[] = [];
  const used = new Set<string>([MANIFEST_PATH]);
  const add = (path: string, role: string, itemSeq: number | null, bytes: Uint8Array, mediaType: string, originalName?: string | null) => {
    if (used.has(path)) throw new Error(`two package files would be named ${path}`);
    used.add(path);
    entries.push({ name: path, data: bytes, method: 0 });
    files.push({ path, role, itemSeq, size: bytes.length, sha256: digestHex('sha256', bytes), sm3: digestHex('sm3', bytes), mediaType, originalName: originalName ?? null });
  };
  for (const item of [...input.items].sort((a, b) => a.seq - b.seq)) {
    const seq = String(item.seq).padStart(4, '0');
    item.files.forEach((f, i) => {
      const folder = ROLE_FOLDER[f.role] ?? 'other';
      const sha = digestHex('sha256', f.bytes);
      let name = safeName(f.filename, `${sha.slice(0, 16)}.${f.format ?? 'bin'}`);
      if (used.has(`${folder}/${seq}/${name}`)) name = `${i + 1}-${name}`;
      add(`${folder}/${seq}/${name}`, f.role, item.seq, f.bytes, f.mediaType, f.filename);
    });
  }
  for (const x of input.extras) add(x.path, x.role, null, x.bytes, x.mediaType);
  const unsigned = manifestXml({ createdAt: input.createdAt, creator: input.creator, volume: input.volume, check: input.check, items: input.items, files });
  const signed = signXml(unsigned, { ...input.signer, location: SIGNATURE_LOCATION });
  const zip = writeZip([{ name: MANIFEST_PATH, data: signed, method: 0 }, ...entries]);
  return { zip, manifest: signed, files, sha256: digestHex('sha256', zip), sm3: digestHex('sm3', zip) };
}

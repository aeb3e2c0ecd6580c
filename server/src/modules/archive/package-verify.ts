/**
 * Verifies an archival package without trusting anything in it but the signature: the manifest's XML signature,
 * every listed file's size, SHA-256 and SM3, no missing and no extra entries, and finally the container itself —
 * the builder is deterministic, so the ZIP rebuilt from the verified entries must equal the input byte for byte;
 * any other difference (a flipped byte in a header, the directory or the end record) is named with its offset.
 */
import { openZip, writeZip, type ZipArchive, type ZipEntry } from '../../formats/zip';
import { MANIFEST_PATH, parseManifest, type ManifestFile, type ParsedManifest } from './manifest';
import { digestHex } from './package';
import { verifyXmlSignature, type XmlSignatureVerdict } from './xmlsig';

export type ProblemKind = 'container' | 'manifest' | 'signature' | 'missing' | 'extra' | 'changed';

export interface PackageProblem {
  kind: ProblemKind;
  /** The entry concerned, when there is one. */
  path?: string;
  message: string;
}

export interface PackageVerdict {
  ok: boolean;
  problems: PackageProblem[];
  signature?: XmlSignatureVerdict;
  volume?: ParsedManifest['volume'];
  files: ManifestFile[];
  sha256: string;
  sm3: string;
}

/** Stored entries' bytes straight from the local header, so a CRC mismatch does not hide which digest changed. */
function entryBytes(zip: ZipArchive, bytes: Uint8Array, e: ZipEntry): Uint8Array {
  if (e.method !== 0) return zip.read(e);
  const p = e.localHeaderOffset;
  const nameLen = bytes[p + 26] | (bytes[p + 27] << 8);
  const extraLen = bytes[p + 28] | (bytes[p + 29] << 8);
  const start = p + 30 + nameLen + extraLen;
  if (start + e.compressedSize > bytes.length) throw new Error('entry runs past the end of the file');
  return bytes.subarray(start, start + e.compressedSize);
}

function regionAt(zip: ZipArchive, bytes: Uint8Array, offset: number): string {
  const sorted = [...zip.entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = sorted.length - 1; i >= 0; i--) {
    if (offset >= sorted[i].localHeaderOffset) {
      const end = sorted[i].localHeaderOffset + 30 + 4096 + sorted[i].compressedSize;
      if (offset < end) return `in or after the local header of ${sorted[i].name}`;
      break;
    }
  }
  return offset > bytes.length - 22 ? 'in the end-of-central-directory record' : 'in the central directory';
}

export async function verifyPackage(input: Uint8Array, opts: { trustedCertificatePem?: string } = {}): Promise<PackageVerdict> {
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const out: PackageVerdict = { ok: false, problems: [], files: [], sha256: digestHex('sha256', bytes), sm3: digestHex('sm3', bytes) };
  const problem = (kind: ProblemKind, message: string, path?: string) => out.problems.push({ kind, message, ...(path ? { path } : {}) });
  let zip: ZipArchive;
  try {
    zip = openZip(bytes, { maxTotalSize: 4 * 1024 * 1024 * 1024, maxEntrySize: 1024 * 1024 * 1024, maxEntries: 200_000 });
  } catch (e) {
    problem('container', `not a readable ZIP: ${(e as Error).message}`);
    return out;
  }
  for (const d of zip.duplicates) problem('container', `entry ${d} appears more than once`, d);
  const manifestEntry = zip.get(MANIFEST_PATH);
  if (!manifestEntry) {
    problem('manifest', `${MANIFEST_PATH} is missing`, MANIFEST_PATH);
    return out;
  }
  let manifestText: string;
  try {
    manifestText = new TextDecoder('utf-8', { fatal: true }).decode(entryBytes(zip, bytes, manifestEntry));
  } catch (e) {
    problem('manifest', `${MANIFEST_PATH} is not readable UTF-8: ${(e as Error).message}`, MANIFEST_PATH);
    return out;
  }
  out.signature = verifyXmlSignature(manifestText, opts);
  if (!out.signature.ok) problem('signature', `the manifest signature does not verify: ${out.signature.message}`, MANIFEST_PATH);
  let manifest: ParsedManifest;
  try {
    manifest = parseManifest(manifestText);
  } catch (e) {
    problem('manifest', `${MANIFEST_PATH} cannot be read: ${(e as Error).message}`, MANIFEST_PATH);
    return out;
  }
  out.volume = manifest.volume;
  out.files = manifest.files;
  const listed = new Set(manifest.files.map((f) => f.path));
  const rebuilt: { name: string; data: Uint8Array; method: 0 }[] = [];
  for (const e of zip.entries) {
    let data: Uint8Array;
    try {
      data = entryBytes(zip, bytes, e);
    } catch (err) {
      problem('changed', `${e.name} cannot be read: ${(err as Error).message}`, e.name);
      continue;
    }
    rebuilt.push({ name: e.name, data, method: 0 });
    if (e.name !== MANIFEST_PATH && !listed.has(e.name)) problem('extra', `${e.name} is in the ZIP but not in the manifest`, e.name);
  }
  for (const f of manifest.files) {
    const e = zip.get(f.path);
    if (!e) {
      problem('missing', `${f.path} is listed in the manifest but not in the ZIP`, f.path);
      continue;
    }
    let data: Uint8Array;
    try {
      data = entryBytes(zip, bytes, e);
    } catch {
      continue; // reported above
    }
    const sha = digestHex('sha256', data);
    const sm3 = digestHex('sm3', data);
    if (data.length !== f.size || sha !== f.sha256 || sm3 !== f.sm3) {
      problem('changed', `${f.path} changed: manifest says ${f.size} bytes SHA-256 ${f.sha256} SM3 ${f.sm3}, the entry has ${data.length} bytes SHA-256 ${sha} SM3 ${sm3}`, f.path);
    }
  }
  if (out.problems.length === 0) {
    // Everything listed verifies; now the container: the same entries written again must give the same bytes.
    const again = writeZip(rebuilt);
    if (again.length !== bytes.length || Buffer.compare(Buffer.from(again), Buffer.from(bytes)) !== 0) {
      let i = 0;
      while (i < again.length && i < bytes.length && again[i] === bytes[i]) i++;
      problem('container', `the ZIP structure differs from the canonical package at byte ${i} (${regionAt(zip, bytes, i)}): a header, directory or trailer byte was changed`);
    }
  }
  out.ok = out.problems.length === 0;
  return out;
}

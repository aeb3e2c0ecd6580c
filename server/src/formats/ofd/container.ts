/**
 * The OFD container (GB/T 33190 §7): a ZIP whose entry point is `OFD.xml`, with package paths (ST_Loc) that are
 * either absolute from the package root (`/Doc_0/Signs/Signatures.xml`) or relative to the directory of the
 * file that contains them (`Pages/Page_0/Content.xml` inside `Doc_0/Document.xml`).
 *
 * Real producers deviate (c5soft conformance samples, ofd.md §1): `./` and `../` segments, spaces and `&` in
 * folder names, percent-escapes, a missing leading `/` on absolute paths, case differences. Lookups therefore
 * go exact → percent-decoded → case-insensitive, and `resolveRef` also tries a relative-looking path from the
 * root when the relative reading does not exist.
 */
import { FormatError } from '../errors';
import { openZip, type ZipArchive, type ZipLimits } from '../zip';
import type { OfdPackage } from './package';

/** An opened package: the contract plus what the container noticed on the way. */
export interface OfdContainer extends OfdPackage {
  /** Tolerated oddities (bytes before the ZIP, duplicate entries, recovered directory …), one sentence each. */
  readonly warnings: string[];
  /** Entry names that occur more than once in the ZIP (a tampering signal for signature checks). */
  readonly duplicates: string[];
}

/** Opens OFD bytes as a package. Throws FormatError for anything that is not a readable ZIP with an `OFD.xml`. */
export function openOfd(bytes: Uint8Array, limits?: ZipLimits): OfdContainer {
  const zip = openZip(bytes, limits);
  const pkg = packageFromZip(zip);
  if (!pkg.has('OFD.xml')) {
    throw new FormatError('missing_entry', 'not an OFD package: no OFD.xml entry at the package root', 'OFD.xml');
  }
  return pkg;
}

function packageFromZip(zip: ZipArchive): OfdContainer {
  const files = zip.entries.filter((e) => !e.isDirectory).map((e) => e.name);
  const lookup = makeLookup(files);
  // Inflated entries, kept for the life of the package: the document reader, the data layers and the signature
  // verifier read the same files (the verifier all protected ones), and inflating is a sixth of a read. Bounded
  // by the container's total-size limit, which every inflated byte already counts against (zip.read).
  const inflated = new Map<string, Uint8Array>();
  return {
    warnings: [...zip.warnings],
    duplicates: [...zip.duplicates],
    list: () => [...files],
    has: (path) => lookup(path) !== undefined,
    read(path) {
      const name = lookup(path);
      if (name === undefined) throw new FormatError('missing_entry', 'entry not found in the OFD package', normalisePackagePath(path));
      let data = inflated.get(name);
      if (data === undefined) inflated.set(name, (data = zip.read(name)));
      return data;
    },
  };
}

/**
 * A package from already-unpacked files (path → bytes), e.g. an OFD tree uploaded as a folder, or a package
 * built in memory by a generator. Paths are normalised like ZIP entry names.
 */
export function packageFromFiles(files: Record<string, Uint8Array> | Map<string, Uint8Array>): OfdContainer {
  const map = new Map<string, Uint8Array>();
  for (const [k, v] of files instanceof Map ? files : Object.entries(files)) map.set(normalisePackagePath(k), v);
  const names = [...map.keys()];
  const lookup = makeLookup(names);
  return {
    warnings: [],
    duplicates: [],
    list: () => [...names],
    has: (path) => lookup(path) !== undefined,
    read(path) {
      const name = lookup(path);
      if (name === undefined) throw new FormatError('missing_entry', 'entry not found in the OFD package', normalisePackagePath(path));
      return map.get(name)!;
    },
  };
}

function makeLookup(names: string[]): (path: string) => string | undefined {
  const exact = new Set(names);
  const folded = new Map<string, string>();
  for (const n of names) if (!folded.has(n.toLowerCase())) folded.set(n.toLowerCase(), n);
  // Readers ask for the same few paths again and again (has, then read; the verifier after the reader).
  const answers = new Map<string, string | undefined>();
  const find = (path: string): string | undefined => {
    let p: string;
    try {
      p = normalisePackagePath(path);
    } catch {
      return undefined;
    }
    if (exact.has(p)) return p;
    const decoded = percentDecode(p);
    if (decoded !== p && exact.has(decoded)) return decoded;
    return folded.get(p.toLowerCase()) ?? folded.get(decoded.toLowerCase());
  };
  return (path) => {
    if (answers.has(path)) return answers.get(path);
    const name = find(path);
    if (answers.size < 4096) answers.set(path, name);
    return name;
  };
}

function percentDecode(p: string): string {
  if (!p.includes('%')) return p;
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/**
 * Normalises a package path: `\` → `/`, leading `/` removed, `.` and empty segments dropped, `..` applied.
 * A `..` that would leave the package is an `unsafe_path` error.
 */
export function normalisePackagePath(path: string): string {
  const parts: string[] = [];
  for (const seg of path.trim().replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) throw new FormatError('unsafe_path', 'path climbs above the package root', path);
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

/** The directory part of a package path, with a trailing slash ('' for the root). */
export function dirOf(path: string): string {
  const p = path.replace(/\\/g, '/');
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i + 1);
}

/**
 * Resolves a reference (ST_Loc) found in the file `basePath`: absolute when it starts with `/`, otherwise
 * relative to `basePath`'s directory. Pass a directory (ending in `/`) as base to resolve against it directly
 * (resource `BaseLoc`s).
 */
export function resolvePath(basePath: string, ref: string): string {
  const r = ref.trim().replace(/\\/g, '/');
  if (r.startsWith('/')) return normalisePackagePath(r);
  return normalisePackagePath(dirOf(basePath) + r);
}

/**
 * Resolves a reference to an entry that exists: the standard reading first, then — for producers that omit the
 * leading `/` of an absolute path — the same text from the package root. Returns undefined when neither exists.
 */
export function resolveRef(pkg: OfdPackage, basePath: string, ref: string): string | undefined {
  const candidates: string[] = [];
  for (const make of [() => resolvePath(basePath, ref), () => normalisePackagePath(ref)]) {
    try {
      candidates.push(make());
    } catch {
      /* a candidate that climbs out of the package is simply not a candidate */
    }
  }
  return candidates.find((c) => pkg.has(c));
}

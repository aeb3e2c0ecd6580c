/**
 * Test support: locating the shared real-file corpus and opening OFD files as `OfdPackage`s. Uses the OFD
 * engineer's container reader (ofd/container.ts `openOfd`) when it is there and loads, else a plain fflate
 * unzip, so the signature tests do not depend on another module's progress.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { OfdPackage } from '../ofd/package';

/** /work/shared/corpus/raw as seen from the repository (tests skip when absent). */
export const CORPUS = path.resolve(__dirname, '../../../..', '../shared/corpus/raw');
export const corpusAvailable = existsSync(CORPUS);

export function corpusFile(rel: string): string {
  return path.join(CORPUS, rel);
}

export function packageFromMap(files: Map<string, Uint8Array>): OfdPackage & { files: Map<string, Uint8Array> } {
  return {
    files,
    list: () => [...files.keys()],
    has: (p) => files.has(p.replace(/^\/+/, '')),
    read: (p) => {
      const b = files.get(p.replace(/^\/+/, ''));
      if (!b) throw new Error(`missing ${p}`);
      return b;
    },
  };
}

/** Unzips into a mutable map (tests tamper with entries). */
export function unzipOfd(bytes: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(unzipSync(bytes))) if (!name.endsWith('/')) out.set(name.replace(/^\/+/, ''), data);
  return out;
}

type OpenOfd = (bytes: Uint8Array) => OfdPackage;
let containerOpen: OpenOfd | null | undefined;

/** Opens an OFD file with the project's container reader if available, else with fflate. */
export function openOfdFile(file: string): OfdPackage {
  const bytes = new Uint8Array(readFileSync(file));
  if (containerOpen === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      containerOpen = (require('../ofd/container') as { openOfd?: OpenOfd }).openOfd ?? null;
    } catch {
      containerOpen = null;
    }
  }
  if (containerOpen) {
    try {
      return containerOpen(bytes);
    } catch {
      // fall back: the container reader may be stricter about odd ZIPs than these signature tests need
    }
  }
  return packageFromMap(unzipOfd(bytes));
}

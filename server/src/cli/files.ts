/**
 * The files named on a command line: files as given, folders walked recursively in name order. Symbolic links
 * are followed, but every real folder is walked once and every real file listed once, so a link back to a
 * parent (`ln -s .. up`) cannot make the walk endless or list a file twice. Paths that cannot be read are
 * collected with the reason in words, for the command to report.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export interface CollectOptions {
  /** Leave out names starting with "." inside folders (editor and OS droppings); a path named outright is kept. */
  skipHidden?: boolean;
}

export function collectFiles(paths: string[], opts: CollectOptions = {}): { files: string[]; unreadable: string[] } {
  const files: string[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();
  const walk = (p: string) => {
    let st;
    let real: string;
    try {
      st = statSync(p);
      real = realpathSync(p);
    } catch (e) {
      unreadable.push(`${p}: ${readError(e)}`);
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    if (!st.isDirectory()) {
      if (st.isFile()) files.push(p);
      return;
    }
    let entries: string[];
    try {
      entries = readdirSync(p).sort();
    } catch (e) {
      unreadable.push(`${p}: ${readError(e)}`);
      return;
    }
    for (const e of entries) if (!(opts.skipHidden && e.startsWith('.'))) walk(path.join(p, e));
  };
  for (const p of paths) walk(p);
  return { files, unreadable };
}

/** Why a path cannot be read, in words (the errno code kept for searching). */
export function readError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder (ENOENT)';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`;
  if (code === 'ELOOP') return 'too many levels of symbolic links (ELOOP)';
  return code ?? (e as Error).message;
}

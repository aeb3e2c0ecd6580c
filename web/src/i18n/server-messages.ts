/**
 * Sentences the server writes in English for its log, CLI and tests (import problems, upload outcomes, seal
 * verification reasons, check findings), shown to the reader in the reader's language: by the stable code the
 * server sends beside each sentence, with its parameters. A code without a label (a newer server, an older
 * stored record without a code) shows the server's own sentence, never nothing.
 */
import { isMessageKey } from './labels';
import type { Translate } from './translate';

export type Params = Record<string, string | number>;

/** `<prefix>.<code>` with `params` when that key exists, else `fallback`. */
export function coded(t: Translate, prefix: string, code: string | null | undefined, params: Params | undefined, fallback: string): string {
  if (!code) return fallback;
  const key = `${prefix}.${code}`;
  return isMessageKey(key) ? t(key, params) : fallback;
}

/** A problem the archive package verifier found (server: modules/archive/package-verify.ts): by its kind and entry. */
export function packageProblem(t: Translate, p: { kind: string; path?: string; message: string }): string {
  if ((p.kind === 'missing' || p.kind === 'extra' || p.kind === 'changed') && !p.path) return p.message;
  return coded(t, 'checks.problem', p.kind, { path: p.path ?? '', message: p.message }, p.path ? `${p.kind} ${p.path}: ${p.message}` : `${p.kind}: ${p.message}`);
}

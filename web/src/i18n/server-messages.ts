/**
 * Sentences the server writes in English for its log, CLI and tests (import problems, upload outcomes, seal
 * verification reasons, check findings), shown to the reader in the reader's language: by the stable code the
 * server sends beside each sentence, with its parameters. A code without a label (a newer server, an older
 * stored record without a code) shows the server's own sentence, never nothing.
 */
import { codeLabel, isMessageKey } from './labels';
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

/** One problem of a rejected ledger import (server: modules/ledger/journal.ts, RowError with `code` and `params`). */
export function importProblem(t: Translate, e: { problem: string; code?: string; params?: Params }): string {
  if (e.code === 'schema' && e.params) {
    const general = t('ledger.problem.schema', e.params);
    return coded(t, 'ledger.schema', String(e.params.keyword ?? ''), e.params, general);
  }
  return coded(t, 'ledger.problem', e.code, e.params, e.problem);
}

/** The column of an import problem: a header as the file wrote it, a JSON path, or a field the server names (unit, fonds). */
export function importColumn(t: Translate, column: string): string {
  return coded(t, 'ledger.column', column, undefined, column);
}

/**
 * The note beside one uploaded file's outcome (server: the ingest pipeline's stop codes, `errorCode`). A duplicate
 * carries no code, its outcome says it; the server's sentence (file and voucher ids, the reader's detail) stays
 * available as the note's tooltip.
 */
export function uploadNote(t: Translate, item: { outcome: string | null; errorCode: string | null; message: string | null }): string {
  const fallback = item.message ?? '';
  if (item.outcome === 'duplicate' || item.outcome === 'conflict') return t(item.outcome === 'duplicate' ? 'pool.note.duplicate' : 'pool.note.conflict');
  if (item.outcome === 'rejected') return coded(t, 'pool.reject', item.errorCode, undefined, fallback);
  if (item.outcome === 'linked' && !item.message) return t('pool.note.linked');
  return fallback;
}

/** What a veto item found (server: modules/checks/engine.ts, `messageCode` and `params` beside `message`). */
export function vetoMessage(t: Translate, v: { message: string; messageCode?: string; params?: Params }): string {
  return coded(t, 'checks.finding', v.messageCode, v.params, v.message);
}

/** One reason of a signature report (server: formats/signatures/reason-codes.ts, `reasonCodes[i]` for `reasons[i]`). */
export function signatureReason(t: Translate, sentence: string, c: { code: string; params: Params } | null | undefined): string {
  return coded(t, 'pool.sigReason', c?.code, c?.params, sentence);
}

/** The code of one reading warning (server: formats/warning-codes.ts, `warningCodes[i]` for `warnings[i]`). */
export interface WarningCode {
  code: string;
  params: Params;
  detail?: WarningCode | null;
  reason?: { code: string; params: Params } | null;
}

/**
 * One warning of a voucher's reading in the reader's language. A layer's warning names its source and file and
 * says its inner warning the same way; a signature warning says its failing reason as the signature report does.
 * Sentences no template knows are shown as the server wrote them.
 */
export function voucherWarning(t: Translate, sentence: string, c: WarningCode | null | undefined): string {
  if (!c) return sentence;
  if (c.code === 'layer') {
    const inner = sentence.slice(sentence.indexOf('): ') + 3);
    return coded(t, 'pool.warn', 'layer', { ...warningParams(t, c.params), detail: voucherWarning(t, inner, c.detail) }, sentence);
  }
  if (c.code === 'signature_invalid') return coded(t, 'pool.warn', c.code, { detail: signatureReason(t, String(c.params.detail ?? ''), c.reason) }, sentence);
  return coded(t, 'pool.warn', c.code, warningParams(t, c.params), sentence);
}

/** Values that are themselves codes (a data layer, a kind of package entry, a voucher kind) as labels. */
function warningParams(t: Translate, params: Params): Params {
  const out: Params = { ...params };
  for (const k of ['source', 'other'] as const) if (typeof params[k] === 'string') out[k] = codeLabel(t, String(params[k]).replace(/ /g, '-'), ['pool.warnSource'], String(params[k]));
  if (typeof params.what === 'string') out.what = codeLabel(t, params.what.replace(/ /g, '_'), ['pool.warnEntry'], params.what);
  for (const k of ['kind', 'byCode'] as const) if (typeof params[k] === 'string') out[k] = codeLabel(t, String(params[k]), ['pool.kind'], String(params[k]));
  if (typeof params.verdict === 'string') out.verdict = codeLabel(t, params.verdict, ['pool.verdict'], params.verdict);
  return out;
}

import type { Translate } from './I18nProvider';
import { zhCN, type MessageKey } from './zh-CN';

/** Whether a message key exists (codes from the server are strings; only known ones have labels). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zhCN, key);
}

/**
 * The reader's label of a stored code (voucher kind, pool or volume state, archive category): the first
 * `<prefix>.<code>` key that exists, else `fallback` (e.g. the server's own label), else the code itself — an
 * unknown code is shown as it is rather than hidden.
 */
export function codeLabel(t: Translate, code: string, prefixes: string[], fallback?: string): string {
  for (const p of prefixes) {
    const key = `${p}.${code}`;
    if (isMessageKey(key)) return t(key);
  }
  return fallback ?? code;
}

/** The label prefixes of a search document's state, by what the document is (voucher states differ from volume states). */
export function statePrefixes(docType?: string): string[] {
  if (docType === 'voucher') return ['pool.state'];
  if (docType === 'volume') return ['volumes.state'];
  return ['pool.state', 'volumes.state'];
}

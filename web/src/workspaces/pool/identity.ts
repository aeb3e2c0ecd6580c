import type { Translate } from '../../i18n/translate';

/**
 * A pool record's business identity (server: modules/pool/identity.ts, e.g. `vat:<code>:<number>`, `einv:<number>`,
 * `sha256:<digest>`) in words for a person: which numbers make the voucher unique. A key of a form this page does
 * not know is shown as it is.
 */
export function identityText(t: Translate, key: string | null | undefined): string {
  if (!key) return '—';
  const [prefix, ...rest] = key.split(':');
  const [a, b] = rest;
  switch (prefix) {
    case 'vat':
    case 'efi':
      if (rest.length === 2) return t('pool.identity.codeNumber', { code: a, number: b });
      break;
    case 'ntrev':
      if (rest.length === 2) return t('pool.identity.codeNumber', { code: a, number: b });
      if (rest.length === 1) return t('pool.identity.paymentCode', { code: a });
      break;
    case 'einv':
      if (rest.length === 1) return t('pool.identity.einv', { number: a });
      break;
    case 'rai':
    case 'atr':
      if (rest.length === 1) return t('pool.identity.ticket', { number: a });
      break;
    case 'ctp':
      if (rest.length === 2) return t('pool.identity.codeNumber', { code: a, number: b });
      if (rest.length === 1) return t('pool.identity.number', { number: a });
      break;
    case 'bker':
      if (rest.length === 1) return t('pool.identity.serial', { number: a });
      break;
    case 'bkrs':
      // The period may itself hold a colon-free range; the account is the first part.
      if (rest.length >= 2) return t('pool.identity.statement', { account: a, period: rest.slice(1).join(':') });
      break;
    case 'sha256':
      if (rest.length === 1) return t('pool.identity.content', { digest: a.slice(0, 12) });
      break;
  }
  return key;
}

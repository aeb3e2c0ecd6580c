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
  // Two numbers: code and number (VAT invoices, fiscal bills, non-tax forms, other tickets).
  if (rest.length === 2 && ['vat', 'efi', 'ntrev', 'ctp'].includes(prefix)) return t('pool.identity.codeNumber', { code: a, number: b });
  if (prefix === 'bkrs' && rest.length >= 2) return t('pool.identity.statement', { account: a, period: rest.slice(1).join(':') });
  if (rest.length !== 1) return key;
  const one: Record<string, () => string> = {
    ntrev: () => t('pool.identity.paymentCode', { code: a }),
    einv: () => t('pool.identity.einv', { number: a }),
    rai: () => t('pool.identity.ticket', { number: a }),
    atr: () => t('pool.identity.ticket', { number: a }),
    ctp: () => t('pool.identity.number', { number: a }),
    bker: () => t('pool.identity.serial', { number: a }),
    sha256: () => t('pool.identity.content', { digest: a.slice(0, 12) }),
  };
  return Object.hasOwn(one, prefix) ? one[prefix]() : key;
}

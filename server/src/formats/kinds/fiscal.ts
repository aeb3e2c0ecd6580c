/**
 * Normalisers of the fiscal vouchers: 财政电子票据 (efi), 非税收入一般缴款书 (ntrev) and 国库集中支付电子凭证 (ctp).
 */
import type { SignatureReport, Voucher } from '../voucher';
import { checkLineItemSums, derive } from './checks';

/** 财政电子票据: EInvoiceID is written 票据代码-票据号码 (evoucher-standard §7 / voucher-formats §10). */
export function normaliseFiscalReceipt(v: Voucher): Voucher {
  const id = v.extra.eInvoiceId;
  if (typeof id === 'string') {
    const m = /^([0-9A-Za-z]+)-([0-9A-Za-z]+)$/.exec(id);
    if (m) {
      derive(v, 'invoiceCode', m[1]);
      derive(v, 'invoiceNumber', m[2]);
    } else v.warnings.push(`EInvoiceID "${id}" is not 票据代码-票据号码`);
  }
  checkLineItemSums(v, 'totalAmount');
  return v;
}

interface SignatureElement {
  reference?: string;
  algorithm?: string;
  format?: string;
  time?: string;
  value?: string;
  certificateSerial?: string;
  certificateIssuer?: string;
}

const NTREV_SIGNATURES: Record<string, string> = {
  invoicingParty: 'EINVOICE_SIGNATURE/INVOICING_PARTY_SIGNATURE',
  supervisorParty: 'EINVOICE_SIGNATURE/SUPERVISOR_PARTY_SIGNATURE',
};

/**
 * 非税收入一般缴款书. The e-bill carries two detached CMS signatures (收款单位, 财政监管) over named subtrees of the
 * original XML; their values are reported where they sit, and verification is left to the signature module
 * (`extra.signatureElements`), because the XBRL/JSON forms are re-encodings whose bytes were never signed.
 */
export function normaliseNonTaxPayment(v: Voucher): Voucher {
  checkLineItemSums(v, 'totalAmount');
  const sigs = v.extra.signatureElements as Record<string, SignatureElement> | undefined;
  const reports: SignatureReport[] = [];
  for (const [key, location] of Object.entries(NTREV_SIGNATURES)) {
    const s = sigs?.[key];
    if (!s?.value) continue;
    reports.push({
      type: 'sign',
      format: 'cms',
      location,
      digestsOk: null,
      signatureValid: null,
      signingTime: compactTimeToIso(s.time),
      reasons: [
        `detached ${s.algorithm ?? 'CMS'} signature over ${s.reference ?? 'unknown references'}: not verified here (the signed bytes are the original e-bill XML, not this form)`,
      ],
    });
  }
  if (reports.length) {
    v.signatures = reports;
    v.signatureVerdict = 'unsupported';
  }
  return v;
}

/** `20210825102603+0800` → `2021-08-25T10:26:03+08:00`; other shapes are returned unchanged. */
export function compactTimeToIso(t: string | undefined): string | undefined {
  if (!t) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})([+-]\d{2})(\d{2})$/.exec(t);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7]}:${m[8]}` : t;
}

/** 国库集中支付电子凭证: nothing to derive; its booking entries are checked with the other receivers. */
export function normaliseTreasuryPayment(v: Voucher): Voucher {
  return v;
}

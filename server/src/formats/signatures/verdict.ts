/**
 * The per-document signature verdict from the per-signature reports. Rules (README.md):
 *   unsigned     no signature at all
 *   invalid      any signature whose digests or signature fail (a tampered file, a forged or broken seal)
 *   incomplete   otherwise, any signature that could not be fully checked (a listed file is missing, no
 *                signer certificate, unreadable signing time for a required check …)
 *   unsupported  otherwise, any signature in a format or algorithm this verifier does not handle
 *   valid        every signature's digests and signature verified
 * The certificate chain does not change the verdict by default: trust anchors are an operator setting and
 * most vouchers' issuing CAs (tax bureau, banks) are not configured yet; the chain status is in each report.
 * With `requireTrustedChain`, an untrusted chain makes the document invalid and an uncheckable one incomplete.
 */
import type { SignatureReport, SignatureVerdict } from '../voucher';

/** Reasons starting with this mark a signature this verifier cannot handle (as opposed to a broken one). */
export const UNSUPPORTED = 'unsupported:';

export interface VerdictOptions {
  requireTrustedChain?: boolean;
}

export type ReportClass = 'valid' | 'invalid' | 'incomplete' | 'unsupported';

export function classifyReport(r: SignatureReport, opts: VerdictOptions = {}): ReportClass {
  if (r.digestsOk === false || r.signatureValid === false) return 'invalid';
  if (opts.requireTrustedChain && r.chain === 'untrusted') return 'invalid';
  if (r.digestsOk === true && r.signatureValid === true) {
    if (opts.requireTrustedChain && r.chain !== 'trusted') return 'incomplete';
    return 'valid';
  }
  if (r.reasons.some((s) => s.startsWith(UNSUPPORTED))) return 'unsupported';
  return 'incomplete';
}

export function documentVerdict(reports: SignatureReport[], opts: VerdictOptions = {}): SignatureVerdict {
  if (reports.length === 0) return 'unsigned';
  const classes = reports.map((r) => classifyReport(r, opts));
  for (const c of ['invalid', 'incomplete', 'unsupported'] as const) if (classes.includes(c)) return c;
  return 'valid';
}

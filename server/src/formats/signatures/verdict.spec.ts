import type { SignatureReport } from '../voucher';
import { documentVerdict, classifyReport } from './verdict';

const report = (over: Partial<SignatureReport>): SignatureReport => ({
  type: 'seal', format: 'ses-v4', digestsOk: true, signatureValid: true, chain: 'not-checkable', reasons: [], ...over,
});

describe('documentVerdict', () => {
  it('unsigned without signatures; valid when every signature verified', () => {
    expect(documentVerdict([])).toBe('unsigned');
    expect(documentVerdict([report({}), report({ type: 'sign', format: 'pkcs7' })])).toBe('valid');
  });

  it('invalid beats incomplete beats unsupported', () => {
    const invalid = report({ digestsOk: false });
    const incomplete = report({ signatureValid: null, format: 'unknown', reasons: ['SignedValue.dat listed as … but missing'] });
    const unsupported = report({ digestsOk: null, signatureValid: null, format: 'unknown', reasons: ['unsupported: SignedValue (7 bytes …)'] });
    expect(documentVerdict([report({}), unsupported, incomplete, invalid])).toBe('invalid');
    expect(documentVerdict([report({}), unsupported, incomplete])).toBe('incomplete');
    expect(documentVerdict([report({}), unsupported])).toBe('unsupported');
    expect(documentVerdict([report({ signatureValid: false })])).toBe('invalid');
  });

  it('ignores the chain unless a trusted chain is required', () => {
    expect(documentVerdict([report({ chain: 'untrusted' })])).toBe('valid');
    expect(documentVerdict([report({ chain: 'untrusted' })], { requireTrustedChain: true })).toBe('invalid');
    expect(documentVerdict([report({ chain: 'not-checkable' })], { requireTrustedChain: true })).toBe('incomplete');
    expect(documentVerdict([report({ chain: 'trusted' })], { requireTrustedChain: true })).toBe('valid');
    expect(classifyReport(report({ digestsOk: null }))).toBe('incomplete');
  });
});

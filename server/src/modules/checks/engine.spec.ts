import { evidenceCode, summarise, type CheckResult } from './engine';

const result = (code: string, evidence: Record<string, unknown>, outcome: CheckResult['outcome'] = 'fail'): CheckResult => ({
  code,
  nature: 'AQ',
  name: '病毒检测',
  clause: '',
  severity: 'veto',
  itemId: 'item-1',
  outcome,
  evidence,
});

describe('veto failures carry a code beside the English sentence', () => {
  it('a coded message keeps its sentence and names its values', () => {
    const s = summarise([result('GD-AQ-1-1', { message: 'virus scan not possible: no signatures', messageCode: 'virus_scan_unavailable' })]);
    expect(s.vetoFailures).toEqual([
      { code: 'GD-AQ-1-1', itemId: 'item-1', name: '病毒检测', message: 'virus scan not possible: no signatures', messageCode: 'virus_scan_unavailable', params: { message: 'virus scan not possible: no signatures' } },
    ]);
    expect(evidenceCode({ archivalCode: 'A-1', expected: 'A-2', message: '档号 "A-1" should be "A-2"', messageCode: 'archival_code_mismatch' })).toEqual({
      messageCode: 'archival_code_mismatch',
      params: { archivalCode: 'A-1', expected: 'A-2', message: '档号 "A-1" should be "A-2"' },
    });
  });

  it('failed files by name, an infection with what was found, lists by their key', () => {
    const files = [
      { file: 'f1', name: 'a.ofd', outcome: 'pass' },
      { file: 'f2', name: 'b.ofd', outcome: 'fail', found: 'Eicar-Test-Signature' },
    ];
    expect(evidenceCode({ files })).toEqual({ messageCode: 'virus_found', params: { count: 1, files: 'b.ofd', found: 'Eicar-Test-Signature' } });
    expect(evidenceCode({ files: [{ name: 'c.pdf', outcome: 'fail', verdict: 'invalid' }] })).toEqual({ messageCode: 'files_failed', params: { count: 1, files: 'c.pdf' } });
    expect(evidenceCode({ missing: ['issueDate'] })).toEqual({ messageCode: 'list.missing', params: { count: 1, values: '["issueDate"]' } });
    // An uncoded sentence has no code: readers see the sentence.
    expect(evidenceCode({ message: 'something else' })).toBeUndefined();
    const [v] = summarise([result('GD-ZS-1-1', { message: 'something else' })]).vetoFailures;
    expect(v).toEqual({ code: 'GD-ZS-1-1', itemId: 'item-1', name: '病毒检测', message: 'something else' });
  });
});

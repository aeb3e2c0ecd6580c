import { creditCodeProblem, reqString, reqUuid } from './validate';

describe('identity field checks', () => {
  it('accepts a credit code with the right GB 32100 check character and names the expected one otherwise', () => {
    expect(creditCodeProblem('91350100M000100Y43')).toBeNull();
    expect(creditCodeProblem('91350100M000100Y44')).toBe('check character should be 3');
    expect(creditCodeProblem('91350100M00010OY43')).toMatch(/18 characters/);
  });

  it('names the field in errors', () => {
    expect(() => reqString('  ', 'name')).toThrow('name: required');
    expect(() => reqString('a b', 'code', { pattern: /^\S+$/, hint: 'no spaces' })).toThrow('code: no spaces, got "a b"');
    expect(() => reqUuid('12', 'unitId')).toThrow('unitId: expected an id (UUID), got "12"');
  });
});

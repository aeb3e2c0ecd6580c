import { contentKey, IntegrityError, sha256OfKey, validateKey, validateNamedKey, validatePrefix } from './object-store';

const SHA = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('object keys', () => {
  test('content keys fan out on the first two byte pairs of the SHA-256', () => {
    expect(contentKey(SHA)).toBe(`sha256/ba/78/${SHA}`);
    expect(sha256OfKey(`sha256/ba/78/${SHA}`)).toBe(SHA);
  });

  test('a content key whose folders disagree with its digest promises nothing', () => {
    expect(sha256OfKey(`sha256/00/78/${SHA}`)).toBeUndefined();
    expect(sha256OfKey(`sha256/ba/78/${SHA.toUpperCase()}`)).toBeUndefined();
    expect(sha256OfKey('packages/V1/a.zip')).toBeUndefined();
  });

  test('archive codes and Chinese names are valid key segments', () => {
    expect(validateKey('packages/A001-2026-KJ-Y-0001/会计凭证_第1册.zip')).toBe('packages/A001-2026-KJ-Y-0001/会计凭证_第1册.zip');
    expect(validateNamedKey('reports/2026/fixity@2026-12-03.json')).toBe('reports/2026/fixity@2026-12-03.json');
  });

  test.each([
    ['..', 'a/../b'],
    ['absolute', '/a/b'],
    ['drive letter', 'C:/a'],
    ['empty segment', 'a//b'],
    ['dot segment', './a'],
    ['hidden segment', 'a/.meta/b'],
    ['backslash', 'a\\b'],
    ['space', 'a b'],
    ['newline', 'a\nb'],
  ])('rejects a key with %s', (_what, key) => {
    expect(() => validateKey(key)).toThrow(expect.objectContaining({ code: 'invalid_key', status: 400 }));
  });

  test('prefixes may be empty or end with a slash; sha256/ is reserved for put()', () => {
    expect(validatePrefix('')).toBe('');
    expect(validatePrefix('packages/')).toBe('packages/');
    expect(() => validatePrefix('/')).toThrow(expect.objectContaining({ code: 'invalid_key' }));
    expect(() => validateNamedKey(`sha256/ba/78/${SHA}`)).toThrow(expect.objectContaining({ code: 'invalid_key' }));
    expect(() => validateNamedKey('sha256')).toThrow(expect.objectContaining({ code: 'invalid_key' }));
  });

  test('IntegrityError names the key and both digests', () => {
    const e = new IntegrityError('sha256/ba/78/x', { sha256: 'aa', sm3: 'bb' }, { sha256: 'cc', sm3: 'dd' });
    expect(e).toMatchObject({ code: 'digest_mismatch', status: 500, name: 'IntegrityError', key: 'sha256/ba/78/x' });
    expect(e.message).toBe('stored object sha256/ba/78/x is corrupt: recorded SHA-256 aa / SM3 bb, the bytes hash to cc / dd');
  });
});

import { canonicalJson, entryHash, GENESIS_HASH, jsonNormalise, type ChainedEntry } from './chain';

const base: ChainedEntry = {
  seq: '1',
  at: new Date('2026-12-03T08:00:00.123Z'),
  actorType: 'user',
  actorId: 'u1',
  actorName: 'alice',
  action: 'unit.create',
  targetType: 'unit',
  targetId: 'x',
  unitId: null,
  ip: '127.0.0.1',
  details: { b: 1, a: [2, { d: '南通', c: null }] },
  digests: {},
  prevHash: GENESIS_HASH,
};

describe('audit chain serialisation', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { z: true, y: undefined, x: [3, undefined] } })).toBe('{"a":{"x":[3,null],"z":true},"b":1}');
  });

  it('normalises values the way jsonb returns them', () => {
    expect(jsonNormalise({ d: new Date('2026-01-02T03:04:05.000Z'), n: NaN, u: undefined })).toEqual({ d: '2026-01-02T03:04:05.000Z', n: null });
  });

  it('hashes with SM3 and the hash changes with any field, including the previous hash', () => {
    const h = entryHash(base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(entryHash({ ...base, details: { a: [2, { c: null, d: '南通' }], b: 1 } })).toBe(h);
    expect(entryHash({ ...base, details: { b: 2, a: [2, { d: '南通', c: null }] } })).not.toBe(h);
    expect(entryHash({ ...base, prevHash: 'f'.repeat(64) })).not.toBe(h);
    expect(entryHash({ ...base, at: new Date('2026-12-03T08:00:00.124Z') })).not.toBe(h);
  });

  it('is SM3 of the canonical text (GB/T 32905 vector checked against the "abc" digest)', () => {
    const { createHash } = require('node:crypto');
    expect(createHash('sm3').update('abc').digest('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
});

import { FormatError } from '../errors';
import {
  readDer, readInteger, readOid, readBitString, readString, readTime, readOctetString, decodeOid, Tag, toHex,
} from './der';
import * as w from './writer';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function expectBadDer(fn: () => unknown, pattern: RegExp) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).code).toBe('bad_der');
    expect((e as FormatError).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a bad_der FormatError');
}

describe('DER reader', () => {
  it('reads a nested SEQUENCE with positions kept', () => {
    // SEQUENCE { INTEGER 5, OID 1.2.156.10197.1.501, UTF8String "印章" }
    const der = w.seq(w.int(5), w.oid('1.2.156.10197.1.501'), w.utf8String('印章'));
    const root = readDer(der);
    expect(root.isUniversal(Tag.sequence)).toBe(true);
    expect(root.children).toHaveLength(3);
    expect(readInteger(root.child(0))).toBe(5n);
    expect(readOid(root.child(1))).toBe('1.2.156.10197.1.501');
    expect(readString(root.child(2))).toBe('印章');
    expect(root.child(1).start).toBe(5);
    expect(toHex(root.child(1).bytes)).toBe('06082a811ccf55018375');
  });

  it('decodes negative integers and long-form lengths', () => {
    expect(readInteger(readDer(hex('0201ff')))).toBe(-1n);
    expect(readInteger(readDer(hex('02020080')))).toBe(128n);
    const long = w.octets(new Uint8Array(300));
    expect(toHex(long.subarray(0, 4))).toBe('0482012c');
    expect(readOctetString(readDer(long))).toHaveLength(300);
  });

  it('reads UTCTime and GeneralizedTime with fractions', () => {
    expect(readTime(readDer(w.utcTime(new Date('2020-03-05T11:21:31Z')))).toISOString()).toBe('2020-03-05T11:21:31.000Z');
    const gen = w.tlv(0x18, new TextEncoder().encode('20200723130907.763Z'));
    expect(readTime(readDer(gen)).toISOString()).toBe('2020-07-23T13:09:07.763Z');
    expect(readTime(readDer(w.utcTime(new Date('1999-12-31T00:00:00Z')))).getUTCFullYear()).toBe(1999);
  });

  it('reads BMPString and BIT STRING', () => {
    expect(readString(readDer(hex('1e04 4e2d 6587')))).toBe('中文');
    expect(toHex(readBitString(readDer(hex('030300abcd'))))).toBe('abcd');
  });

  it('rejects a length running past the end, with the offset', () => {
    expectBadDer(() => readDer(hex('3005 0201 05')), /declares 5 content bytes but only 3 remain.*offset 0/);
    expectBadDer(() => readDer(hex('30 03 02 05 01')).children, /declares 5 content bytes but only 1 remain.*offset 2/);
  });

  it('rejects trailing bytes, indefinite lengths (unless allowed) and absurd lengths', () => {
    expectBadDer(() => readDer(hex('020105 00')), /1 unexpected byte\(s\) after the top-level element/);
    expect(readDer(hex('020105 00'), { allowTrailing: true }).end).toBe(3);
    const ber = hex('3080 020101 020102 0000');
    expectBadDer(() => readDer(ber), /indefinite length is not DER/);
    const node = readDer(ber, { allowIndefinite: true });
    expect(node.children.map((k) => readInteger(k))).toEqual([1n, 2n]);
    expect(node.end).toBe(ber.length);
    expectBadDer(() => readDer(hex('30 85 0000000001 00')), /length of 5 octets/);
    expectBadDer(() => readDer(new Uint8Array(0)), /empty input/);
  });

  it('limits nesting depth instead of recursing without bound', () => {
    let der: Uint8Array = w.int(1);
    for (let i = 0; i < 100; i++) der = w.seq(der);
    let node = readDer(der);
    expectBadDer(() => {
      for (;;) node = node.child(0);
    }, /nesting deeper than 64/);
  });

  it('names a missing element', () => {
    expectBadDer(() => readDer(w.seq(w.int(1))).child(3, 'signature'), /signature missing: SEQUENCE at offset 0 has 1 element/);
  });

  it('rejects malformed OIDs and BIT STRINGs', () => {
    expectBadDer(() => decodeOid(hex('2a81')), /ends inside an arc/);
    expectBadDer(() => readBitString(readDer(hex('030109'))), /declares 9 unused bits/);
    expectBadDer(() => readString(readDer(hex('1c04 ffffffff'))), /invalid code point/);
  });
});

describe('DER writer', () => {
  it('encodes integers in the fewest octets (two’s complement)', () => {
    expect(toHex(w.int(0))).toBe('020100');
    expect(toHex(w.int(127))).toBe('02017f');
    expect(toHex(w.int(128))).toBe('02020080');
    expect(toHex(w.int(-128))).toBe('020180');
    expect(toHex(w.int(-129))).toBe('0202ff7f');
    expect(toHex(w.int(256))).toBe('02020100');
    for (const v of [0n, 1n, -1n, 255n, -256n, 65535n, -65536n, 2n ** 70n, -(2n ** 70n)]) expect(readInteger(readDer(w.int(v)))).toBe(v);
  });

  it('encodes OIDs, SET OF in sorted order, and explicit tags', () => {
    expect(toHex(w.oid('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(toHex(w.setOf(w.int(2), w.int(1)))).toBe('3106020101020102');
    expect(toHex(w.explicit(0, w.int(2)))).toBe('a003020102');
    expect(toHex(w.generalizedTime(new Date('2020-02-25T00:00:00.500Z')))).toBe(toHex(w.tlv(0x18, new TextEncoder().encode('20200225000000Z'))));
  });
});

import { deflateRawSync, constants } from 'node:zlib';
import { FormatError } from '../errors';
import { concatBytes, writeZip } from './write';
import { crc32 } from './crc32';
import { openZip, safeEntryName } from './zip';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function errorOf(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError');
}

/** Raw deflate data for `mb` MiB of zeros, built from one byte-aligned 1 MiB block repeated (≈1 KB per MiB). */
function zerosDeflated(mb: number): Uint8Array {
  const block = deflateRawSync(Buffer.alloc(1 << 20), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const parts: Uint8Array[] = Array(mb).fill(block);
  parts.push(new Uint8Array([0x03, 0x00])); // final, empty fixed-Huffman block
  return concatBytes(parts);
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('openZip', () => {
  const sample = () =>
    writeZip([
      { name: 'OFD.xml', data: '<ofd:OFD/>', method: 0 },
      { name: 'Doc_0/', data: '', method: 0 },
      { name: 'Doc_0/Document.xml', data: '<ofd:Document>' + ' '.repeat(5000) + '</ofd:Document>', method: 8 },
      { name: 'Doc_0/附件/说明.txt', data: '说明', method: 8 },
    ]);

  it('lists stored, deflated and directory entries and reads them lazily', () => {
    const zip = openZip(sample());
    expect(zip.source).toBe('central-directory');
    expect(zip.entries.map((e) => e.name)).toEqual(['OFD.xml', 'Doc_0/', 'Doc_0/Document.xml', 'Doc_0/附件/说明.txt']);
    expect(zip.entries.map((e) => e.method)).toEqual([0, 0, 8, 8]);
    expect(zip.get('Doc_0/')?.isDirectory).toBe(true);
    expect(text(zip.read('OFD.xml'))).toBe('<ofd:OFD/>');
    expect(text(zip.read('Doc_0/Document.xml'))).toHaveLength(5029);
    expect(text(zip.read('Doc_0/附件/说明.txt'))).toBe('说明');
    expect(zip.warnings).toEqual([]);
  });

  it('tolerates bytes before the archive and after its end, correcting every offset', () => {
    const junk = new TextEncoder().encode('%%金格 prefix junk%%');
    const zip = openZip(concatBytes([junk, sample(), new Uint8Array(70_000).fill(7)]));
    expect(text(zip.read('OFD.xml'))).toBe('<ofd:OFD/>');
    expect(text(zip.read('Doc_0/附件/说明.txt'))).toBe('说明');
    expect(zip.warnings).toEqual([`${junk.length} bytes before the ZIP archive were ignored`, '70000 bytes after the end of the ZIP archive were ignored']);
  });

  it('recovers the entries from local headers when the central directory is missing', () => {
    const full = sample();
    const cd = Buffer.from(full).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const zip = openZip(full.subarray(0, cd + 30)); // EOCD and most of the central directory cut away
    expect(zip.source).toBe('local-headers');
    expect(zip.warnings[0]).toMatch(/no end-of-central-directory record; entries recovered from local headers/);
    expect(text(zip.read('Doc_0/附件/说明.txt'))).toBe('说明');
  });

  it('falls back to local headers when a central directory record is damaged', () => {
    const b = sample().slice();
    const cd = Buffer.from(b).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const second = Buffer.from(b).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), cd + 4);
    b[second + 1] = 0x00; // break the second record's signature
    const zip = openZip(b);
    expect(zip.source).toBe('local-headers');
    expect(zip.warnings[0]).toMatch(/^central directory unreadable \(central directory record 2 is damaged or cut off at offset \d+\); entries recovered from local headers$/);
    expect(text(zip.read('Doc_0/附件/说明.txt'))).toBe('说明');
  });

  it('reads ZIP64 end records (entry count and directory offset in 64 bits)', () => {
    const plain = sample();
    const dv = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
    const eocdAt = plain.length - 22;
    const count = dv.getUint16(eocdAt + 10, true);
    const cdSize = dv.getUint32(eocdAt + 12, true);
    const cdOffset = dv.getUint32(eocdAt + 16, true);
    const z = new Uint8Array(56 + 20 + 22);
    const zv = new DataView(z.buffer);
    zv.setUint32(0, 0x06064b50, true); // ZIP64 end of central directory record
    zv.setBigUint64(4, 44n, true);
    zv.setBigUint64(24, BigInt(count), true);
    zv.setBigUint64(32, BigInt(count), true);
    zv.setBigUint64(40, BigInt(cdSize), true);
    zv.setBigUint64(48, BigInt(cdOffset), true);
    zv.setUint32(56, 0x07064b50, true); // locator
    zv.setBigUint64(64, BigInt(eocdAt), true);
    zv.setUint32(72, 1, true);
    zv.setUint32(76, 0x06054b50, true); // classic record, saturated
    zv.setUint16(76 + 8, 0xffff, true);
    zv.setUint16(76 + 10, 0xffff, true);
    zv.setUint32(76 + 12, 0xffffffff, true);
    zv.setUint32(76 + 16, 0xffffffff, true);
    const zip = openZip(concatBytes([plain.subarray(0, eocdAt), z]));
    expect(zip.source).toBe('central-directory');
    expect(zip.entries).toHaveLength(4);
    expect(text(zip.read('OFD.xml'))).toBe('<ofd:OFD/>');
  });

  it('decodes legacy GBK entry names (no UTF-8 flag), as Chinese Windows zippers write them', () => {
    const gbk = new Uint8Array([...Buffer.from('Doc_0/'), 0xb8, 0xbd, 0xbc, 0xfe, 0x2e, 0x78, 0x6d, 0x6c]); // Doc_0/附件.xml
    const zip = openZip(writeZip([{ name: '', rawName: gbk, data: '<a/>' }]));
    expect(zip.entries[0].name).toBe('Doc_0/附件.xml');
    expect(text(zip.read('Doc_0/附件.xml'))).toBe('<a/>');
  });

  it('recovers entries written with data descriptors (sizes after the data) when there is no central directory', () => {
    const name = Buffer.from('OFD.xml');
    const data = Buffer.from('<ofd:OFD/>');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0808, 6); // UTF-8 name, sizes in a data descriptor
    local.writeUInt16LE(name.length, 26);
    const dd = Buffer.alloc(16);
    dd.writeUInt32LE(0x08074b50, 0);
    dd.writeUInt32LE(crc32(data), 4);
    dd.writeUInt32LE(data.length, 8);
    dd.writeUInt32LE(data.length, 12);
    const zip = openZip(concatBytes([local, name, data, dd]));
    expect(zip.source).toBe('local-headers');
    expect(zip.entries[0]).toMatchObject({ name: 'OFD.xml', size: 10, compressedSize: 10 });
    expect(text(zip.read('OFD.xml'))).toBe('<ofd:OFD/>');
  });

  it('reports a truncated archive, naming the entry that is cut off', () => {
    const full = sample();
    const cut = full.subarray(0, 140); // inside Doc_0/Document.xml's data
    const e = errorOf(() => openZip(cut));
    expect(e.code).toBe('truncated');
    expect(e.message).toMatch(/^Doc_0\/Document\.xml: entry data runs past the end of the archive/);
  });

  it('says not_zip for other bytes', () => {
    expect(errorOf(() => openZip(new TextEncoder().encode('%PDF-1.7 not a zip at all, just text'))).code).toBe('not_zip');
    expect(errorOf(() => openZip(new Uint8Array(3))).code).toBe('not_zip');
  });

  it('refuses paths that climb out, absolute paths and backslash traversal', () => {
    for (const name of ['../evil.sh', 'Doc_0/../../evil', '/etc/passwd', 'C:/Windows/x', '..\\..\\evil.bat', 'a\\..\\..\\b']) {
      const e = errorOf(() => openZip(writeZip([{ name, data: 'x' }])));
      expect(e.code).toBe('unsafe_path');
      expect(e.message.startsWith(`${name}: `)).toBe(true);
    }
    expect(safeEntryName('Doc_0\\Pages\\./Page_0//Content.xml')).toBe('Doc_0/Pages/Page_0/Content.xml');
  });

  it('reports duplicate names and reads the first occurrence', () => {
    const zip = openZip(writeZip([{ name: 'OFD.xml', data: 'first' }, { name: 'OFD.xml', data: 'second' }]));
    expect(zip.duplicates).toEqual(['OFD.xml']);
    expect(zip.warnings).toContain('duplicate entry name OFD.xml: the first occurrence is used');
    expect(text(zip.read('OFD.xml'))).toBe('first');
  });

  it('detects damaged data by CRC', () => {
    const zip = openZip(writeZip([{ name: 'a.txt', data: 'hello', method: 0, crc: 0x12345678 }]));
    const e = errorOf(() => zip.read('a.txt'));
    expect(e.code).toBe('truncated');
    expect(e.message).toMatch(/^a\.txt: CRC-32 mismatch/);
  });

  it('refuses unsupported compression methods by name', () => {
    const bytes = writeZip([{ name: 'a.txt', data: 'hello', method: 0 }]);
    // Patch method 0 → 12 (bzip2) in the local and central headers.
    const b = bytes.slice();
    b[8] = 12;
    const cd = b.length - 22 - 46 - 5;
    b[cd + 10] = 12;
    expect(errorOf(() => openZip(b).read('a.txt'))).toMatchObject({ code: 'unsupported_compression' });
  });

  it('refuses an honest zip bomb (1 GiB of zeros declared) before inflating anything', () => {
    const bomb = zerosDeflated(1024);
    const e = errorOf(() => openZip(writeZip([{ name: 'bomb.bin', data: new Uint8Array(0), rawDeflate: bomb, declaredSize: 2 ** 30 }])));
    expect(e.code).toBe('too_large');
    expect(e.message).toMatch(/^bomb\.bin: entry declares 1073741824 bytes/);
  });

  it('stops a lying zip bomb (1 GiB of zeros declared as 1 KB) after a few MB, with bounded memory', () => {
    const bomb = zerosDeflated(1024);
    expect(bomb.length).toBeLessThan(1_100_000);
    const zip = openZip(writeZip([{ name: 'Doc_0/bomb.xml', data: new Uint8Array(0), rawDeflate: bomb, declaredSize: 1000 }]), {
      maxTotalSize: 2 ** 31,
    });
    global.gc?.();
    const before = process.memoryUsage();
    const e = errorOf(() => zip.read('Doc_0/bomb.xml'));
    const after = process.memoryUsage();
    expect(e.code).toBe('truncated');
    expect(e.message).toMatch(/^Doc_0\/bomb\.xml: entry inflates to more than its declared 1000 bytes/);
    expect(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)).toBeLessThan(64 * 1024 * 1024);
  });

  it('catches a small entry that inflates past its declared size without allocating for it', () => {
    const data = new Uint8Array(100_000).fill(0x41);
    const zip = openZip(writeZip([{ name: 'a.xml', data, method: 8, declaredSize: 10 }]));
    expect(zip.entries[0].compressedSize).toBeLessThan(1000);
    expect(errorOf(() => zip.read('a.xml'))).toMatchObject({ code: 'truncated', message: 'a.xml: entry inflates to more than its declared 10 bytes' });
    // And one whose data is shorter than declared.
    const short = openZip(writeZip([{ name: 'b.xml', data: new Uint8Array(50), method: 8, declaredSize: 60 }]));
    expect(errorOf(() => short.read('b.xml'))).toMatchObject({ code: 'truncated', message: 'b.xml: entry declares 60 bytes but holds 50' });
  });

  it('stops a bomb whose declared size is within limits by the running compression ratio', () => {
    const bomb = zerosDeflated(1024);
    // Declares 40 MB: below the entry limit, and the declared ratio (≈38:1) looks harmless.
    const zip = openZip(writeZip([{ name: 'bomb.bin', data: new Uint8Array(0), rawDeflate: bomb, declaredSize: 40 * 1024 * 1024 }]));
    const before = process.memoryUsage();
    const e = errorOf(() => zip.read('bomb.bin'));
    const after = process.memoryUsage();
    expect(e.code).toBe('compression_ratio');
    expect(e.message).toMatch(/^bomb\.bin: entry inflates at more than 200:1/);
    expect(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)).toBeLessThan(64 * 1024 * 1024);
  });

  it('enforces the per-entry and total limits on actual output', () => {
    const data = new Uint8Array(300_000).fill(65);
    const zip = openZip(writeZip([{ name: 'big.txt', data, method: 0, declaredSize: 10 }]), { maxEntrySize: 100_000 });
    expect(errorOf(() => zip.read('big.txt'))).toMatchObject({ code: 'too_large' });
    const two = writeZip([
      { name: 'a', data: new Uint8Array(60_000), method: 0 },
      { name: 'b', data: new Uint8Array(60_000), method: 0 },
    ]);
    expect(errorOf(() => openZip(two, { maxTotalSize: 100_000 })).message).toMatch(/entries declare 120000 bytes in total/);
  });

  it('refuses 100,000 entries from the end record, before parsing them', () => {
    const entries = Array.from({ length: 100_000 }, (_, i) => ({ name: `f${i}`, data: new Uint8Array(0), method: 0 as const }));
    const bytes = writeZip(entries);
    const t0 = Date.now();
    const before = process.memoryUsage();
    const e = errorOf(() => openZip(bytes));
    const after = process.memoryUsage();
    expect(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)).toBeLessThan(16 * 1024 * 1024);
    expect(e.code).toBe('too_many_entries');
    expect(e.message).toBe('ZIP archive declares 65535 entries, more than the limit of 10000');
    expect(Date.now() - t0).toBeLessThan(1000);
    // A lower limit is honoured too, counted while reading the directory.
    expect(errorOf(() => openZip(writeZip(entries.slice(0, 50)), { maxEntries: 20 })).code).toBe('too_many_entries');
  });
});

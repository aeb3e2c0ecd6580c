import * as zlib from 'node:zlib';

/** CRC-32 (ISO-HDLC, the ZIP/PNG polynomial 0xEDB88320), incremental. */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

// Node's native CRC-32 (zlib, since 20.15 / 22.2) when present: the same function, an order of magnitude faster
// than the table loop on inflated entries. (It returns 0 for empty input whatever `previous` is, so short inputs
// stay on the loop below.)
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** Continues a CRC: start with `crc32(data)`, then `crc32(more, previous)`. */
export function crc32(data: Uint8Array, previous = 0): number {
  if (nativeCrc32 && data.length >= 64) return nativeCrc32(data, previous >>> 0) >>> 0;
  let c = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

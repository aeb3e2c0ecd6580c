/**
 * Images the factory embeds: a minimal PNG encoder (8-bit grey or RGBA, one zlib stream, deterministic), the QR
 * code of an invoice payload (bwip-js computes the module matrix; we scale it and add the quiet zone) and a
 * red round seal picture drawn without fonts (ring, inner ring, five-pointed star), so output never depends
 * on the fonts installed.
 */
import { zlibSync } from 'fflate';
import { crc32 } from '../zip/crc32';
// bwip-js ships CommonJS; `raw` returns the symbol's module matrix without rendering.
import bwipjs from 'bwip-js';

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)) >>> 0);
  return out;
}

/** PNG of `pixels` (row-major; 1 byte per pixel for grey, 4 for RGBA). */
export function encodePng(width: number, height: number, pixels: Uint8Array, color: 'grey' | 'rgba'): Uint8Array {
  const bpp = color === 'grey' ? 1 : 4;
  const raw = new Uint8Array(height * (width * bpp + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (width * bpp + 1)] = 0; // filter: none
    raw.set(pixels.subarray(y * width * bpp, (y + 1) * width * bpp), y * (width * bpp + 1) + 1);
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = color === 'grey' ? 0 : 6;
  const signature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  const parts = [signature, chunk('IHDR', ihdr), chunk('IDAT', zlibSync(raw, { level: 6 })), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** QR code PNG (error correction M, 4 px per module, 4-module quiet zone) of `text`. */
export function qrPng(text: string, scale = 4): Uint8Array {
  const [sym] = (bwipjs as unknown as { raw(o: object): { pixs: number[]; pixx: number; pixy: number }[] }).raw({ bcid: 'qrcode', text, eclevel: 'M' });
  const quiet = 4;
  const size = (sym.pixx + 2 * quiet) * scale;
  const px = new Uint8Array(size * size).fill(255);
  for (let my = 0; my < sym.pixy; my++)
    for (let mx = 0; mx < sym.pixx; mx++) {
      if (!sym.pixs[my * sym.pixx + mx]) continue;
      for (let dy = 0; dy < scale; dy++) px.fill(0, ((my + quiet) * scale + dy) * size + (mx + quiet) * scale, ((my + quiet) * scale + dy) * size + (mx + quiet + 1) * scale);
    }
  return encodePng(size, size, px, 'grey');
}

let sealCache: Uint8Array | undefined;

/** A 200×200 RGBA red seal: outer ring, thin inner ring, star; transparent elsewhere. */
export function sealPng(): Uint8Array {
  if (sealCache) return sealCache;
  const n = 200;
  const c = (n - 1) / 2;
  const px = new Uint8Array(n * n * 4);
  // Star: five outer points at radius 40, inner at 16, pointing up.
  const star: [number, number][] = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? 40 : 16;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    star.push([c + r * Math.cos(a), c + r * Math.sin(a)]);
  }
  const inStar = (x: number, y: number) => {
    let inside = false;
    for (let i = 0, j = star.length - 1; i < star.length; j = i++) {
      const [xi, yi] = star[i];
      const [xj, yj] = star[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const d = Math.hypot(x - c, y - c);
      if ((d <= 98 && d >= 90) || (d <= 84 && d >= 82) || inStar(x, y)) {
        const o = (y * n + x) * 4;
        px[o] = 0xe6;
        px[o + 1] = 0x1a;
        px[o + 2] = 0x1a;
        px[o + 3] = 0xff;
      }
    }
  sealCache = encodePng(n, n, px, 'rgba');
  return sealCache;
}

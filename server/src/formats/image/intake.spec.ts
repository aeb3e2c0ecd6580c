import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { FormatError } from '../errors';
import { decodeImage, detectImageFormat, inspectImage, MAX_IMAGE_BYTES } from './intake';

/** A 69-byte PNG that declares width × height but carries one row of pixel data: decoding it would fail. */
function pngHeaderOnly(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const b = Buffer.alloc(12 + data.length);
    b.writeUInt32BE(data.length, 0);
    b.write(type, 4, 'ascii');
    data.copy(b, 8);
    b.writeUInt32BE(crc32(b.subarray(4, 8 + data.length)), 8 + data.length);
    return b;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(64))), chunk('IEND', Buffer.alloc(0))]);
}

async function rejection(p: Promise<unknown>): Promise<FormatError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError');
}

describe('image intake', () => {
  it('detects formats by magic bytes', () => {
    expect(detectImageFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(detectImageFormat(pngHeaderOnly(1, 1))).toBe('png');
    expect(detectImageFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(detectImageFormat(Buffer.from('%PDF-1.7'))).toBeUndefined();
  });

  it('refuses a 100-megapixel image from its header, before decoding', async () => {
    const started = Date.now();
    const e = await rejection(inspectImage(pngHeaderOnly(10_000, 10_000)));
    expect(e.code).toBe('too_large');
    expect(e.message).toBe('image declares 10000 × 10000 = 100.0 megapixels, the limit is 40 megapixels; refused before decoding');
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(decodeImage(pngHeaderOnly(10_000, 10_000))).rejects.toThrow('refused before decoding');
  });

  it('refuses a file over 50 MB by its length alone', async () => {
    const big = new Uint8Array(MAX_IMAGE_BYTES + 1);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    const e = await rejection(decodeImage(big));
    expect(e.code).toBe('too_large');
    expect(e.message).toBe('image is 50.0 MB, the limit is 50.0 MB; refused before decoding');
  });

  it('names unknown formats and HEIC photos', async () => {
    expect((await rejection(inspectImage(Buffer.from('%PDF-1.7 hello')))).code).toBe('unknown_format');
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(16)]);
    expect((await rejection(inspectImage(heic))).message).toContain('HEIC/HEIF photos are not supported');
  });

  it('reports a truncated JPEG as bad_image', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    const e = await rejection(decodeImage(jpeg.subarray(0, 40)));
    expect(e.code).toBe('bad_image');
  });

  it('applies EXIF orientation so pixels come out upright', async () => {
    // 40 wide × 20 high, stored with orientation 6 (rotate 90° clockwise to display) → upright is 20 × 40.
    const jpeg = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#ffffff' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const { info, image } = await decodeImage(jpeg);
    expect([info.width, info.height, info.orientation]).toEqual([40, 20, 6]);
    expect([image.width, image.height, image.data.length]).toEqual([20, 40, 20 * 40 * 4]);
  });
});

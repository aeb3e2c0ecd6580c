import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export interface Digests {
  sha256: string;
  sm3: string;
  /** Base64 MD5, only for S3's Content-MD5 header (object-lock PUTs require it); never recorded as fixity. */
  md5: string;
  size: number;
}

/** SHA-256, SM3 and MD5 over one pass of the bytes, so a large file is read once. */
export class DigestAccumulator {
  private readonly sha = createHash('sha256');
  private readonly sm = createHash('sm3');
  private readonly md = createHash('md5');
  private size = 0;

  update(chunk: Uint8Array): void {
    this.sha.update(chunk);
    this.sm.update(chunk);
    this.md.update(chunk);
    this.size += chunk.byteLength;
  }

  digest(): Digests {
    return { sha256: hex(this.sha), sm3: hex(this.sm), md5: this.md.digest('base64'), size: this.size };
  }
}

function hex(h: Hash): string {
  return h.digest('hex');
}

export function digestsOf(bytes: Uint8Array): Digests {
  const acc = new DigestAccumulator();
  acc.update(bytes);
  return acc.digest();
}

/**
 * A pass-through stream that digests what flows through it. `onEnd` runs before the stream ends and may return
 * an error (e.g. an IntegrityError) to fail the stream instead of ending it cleanly.
 */
export function digestingStream(onEnd: (d: Digests) => Error | undefined): Transform {
  const acc = new DigestAccumulator();
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      acc.update(chunk);
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      cb(onEnd(acc.digest()) ?? null);
    },
  });
}

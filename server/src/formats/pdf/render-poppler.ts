/**
 * Page rendering with poppler's `pdftoppm` (Debian package poppler-utils): the adapter `readPdfVoucher` takes as
 * `renderPage` when a QR code is drawn as vector paths rather than stored as an image. Kept apart from the pure
 * readers because it starts a process; the PDF goes in on stdin and the PNG comes back on stdout, so no
 * temporary files are written.
 */
import { spawn } from 'node:child_process';

export interface RenderOptions {
  /** Resolution; 150 dpi gives ~3 px per module on invoice QR codes (2 cm, 37 modules). */
  dpi?: number;
  timeoutMs?: number;
  /** Upper bound of the PNG size accepted from pdftoppm. */
  maxOutputBytes?: number;
}

export function renderPageWithPdftoppm(pdf: Uint8Array, page: number, options: RenderOptions = {}): Promise<Uint8Array> {
  const dpi = options.dpi ?? 150;
  const maxOutput = options.maxOutputBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    // -W/-H crop the output to at most 3000 × 3000 pixels, so a huge /MediaBox cannot produce a huge bitmap.
    const args = ['-png', '-r', String(dpi), '-W', '3000', '-H', '3000', '-f', String(page), '-l', String(page), '-singlefile', '-'];
    const child = spawn('pdftoppm', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' ? new Error('pdftoppm not found: install poppler-utils') : e);
    });
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxOutput) child.kill('SIGKILL');
      else chunks.push(c);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()).slice(0, 2000));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && size > 0 && size <= maxOutput) resolve(Buffer.concat(chunks));
      else reject(new Error(`pdftoppm failed (${signal ?? `exit ${code}`}): ${stderr.trim().slice(0, 200)}`));
    });
    child.stdin.on('error', () => undefined); // pdftoppm may exit before reading everything
    child.stdin.end(pdf);
  });
}

/**
 * A PDF encrypted with the empty user password (allowed by the standard, used to restrict printing or copying)
 * opens without a password and is flagged. The file is built here with the standard security handler, revision 3
 * (RC4, 128-bit key; ISO 32000-1 §7.6.3), because no generator in the project writes encrypted PDFs.
 */
import { createHash } from 'node:crypto';
import { shutdownPdfEngine } from './engine';
import { readPdf } from './read';

afterAll(() => shutdownPdfEngine());

const PAD = Buffer.from('28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A', 'hex');

function rc4(key: Buffer, data: Buffer): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i] + key[i % key.length]) & 255;
    [s[i], s[j]] = [s[j], s[i]];
  }
  const out = Buffer.alloc(data.length);
  for (let k = 0, i = 0, j = 0; k < data.length; k++) {
    i = (i + 1) & 255;
    j = (j + s[i]) & 255;
    [s[i], s[j]] = [s[j], s[i]];
    out[k] = data[k] ^ s[(s[i] + s[j]) & 255];
  }
  return out;
}

const md5 = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();

function encryptedPdf(): Buffer {
  const id = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
  const owner = Buffer.alloc(32, 0x41); // only an input to the key here: no owner password is checked
  const p = -3904; // permissions: printing and copying not allowed
  const pBytes = Buffer.alloc(4);
  pBytes.writeInt32LE(p);
  // Algorithm 2: file key from the (empty, padded) user password.
  let key = md5(PAD, owner, pBytes, id);
  for (let i = 0; i < 50; i++) key = md5(key);
  // Algorithm 5: the /U entry that proves the empty password right.
  let u = rc4(key, md5(PAD, id));
  for (let i = 1; i <= 19; i++) u = rc4(Buffer.from(key.map((b) => b ^ i)), u);
  const userEntry = Buffer.concat([u, Buffer.alloc(16)]);

  const objectKey = (num: number) => md5(key, Buffer.from([num & 255, (num >> 8) & 255, (num >> 16) & 255, 0, 0])).subarray(0, 16);
  const content = rc4(objectKey(4), Buffer.from('BT /F1 24 Tf 20 100 Td (Hi) Tj ET'));

  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null, // the content stream, written as bytes below
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Filter /Standard /V 2 /R 3 /Length 128 /P ${p} /O <${owner.toString('hex')}> /U <${userEntry.toString('hex')}> >>`,
  ];
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n')];
  const offsets: number[] = [];
  let size = chunks[0].length;
  objects.forEach((body, i) => {
    offsets.push(size);
    const obj =
      body === null
        ? Buffer.concat([Buffer.from(`${i + 1} 0 obj\n<< /Length ${content.length} >>\nstream\n`), content, Buffer.from('\nendstream\nendobj\n')])
        : Buffer.from(`${i + 1} 0 obj\n${body}\nendobj\n`);
    chunks.push(obj);
    size += obj.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  const trailer = `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 6 0 R /ID [<${id.toString('hex')}> <${id.toString('hex')}>] >>\nstartxref\n${size}\n%%EOF\n`;
  chunks.push(Buffer.from(xref + trailer));
  return Buffer.concat(chunks);
}

it('opens a PDF encrypted with the empty user password, decrypts its text and flags it', async () => {
  const doc = await readPdf(encryptedPdf());
  expect(doc.encrypted).toBe(true);
  expect(doc.warnings).toContain('PDF is encrypted (opened with the empty user password)');
  expect(doc.pages[0].text).toBe('Hi');
}, 30_000);

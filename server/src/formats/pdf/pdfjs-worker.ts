/**
 * The PDF engine thread's source, run with `new Worker(PDFJS_WORKER_SOURCE, { eval: true })` by engine.ts.
 *
 * It runs pdf.js in a worker thread with its own heap limit, so a hostile PDF can exhaust only this thread,
 * which the host then terminates. Why a string: pdf.js is published as ES modules only, which CommonJS code and
 * Jest cannot load, so the thread imports it natively; a separate .mjs file would be compiled to CommonJS by the
 * swc build and break, while code in a string reaches Node untouched, in tests and in the built server alike.
 *
 * workerData: { pdfjsRoot }   (the pdfjs-dist folder, resolved by the host)
 * Request:    { id, bytes: Uint8Array, maxPages, images: boolean, imagePages, maxImagePixels }
 * Response:   { id, ok: true, result } | { id, ok: false, error: { name, message } }
 */
export const PDFJS_WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const pdfjsRoot = workerData.pdfjsRoot;
// In Node, pdf.js reads these with fs: they must be plain paths ending in a separator, not file: URLs.
const cMapUrl = path.join(pdfjsRoot, 'cmaps') + path.sep;
const standardFontDataUrl = path.join(pdfjsRoot, 'standard_fonts') + path.sep;
let pdfjs;
let OPS, ImageKind, AnnotationType;


async function extract({ bytes, maxPages, images, imagePages, maxImagePixels }) {
  const task = pdfjs.getDocument({
    data: bytes,
    cMapUrl,
    cMapPacked: true,
    standardFontDataUrl,
    isEvalSupported: false, // never compile font programs to JS (CVE-2024-4367 class of bugs)
    isOffscreenCanvasSupported: false, // images come back as plain pixel arrays
    isImageDecoderSupported: false,
    maxImageSize: maxImagePixels, // pdf.js skips decoding larger images altogether (default: no limit)
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  let doc;
  try {
    doc = await task.promise;
  } catch (e) {
    throw { name: e?.name ?? 'Error', message: e?.message ?? String(e) };
  }
  try {
    const meta = await doc.getMetadata().catch(() => ({ info: {} }));
    const info = meta?.info ?? {};
    const attachments = [];
    const named = await doc.getAttachments().catch(() => null);
    for (const [key, a] of Object.entries(named ?? {})) {
      if (a?.content) attachments.push({ name: a.filename ?? key, source: 'EmbeddedFiles', content: a.content, description: a.description ?? undefined });
    }
    const pages = [];
    const count = Math.min(doc.numPages, maxPages);
    // Decoded pixels live outside the capped JS heap (ArrayBuffers), so they get their own budget per document.
    const budget = { pixels: maxImagePixels * 2 };
    for (let n = 1; n <= count; n++) {
      const page = await doc.getPage(n);
      const text = await page.getTextContent();
      const items = [];
      for (const it of text.items) {
        if (typeof it.str !== 'string' || it.str === '') continue;
        const [a, b, c, d, x, y] = it.transform;
        items.push({ str: it.str, a, b, c, d, x, y, width: it.width, height: it.height, font: it.fontName });
      }
      const annotations = await page.getAnnotations().catch(() => []);
      const signatureFields = [];
      for (const an of annotations) {
        if (an.annotationType === AnnotationType.FILEATTACHMENT && an.file?.content) {
          attachments.push({ name: an.file.filename ?? 'page ' + n + ' attachment', source: 'FileAttachment', page: n, content: an.file.content });
        }
        if (an.fieldType === 'Sig') signatureFields.push(an.fieldName ?? '');
      }
      const pageImages = images && n <= imagePages ? await extractImages(page, maxImagePixels, budget) : [];
      const [x0, y0, x1, y1] = page.view;
      pages.push({ number: n, width: x1 - x0, height: y1 - y0, rotate: page.rotate, items, images: pageImages, signatureFields });
      page.cleanup();
    }
    return {
      numPages: doc.numPages,
      info: pick(info, ['Title', 'Author', 'Creator', 'Producer', 'CreationDate', 'ModDate', 'PDFFormatVersion', 'IsSignaturesPresent', 'EncryptFilterName']),
      attachments,
      pages,
    };
  } finally {
    await doc.destroy();
  }
}

/** Image XObjects and inline images on a page, as RGBA; masks come out as grey (polarity is irrelevant to QR). */
async function extractImages(page, maxImagePixels, budget) {
  const ops = await page.getOperatorList();
  const out = [];
  for (let i = 0; i < ops.fnArray.length && out.length < 24; i++) {
    const fn = ops.fnArray[i];
    const arg = ops.argsArray[i]?.[0];
    let img;
    if (fn === OPS.paintImageXObject || fn === OPS.paintImageXObjectRepeat) img = await getObj(page, arg);
    else if (fn === OPS.paintInlineImageXObject) img = arg;
    else if (fn === OPS.paintImageMaskXObject) img = arg?.data ? { ...arg, kind: 'mask' } : await getObj(page, arg?.data ?? arg);
    if (!img || !img.width || !img.height || !img.data) continue;
    if (img.width < 21 || img.height < 21 || img.width * img.height > maxImagePixels) continue;
    if (img.width * img.height > budget.pixels) break;
    budget.pixels -= img.width * img.height;
    const rgba = toRgba(img);
    if (rgba) out.push({ width: img.width, height: img.height, data: rgba });
  }
  return out;
}

function getObj(page, id) {
  if (typeof id !== 'string') return Promise.resolve(undefined);
  const objs = id.startsWith('g_') ? page.commonObjs : page.objs;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 2000);
    try {
      objs.get(id, (v) => {
        clearTimeout(timer);
        resolve(v);
      });
    } catch {
      clearTimeout(timer);
      resolve(undefined);
    }
  });
}

function toRgba(img) {
  const { width, height, data } = img;
  const out = new Uint8Array(width * height * 4);
  if (img.kind === ImageKind.RGBA_32BPP && data.length >= out.length) {
    out.set(data.subarray(0, out.length));
    return out;
  }
  if (img.kind === ImageKind.RGB_24BPP && data.length >= width * height * 3) {
    for (let p = 0, q = 0; p < width * height; p++, q += 3) {
      out[p * 4] = data[q];
      out[p * 4 + 1] = data[q + 1];
      out[p * 4 + 2] = data[q + 2];
      out[p * 4 + 3] = 255;
    }
    return out;
  }
  // 1 bit per pixel, rows padded to whole bytes (GRAYSCALE_1BPP and stencil masks).
  const rowBytes = (width + 7) >> 3;
  if (data.length >= rowBytes * height) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const bit = (data[y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1;
        const v = bit ? 255 : 0;
        const p = (y * width + x) * 4;
        out[p] = out[p + 1] = out[p + 2] = v;
        out[p + 3] = 255;
      }
    }
    return out;
  }
  return undefined;
}

function pick(obj, keys) {
  const out = {};
  for (const k of keys) if (obj[k] !== undefined && obj[k] !== null && typeof obj[k] !== 'object') out[k] = obj[k];
  return out;
}

const loading = import(pathToFileURL(path.join(pdfjsRoot, 'legacy/build/pdf.mjs')).href).then((m) => {
  pdfjs = m;
  pdfjs.GlobalWorkerOptions.workerSrc = pathToFileURL(path.join(pdfjsRoot, 'legacy/build/pdf.worker.mjs')).href;
  ({ OPS, ImageKind, AnnotationType } = pdfjs);
});

parentPort.on('message', async (req) => {
  try {
    await loading;
    const result = await extract(req);
    const transfer = [];
    for (const p of result.pages) for (const im of p.images) transfer.push(im.data.buffer);
    parentPort.postMessage({ id: req.id, ok: true, result }, transfer);
  } catch (e) {
    parentPort.postMessage({ id: req.id, ok: false, error: { name: e?.name ?? 'Error', message: e?.message ?? String(e) } });
  }
});
`;

export { readPdf, classifyAttachment, PDF_LIMITS, type PdfDocument, type PdfPage, type PdfAttachment, type AttachmentKind, type ReadPdfOptions } from './read';
export { readPdfVoucher, type PdfVoucherOptions } from './voucher';
export { extractPdfSignatures, verifyPdfSignature, type PdfSignature, type CmsVerifier, type CmsCheck } from './signatures';
export { renderPageWithPdftoppm, type RenderOptions } from './render-poppler';
export { shutdownPdfEngine } from './engine';

export { recogniseText, voucherFromOcrText, shutdownOcr, OcrUnavailableError, OCR_WARNING, DEFAULT_TESSDATA, type OcrText } from './ocr';
export { extractLabelledFields, normaliseLine, type LabelledFields, type PartyMention } from './labels';

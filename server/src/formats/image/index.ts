export { inspectImage, decodeImage, detectImageFormat, MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, type ImageFormat, type ImageInfo, type RgbaImage, type IntakeLimits } from './intake';
export { readPhotoVoucher, findInvoiceQr, type PhotoOptions, type PhotoQrResult, type QrSearchOptions } from './photo';

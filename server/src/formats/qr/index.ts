export { parseQrPayload, QR_TYPE_CODES, type QrInvoice, type QrAmountMeaning } from './payload';
export { decodeBarcodes, decodeBarcodesFromPixels, initBarcodeReader, type DecodedBarcode, type BarcodeFormat, type BarcodeOptions } from './decode';
export { voucherFromQr } from './voucher';
export { toMoney, fenToMoney, toIsoDate, sameMoney } from './values';

export { readEInvoice2019, readEInvoice2019Element, EINVOICE_2019_NS } from './einvoice2019';
export { readDigitalInvoiceXml, readDigitalInvoiceElement } from './einvoice-digital';
export { readVoucherXml, type VoucherXmlFormat } from './read';
export { readNonTaxPaymentXml, readNonTaxPaymentElement, readFiscalReceiptXml, readFiscalReceiptElement, isFiscalReceipt } from './fiscal';

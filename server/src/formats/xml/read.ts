/**
 * Any voucher XML → Voucher, by its root element: an XBRL instance (`xbrl`), the 2019 VAT e-invoice (`eInvoice`),
 * a 数电票 or a 财政电子票据 (both `EInvoice`), a 非税 e-bill (`EINVOICE`). Other XML is rejected naming its root.
 */
import { FormatError } from '../errors';
import type { Voucher } from '../voucher';
import { readXbrlElement } from '../xbrl/read';
import { parseXml } from '../xmlsafe/xml';
import { readDigitalInvoiceElement } from './einvoice-digital';
import { readEInvoice2019Element } from './einvoice2019';
import { isFiscalReceipt, readFiscalReceiptElement, readNonTaxPaymentElement } from './fiscal';

export type VoucherXmlFormat = 'xbrl' | 'einvoice-2019' | 'einvoice-digital' | 'fiscal-receipt' | 'non-tax-payment';

export function readVoucherXml(bytes: Uint8Array | string, options: { path?: string; filename?: string } = {}): { format: VoucherXmlFormat; voucher: Voucher } {
  const root = parseXml(bytes, { path: options.path });
  switch (root.local) {
    case 'xbrl':
      return { format: 'xbrl', voucher: readXbrlElement(root, options).voucher };
    case 'eInvoice':
      return { format: 'einvoice-2019', voucher: readEInvoice2019Element(root, options) };
    case 'EInvoice':
      if (isFiscalReceipt(root)) return { format: 'fiscal-receipt', voucher: readFiscalReceiptElement(root, options) };
      return { format: 'einvoice-digital', voucher: readDigitalInvoiceElement(root, options) };
    case 'EINVOICE':
      return { format: 'non-tax-payment', voucher: readNonTaxPaymentElement(root, options) };
    default:
      throw new FormatError('unknown_format', `XML root <${root.name}> is not a voucher (expected <xbrl>, <eInvoice>, <EInvoice> or <EINVOICE>)`, options.path);
  }
}

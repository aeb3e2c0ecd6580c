/**
 * Any voucher XML → Voucher, by its root element: an XBRL instance (`xbrl`), the 2019 VAT e-invoice (`eInvoice`)
 * or a 数电票 (`EInvoice`). Other XML is not a voucher and is rejected naming its root.
 */
import { FormatError } from '../errors';
import type { Voucher } from '../voucher';
import { readXbrlElement } from '../xbrl/read';
import { parseXml } from '../xmlsafe';
import { readDigitalInvoiceElement } from './einvoice-digital';
import { readEInvoice2019Element } from './einvoice2019';

export type VoucherXmlFormat = 'xbrl' | 'einvoice-2019' | 'einvoice-digital';

export function readVoucherXml(bytes: Uint8Array | string, options: { path?: string; filename?: string } = {}): { format: VoucherXmlFormat; voucher: Voucher } {
  const root = parseXml(bytes, { path: options.path });
  switch (root.local) {
    case 'xbrl':
      return { format: 'xbrl', voucher: readXbrlElement(root, options).voucher };
    case 'eInvoice':
      return { format: 'einvoice-2019', voucher: readEInvoice2019Element(root, options) };
    case 'EInvoice':
      return { format: 'einvoice-digital', voucher: readDigitalInvoiceElement(root, options) };
    default:
      throw new FormatError('unknown_format', `XML root <${root.name}> is not a voucher (expected <xbrl>, <eInvoice> or <EInvoice>)`, options.path);
  }
}

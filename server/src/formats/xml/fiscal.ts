/**
 * The fiscal e-bills as XML: 电子非税收入一般缴款书 (root `EINVOICE`, upper-snake names) and 财政电子票据 (root
 * `EInvoice` with `EInvoiceData/Main`, camel-case names). No XML of either is in the corpus: the 非税 layout is the
 * toolkit JSON's (whose signature references name `/EINVOICE/HEADER`, `/EINVOICE/EINVOICE_DATA` and
 * `/EINVOICE/EINVOICE_SIGNATURE/SIGNATURE[@ID='InvoicingParty']`); the 财政 one follows the published message order
 * (evoucher-standard.md §7). Both reuse the element maps of their XBRL forms (ntrev_gpm_issuer, efi).
 */
import { FormatError } from '../errors';
import { normaliseVoucher } from '../kinds';
import { buildVoucher } from '../kinds/build';
import type { SignatureReport, Voucher } from '../voucher';
import { elementMap } from '../xbrl/element-maps';
import type { XbrlItem } from '../xbrl/model';
import { attr, descendants, parseXml, type XmlElement } from '../xmlsafe/xml';

/** 非税: `SIGNATURE[@ID=…]` of the XML is the `…_PARTY_SIGNATURE` group of the XBRL/JSON forms. */
const NTREV_SIGNATURE_GROUPS: Record<string, string> = {
  InvoicingParty: 'INVOICING_PARTY_SIGNATURE',
  SupervisorParty: 'SUPERVISOR_PARTY_SIGNATURE',
};

export function readNonTaxPaymentXml(bytes: Uint8Array | string, options: { path?: string } = {}): Voucher {
  return readNonTaxPaymentElement(parseXml(bytes, { path: options.path }), options);
}

export function readNonTaxPaymentElement(root: XmlElement, options: { path?: string } = {}): Voucher {
  if (root.local !== 'EINVOICE') throw new FormatError('unknown_format', `root element <${root.name}> is not a 非税 e-bill (<EINVOICE>)`, options.path);
  const locations: Record<string, string> = {};
  const toItem = (el: XmlElement, trail: string): XbrlItem => {
    let name = el.local;
    const id = attr(el, 'ID');
    if (name === 'SIGNATURE' && id && NTREV_SIGNATURE_GROUPS[id]) {
      name = NTREV_SIGNATURE_GROUPS[id];
      locations[`EINVOICE_SIGNATURE/${name}`] = `${trail}/SIGNATURE[@ID='${id}']`;
    }
    const path = `${trail}/${el.local}`;
    return el.children.length
      ? { type: 'tuple', name, children: el.children.map((c) => toItem(c, path)) }
      : { type: 'fact', name, value: el.text, nil: attr(el, 'nil') === 'true' };
  };
  const items = root.children.map((c) => toItem(c, root.local));
  const v = fromXml(buildVoucher(elementMap('ntrev_gpm_issuer'), items));
  const out = normaliseVoucher(v);
  out.signatures = out.signatures.map((s: SignatureReport) => ({ ...s, location: locations[s.location ?? ''] ?? s.location }));
  return out;
}

export function readFiscalReceiptXml(bytes: Uint8Array | string, options: { path?: string } = {}): Voucher {
  return readFiscalReceiptElement(parseXml(bytes, { path: options.path }), options);
}

/** 财政电子票据 XML: every leaf outside the signatures is read by its local name; `Details/Item` rows are lines. */
export function readFiscalReceiptElement(root: XmlElement, options: { path?: string } = {}): Voucher {
  if (!isFiscalReceipt(root)) throw new FormatError('unknown_format', `root element <${root.name}> is not a 财政电子票据 (<EInvoice> with <Main>)`, options.path);
  const items: XbrlItem[] = [];
  const signatures: SignatureReport[] = [];
  const walk = (el: XmlElement, trail: string) => {
    for (const c of el.children) {
      const path = `${trail}/${c.local}`;
      // A signature is a …Signature element that is not just the container of other …Signature elements.
      if (/Signature$/.test(c.local) && c.children.length && !c.children.some((g) => /Signature$/.test(g.local))) {
        signatures.push({ type: 'sign', format: 'cms', location: path, digestsOk: null, signatureValid: null, reasons: [`${c.local} present: not verified by the XML reader`] });
      } else if (/Signature$/.test(c.local)) walk(c, path);
      else if (c.local === 'Item' && c.children.length) items.push({ type: 'tuple', name: 'Item', children: c.children.map(leaf) });
      else if (c.children.length) walk(c, path);
      else items.push(leaf(c));
    }
  };
  walk(root, root.local);
  const v = fromXml(buildVoucher(elementMap('efi'), items));
  if (signatures.length) {
    v.signatures = signatures;
    v.signatureVerdict = 'unsupported';
  }
  return normaliseVoucher(v);
}

/** `EInvoice` is also the 数电票 root: the fiscal one has a `Main` block or an `EInvoiceCode`. */
export function isFiscalReceipt(root: XmlElement): boolean {
  return root.local === 'EInvoice' && (descendants(root, 'Main').length > 0 || descendants(root, 'EInvoiceCode').length > 0);
}

function leaf(el: XmlElement): XbrlItem {
  return el.children.length
    ? { type: 'tuple', name: el.local, children: el.children.map(leaf) }
    : { type: 'fact', name: el.local, value: el.text, nil: attr(el, 'nil') === 'true' };
}

/** The element maps record `xbrl` as the source; these values come from the issuer's own XML. */
function fromXml(v: Voucher): Voucher {
  for (const k of Object.keys(v.sources)) v.sources[k] = 'embedded-xml';
  return v;
}

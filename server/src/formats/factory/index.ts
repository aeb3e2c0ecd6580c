export { createFactory, type Factory, type FactoryOptions, type GeneratedFile, type GeneratedFormat, type OfdInvoiceRequest, type DigitalInvoiceRequest, type DataRequest } from './factory';
export { INVOICE_KINDS, type InvoiceKind, type InvoiceLine, type InvoiceOverrides, type InvoiceData } from './invoice-data';
export { voucherDifferences } from './compare';
export { tamper, type TamperTarget } from './tamper';
export { testPki, type TestPki, type TestSeal } from './pki';
export { Prng } from './prng';
export { syntheticCompany, syntheticUscc, type Company } from './parties';
export { amountInWords } from './amounts';
export { DATA_KINDS, CONFIG_ID, type DataKind, type DataOverrides } from './data-kinds';

export type { OfdPackage } from './package';
export { openOfd, packageFromFiles, resolvePath, resolveRef, normalisePackagePath, dirOf, type OfdContainer } from './container';
export * from './document';
export { pageText, pageTextRuns, textLines, textById, valueAfterLabel, fold, type PlacedText, type TextLine } from './text';
export { extractOfdData, type DataLayer, type DataSource, type OfdData } from './data';
export { readOfdVoucher, readOfdPackageVoucher, voucherFromLayers, findTitle, signatureVerdictWithoutVerification, type ReadOfdOptions, type OfdVoucherResult, type OfdSignatureCheck } from './read';
export { OFD_FIELDS, ELEMENT_FIELDS, CUSTOM_DATA_FIELDS, normaliseField, type OfdField } from './values';

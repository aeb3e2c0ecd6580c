export { readXbrl, readXbrlElement, type XbrlDocument, type ReadXbrlOptions } from './read';
export { elementMap, CONFIG_IDS } from './element-maps';
export { resolveConfigId } from './config';
export type * from './model';
export { writeXbrl, writeVoucherJson, type WriteXbrlOptions } from './write';

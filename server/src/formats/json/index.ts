export { readVoucherJson, type VoucherJson, type ReadJsonOptions } from './read';

export * from './oids';
export * from './hash';
export * from './sm2';
export * from './x509';
export * from './x509-build';

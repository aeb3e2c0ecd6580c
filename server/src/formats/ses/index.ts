export * from './parse';
export * from './verify';
export * from './build';

export * from './der';
export * as derWrite from './writer';

export * from './object-store';
export { createObjectStore } from './create-object-store';
export { LocalObjectStore } from './local-object-store';
export { S3ObjectStore } from './s3-object-store';

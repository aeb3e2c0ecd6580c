export * from './zip';
export { crc32 } from './crc32';
export { writeZip, concatBytes, type ZipWriteEntry } from './write';

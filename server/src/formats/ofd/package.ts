/**
 * The contract between the OFD container reader (ofd/container.ts) and everything that reads inside a package
 * (document model, structured data, signature verification). Paths are package paths without a leading slash,
 * as normalised by the container reader ("Doc_0/Signs/Sign_0/SignedValue.dat").
 */
export interface OfdPackage {
  /** Every entry path in the package, normalised. */
  list(): string[];
  has(path: string): boolean;
  /** The entry's bytes; throws a FormatError naming the path when it is missing or unreadable. */
  read(path: string): Uint8Array;
}

/**
 * The one error of the format readers: a file that cannot be read as what it claims to be. `code` is stable
 * (tests and the ingest pipeline branch on it); `message` names the problem and, where there is one, the
 * entry or field (e.g. "Doc_0/Document.xml: not well-formed XML at line 3").
 */
export class FormatError extends Error {
  constructor(
    readonly code: FormatErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'FormatError';
  }
}

export type FormatErrorCode =
  | 'not_zip'
  | 'truncated'
  | 'unsafe_path'
  | 'too_many_entries'
  | 'too_large'
  | 'compression_ratio'
  | 'unsupported_compression'
  | 'missing_entry'
  | 'bad_xml'
  | 'xml_dtd_forbidden'
  | 'bad_der'
  | 'bad_pdf'
  | 'bad_image'
  | 'unknown_format'
  | 'invalid_field';

/**
 * What a check run looks at: a linked set — a volume (卷) with its items (件) and their originals, or a journal
 * voucher with its originals — as plain data, so the check functions never care where it was loaded from.
 */
export interface SubjectFile {
  id: string;
  /** original | receiver_xbrl | receiver_json | version | paper_photo | journal | package */
  role: string;
  objectKey: string;
  /** Recorded when the file was received (lower-case hex). */
  sha256: string;
  sm3: string;
  size: number;
  mediaType: string;
  filename?: string | null;
  /** Format recorded at intake (ofd, pdf, xml, xbrl, json, jpeg, png …). */
  format: string;
  /** Signature verdict recorded at intake: valid | invalid | incomplete | unsigned | unsupported; null = none. */
  signatureVerdict?: string | null;
}

export interface SubjectItem {
  /** Stable id of the item (volume_item id, journal voucher id or pool voucher id). */
  id: string;
  /** 件号 inside the volume; null when the set is not numbered. */
  seq: number | null;
  archivalCode?: string | null;
  title?: string | null;
  /** Business identity (e.g. invoice code + number), unique across the archive. */
  identityKey?: string | null;
  metadata: Record<string, unknown>;
  files: SubjectFile[];
  /** 附件数 from the journal voucher; null when the item is not a journal voucher. */
  expectedAttachments?: number | null;
  /** Number of originals linked to the item (defaults to the files with role original). */
  linkedOriginals?: number;
  /** Links recorded by matching whose original is not in the pool (e.g. an invoice number without a file). */
  missingLinks?: string[];
  /** Warnings recorded by the readers (e.g. structured data disagreeing with the page text). */
  warnings?: string[];
}

export interface SubjectPackage {
  key: string;
  sha256: string;
  sm3: string;
}

export interface CheckSubject {
  type: 'volume' | 'journal_voucher' | 'voucher_set';
  id: string;
  unitId?: string | null;
  /** fonds, archivalCode (volume 档号), title, year, retention, category, classCode … */
  metadata: Record<string, unknown>;
  items: SubjectItem[];
  /** Stored archival packages of the subject (checked at YJ and BC). */
  packages?: SubjectPackage[];
}

/** The subject's own pseudo-item id for results that are about the set rather than one item. */
export const SUBJECT_ITEM = '*';

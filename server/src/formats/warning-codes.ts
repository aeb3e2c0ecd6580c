/**
 * Stable codes for the warning sentences a reading carries (`Voucher.warnings`), so a reader in another language
 * is told the same thing (web: `pool.warn.<code>`). Like the signature reasons (`signatures/reason-codes.ts`) the
 * sentences stay what the readers write — the CLI, stored readings and tests read them — and readings stored
 * before this have sentences only, so the codes are read from the sentences when a voucher is served. Each
 * pattern is the template of one producer (named beside it); a sentence no pattern knows gets `null` and is
 * shown as it is. A warning of an embedded layer ("embedded-xml (path): …") keeps the inner sentence's own code
 * in `detail`, and so does a signature warning in `reason` (a signature reason code).
 */
import { reasonCode, templateCode, type ReasonCode } from './signatures/reason-codes';

export interface WarningCode {
  code: string;
  params: Record<string, string>;
  /** The inner warning of a layer's warning (`layer`), coded in turn (null: not a known template). */
  detail?: WarningCode | null;
  /** The signature reason behind `signature_invalid`. */
  reason?: ReasonCode | null;
}

const PATTERNS: [string, RegExp, string[]][] = [
  // pool/pipeline/read-steps.ts (VerifyStep) — `reason` holds the failing signature reason's code
  ['signature_invalid', /^signature invalid: (.*)$/s, ['detail']],
  // pool/pipeline/records.ts: copies of one voucher whose signature verdicts differ
  ['original_replaced', /^the copy received first \((.*), file (\S+)\) has signature verdict (\S+); a copy that verifies is kept as the original$/s, ['filename', 'fileId', 'verdict']],
  ['copy_not_verified', /^a later copy \((.*), file (\S+)\) has signature verdict (\S+); the original that verifies is kept$/s, ['filename', 'fileId', 'verdict']],
  // pool/pipeline/steps.ts (NormaliseStep)
  ['no_business_identity', /^no business identity found for kind (\S+): deduplicated by content only$/, ['kind']],
  ['read_by_ocr', /^read by OCR \(check against the paper\): (.*)$/, ['fields']],
  // ocr/ocr.ts, image/photo.ts, pdf/voucher.ts
  ['ocr_low_confidence', /^low confidence \(OCR\): fields were read by text recognition from an image; check them against the original$/, []],
  ['ocr_no_qr', /^no invoice QR code found in the image; fields were read by OCR$/, []],
  ['qr_not_invoice', /^QR code that is not an invoice payload ignored: "(.*)"$/s, ['text']],
  // kinds/tax-ids.ts
  ['tax_id_masked', /^(\S+): tax ID is masked$/, ['field']],
  ['tax_id_check_char', /^(\S+): unified social credit code fails the GB 32100 check character$/, ['field']],
  ['tax_id_length', /^(\S+): tax ID has (\d+) characters \(expected 15, 17, 18 or 20\)$/, ['field', 'length']],
  ['tax_id_characters', /^(\S+): tax ID contains characters other than digits and letters$/, ['field']],
  // kinds/money.ts
  ['amount_masked', /^(\S+): amount is masked \("(.*)"\), treated as absent$/, ['field', 'raw']],
  ['amount_rounded', /^(\S+): amount "(.*)" has more than two decimals, rounded to fen$/, ['field', 'raw']],
  // kinds/checks.ts
  ['format_mismatch', /^(\S+) "(.*)" is not (.+)$/, ['field', 'value', 'expected']],
  ['amounts_sum', /^amountExTax (\S+) \+ taxAmount (\S+) = (\S+), but totalAmount is (\S+)$/, ['ex', 'tax', 'sum', 'total']],
  ['line_amounts_sum', /^line amounts add up to (\S+), but (\S+) is (\S+)$/, ['sum', 'field', 'header']],
  ['line_tax_sum', /^line tax amounts add up to (\S+), but taxAmount is (\S+)$/, ['sum', 'tax']],
  ['words_unreadable', /^amount in words "(.*)" cannot be read as an amount$/, ['words']],
  ['words_differ', /^amount in words "(.*)" says (\S+), but totalAmount is (\S+)$/, ['words', 'said', 'total']],
  // kinds/invoices.ts
  ['code_denotes_kind', /^invoice code (\S+) denotes (\S+), but the voucher says (\S+)$/, ['code', 'byCode', 'kind']],
  // ofd/read.ts: two layers of one OFD disagree
  ['layers_differ', /^(\S+): (\S+) says (.*), (.+?) says (.*)$/s, ['field', 'source', 'value', 'other', 'seen']],
  // ofd/data.ts: a warning of an embedded layer, e.g. "embedded-xml (Doc_0/Attachs/original_invoice.xml): …"
  ['layer', /^(embedded-xml|xbrl|custom-tags|page-text|qr) \((.+?)\): (.*)$/s, ['source', 'path', 'inner']],
  // ofd/document.ts
  ['entry_missing', /^(\S+): (.+?) (\S+) is missing from the package$/, ['referrer', 'what', 'entry']],
  // xml/ (placeholder values of toolkit samples)
  ['placeholder_value', /^(\S+): value is the element's own name \(placeholder\), ignored$/, ['field']],
  // pdf/voucher.ts, ofd/data.ts: page text
  ['no_text_layer', /^page 1 has no text layer \(a scanned image\?\): fields come from the QR code and embedded data only$/, []],
  ['no_unicode_map', /^page text has no usable Unicode mapping \(fonts without ToUnicode\): fields come from the QR code and embedded data only$/, []],
  // zip/zip.ts
  ['zip_leading_bytes', /^(\d+) bytes before the ZIP archive were ignored$/, ['count']],
  ['zip_trailing_bytes', /^(\d+) bytes after the end of the ZIP archive were ignored$/, ['count']],
];

/** The code of one warning sentence, or null when it is not one of the known templates. */
export function warningCode(sentence: string): WarningCode | null {
  const found = templateCode(PATTERNS, sentence);
  if (!found) return null;
  const { code, params } = found;
  if (code === 'layer') {
    const { inner, ...rest } = params;
    return { code, params: rest, detail: warningCode(inner) };
  }
  if (code === 'signature_invalid') return { code, params, reason: reasonCode(params.detail) };
  return { code, params };
}

/** The codes of a list of warnings, index for index. */
export function warningCodes(warnings: readonly string[] | null | undefined): (WarningCode | null)[] {
  return (warnings ?? []).map(warningCode);
}

/**
 * Stable codes for the verifiers' reason sentences (SignatureReport.reasons), so a reader in another language
 * is told the same thing (web: `pool.sigReason.<code>`). The sentences stay what the verifiers write — the CLI,
 * the stored reports and the tests read them — and reports stored before this have sentences only, which is why
 * the codes are read from the sentences when a report is served rather than written beside them at intake.
 * Each pattern below is the template of one producer (ses/verify.ts, signatures/ofd.ts, crypto/x509.ts, …); a
 * sentence no pattern knows gets `null` and is shown as it is.
 */
export interface ReasonCode {
  code: string;
  params: Record<string, string>;
}

const PATTERNS: [string, RegExp, string[]][] = [
  ['reference_ok', /^reference (.+): (\S+) digest matches$/, ['path', 'algorithm']],
  ['reference_ok_legacy', /^reference (.+): SM3\(Z ‖ file\) digest matches \(legacy V1 form\)$/, ['path']],
  ['reference_mismatch', /^reference (.+): (\S+) digest mismatch \(file changed after signing\)$/, ['path', 'algorithm']],
  ['data_hash_ok', /^data hash: (\S+) of Signature\.xml matches TBS_Sign\.dataHash$/, ['algorithm']],
  ['data_hash_ok_legacy', /^data hash: SM3\(Z ‖ Signature\.xml\) matches TBS_Sign\.dataHash \(legacy V1 form\)$/, []],
  ['data_hash_mismatch', /^data hash mismatch: /, []],
  ['data_hash_unavailable', /^data hash not checkable: the protected Signature\.xml is not available$/, []],
  // ses/verify.ts names the signer as signer "<CN>": that form first, so the name alone is the parameter.
  ['signer_signature_ok', /^signature: (.+?) signature of signer "(.*)" over TBS_Sign verifies(.*)$/, ['algorithm', 'signer', 'extra']],
  ['signer_signature_ok_legacy', /^signature: (.+?) signature (?:\(.+\) )?of signer "(.*)" verifies over Signature\.xml \(legacy V1 form\)(.*)$/, ['algorithm', 'signer', 'extra']],
  ['signer_signature_bad', /^signature invalid: (.+?) signature of signer "(.*)" (?:over TBS_Sign )?does not verify(.*)$/, ['algorithm', 'signer', 'extra']],
  ['signature_ok', /^signature: (.+?) signature of (.+) over TBS_Sign verifies(.*)$/, ['algorithm', 'signer', 'extra']],
  ['signature_ok_legacy', /^signature: (.+?) signature (?:\(.+\) )?of (.+) verifies over Signature\.xml \(legacy V1 form\)(.*)$/, ['algorithm', 'signer', 'extra']],
  ['signature_invalid', /^signature invalid: (.*)$/, ['detail']],
  ['seal', /^seal "(.*)" \((.*), vendor (.*)\)$/, ['name', 'esId', 'vendor']],
  ['seal_maker_ok_named', /^seal maker signature (?:over .+ )?verifies(?: over .+ \(vendor variant\))?: seal "(.*)" \((.*)\) by maker "(.*)"$/, ['seal', 'esId', 'maker']],
  ['seal_maker_ok', /^seal maker signature (?:over .+ )?verifies(?: over .+ \(vendor variant\))?: (.+)$/, ['maker']],
  ['seal_maker_invalid', /^seal maker signature invalid: (.+) — the seal was altered or not made by this maker$/, ['maker']],
  ['seal_maker_unreadable', /^seal maker certificate unreadable: (.*)$/, ['detail']],
  ['seal_file_same', /^Seal\.esl is identical to the seal inside the signature$/, []],
  ['seal_file_differs', /^Seal\.esl differs from the seal inside the signature$/, []],
  ['seal_period_ok', /^seal validity (\S+) … (\S+) covers the signing time (\S+)$/, ['from', 'to', 'time']],
  ['seal_period_bad', /^seal validity (\S+) … (\S+) does not cover the signing time (\S+)$/, ['from', 'to', 'time']],
  ['signer_period_ok', /^signer certificate validity (\S+) … (\S+) covers the signing time ?(\S*)$/, ['from', 'to', 'time']],
  ['signer_period_bad', /^signer certificate validity (\S+) … (\S+) does not cover the signing time ?(\S*)$/, ['from', 'to', 'time']],
  ['maker_period_ok', /^seal maker certificate validity (\S+) … (\S+) overlaps the seal's life before use \(made (\S+), used (\S+)\)$/, ['from', 'to', 'made', 'used']],
  ['maker_period_bad', /^seal maker certificate validity (\S+) … (\S+) does not overlap the seal's life before use \(made (\S+), used (\S+)\)$/, ['from', 'to', 'made', 'used']],
  ['signer_in_seal', /^signer certificate is in the seal's certificate list$/, []],
  ['chain_no_anchors', /^certificate chain not checkable: no trust anchors configured$/, []],
  ['chain_no_certificate', /^certificate chain not checkable: (?:no readable signer certificate|signer certificate not found)$/, []],
  ['chain_trusted', /^certificate chain (?:ends at|verified up to) trust anchor "(.*)"$/, ['anchor']],
  ['chain_untrusted_issuer', /^certificate chain untrusted: issuer "(.*)" is not a configured trust anchor$/, ['issuer']],
  ['chain_untrusted', /^certificate chain untrusted: (.*)$/, ['detail']],
  ['not_verified_by_xml_reader', /^(.+?) present: not verified by the XML reader$/, ['element']],
  ['tax_cms_not_verified', /^tax authority's CMS signature in fp:Signature: not verified by the XML reader$/, []],
  ['legacy_v1_note', /^note: this legacy V1 signature does not cover TBS_Sign/, []],
  ['provider', /^provider (.+?)(?:, signature method (.+))?$/, ['provider', 'method']],
  ['no_references', /^Signature\.xml lists no references: nothing in the document is protected$/, []],
  ['uncovered_files', /^(\d+) package file\(s\) protected by no signature \(added after signing\?\): (.+)$/, ['count', 'files']],
  ['tolerated', /^tolerated: (.*)$/, ['detail']],
  ['unsupported', /^unsupported: ?(.*)$/, ['detail']],
];

/** The code of one reason sentence, or null when it is not one of the known templates. */
export function reasonCode(sentence: string): ReasonCode | null {
  return templateCode(PATTERNS, sentence);
}

/** The first template (code, pattern, names of its groups) that `sentence` matches, with its values by name. */
export function templateCode(patterns: readonly (readonly [string, RegExp, readonly string[]])[], sentence: string): ReasonCode | null {
  for (const [code, re, names] of patterns) {
    const m = re.exec(sentence);
    if (!m) continue;
    const params: Record<string, string> = {};
    names.forEach((n, i) => (params[n] = m[i + 1] ?? ''));
    return { code, params };
  }
  return null;
}

/** A report as served: its sentences and, index for index, their codes. */
export function withReasonCodes<T extends { reasons: string[] }>(report: T): T & { reasonCodes: (ReasonCode | null)[] } {
  return { ...report, reasonCodes: report.reasons.map(reasonCode) };
}

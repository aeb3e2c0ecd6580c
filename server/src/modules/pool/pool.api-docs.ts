/**
 * OpenAPI descriptions of the pool's integration endpoints — the 开票端接口 (issuer push) and the 用票端接口
 * (receiver: lookup, claim, release, reimbursed, booked) — which other organisations' systems implement against
 * `/api/docs`. The handlers validate by hand (claims.service.ts, pool.controller.ts), so the request bodies are
 * written out here; every example below is posted as it stands by `server/test/pool-claims/api-docs.test.ts`, so a
 * documented example that the server would refuse fails a test.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtension, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiSecurity, type OpenAPIObject } from '@nestjs/swagger';
import { MULTIPART_BODY, SIGNED_REQUEST_SCHEME } from '../../platform/http/openapi';
import { CLIENT_ROLES, isClientRole, ROLES, type AnyRole } from '../../platform/identity/roles';
import { BOOK_ROLES, CLAIM_CLIENT_ROLES, CLAIM_USER_ROLES, WRITEBACK_READ_ROLES } from './claims/claims.service';

/** An OpenAPI schema object (the package exports the type only through its document type). */
type SchemaObject = Exclude<NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string], { $ref: string }>;

const text = (description: string, extra: SchemaObject = {}): SchemaObject => ({ type: 'string', description, ...extra });
/** An amount field: its own words, then the format every amount shares. */
const money = (description: string): SchemaObject => text(`${description}; yuan with at most two decimals, as a string (a JSON number is read too)`, { pattern: '^\\d{1,16}(\\.\\d{1,2})?$' });
const ERROR: SchemaObject = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: text('machine-readable reason'), message: text('what is wrong, naming the field or file'), details: { type: 'object' } },
};
const error = (status: number, description: string) => ApiResponse({ status, description, schema: ERROR });

/** Who may call an operation, from the same role lists the route's guard uses. */
export function whoMayCall(roles: readonly AnyRole[]): string {
  const keys = roles.filter(isClientRole).map((r) => `\`${r}\` (${CLIENT_ROLES[r]})`);
  const people = roles.filter((r) => !isClientRole(r)).map((r) => `\`${r}\` (${ROLES[r as keyof typeof ROLES]})`);
  return [
    keys.length ? `API keys of role ${keys.join(', ')} (\`evarchive client add <name> --role <role> --unit <code>\`)` : 'no API key',
    people.length ? `people with role ${people.join(', ')}` : '',
  ].filter(Boolean).join('; ') + ' — for the units the key or grant names (system administrators: every unit).';
}

/**
 * The security, 401 and 403 of an operation and who may call it. Fresh decorators on every call: a decorator
 * instance applied to several routes would add its security entry to each of them again.
 */
const access = (roles: readonly AnyRole[]) => [
  ApiSecurity(SIGNED_REQUEST_SCHEME),
  ApiSecurity('bearer'),
  error(401, 'not signed in, or the request signature is refused (`code` names why: `signature_invalid`, `timestamp_out_of_window`, `nonce_reused`, `unknown_key`, …)'),
  error(403, `the key or person lacks the role: ${whoMayCall(roles)}`),
];
const operation = (summary: string, roles: readonly AnyRole[], description = '') =>
  ApiOperation({ summary, description: `${description ? `${description}\n\n` : ''}Who may call it: ${whoMayCall(roles)}` });
const MOVE_ROLES = [...CLAIM_CLIENT_ROLES, ...CLAIM_USER_ROLES];

// ---- 开票端接口: issuer push ---------------------------------------------------------------------------------

export const ISSUER_PUSH_EXAMPLE = { filename: '25442000000123456789.ofd', content: '<the file bytes in base64>', reference: 'INV-2026-000123' };

const PUSH_RESULT: SchemaObject = {
  type: 'object',
  required: ['voucherId', 'outcome', 'verdict', 'kind', 'fileId', 'batchId', 'itemId'],
  properties: {
    voucherId: text('the pool record (one per business identity)', { format: 'uuid' }),
    outcome: text('created (new record), duplicate (this file was already there), linked (another original or version of a known voucher), conflict (same identity, different amounts: shown to a person)', { enum: ['created', 'duplicate', 'linked', 'conflict'] }),
    verdict: text('seal/signature verdict of the file pushed (the record\'s own is in the voucher\'s details: a record keeps the copy that verifies as its original)', { enum: ['valid', 'invalid', 'incomplete', 'unsigned', 'unsupported'] }),
    kind: text('voucher kind, e.g. inv_ord (增值税普通发票), einv_spcl (数电专票), bank_receipt'),
    fileId: text('the stored original (GET /api/pool/files/{fileId})', { format: 'uuid' }),
    batchId: text('the ingest batch that took the file', { format: 'uuid' }),
    itemId: text('the batch item: its steps and outcome', { format: 'uuid' }),
    message: text('conflict only: what differs'),
  },
};

export const IssuerPushDocs = () =>
  applyDecorators(
    operation(
      '开票端接口: push one voucher file',
      ['issuer'],
      'One OFD, PDF, XML, XBRL or JSON voucher per request, as JSON `{filename, content (base64), reference?}` or as ' +
        'multipart/form-data with the file in the field `file`. Idempotent: the same file again answers 200 duplicate ' +
        'with the same voucherId. The signature covers the exact body bytes sent.',
    ),
    ...access(['issuer']),
    ApiConsumes('application/json'),
    ApiBody({
      schema: {
        type: 'object',
        required: ['filename', 'content'],
        properties: {
          filename: text('the voucher file\'s name (its extension helps recognise the format)', { maxLength: 255 }),
          content: text('the file bytes, base64', { format: 'byte' }),
          reference: text('your own reference for this push, kept with the batch item', { maxLength: 200 }),
        },
        example: ISSUER_PUSH_EXAMPLE,
      },
    }),
    ApiExtension(MULTIPART_BODY, {
      type: 'object',
      required: ['file'],
      properties: { file: text('the voucher file (its name is taken from the part\'s filename)', { format: 'binary' }) },
    }),
    ApiResponse({ status: 201, description: 'a new pool record', schema: PUSH_RESULT }),
    ApiResponse({ status: 200, description: 'duplicate, linked or conflict (see outcome)', schema: PUSH_RESULT }),
    error(400, 'the request itself is malformed (`filename`/`content` missing, `filename` over 255 or `reference` over 200 characters, `content` not base64, not exactly one file part)'),
    error(413, 'the body is over the limit: 20 MB for JSON (a file of about 15 MB, base64 adds a third), 64 MB for a signed multipart body'),
    error(415, 'a content type other than application/json or multipart/form-data'),
    error(422, 'the file is refused (`code` names why: unknown_format, not_a_voucher, unreadable, unroutable, held_by_other_unit, …); details carry batchId and itemId'),
    error(503, 'the server is stopping or its storage failed: nothing was kept, send the same request again later'),
  );

// ---- 用票端接口: receiver ------------------------------------------------------------------------------------

export const CLAIM_EXAMPLE = { reimbursementDocId: 'BX-2026-000321', claimantUser: '报销人甲' };
export const REIMBURSED_EXAMPLE = { reimbursementDocId: 'BX-2026-000321', reimbursedAt: '2026-03-03T09:30:00+08:00', amount: '113.00' };
export const BOOKED_EXAMPLE = {
  reimbursementDocId: 'BX-2026-000321',
  journalVoucherNumber: '记-0007',
  period: '2026-03',
  bookedAt: '2026-03-05',
  summary: '报销办公用品',
  entries: [
    { accountCode: '500101', accountName: '业务活动费用', subsidiaryName: '办公费', debit: '100.00' },
    { accountCode: '21010102', accountName: '应交增值税', subsidiaryName: '进项税额', debit: '13.00' },
    { accountCode: '100201', accountName: '银行存款', credit: '113.00' },
  ],
};
export const RELEASE_EXAMPLE = { reimbursementDocId: 'BX-2026-000321', reason: 'rejected', note: '发票抬头与单位名称不符' };

const idParam = () => ApiParam({ name: 'id', description: 'voucher id (pool record), as the lookup or the issuer push answered it', schema: { type: 'string', format: 'uuid' } });
const STATE = text('reimbursement state', { enum: ['available', 'claimed', 'reimbursed', 'booked', 'archived'] });
const CLAIM: SchemaObject = {
  type: 'object',
  required: ['voucherId', 'state', 'claimId', 'reimbursementDocId', 'claimant', 'claimedAt', 'expiresAt', 'repeated'],
  properties: {
    voucherId: text('', { format: 'uuid' }),
    state: STATE,
    claimId: text('', { format: 'uuid' }),
    reimbursementDocId: text('the document holding the claim'),
    claimant: { type: 'object', properties: { type: text('client or user'), id: text('', { nullable: true }), name: text('', { nullable: true }), user: text('claimantUser as given', { nullable: true }) } },
    claimedAt: text('', { format: 'date-time' }),
    expiresAt: text('the claim is released by itself after this time unless reimbursed', { format: 'date-time' }),
    repeated: { type: 'boolean', description: 'true when the same document had already claimed it (a retried request)' },
  },
};
const TRANSITION: SchemaObject = {
  type: 'object',
  required: ['voucherId', 'state'],
  properties: { voucherId: text('', { format: 'uuid' }), state: STATE },
};
const BOOKED: SchemaObject = {
  type: 'object',
  required: ['voucherId', 'state', 'journalVoucherNumber', 'period', 'bookedAt', 'debitTotal', 'creditTotal', 'entries', 'receiverFiles'],
  properties: {
    ...TRANSITION.properties,
    journalVoucherNumber: text(''),
    period: text('YYYY-MM'),
    bookedAt: text('', { format: 'date' }),
    debitTotal: money('sum of the debits'),
    creditTotal: money('sum of the credits'),
    entries: { type: 'array', items: { type: 'object' } },
    receiverFiles: {
      type: 'object',
      nullable: true,
      description: 'the 入账 receiver files generated (download: GET /api/pool/receiver/vouchers/{id}/files/{fileId}); null for a kind without a receiver view (then `note` says so)',
      properties: { configId: text('the receiver view of the MoF standard used'), xbrlFileId: text('', { format: 'uuid' }), jsonFileId: text('', { format: 'uuid' }) },
    },
  },
};
const illegal = error(409, 'not allowed in the voucher\'s current state (`illegal_transition`, details name the state), claimed by another document (`already_claimed`, `not_claim_holder`)');
const notFound = error(404, 'no such voucher in the units this key or user may see');
const invalid = error(400, 'a field is missing or malformed (`message` and `details.field` name it)');
const docId = text('the reimbursement document (报销单) in your system', { maxLength: 128 });

export const ReceiverLookupDocs = () =>
  applyDecorators(
    operation('用票端接口: find vouchers by business identity, with their state and live claim', WRITEBACK_READ_ROLES),
    ...access(WRITEBACK_READ_ROLES),
    ApiQuery({ name: 'invoiceNumber', required: false, description: '发票号码 (20 digits for 数电票, 8 for older invoices)' }),
    ApiQuery({ name: 'invoiceCode', required: false, description: '发票代码 (older invoices; with invoiceNumber)' }),
    ApiQuery({ name: 'bankSerialNumber', required: false, description: 'bank receipt serial number (回单编号/流水号)' }),
    ApiQuery({ name: 'identityKey', required: false, description: 'the pool\'s identity key as shown in voucher details' }),
    ApiResponse({ status: 200, description: '`{items: [{id, state, claim, kind, invoiceNumber, totalAmount, …}]}`' }),
    invalid,
  );

export const ReceiverDetailDocs = () =>
  applyDecorators(
    operation('用票端接口: one voucher\'s state, claims, booking, 入账 receiver files and history', WRITEBACK_READ_ROLES),
    ...access(WRITEBACK_READ_ROLES),
    idParam(),
    ApiResponse({ status: 200, description: 'the write-back record' }),
    invalid,
    notFound,
  );

/** One state transition of a voucher: signed or signed-in, the voucher id, a JSON body, its answer and the errors. */
const transitionDocs = (op: { summary: string; description?: string }, roles: readonly AnyRole[], body: SchemaObject, ok: { status: number; description: string; schema: SchemaObject }) =>
  applyDecorators(operation(op.summary, roles, op.description), ...access(roles), idParam(), ApiBody({ schema: { type: 'object', ...body } }), ApiResponse(ok), invalid, notFound, illegal);

export const ReceiverFileDocs = () =>
  applyDecorators(
    operation('用票端接口: download one file of the voucher — the original, a version, or a 入账 receiver file (XBRL, JSON)', WRITEBACK_READ_ROLES, 'File ids: `receiverFiles` of the booked answer, `files` of the write-back record. Every read is audited.'),
    ...access(WRITEBACK_READ_ROLES),
    idParam(),
    ApiParam({ name: 'fileId', description: 'a file of this voucher', schema: { type: 'string', format: 'uuid' } }),
    ApiResponse({ status: 200, description: 'the bytes as stored, with their media type and file name (Content-Disposition)' }),
    invalid,
    error(404, 'no such file on this voucher, or the voucher is not in the units this key or user may see'),
  );

export const ClaimDocs = () =>
  transitionDocs(
    {
      summary: '用票端接口: claim (占用) a voucher for a reimbursement document: available → claimed',
      description: 'Exactly one of concurrent claims wins; the others answer 409 already_claimed naming the holder. The same document claiming again gets its claim back (`repeated: true`).',
    },
    MOVE_ROLES,
    {
      required: ['reimbursementDocId'],
      properties: {
        reimbursementDocId: docId,
        expiresAt: text('when the claim lapses (ISO date-time, at most 366 days ahead); default 30 days', { format: 'date-time' }),
        claimantUser: text('the person in your system who claims it', { maxLength: 200 }),
      },
      example: CLAIM_EXAMPLE,
    },
    { status: 201, description: 'claimed (or the same document\'s claim, repeated)', schema: CLAIM },
  );

export const ReimbursedDocs = () =>
  transitionDocs(
    { summary: '用票端接口: write back 已报销: claimed → reimbursed (by the holding document)' },
    MOVE_ROLES,
    {
      properties: {
        reimbursementDocId: { ...docId, description: 'the holding document; required for API keys' },
        reimbursedAt: text('when it was reimbursed (ISO date-time); default now', { format: 'date-time' }),
        amount: money('amount reimbursed'),
      },
      example: REIMBURSED_EXAMPLE,
    },
    { status: 200, description: 'reimbursed', schema: TRANSITION },
  );

export const BookedDocs = () =>
  transitionDocs(
    {
      summary: '用票端接口: write back 已入账: reimbursed (or available) → booked, with the journal voucher',
      description: 'Stores the journal voucher (记账凭证号, period, balanced entries) and generates the 入账信息结构化数据 receiver files (XBRL instance and JSON), linked to the voucher.',
    },
    BOOK_ROLES,
    {
      required: ['journalVoucherNumber', 'period', 'bookedAt', 'entries'],
      properties: {
        reimbursementDocId: { ...docId, description: 'optional; when given it must be the document holding the claim' },
        journalVoucherNumber: text('记账凭证号', { maxLength: 64 }),
        period: text('accounting period YYYY-MM (or YYYYMM)'),
        bookedAt: text('posting date YYYY-MM-DD', { format: 'date' }),
        summary: text('摘要', { maxLength: 500 }),
        entries: {
          type: 'array',
          minItems: 1,
          maxItems: 500,
          description: 'debit/credit entries; debits must equal credits (else 400 unbalanced_entries)',
          items: {
            type: 'object',
            properties: {
              accountCode: text('科目编码 (code or name required)'),
              accountName: text('科目名称'),
              subsidiaryCode: text('辅助核算编码'),
              subsidiaryName: text('辅助核算名称'),
              debit: money('debit amount (or credit, not both)'),
              credit: money('credit amount'),
            },
          },
        },
      },
      example: BOOKED_EXAMPLE,
    },
    { status: 200, description: 'booked; the answer names the receiver files', schema: BOOKED },
  );

export const ReleaseDocs = () =>
  transitionDocs(
    { summary: '用票端接口: release a claim: claimed or reimbursed (not booked) → available' },
    MOVE_ROLES,
    {
      properties: {
        reimbursementDocId: { ...docId, description: 'the holding document; required for API keys' },
        reason: text('why', { enum: ['released', 'rejected', 'cancelled'], default: 'released' }),
        note: text('free text kept in the history', { maxLength: 1000 }),
      },
      example: RELEASE_EXAMPLE,
    },
    { status: 200, description: 'available again', schema: TRANSITION },
  );

import { Inject, Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import type { Readable } from 'node:stream';
import { AuditService } from '../../platform/audit/audit.service';
import { systemClock, type Clock } from '../../platform/clock/clock';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors/errors';
import { allowedUnitIds, hasRole, isSystemAdmin, type Principal } from '../../platform/identity/principal';
import type { AnyRole, Role } from '../../platform/identity/roles';
import type { ObjectStore } from '../../platform/storage/object-store';
import { isCalendarDate } from '../../platform/http/dates';
import { CLOCK, STORAGE } from '../../platform/tokens';
import { VOUCHER_KIND_NAMES, VOUCHER_KINDS, type Voucher } from '../../formats/voucher';
import { PoolRepository, type VoucherFilter, type VoucherScope, type VoucherSort } from './pool.repository';
import { withReasonCodes } from '../../formats/signatures/reason-codes';
import { warningCodes } from '../../formats/warning-codes';

/** Who works with the pool: people of these roles in the voucher's unit (system_admin everywhere). */
export const POOL_READ_ROLES: readonly Role[] = ['accountant', 'reimbursement_clerk', 'archivist', 'unit_admin', 'auditor'];
/** Who may bring vouchers in and resolve conflicts. */
export const POOL_WRITE_ROLES: readonly Role[] = ['accountant', 'reimbursement_clerk', 'archivist', 'unit_admin'];

const STATES = ['available', 'claimed', 'reimbursed', 'booked', 'archived'];
const VERDICTS = ['valid', 'invalid', 'incomplete', 'unsigned', 'unsupported'];
const SORT_IDS: VoucherSort[] = ['created_desc', 'created_asc', 'issue_date_desc', 'issue_date_asc', 'amount_desc', 'amount_asc'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONEY = /^-?\d{1,16}(\.\d{1,2})?$/;

export interface ListQuery extends VoucherFilter {
  sort: VoucherSort;
  limit: number;
  cursor?: string;
}

/** Parses the list/export query string; every problem names its parameter. */
/** The query parameters of the pool list; any other is refused (a misspelt filter must not silently list everything). */
export const LIST_PARAMS = ['unitId', 'subPool', 'personal', 'kind', 'state', 'verdict', 'issueFrom', 'issueTo', 'amountMin', 'amountMax', 'party', 'number', 'sort', 'limit', 'cursor'] as const;

export function parseListQuery(q: Record<string, unknown>, maxLimit = 200): ListQuery {
  const unknown = Object.keys(q).filter((k) => !(LIST_PARAMS as readonly string[]).includes(k));
  if (unknown.length) {
    const hint = unknown.some((k) => /date|from|to/i.test(k)) ? ' (the issue-date filters are issueFrom and issueTo)' : '';
    throw new ValidationError(`${unknown.join(', ')}: unknown filter${unknown.length > 1 ? 's' : ''}${hint}; known: ${LIST_PARAMS.join(', ')}`, { field: unknown[0], unknown });
  }
  const s = (name: string): string | undefined => {
    const v = q[name];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new ValidationError(`${name}: expected one value`, { field: name });
    return v.trim();
  };
  const check = (name: string, v: string | undefined, ok: (v: string) => boolean, hint: string) => {
    if (v !== undefined && !ok(v)) throw new ValidationError(`${name}: ${hint}, got "${v}"`, { field: name });
    return v;
  };
  const limitRaw = s('limit');
  const limit = limitRaw === undefined ? 50 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw new ValidationError(`limit: expected a whole number from 1 to ${maxLimit}`, { field: 'limit' });
  const money = (name: string) => {
    const v = check(name, s(name), (x) => MONEY.test(x), 'expected an amount such as 100 or 1234.50');
    return v === undefined ? undefined : v;
  };
  return {
    unitId: check('unitId', s('unitId'), (v) => UUID.test(v), 'expected a unit id (uuid)'),
    subPool: s('subPool')?.slice(0, 64),
    kind: check('kind', s('kind'), (v) => (VOUCHER_KINDS as readonly string[]).includes(v), `expected one of ${VOUCHER_KINDS.join(', ')}`),
    state: check('state', s('state'), (v) => STATES.includes(v), `expected one of ${STATES.join(', ')}`),
    verdict: check('verdict', s('verdict'), (v) => VERDICTS.includes(v), `expected one of ${VERDICTS.join(', ')}`),
    issueFrom: check('issueFrom', s('issueFrom'), (v) => DATE.test(v) && isCalendarDate(v), 'expected a date YYYY-MM-DD'),
    issueTo: check('issueTo', s('issueTo'), (v) => DATE.test(v) && isCalendarDate(v), 'expected a date YYYY-MM-DD'),
    amountMin: money('amountMin'),
    amountMax: money('amountMax'),
    party: s('party')?.slice(0, 100),
    number: s('number')?.slice(0, 64),
    personal: s('personal') === 'true' || s('personal') === '1' ? true : undefined,
    sort: (check('sort', s('sort'), (v) => (SORT_IDS as string[]).includes(v), `expected one of ${SORT_IDS.join(', ')}`) as VoucherSort | undefined) ?? 'created_desc',
    limit,
    cursor: s('cursor'),
  };
}

export function scopeOf(p: Principal): VoucherScope {
  return { unitIds: allowedUnitIds(p, POOL_READ_ROLES), userId: p.kind === 'user' ? p.id : null };
}

function encodeCursor(key: string, id: string): string {
  return Buffer.from(JSON.stringify([key, id])).toString('base64url');
}

function decodeCursor(c: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && UUID.test(v[1])) return [v[0], v[1]];
  } catch {
    /* fall through */
  }
  throw new ValidationError('cursor: not a cursor from a previous page (use nextCursor as given)', { field: 'cursor' });
}

type ListRow = Awaited<ReturnType<PoolRepository['listVouchers']>>[number];

export function voucherSummary(r: Omit<ListRow, 'sort_key'>) {
  return {
    id: r.id,
    unit: r.unit_id ? { id: r.unit_id, code: r.unit_code, name: r.unit_name } : null,
    subPool: r.sub_pool,
    personalOwnerId: r.owner_user_id,
    kind: r.kind,
    kindName: VOUCHER_KIND_NAMES[r.kind as keyof typeof VOUCHER_KIND_NAMES] ?? r.kind,
    identityKey: r.identity_key,
    invoiceCode: r.invoice_code,
    invoiceNumber: r.invoice_number,
    issueDate: r.issue_date,
    amountExTax: r.amount_ex_tax,
    taxAmount: r.tax_amount,
    totalAmount: r.total_amount,
    currency: r.currency,
    sellerName: r.seller_name,
    sellerTaxId: r.seller_tax_id,
    buyerName: r.buyer_name,
    buyerTaxId: r.buyer_tax_id,
    payerName: r.payer_name,
    payeeName: r.payee_name,
    bankSerialNumber: r.bank_serial,
    signatureVerdict: r.signature_verdict,
    warnings: r.warnings as string[],
    // Each warning's code (index for index) for readers in other languages (formats/warning-codes.ts).
    warningCodes: warningCodes(r.warnings as string[]),
    carrier: r.carrier,
    state: r.state,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Queries of the pool, downloads, export and conflict resolution; every one scoped by role and unit. */
@Injectable()
export class PoolService {
  constructor(
    private readonly repo: PoolRepository,
    @Inject(STORAGE) private readonly storage: ObjectStore,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async list(p: Principal, q: ListQuery) {
    return this.listScoped(scopeOf(p), q);
  }

  /** The list for an explicit scope (the CLI operator sees everything). */
  async listScoped(scope: VoucherScope, q: ListQuery) {
    if (q.unitId && scope.unitIds !== 'all' && !scope.unitIds.includes(q.unitId)) {
      throw new ForbiddenError(`no access to the pool of unit ${q.unitId}`, { unitId: q.unitId });
    }
    const rows = await this.repo.listVouchers(scope, q, q.sort, q.limit, q.cursor ? decodeCursor(q.cursor) : undefined);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(({ sort_key: _k, ...r }) => voucherSummary(r)),
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.sort_key, last.id) : null,
    };
  }

  private canSee(p: Principal, unitId: string | null, ownerId: string | null): boolean {
    if (isSystemAdmin(p)) return true;
    if (unitId) return hasRole(p, POOL_READ_ROLES, unitId);
    return p.kind === 'user' && ownerId === p.id;
  }

  async detail(p: Principal, id: string) {
    if (!UUID.test(id)) throw new ValidationError(`id: not a voucher id: "${id}"`, { field: 'id' });
    const r = await this.repo.voucherRow(id);
    // Out of scope answers like not found: the caller learns nothing about other units' vouchers.
    if (!r || !this.canSee(p, r.unit_id, r.owner_user_id)) throw new NotFoundError(`voucher not found: ${id}`, { id });
    const [files, events, conflicts] = await Promise.all([this.repo.filesOf(id), this.repo.eventsOf(id), this.repo.conflictsOfVoucher(id)]);
    const data = r.data as Voucher;
    return {
      ...voucherSummary(r),
      voucher: data,
      // Each report's reasons with their codes (reasonCodes, index for index) for readers in other languages.
      signatures: (data.signatures ?? []).map(withReasonCodes),
      files: files.map((f) => ({
        id: f.id,
        role: f.role,
        filename: f.filename,
        format: f.format,
        mediaType: f.media_type,
        size: Number(f.size),
        sha256: f.sha256,
        sm3: f.sm3,
        signatureVerdict: f.signature_verdict,
        signatures: f.signatures,
        receivedAt: f.received_at,
        channel: f.channel,
        sourceRef: f.source_ref,
        batchId: f.batch_id,
      })),
      history: events.map((e) => ({
        at: e.at,
        action: e.action,
        fromState: e.from_state,
        toState: e.to_state,
        actor: { type: e.actor_type, id: e.actor_id, name: e.actor_name },
        details: e.details,
      })),
      conflicts: conflicts.map((c) => ({ id: c.id, fileId: c.file_id, differences: c.differences, status: c.status, resolution: c.resolution, note: c.resolution_note, createdAt: c.created_at, resolvedAt: c.resolved_at })),
    };
  }

  /** A received original, byte for byte; the read is audited. */
  /**
   * One stored file (an original, a version, a receiver file), audited. `scope` is the receiver API's way in: the
   * file must belong to that voucher, and the roles that may read write-backs (API keys of reimbursement and
   * accounting systems among them) may read it.
   */
  async download(
    p: Principal,
    fileId: string,
    ip: string | null,
    scope?: { voucherId: string; roles: readonly AnyRole[] },
  ): Promise<{ stream: Readable; filename: string; mediaType: string; size: number; sha256: string }> {
    if (!UUID.test(fileId)) throw new ValidationError(`id: not a file id: "${fileId}"`, { field: 'id' });
    if (scope && !UUID.test(scope.voucherId)) throw new ValidationError(`id: not a voucher id: "${scope.voucherId}"`, { field: 'id' });
    const f = await this.repo.fileRow(fileId);
    const visible = f && (scope ? f.voucher_id === scope.voucherId && !!f.unit_id && (isSystemAdmin(p) || hasRole(p, scope.roles, f.unit_id)) : this.canSee(p, f.unit_id, f.owner_user_id));
    if (!f || !visible) throw new NotFoundError(`file not found: ${fileId}`, { id: fileId });
    await this.audit.record({
      actor: p,
      action: 'pool.file.read',
      targetType: 'voucher_file',
      targetId: f.id,
      unitId: f.unit_id,
      ip,
      details: { voucherId: f.voucher_id, filename: f.filename, role: f.role },
      digests: { sha256: f.sha256, sm3: f.sm3 },
    });
    const stream = await this.storage.getStream(f.object_key, { verify: true });
    return { stream, filename: f.filename ?? `${f.id}`, mediaType: f.media_type, size: Number(f.size), sha256: f.sha256 };
  }

  /** The list's filter as an Excel workbook (all matching rows up to `max`). */
  async exportXlsx(p: Principal, q: ListQuery, max = 50_000): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    wb.creator = 'evarchive';
    const ws = wb.addWorksheet('票据池');
    ws.columns = [
      { header: '单位', key: 'unit', width: 16 },
      { header: '二级票池', key: 'subPool', width: 10 },
      { header: '种类', key: 'kind', width: 22 },
      { header: '发票代码', key: 'code', width: 14 },
      { header: '号码', key: 'number', width: 22 },
      { header: '开票日期', key: 'date', width: 12 },
      { header: '不含税金额', key: 'ex', width: 14, style: { numFmt: '#,##0.00' } },
      { header: '税额', key: 'tax', width: 12, style: { numFmt: '#,##0.00' } },
      { header: '价税合计', key: 'total', width: 14, style: { numFmt: '#,##0.00' } },
      { header: '销售方', key: 'seller', width: 28 },
      { header: '销售方税号', key: 'sellerTaxId', width: 22 },
      { header: '购买方', key: 'buyer', width: 28 },
      { header: '购买方税号', key: 'buyerTaxId', width: 22 },
      { header: '验签结果', key: 'verdict', width: 12 },
      { header: '状态', key: 'state', width: 10 },
      { header: '入池时间', key: 'created', width: 20 },
    ];
    ws.getRow(1).font = { bold: true };
    let cursor: string | undefined;
    let n = 0;
    do {
      const page = await this.list(p, { ...q, limit: Math.min(1000, max - n), cursor });
      for (const v of page.items) {
        ws.addRow({
          unit: v.unit?.code ?? '个人票夹',
          subPool: v.subPool ?? '',
          kind: v.kindName,
          code: v.invoiceCode ?? '',
          number: v.invoiceNumber ?? v.bankSerialNumber ?? '',
          date: v.issueDate ?? '',
          // Excel has only binary floating point: the cell shows the amount, the exact string stays in the pool.
          ex: v.amountExTax === null ? null : Number(v.amountExTax),
          tax: v.taxAmount === null ? null : Number(v.taxAmount),
          total: v.totalAmount === null ? null : Number(v.totalAmount),
          seller: v.sellerName ?? '',
          sellerTaxId: v.sellerTaxId ?? '',
          buyer: v.buyerName ?? v.payerName ?? '',
          buyerTaxId: v.buyerTaxId ?? '',
          verdict: v.signatureVerdict,
          state: v.state,
          created: v.createdAt.toISOString(),
        });
      }
      n += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor && n < max);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  async conflicts(p: Principal, status: string | undefined, limit = 200) {
    if (status !== undefined && status !== 'open' && status !== 'resolved') throw new ValidationError(`status: expected open or resolved, got "${status}"`, { field: 'status' });
    const rows = await this.repo.listConflicts(scopeOf(p), status, limit);
    return {
      items: rows.map((r) => ({
        id: r.id,
        voucherId: r.voucher_id,
        identityKey: r.identity_key,
        kind: r.kind,
        unit: r.unit_id ? { id: r.unit_id, code: r.unit_code } : null,
        differences: r.differences,
        fileId: r.file_id,
        filename: r.filename,
        status: r.status,
        resolution: r.resolution,
        note: r.resolution_note,
        resolvedBy: r.resolved_by,
        resolvedAt: r.resolved_at,
        createdAt: r.created_at,
      })),
    };
  }

  /**
   * A person decides a conflict: keep the recorded reading, or take the incoming file's reading as the voucher's
   * fields. Only while the voucher is still available (a claimed voucher's amounts are no longer the pool's to change).
   */
  async resolveConflict(p: Principal, id: string, body: unknown, ip: string | null) {
    if (!UUID.test(id)) throw new ValidationError(`id: not a conflict id: "${id}"`, { field: 'id' });
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const resolution = b.resolution;
    if (resolution !== 'keep_existing' && resolution !== 'take_incoming') throw new ValidationError('resolution: expected keep_existing or take_incoming', { field: 'resolution' });
    const note = typeof b.note === 'string' && b.note.trim() ? b.note.trim().slice(0, 1000) : null;
    return this.repo.transaction(async (trx) => {
      const c = await this.repo.conflictForUpdate(trx, id);
      if (!c || !this.canSee(p, c.unit_id, c.owner_user_id)) throw new NotFoundError(`conflict not found: ${id}`, { id });
      if (c.unit_id ? !hasRole(p, POOL_WRITE_ROLES, c.unit_id) : !this.canSee(p, null, c.owner_user_id)) {
        throw new ForbiddenError(`requires role ${POOL_WRITE_ROLES.join(' or ')} in unit ${c.unit_id}`, { unitId: c.unit_id });
      }
      if (c.status !== 'open') throw new ConflictError(`conflict ${id} is already resolved`, { id }, 'already_resolved');
      if (resolution === 'take_incoming' && c.state !== 'available') {
        throw new ConflictError(`voucher ${c.voucher_id} is ${c.state}: its fields can no longer be replaced`, { voucherId: c.voucher_id, state: c.state }, 'voucher_not_available');
      }
      // The record's reading is its original's: a photo's reading cannot replace an electronic original's.
      if (resolution === 'take_incoming' && c.carrier === 'electronic' && c.file_id && (await this.repo.fileRole(trx, c.file_id)) === 'paper_photo') {
        throw new ConflictError(
          `conflict ${id}: the incoming file is a photo of the paper; the voucher's electronic original stays its reading (keep_existing, or send the electronic file that is right)`,
          { id, voucherId: c.voucher_id },
          'photo_cannot_replace_original',
        );
      }
      const now = this.clock.now();
      const by = p.kind === 'user' ? p.username : p.name;
      await this.repo.resolveConflict(trx, {
        id,
        voucherId: c.voucher_id,
        fileId: c.file_id,
        resolution,
        note,
        incoming: resolution === 'take_incoming' ? (c.incoming as Voucher) : null,
        by,
        now,
        actor: { actor_type: p.kind, actor_id: p.id, actor_name: by },
      });
      await this.audit.record(
        { actor: p, action: 'pool.conflict.resolve', targetType: 'voucher', targetId: c.voucher_id, unitId: c.unit_id, ip, details: { conflictId: id, resolution, note, differences: c.differences } },
        trx,
      );
      return { id, voucherId: c.voucher_id, status: 'resolved', resolution, note };
    });
  }
}

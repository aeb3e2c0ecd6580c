import { Inject, Injectable } from '@nestjs/common';
import { AuditService, type AuditActor } from '../audit/audit.service';
import type { Db } from '../database/database';
import { ConflictError, NotFoundError, ValidationError } from '../errors/errors';
import { DB } from '../tokens';
import { allowedUnitIds, assertUnit, type Principal } from './principal';
import { creditCodeProblem, isUuid, optString, reqObject, reqString, reqUuid, uniqueViolation } from './validate';

export interface Unit {
  id: string;
  code: string;
  name: string;
  creditCode: string | null;
  parentId: string | null;
}
export interface Fonds {
  id: string;
  code: string;
  name: string;
  unitId: string;
  unitName: string;
}

const CODE = { max: 32, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, hint: 'letters, digits, ".", "_" or "-"' };

/** Units (单位) and fonds (全宗). */
@Injectable()
export class OrgService {
  constructor(
    @Inject(DB) private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  /** Units the reader administers ('all' for system_admin), optionally narrowed by a code/name substring. */
  async listUnits(scope: 'all' | string[], q?: string): Promise<Unit[]> {
    if (scope !== 'all' && scope.length === 0) return [];
    let query = this.db.selectFrom('unit').select(['id', 'code', 'name', 'credit_code', 'parent_id']);
    if (scope !== 'all') query = query.where('id', 'in', scope);
    if (q?.trim()) {
      const like = `%${q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([eb('code', 'ilike', like), eb('name', 'like', like)]));
    }
    const rows = await query.orderBy('code').execute();
    return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, creditCode: r.credit_code, parentId: r.parent_id }));
  }

  async unitByCode(code: string): Promise<Unit> {
    const r = await this.db.selectFrom('unit').select(['id', 'code', 'name', 'credit_code', 'parent_id']).where('code', '=', code).executeTakeFirst();
    if (!r) throw new NotFoundError(`unit not found: code "${code}"`, { field: 'unit', code });
    return { id: r.id, code: r.code, name: r.name, creditCode: r.credit_code, parentId: r.parent_id };
  }

  async createUnit(actor: AuditActor, body: unknown, ip: string | null = null): Promise<Unit> {
    const b = reqObject(body);
    const code = reqString(b.code, 'code', CODE);
    const name = reqString(b.name, 'name', { max: 200 });
    const creditCode = optString(b.creditCode, 'creditCode')?.toUpperCase() ?? null;
    if (creditCode) {
      const problem = creditCodeProblem(creditCode);
      if (problem) throw new ValidationError(`creditCode: ${problem}`, { field: 'creditCode' });
    }
    let parentId: string | null = null;
    if (b.parentId != null && b.parentId !== '') parentId = reqUuid(b.parentId, 'parentId');
    else if (b.parentCode != null && b.parentCode !== '') parentId = (await this.unitByCode(reqString(b.parentCode, 'parentCode', CODE))).id;
    if (parentId && !(await this.db.selectFrom('unit').select('id').where('id', '=', parentId).executeTakeFirst())) {
      throw new ValidationError(`parentId: no such unit ${parentId}`, { field: 'parentId' });
    }
    try {
      return await this.db.transaction().execute(async (trx) => {
        const r = await trx
          .insertInto('unit')
          .values({ code, name, credit_code: creditCode, parent_id: parentId })
          .returning(['id', 'code', 'name', 'credit_code', 'parent_id'])
          .executeTakeFirstOrThrow();
        await this.audit.record({ actor, action: 'unit.create', targetType: 'unit', targetId: r.id, unitId: r.id, ip, details: { code, name, creditCode, parentId } }, trx);
        return { id: r.id, code: r.code, name: r.name, creditCode: r.credit_code, parentId: r.parent_id };
      });
    } catch (e) {
      const c = uniqueViolation(e);
      if (c === 'unit_code_key') throw new ConflictError(`code: a unit with code "${code}" already exists`, { field: 'code' });
      if (c === 'unit_credit_code_key') throw new ConflictError(`creditCode: a unit with credit code ${creditCode} already exists`, { field: 'creditCode' });
      throw e;
    }
  }

  async listFonds(scope: 'all' | string[], unitId?: string): Promise<Fonds[]> {
    if (scope !== 'all' && scope.length === 0) return [];
    let query = this.db
      .selectFrom('fonds')
      .innerJoin('unit', 'unit.id', 'fonds.unit_id')
      .select(['fonds.id', 'fonds.code', 'fonds.name', 'fonds.unit_id', 'unit.name as unit_name']);
    if (scope !== 'all') query = query.where('fonds.unit_id', 'in', scope);
    if (unitId) query = query.where('fonds.unit_id', '=', reqUuid(unitId, 'unitId'));
    const rows = await query.orderBy('fonds.code').execute();
    return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, unitId: r.unit_id, unitName: r.unit_name }));
  }

  async getFonds(fondsId: string): Promise<Fonds> {
    if (!isUuid(fondsId)) throw new ValidationError(`fondsId: expected an id (UUID), got "${fondsId}"`, { field: 'fondsId' });
    const r = await this.db
      .selectFrom('fonds')
      .innerJoin('unit', 'unit.id', 'fonds.unit_id')
      .select(['fonds.id', 'fonds.code', 'fonds.name', 'fonds.unit_id', 'unit.name as unit_name'])
      .where('fonds.id', '=', fondsId)
      .executeTakeFirst();
    if (!r) throw new NotFoundError(`fonds not found: ${fondsId}`, { field: 'fondsId' });
    return { id: r.id, code: r.code, name: r.name, unitId: r.unit_id, unitName: r.unit_name };
  }

  /** The unit a fonds belongs to, for scope checks; 404 when there is no such fonds. */
  async unitOfFonds(fondsId: string): Promise<string> {
    if (!isUuid(fondsId)) throw new ValidationError(`fondsId: expected an id (UUID), got "${fondsId}"`, { field: 'fondsId' });
    const r = await this.db.selectFrom('fonds').select('unit_id').where('id', '=', fondsId).executeTakeFirst();
    if (!r) throw new NotFoundError(`fonds not found: ${fondsId}`, { field: 'fondsId' });
    return r.unit_id;
  }

  /** Creates a fonds in a unit the principal administers (unit_admin there, or system_admin). */
  async createFonds(principal: Principal | 'system', body: unknown, ip: string | null = null): Promise<Fonds> {
    const b = reqObject(body);
    const code = reqString(b.code, 'code', CODE);
    const name = reqString(b.name, 'name', { max: 200 });
    let unitId: string;
    if (b.unitId != null && b.unitId !== '') unitId = reqUuid(b.unitId, 'unitId');
    else if (b.unitCode != null && b.unitCode !== '') unitId = (await this.unitByCode(reqString(b.unitCode, 'unitCode', CODE))).id;
    else throw new ValidationError('unitId: required', { field: 'unitId' });
    if (principal !== 'system') assertUnit(principal, unitId, ['unit_admin']);
    const unit = await this.db.selectFrom('unit').select(['id', 'name']).where('id', '=', unitId).executeTakeFirst();
    if (!unit) throw new ValidationError(`unitId: no such unit ${unitId}`, { field: 'unitId' });
    try {
      return await this.db.transaction().execute(async (trx) => {
        const r = await trx.insertInto('fonds').values({ code, name, unit_id: unitId }).returning(['id', 'code', 'name', 'unit_id']).executeTakeFirstOrThrow();
        await this.audit.record({ actor: principal, action: 'fonds.create', targetType: 'fonds', targetId: r.id, unitId, ip, details: { code, name } }, trx);
        return { id: r.id, code: r.code, name: r.name, unitId: r.unit_id, unitName: unit.name };
      });
    } catch (e) {
      if (uniqueViolation(e) === 'fonds_code_key') throw new ConflictError(`code: a fonds with code "${code}" already exists`, { field: 'code' });
      throw e;
    }
  }

  /** For repositories: the fonds ids within the units a principal may act in. */
  async allowedFondsIds(principal: Principal, roles?: Parameters<typeof allowedUnitIds>[1]): Promise<'all' | string[]> {
    const units = allowedUnitIds(principal, roles);
    if (units === 'all') return 'all';
    if (units.length === 0) return [];
    const rows = await this.db.selectFrom('fonds').select('id').where('unit_id', 'in', units).execute();
    return rows.map((r) => r.id);
  }
}

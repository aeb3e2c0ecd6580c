import { Inject, Injectable } from '@nestjs/common';
import type { Transaction } from 'kysely';
import { AuditService } from '../audit/audit.service';
import type { Db } from '../database/database';
import type { Database } from '../database/schema';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors/errors';
import { DB } from '../tokens';
import { checkPasswordPolicy, generatePassword, hashPassword } from './password';
import { allowedUnitIds, isSystemAdmin, type Grant, type Principal, type UserPrincipal } from './principal';
import { ALL_UNIT_ROLES, isRole, ROLE_IDS, type Role } from './roles';
import { isUuid, optString, reqObject, reqString, reqUuid, uniqueViolation } from './validate';

/** The user as the web app sees it (GET /api/auth/me, admin lists). */
export interface UserView {
  id: string;
  username: string;
  displayName: string;
  disabled: boolean;
  roles: { role: Role; unitId: string | null; unitName: string | null }[];
  units: { id: string; code: string; name: string }[];
}

export const USERNAME = { max: 64, pattern: /^[a-z0-9][a-z0-9._-]{1,63}$/, hint: '2–64 lower-case letters, digits, ".", "_" or "-"' };

type Executor = Db | Transaction<Database>;

/** Users and their role grants. */
@Injectable()
export class UserService {
  constructor(
    @Inject(DB) private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  async grantsOf(userId: string, ex: Executor = this.db): Promise<Grant[]> {
    const rows = await ex.selectFrom('role_grant').select(['role', 'unit_id']).where('user_id', '=', userId).orderBy('role').execute();
    return rows.map((r) => ({ role: r.role, unitId: r.unit_id }));
  }

  async principalOf(userId: string, sessionId: string | null): Promise<UserPrincipal | null> {
    const u = await this.db.selectFrom('app_user').select(['id', 'username', 'display_name', 'disabled']).where('id', '=', userId).executeTakeFirst();
    if (!u || u.disabled) return null;
    return { kind: 'user', id: u.id, username: u.username, displayName: u.display_name, grants: await this.grantsOf(u.id), sessionId };
  }

  /** The user with grants (optionally only those inside `visibleUnits`) and the units they may work in. */
  async view(userId: string, visibleUnits: 'all' | string[] = 'all'): Promise<UserView> {
    const u = await this.db.selectFrom('app_user').select(['id', 'username', 'display_name', 'disabled']).where('id', '=', userId).executeTakeFirst();
    if (!u) throw new NotFoundError(`user not found: ${userId}`);
    const [view] = await this.views([u], visibleUnits);
    return view;
  }

  private async views(users: { id: string; username: string; display_name: string; disabled: boolean }[], visibleUnits: 'all' | string[]): Promise<UserView[]> {
    if (users.length === 0) return [];
    const grants = await this.db
      .selectFrom('role_grant')
      .leftJoin('unit', 'unit.id', 'role_grant.unit_id')
      .select(['role_grant.user_id', 'role_grant.role', 'role_grant.unit_id', 'unit.code', 'unit.name'])
      .where(
        'role_grant.user_id',
        'in',
        users.map((u) => u.id),
      )
      .orderBy('role_grant.role')
      .orderBy('unit.code')
      .execute();
    const needAllUnits = grants.some((g) => g.unit_id === null);
    const allUnits = needAllUnits ? await this.db.selectFrom('unit').select(['id', 'code', 'name']).orderBy('code').execute() : [];
    return users.map((u) => {
      const mine = grants.filter((g) => g.user_id === u.id && (visibleUnits === 'all' || (g.unit_id !== null && visibleUnits.includes(g.unit_id))));
      const units = new Map<string, { id: string; code: string; name: string }>();
      if (mine.some((g) => g.unit_id === null)) for (const x of allUnits) units.set(x.id, x);
      for (const g of mine) if (g.unit_id) units.set(g.unit_id, { id: g.unit_id, code: g.code!, name: g.name! });
      return {
        id: u.id,
        username: u.username,
        displayName: u.display_name,
        disabled: u.disabled,
        roles: mine.map((g) => ({ role: g.role, unitId: g.unit_id, unitName: g.name ?? null })),
        units: [...units.values()].sort((a, b) => a.code.localeCompare(b.code)),
      };
    });
  }

  /**
   * system_admin: every user; unit_admin: users holding a grant in one of their units, showing only those
   * grants. By username; continue with `after` = the previous page's `nextAfter`.
   */
  async list(principal: Principal, filter: { unitId?: string; q?: string; after?: string; limit?: number | string } = {}): Promise<{ items: UserView[]; nextAfter: string | null }> {
    const none = { items: [], nextAfter: null };
    if (filter.unitId && !isUuid(filter.unitId)) throw new ValidationError(`unitId: expected an id (UUID), got "${filter.unitId}"`, { field: 'unitId' });
    const limit = filter.limit === undefined ? 500 : Number(filter.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError(`limit: expected a whole number from 1 to 1000, got "${filter.limit}"`, { field: 'limit' });
    const scope = allowedUnitIds(principal, ['unit_admin']);
    if (scope !== 'all' && scope.length === 0) return none;
    let query = this.db.selectFrom('app_user').select(['app_user.id', 'app_user.username', 'app_user.display_name', 'app_user.disabled']);
    const units = filter.unitId ? [filter.unitId.toLowerCase()].filter((u) => scope === 'all' || scope.includes(u)) : scope;
    if (units !== 'all') {
      if (units.length === 0) return none;
      query = query.where((eb) => eb.exists(eb.selectFrom('role_grant').select('role_grant.id').whereRef('role_grant.user_id', '=', 'app_user.id').where('role_grant.unit_id', 'in', units)));
    }
    if (filter.q?.trim()) {
      const like = `%${filter.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([eb('app_user.username', 'like', like.toLowerCase()), eb('app_user.display_name', 'like', like)]));
    }
    if (filter.after) query = query.where('app_user.username', '>', filter.after.toLowerCase());
    const rows = await query.orderBy('app_user.username').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    return { items: await this.views(page, scope), nextAfter: rows.length > limit ? page[page.length - 1].username : null };
  }

  /** Checks and resolves the requested grants; unit codes become ids. */
  private async parseGrants(raw: unknown, ex: Executor): Promise<Grant[]> {
    if (!Array.isArray(raw) || raw.length === 0) throw new ValidationError('roles: at least one role grant is required, e.g. [{"role":"archivist","unitCode":"001"}]', { field: 'roles' });
    const out: Grant[] = [];
    for (const [i, item] of raw.entries()) {
      const g = reqObject(item, `roles[${i}]`);
      if (!isRole(g.role)) throw new ValidationError(`roles[${i}].role: unknown role ${JSON.stringify(g.role ?? null)}; one of ${ROLE_IDS.join(', ')}`, { field: `roles[${i}].role` });
      let unitId: string | null = null;
      if (g.unitId != null && g.unitId !== '') {
        if (!isUuid(g.unitId)) throw new ValidationError(`roles[${i}].unitId: expected an id (UUID)`, { field: `roles[${i}].unitId` });
        const u = await ex.selectFrom('unit').select('id').where('id', '=', g.unitId).executeTakeFirst();
        if (!u) throw new ValidationError(`roles[${i}].unitId: no such unit ${g.unitId}`, { field: `roles[${i}].unitId` });
        unitId = u.id;
      } else if (g.unitCode != null && g.unitCode !== '') {
        const u = await ex.selectFrom('unit').select('id').where('code', '=', String(g.unitCode)).executeTakeFirst();
        if (!u) throw new ValidationError(`roles[${i}].unitCode: no unit with code "${g.unitCode}"`, { field: `roles[${i}].unitCode` });
        unitId = u.id;
      }
      if (g.role === 'system_admin' && unitId !== null) throw new ValidationError(`roles[${i}]: system_admin applies to every unit; give no unit`, { field: `roles[${i}].unitId` });
      if (unitId === null && !ALL_UNIT_ROLES.includes(g.role)) throw new ValidationError(`roles[${i}]: role ${g.role} needs a unit (unitId or unitCode)`, { field: `roles[${i}].unitId` });
      if (!out.some((o) => o.role === g.role && o.unitId === unitId)) out.push({ role: g.role, unitId });
    }
    return out;
  }

  /** A unit_admin may grant roles other than system_admin, and only inside the units they administer. */
  private assertMayGrant(actor: Principal | 'system', grants: Grant[]): void {
    if (actor === 'system' || isSystemAdmin(actor)) return;
    const scope = allowedUnitIds(actor, ['unit_admin']);
    for (const g of grants) {
      if (g.role === 'system_admin') throw new ForbiddenError('only a system administrator may grant system_admin', { role: g.role });
      if (g.unitId === null || (scope !== 'all' && !scope.includes(g.unitId))) {
        throw new ForbiddenError(`may grant roles only in units you administer (${g.role} in ${g.unitId ?? 'all units'})`, { role: g.role, unitId: g.unitId });
      }
    }
  }

  /**
   * Creates a user with role grants. Body: `{username, displayName?, password? | generatePassword: true, roles:
   * [{role, unitId | unitCode}]}`. Returns the generated password once when asked to generate one.
   */
  async create(actor: Principal | 'system', body: unknown, ip: string | null = null): Promise<{ user: UserView; password?: string }> {
    const b = reqObject(body);
    const username = reqString(typeof b.username === 'string' ? b.username.toLowerCase() : b.username, 'username', USERNAME);
    const displayName = optString(b.displayName, 'displayName', { max: 100 }) ?? username;
    let password: string;
    let generated = false;
    if (b.password !== undefined && b.password !== null && b.password !== '') password = checkPasswordPolicy(b.password);
    else if (b.generatePassword === true) {
      password = generatePassword();
      generated = true;
    } else throw new ValidationError('password: required (or set generatePassword: true)', { field: 'password' });
    const grants = await this.parseGrants(b.roles, this.db);
    this.assertMayGrant(actor, grants);
    const passwordHash = await hashPassword(password);
    let id: string;
    try {
      id = await this.db.transaction().execute(async (trx) => {
        const u = await trx.insertInto('app_user').values({ username, display_name: displayName, password_hash: passwordHash }).returning('id').executeTakeFirstOrThrow();
        await trx
          .insertInto('role_grant')
          .values(grants.map((g) => ({ user_id: u.id, role: g.role as Role, unit_id: g.unitId })))
          .execute();
        await this.audit.record(
          {
            actor: actor === 'system' ? 'system' : actor,
            action: 'user.create',
            targetType: 'user',
            targetId: u.id,
            unitId: grants.find((g) => g.unitId)?.unitId ?? null,
            ip,
            details: { username, displayName, roles: grants },
          },
          trx,
        );
        return u.id;
      });
    } catch (e) {
      if (uniqueViolation(e) === 'app_user_username_key') throw new ConflictError(`username: "${username}" is already taken`, { field: 'username' });
      throw e;
    }
    const user = await this.view(id);
    return generated ? { user, password } : { user };
  }

  /** Sets a new password (by an administrator of the user, or the CLI) and clears any lockout. */
  async setPassword(actor: Principal | 'system', userId: string, password: string, ip: string | null = null): Promise<void> {
    reqUuid(userId, 'id');
    checkPasswordPolicy(password);
    if (actor !== 'system' && !isSystemAdmin(actor)) {
      const grants = await this.grantsOf(userId);
      if (grants.length === 0 || grants.some((g) => g.role === 'system_admin')) throw new ForbiddenError('only a system administrator may reset this password');
      this.assertMayGrant(actor, grants);
    }
    const hash = await hashPassword(password);
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('app_user').set({ password_hash: hash, failed_logins: 0, locked_until: null }).where('id', '=', userId).executeTakeFirst();
      if (!r.numUpdatedRows) throw new NotFoundError(`user not found: ${userId}`);
      await trx.updateTable('user_session').set({ revoked_at: new Date() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
      await this.audit.record({ actor, action: 'user.password_reset', targetType: 'user', targetId: userId, ip }, trx);
    });
  }

  /**
   * Replaces the user's grants that lie within the actor's administration (every grant for system_admin; the
   * grants in their units for a unit_admin, whose grants elsewhere stay untouched). The last active
   * system_admin cannot lose the role.
   */
  async setGrants(actor: Principal | 'system', userId: string, body: unknown, ip: string | null = null): Promise<UserView> {
    reqUuid(userId, 'id');
    const b = reqObject(body);
    const wanted = await this.parseGrants(b.roles, this.db);
    this.assertMayGrant(actor, wanted);
    const scope: 'all' | string[] = actor === 'system' || isSystemAdmin(actor) ? 'all' : allowedUnitIds(actor, ['unit_admin']);
    await this.db.transaction().execute(async (trx) => {
      const user = await trx.selectFrom('app_user').select('id').where('id', '=', userId).forUpdate().executeTakeFirst();
      if (!user) throw new NotFoundError(`user not found: ${userId}`);
      const current = await this.grantsOf(userId, trx);
      const mine = (g: Grant) => scope === 'all' || (g.unitId !== null && scope.includes(g.unitId));
      if (actor !== 'system' && scope !== 'all' && !current.some(mine)) throw new NotFoundError(`user not found: ${userId}`);
      const kept = current.filter((g) => !mine(g));
      const next = [...kept, ...wanted.filter((w) => !kept.some((k) => k.role === w.role && k.unitId === w.unitId))];
      if (current.some((g) => g.role === 'system_admin') && !next.some((g) => g.role === 'system_admin')) await this.assertAnotherAdmin(trx, userId);
      await trx.deleteFrom('role_grant').where('user_id', '=', userId).execute();
      await trx
        .insertInto('role_grant')
        .values(next.map((g) => ({ user_id: userId, role: g.role as Role, unit_id: g.unitId })))
        .execute();
      await this.audit.record({ actor, action: 'user.grants_set', targetType: 'user', targetId: userId, unitId: wanted.find((g) => g.unitId)?.unitId ?? null, ip, details: { before: current, after: next } }, trx);
    });
    return this.view(userId, scope);
  }

  /** Disabling ends the user's sessions at once; a disabled user cannot sign in. */
  async setDisabled(actor: Principal | 'system', userId: string, disabled: boolean, ip: string | null = null): Promise<UserView> {
    reqUuid(userId, 'id');
    if (actor !== 'system' && actor.kind === 'user' && actor.id === userId && disabled) throw new ValidationError('id: you cannot disable your own account', { field: 'id' });
    const grants = await this.grantsOf(userId);
    if (actor !== 'system' && !isSystemAdmin(actor)) {
      if (grants.length === 0 || grants.some((g) => g.role === 'system_admin')) throw new ForbiddenError('only a system administrator may change this account');
      this.assertMayGrant(actor, grants);
    }
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('app_user').set({ disabled }).where('id', '=', userId).executeTakeFirst();
      if (!r.numUpdatedRows) throw new NotFoundError(`user not found: ${userId}`);
      if (disabled && grants.some((g) => g.role === 'system_admin')) await this.assertAnotherAdmin(trx, userId);
      if (disabled) await trx.updateTable('user_session').set({ revoked_at: new Date() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
      await this.audit.record({ actor, action: disabled ? 'user.disable' : 'user.enable', targetType: 'user', targetId: userId, ip }, trx);
    });
    return this.view(userId, actor === 'system' ? 'all' : allowedUnitIds(actor, ['unit_admin']));
  }

  /** Refuses a change that would leave the deployment without an active system administrator. */
  private async assertAnotherAdmin(trx: Transaction<Database>, userId: string): Promise<void> {
    const other = await trx
      .selectFrom('role_grant')
      .innerJoin('app_user', 'app_user.id', 'role_grant.user_id')
      .select('app_user.id')
      .where('role_grant.role', '=', 'system_admin')
      .where('app_user.disabled', '=', false)
      .where('app_user.id', '!=', userId)
      .limit(1)
      .executeTakeFirst();
    if (!other) throw new ConflictError('the last active system administrator cannot lose the role or be disabled', { field: 'roles' }, 'last_admin');
  }

  async idByUsername(username: string): Promise<string> {
    const r = await this.db.selectFrom('app_user').select('id').where('username', '=', username.toLowerCase()).executeTakeFirst();
    if (!r) throw new NotFoundError(`user not found: "${username}"`, { field: 'username' });
    return r.id;
  }
}

/**
 * Creates `admin` (system_admin) with a random password when the deployment has no user yet; returns the
 * credentials to print once, or null when users exist. Safe to call on every start.
 */
export async function ensureFirstAdmin(db: Db): Promise<{ username: string; password: string } | null> {
  const any = await db.selectFrom('app_user').select('id').limit(1).executeTakeFirst();
  if (any) return null;
  const users = new UserService(db, new AuditService(db));
  try {
    const r = await users.create('system', { username: 'admin', displayName: '系统管理员', generatePassword: true, roles: [{ role: 'system_admin' }] });
    return { username: 'admin', password: r.password! };
  } catch (e) {
    // Two processes starting at once: the other one created it.
    if (e instanceof ConflictError) return null;
    throw e;
  }
}

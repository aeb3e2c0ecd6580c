import { Inject, Injectable } from '@nestjs/common';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import type { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import type { Db } from '../database/database';
import { AppError, UnauthenticatedError, ValidationError } from '../errors/errors';
import { CLOCK, CONFIG, DB } from '../tokens';
import { checkPasswordPolicy, dummyPasswordHash, hashPassword, verifyPassword } from './password';
import type { UserPrincipal } from './principal';
import { resolveSessionSecret } from './secrets';
import { UserService, type UserView } from './user.service';

/** 423: too many failed logins; `until` says when the next attempt is accepted. */
export class LockedError extends AppError {
  constructor(readonly until: Date) {
    super('locked', `account locked after too many failed logins; try again after ${until.toISOString()}`, 423, { until: until.toISOString() });
  }
}

export class InvalidCredentialsError extends UnauthenticatedError {
  constructor(message = 'invalid username or password') {
    super(message, 'invalid_credentials');
  }
}

export interface LoginResult {
  user: UserView;
  token: string;
  expiresAt: Date;
}

export const SESSION_COOKIE = 'evarchive_session';

type Outcome = { ok: true; userId: string; sessionId: string; expiresAt: Date } | { ok: false; locked?: Date };

/**
 * Password login, server-side sessions and lockout. A token is `<session id>.<HMAC-SHA256(secret, id)>`: the
 * signature rejects forged ids without a database round trip, the session row makes logout and revocation
 * immediate.
 */
@Injectable()
export class AuthService {
  private readonly secret: Buffer;

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly users: UserService,
  ) {
    this.secret = resolveSessionSecret(config);
  }

  private sign(sessionId: string): string {
    return createHmac('sha256', this.secret).update(`session:${sessionId}`).digest('base64url');
  }

  async login(username: unknown, password: unknown, ctx: { ip?: string | null; userAgent?: string | null } = {}): Promise<LoginResult> {
    const ip = ctx.ip ?? null;
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
      throw new InvalidCredentialsError();
    }
    const name = username.trim().toLowerCase();
    const now = this.clock.now();
    const { maxFailedLogins, lockoutMinutes, sessionTtlMinutes } = this.config.auth;
    // The failure count and the lock are written in their own committed transaction; the error is thrown after.
    const outcome: Outcome = await this.db.transaction().execute(async (trx) => {
      const u = await trx
        .selectFrom('app_user')
        .select(['id', 'username', 'password_hash', 'failed_logins', 'locked_until', 'disabled'])
        .where('username', '=', name)
        .forUpdate()
        .executeTakeFirst();
      if (!u || u.disabled) {
        await verifyPassword(password, await dummyPasswordHash());
        await this.audit.record(
          { actor: u ? { type: 'user', id: u.id, name: u.username } : { type: 'anonymous', name }, action: 'auth.login_failed', targetType: 'user', targetId: u?.id ?? null, ip, details: { username: name, reason: u ? 'disabled' : 'unknown_user' } },
          trx,
        );
        return { ok: false };
      }
      const actor = { type: 'user' as const, id: u.id, name: u.username };
      if (u.locked_until && u.locked_until > now) {
        await this.audit.record({ actor, action: 'auth.login_refused', targetType: 'user', targetId: u.id, ip, details: { reason: 'locked', until: u.locked_until.toISOString() } }, trx);
        return { ok: false, locked: u.locked_until };
      }
      if (!(await verifyPassword(password, u.password_hash))) {
        const failures = u.failed_logins + 1;
        await this.audit.record({ actor, action: 'auth.login_failed', targetType: 'user', targetId: u.id, ip, details: { reason: 'bad_password', failures } }, trx);
        if (failures >= maxFailedLogins) {
          const until = new Date(now.getTime() + lockoutMinutes * 60_000);
          await trx.updateTable('app_user').set({ failed_logins: 0, locked_until: until }).where('id', '=', u.id).execute();
          await this.audit.record({ actor, action: 'auth.locked', targetType: 'user', targetId: u.id, ip, details: { failures, until: until.toISOString() } }, trx);
          return { ok: false, locked: until };
        }
        await trx.updateTable('app_user').set({ failed_logins: failures }).where('id', '=', u.id).execute();
        return { ok: false };
      }
      const sessionId = randomBytes(24).toString('base64url');
      const expiresAt = new Date(now.getTime() + sessionTtlMinutes * 60_000);
      await trx.updateTable('app_user').set({ failed_logins: 0, locked_until: null, last_login_at: now }).where('id', '=', u.id).execute();
      // Sessions long expired are useless (the audit log keeps the history), so each login clears the user's.
      await trx.deleteFrom('user_session').where('user_id', '=', u.id).where('expires_at', '<', new Date(now.getTime() - 86_400_000)).execute();
      await trx
        .insertInto('user_session')
        .values({ id: sessionId, user_id: u.id, created_at: now, expires_at: expiresAt, ip, user_agent: ctx.userAgent?.slice(0, 500) ?? null })
        .execute();
      await this.audit.record({ actor, action: 'auth.login', targetType: 'user', targetId: u.id, ip, details: { session: sessionId.slice(0, 8), expiresAt: expiresAt.toISOString() } }, trx);
      return { ok: true, userId: u.id, sessionId, expiresAt };
    });
    if (!outcome.ok) {
      if (outcome.locked) throw new LockedError(outcome.locked);
      throw new InvalidCredentialsError();
    }
    return { user: await this.users.view(outcome.userId), token: `${outcome.sessionId}.${this.sign(outcome.sessionId)}`, expiresAt: outcome.expiresAt };
  }

  /** The principal of a valid, unexpired, unrevoked session token; null otherwise. */
  async authenticateToken(token: string): Promise<UserPrincipal | null> {
    const dot = token.indexOf('.');
    if (dot <= 0 || token.length > 200) return null;
    const sessionId = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.sign(sessionId));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const s = await this.db.selectFrom('user_session').select(['user_id', 'expires_at', 'revoked_at']).where('id', '=', sessionId).executeTakeFirst();
    if (!s || s.revoked_at || s.expires_at <= this.clock.now()) return null;
    return this.users.principalOf(s.user_id, sessionId);
  }

  async logout(principal: UserPrincipal, ip: string | null = null): Promise<void> {
    if (!principal.sessionId) return;
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('user_session').set({ revoked_at: this.clock.now() }).where('id', '=', principal.sessionId!).where('revoked_at', 'is', null).execute();
      await this.audit.record({ actor: principal, action: 'auth.logout', targetType: 'user', targetId: principal.id, ip, details: { session: principal.sessionId!.slice(0, 8) } }, trx);
    });
  }

  /**
   * The signed-in user changes their own password: the current one must be right (a wrong one counts towards
   * the lockout like a failed login). Other sessions end; the current one stays.
   */
  async changeOwnPassword(principal: UserPrincipal, current: unknown, next: unknown, ip: string | null = null): Promise<void> {
    const password = checkPasswordPolicy(next, 'newPassword');
    if (typeof current !== 'string' || !current) throw new ValidationError('currentPassword: required', { field: 'currentPassword' });
    const u = await this.db.selectFrom('app_user').select(['password_hash', 'failed_logins']).where('id', '=', principal.id).executeTakeFirstOrThrow();
    if (!(await verifyPassword(current, u.password_hash))) {
      // Guessing through a stolen session must hit the same lockout as guessing at the login form.
      const failures = u.failed_logins + 1;
      const locked = failures >= this.config.auth.maxFailedLogins;
      const until = new Date(this.clock.now().getTime() + this.config.auth.lockoutMinutes * 60_000);
      await this.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('app_user')
          .set(locked ? { failed_logins: 0, locked_until: until } : { failed_logins: failures })
          .where('id', '=', principal.id)
          .execute();
        await this.audit.record({ actor: principal, action: 'auth.password_change_failed', targetType: 'user', targetId: principal.id, ip, details: { failures } }, trx);
        if (locked) {
          await trx.updateTable('user_session').set({ revoked_at: this.clock.now() }).where('user_id', '=', principal.id).where('revoked_at', 'is', null).execute();
          await this.audit.record({ actor: principal, action: 'auth.locked', targetType: 'user', targetId: principal.id, ip, details: { failures, until: until.toISOString() } }, trx);
        }
      });
      if (locked) throw new LockedError(until);
      throw new InvalidCredentialsError('currentPassword: wrong password');
    }
    if (current === password) throw new ValidationError('newPassword: must differ from the current password', { field: 'newPassword' });
    const hash = await hashPassword(password);
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('app_user').set({ password_hash: hash, failed_logins: 0 }).where('id', '=', principal.id).execute();
      let others = trx.updateTable('user_session').set({ revoked_at: this.clock.now() }).where('user_id', '=', principal.id).where('revoked_at', 'is', null);
      if (principal.sessionId) others = others.where('id', '!=', principal.sessionId);
      await others.execute();
      await this.audit.record({ actor: principal, action: 'auth.password_changed', targetType: 'user', targetId: principal.id, ip }, trx);
    });
  }

  /** Ends every session of a user (disable, password change, suspected compromise). */
  async revokeSessions(actor: UserPrincipal | 'system', userId: string, ip: string | null = null): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('user_session').set({ revoked_at: this.clock.now() }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
      const n = Number(r.numUpdatedRows);
      await this.audit.record({ actor, action: 'auth.sessions_revoked', targetType: 'user', targetId: userId, ip, details: { sessions: n } }, trx);
      return n;
    });
  }
}

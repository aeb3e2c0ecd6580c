import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AuditService, type AuditActor } from '../audit/audit.service';
import type { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import type { Db } from '../database/database';
import { NotFoundError, UnauthenticatedError, ValidationError } from '../errors/errors';
import { CLOCK, CONFIG, DB } from '../tokens';
import type { ClientPrincipal } from './principal';
import { CLIENT_ROLE_IDS, isClientRole, type ClientRole } from './roles';
import { resolveSessionSecret, secretBox, type SecretBox } from './secrets';
import { requestSignature } from './sign-request';
import { isUuid, reqObject, reqString } from './validate';

export interface ApiClientView {
  id: string;
  keyId: string;
  name: string;
  role: ClientRole;
  units: { id: string; code: string; name: string }[];
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** What the HTTP layer hands over for checking: the four headers, the request line and the body's SHA-256. */
export interface SignedRequest {
  keyId: string | undefined;
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  method: string;
  pathWithQuery: string;
  bodySha256: string;
  ip: string | null;
}

const NONCE = /^[A-Za-z0-9_-]{16,128}$/;

/** Machine clients with API keys, and verification of their signed requests (see sign-request.ts). */
@Injectable()
export class ApiClientService {
  private readonly box: SecretBox;
  private lastPrune = 0;

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {
    this.box = secretBox(resolveSessionSecret(config));
  }

  /** Body `{name, role, unitIds? | unitCodes?}`. The secret is returned here once and never again. */
  async create(actor: AuditActor, body: unknown, ip: string | null = null): Promise<{ client: ApiClientView; keyId: string; secret: string }> {
    const b = reqObject(body);
    const name = reqString(b.name, 'name', { max: 200 });
    if (!isClientRole(b.role)) throw new ValidationError(`role: expected one of ${CLIENT_ROLE_IDS.join(', ')}, got ${JSON.stringify(b.role ?? null)}`, { field: 'role' });
    const role = b.role;
    const unitIds = await this.resolveUnits(b);
    const keyId = `ek_${randomBytes(12).toString('hex')}`;
    const secret = randomBytes(32).toString('base64url');
    const id = await this.db.transaction().execute(async (trx) => {
      const c = await trx.insertInto('api_client').values({ key_id: keyId, name, role, secret_enc: this.box.seal(secret) }).returning('id').executeTakeFirstOrThrow();
      await trx
        .insertInto('api_client_unit')
        .values(unitIds.map((u) => ({ client_id: c.id, unit_id: u })))
        .execute();
      await this.audit.record({ actor, action: 'api_client.create', targetType: 'api_client', targetId: c.id, unitId: unitIds[0], ip, details: { keyId, name, role, unitIds } }, trx);
      return c.id;
    });
    return { client: (await this.list({ id }))[0], keyId, secret };
  }

  private async resolveUnits(b: Record<string, unknown>): Promise<string[]> {
    const ids: string[] = [];
    if (Array.isArray(b.unitIds) && b.unitIds.length) {
      for (const [i, u] of b.unitIds.entries()) {
        if (!isUuid(u)) throw new ValidationError(`unitIds[${i}]: expected an id (UUID)`, { field: `unitIds[${i}]` });
        const r = await this.db.selectFrom('unit').select('id').where('id', '=', u).executeTakeFirst();
        if (!r) throw new ValidationError(`unitIds[${i}]: no such unit ${u}`, { field: `unitIds[${i}]` });
        ids.push(r.id);
      }
    } else if (Array.isArray(b.unitCodes) && b.unitCodes.length) {
      for (const [i, code] of b.unitCodes.entries()) {
        const r = await this.db.selectFrom('unit').select('id').where('code', '=', String(code)).executeTakeFirst();
        if (!r) throw new ValidationError(`unitCodes[${i}]: no unit with code "${code}"`, { field: `unitCodes[${i}]` });
        ids.push(r.id);
      }
    } else throw new ValidationError('unitIds: at least one unit is required (unitIds or unitCodes)', { field: 'unitIds' });
    return [...new Set(ids)];
  }

  async list(filter: { id?: string } = {}): Promise<ApiClientView[]> {
    let q = this.db.selectFrom('api_client').select(['id', 'key_id', 'name', 'role', 'created_at', 'revoked_at', 'last_used_at']);
    if (filter.id) q = q.where('id', '=', filter.id);
    const clients = await q.orderBy('name').execute();
    if (clients.length === 0) return [];
    const units = await this.db
      .selectFrom('api_client_unit')
      .innerJoin('unit', 'unit.id', 'api_client_unit.unit_id')
      .select(['api_client_unit.client_id', 'unit.id', 'unit.code', 'unit.name'])
      .where(
        'api_client_unit.client_id',
        'in',
        clients.map((c) => c.id),
      )
      .orderBy('unit.code')
      .execute();
    return clients.map((c) => ({
      id: c.id,
      keyId: c.key_id,
      name: c.name,
      role: c.role,
      units: units.filter((u) => u.client_id === c.id).map((u) => ({ id: u.id, code: u.code, name: u.name })),
      createdAt: c.created_at,
      revokedAt: c.revoked_at,
      lastUsedAt: c.last_used_at,
    }));
  }

  async revoke(actor: AuditActor, id: string, ip: string | null = null): Promise<void> {
    if (!isUuid(id)) throw new ValidationError(`id: expected an id (UUID), got "${id}"`, { field: 'id' });
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('api_client').set({ revoked_at: this.clock.now() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      if (!r.numUpdatedRows) throw new NotFoundError(`no active API client ${id}`);
      await this.audit.record({ actor, action: 'api_client.revoke', targetType: 'api_client', targetId: id, ip }, trx);
    });
  }

  /**
   * Checks a signed request: known active key, timestamp inside the replay window, valid HMAC, nonce never
   * seen before. The nonce is recorded only after the signature checks out, so forged requests cannot burn
   * a client's nonces. Every rejection is audited and answered 401 with a code naming the reason.
   */
  async authenticate(r: SignedRequest): Promise<ClientPrincipal> {
    const reject = async (code: string, message: string, clientId: string | null = null) => {
      await this.audit.record({
        actor: clientId ? { type: 'client', id: clientId, name: r.keyId ?? null } : { type: 'anonymous', name: r.keyId?.slice(0, 64) ?? null },
        action: 'api.request_rejected',
        targetType: 'api_client',
        targetId: clientId,
        ip: r.ip,
        details: { reason: code, method: r.method, path: r.pathWithQuery.slice(0, 500) },
      });
      return new UnauthenticatedError(message, code);
    };
    if (!r.keyId || !r.timestamp || !r.nonce || !r.signature) {
      throw await reject('signature_missing', 'signed request needs X-Evarchive-Key, X-Evarchive-Timestamp, X-Evarchive-Nonce and X-Evarchive-Signature');
    }
    const c = await this.db.selectFrom('api_client').select(['id', 'key_id', 'name', 'role', 'secret_enc', 'revoked_at']).where('key_id', '=', r.keyId).executeTakeFirst();
    if (!c || c.revoked_at) throw await reject('unknown_key', `X-Evarchive-Key: unknown or revoked key "${r.keyId.slice(0, 64)}"`);
    const now = this.clock.now();
    const window = this.config.auth.apiKeyWindowSeconds;
    if (!/^\d{1,12}$/.test(r.timestamp) || Math.abs(now.getTime() / 1000 - Number(r.timestamp)) > window) {
      throw await reject('timestamp_out_of_window', `X-Evarchive-Timestamp: must be Unix seconds within ${window} s of the server time`, c.id);
    }
    if (!NONCE.test(r.nonce)) throw await reject('nonce_invalid', 'X-Evarchive-Nonce: 16–128 characters of letters, digits, "_" or "-"', c.id);
    let secret: string;
    try {
      secret = this.box.open(c.secret_enc);
    } catch {
      // Sealed under another session secret (it was replaced, or the key was issued against another data folder).
      throw await reject('key_unreadable', `X-Evarchive-Key: key "${c.key_id}" was issued under a different session secret; issue a new key`, c.id);
    }
    const expected = Buffer.from(requestSignature(secret, r.method, r.pathWithQuery, r.timestamp, r.nonce, r.bodySha256));
    const given = Buffer.from(r.signature.toLowerCase());
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw await reject('signature_invalid', 'X-Evarchive-Signature: does not match the request (method, path, timestamp, nonce or body differ, or wrong secret)', c.id);
    }
    const fresh = await this.db.insertInto('api_nonce').values({ key_id: c.key_id, nonce: r.nonce, seen_at: now }).onConflict((oc) => oc.doNothing()).returning('nonce').executeTakeFirst();
    if (!fresh) throw await reject('nonce_reused', 'X-Evarchive-Nonce: already used (replayed request)', c.id);
    await this.db.updateTable('api_client').set({ last_used_at: now }).where('id', '=', c.id).execute();
    await this.pruneNonces(now);
    const units = await this.db.selectFrom('api_client_unit').select('unit_id').where('client_id', '=', c.id).execute();
    return { kind: 'client', id: c.id, keyId: c.key_id, name: c.name, role: c.role, grants: units.map((u) => ({ role: c.role, unitId: u.unit_id })) };
  }

  /** Nonces older than twice the window can never be replayed (their timestamp is refused), so they go. */
  private async pruneNonces(now: Date): Promise<void> {
    if (now.getTime() - this.lastPrune < 60_000) return;
    this.lastPrune = now.getTime();
    const cutoff = new Date(now.getTime() - 2 * this.config.auth.apiKeyWindowSeconds * 1000);
    await this.db.deleteFrom('api_nonce').where('seen_at', '<', cutoff).execute();
  }
}

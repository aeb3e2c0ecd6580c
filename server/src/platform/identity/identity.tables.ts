import type { Generated } from 'kysely';
import type { ClientRole, Role } from './roles';

/** Tables owned by identity and access (migration 0200_identity). */
export interface IdentityTables {
  /** 单位: a budget unit or the bureau itself; units form a tree through parent_id. */
  unit: {
    id: Generated<string>;
    code: string;
    name: string;
    /** 统一社会信用代码 (GB 32100), checked digit included. */
    credit_code: string | null;
    parent_id: string | null;
    created_at: Generated<Date>;
  };
  /** 全宗: the archive body of one unit; a unit may have several (e.g. after a merger). */
  fonds: {
    id: Generated<string>;
    code: string;
    name: string;
    unit_id: string;
    created_at: Generated<Date>;
  };
  app_user: {
    id: Generated<string>;
    username: string;
    display_name: string;
    /** `scrypt$N$r$p$salt$hash` (base64 parts), see password.ts. */
    password_hash: string;
    failed_logins: Generated<number>;
    locked_until: Date | null;
    disabled: Generated<boolean>;
    created_at: Generated<Date>;
    last_login_at: Date | null;
  };
  /** A role held in one unit, or in every unit when unit_id is null (system_admin, auditor only). */
  role_grant: {
    id: Generated<string>;
    user_id: string;
    role: Role;
    unit_id: string | null;
    created_at: Generated<Date>;
  };
  /** Server-side session: the signed token names it, so logout and revocation take effect at once. */
  user_session: {
    id: string;
    user_id: string;
    created_at: Date;
    expires_at: Date;
    revoked_at: Date | null;
    ip: string | null;
    user_agent: string | null;
  };
  /** A machine client (issuer, reimbursement or accounting system, bank connector) calling with signed requests. */
  api_client: {
    id: Generated<string>;
    key_id: string;
    name: string;
    role: ClientRole;
    /** AES-256-GCM of the shared secret (needed in clear to check HMACs), see api-key.crypto.ts. */
    secret_enc: string;
    created_at: Generated<Date>;
    revoked_at: Date | null;
    last_used_at: Date | null;
  };
  api_client_unit: {
    client_id: string;
    unit_id: string;
  };
  /** Nonces seen inside the replay window; older rows are pruned. */
  api_nonce: {
    key_id: string;
    nonce: string;
    seen_at: Date;
  };
}

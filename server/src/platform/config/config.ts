import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import YAML from 'yaml';
import { ConfigError } from '../errors/errors';

/**
 * The product's configuration: one typed object, loaded from the environment and an optional config file
 * (YAML or JSON), validated once at start. Environment variables win over the file.
 *
 * File: `EVARCHIVE_CONFIG`, else `<dataDir>/evarchive.yaml` when it exists.
 */
export interface AppConfig {
  /** Everything the app keeps on disk (embedded PostgreSQL, originals, keys) lives under this folder. */
  dataDir: string;
  host: string;
  port: number;
  /** Set: use that PostgreSQL server. Unset: start an embedded PostgreSQL under `dataDir/pg`. */
  databaseUrl?: string;
  embeddedPostgresPort: number;
  storage:
    | { driver: 'local'; root: string; verifyOnRead: boolean }
    | {
        driver: 's3';
        endPoint: string;
        port: number;
        useSSL: boolean;
        accessKey: string;
        secretKey: string;
        bucket: string;
        region: string;
        pathStyle: boolean;
        /** Days of COMPLIANCE retention set on every object when the bucket has object lock. */
        retentionDays: number;
        verifyOnRead: boolean;
      };
  search: { driver: 'postgres' } | { driver: 'opensearch'; node: string; indexPrefix: string; username?: string; password?: string };
  auth: {
    /** HMAC key for session tokens; generated once into the data folder when not configured. */
    sessionSecret?: string;
    sessionTtlMinutes: number;
    maxFailedLogins: number;
    lockoutMinutes: number;
    /** Accepted clock skew / replay window for signed API-key requests. */
    apiKeyWindowSeconds: number;
  };
  /**
   * Load the labelled demo unit on first start: true also takes a few real sample files from ../shared/corpus
   * when that folder exists; 'synthetic' only factory-made vouchers (for screenshots and public demos).
   */
  demo: boolean | 'synthetic';
  /** Folder of PEM/DER CA certificates trusted for seal and signature chains; none → "not checkable". */
  trustAnchorsDir?: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
}

type Env = Record<string, string | undefined>;

function readFile(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  try {
    const parsed = path.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('top level must be a mapping');
    return parsed as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError([`config file ${path}: ${(e as Error).message}`]);
  }
}

/** Reads `a.b.c` from the file object. */
function pick(file: Record<string, unknown>, path: string): unknown {
  let cur: unknown = file;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  const problems: string[] = [];
  const dataDirRaw = env.EVARCHIVE_DATA_DIR ?? './data';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);
  const filePath = env.EVARCHIVE_CONFIG ? resolve(cwd, env.EVARCHIVE_CONFIG) : join(dataDir, 'evarchive.yaml');
  if (env.EVARCHIVE_CONFIG && !existsSync(filePath)) problems.push(`EVARCHIVE_CONFIG: file not found: ${filePath}`);
  const file = existsSync(filePath) ? readFile(filePath) : {};

  const str = (envName: string, filePathKey: string, def?: string): string | undefined => {
    const v = env[envName] ?? pick(file, filePathKey);
    if (v === undefined || v === null || v === '') return def;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      problems.push(`${envName} (${filePathKey}): expected a scalar value`);
      return def;
    }
    return String(v);
  };
  const int = (envName: string, key: string, def: number, min: number, max: number): number => {
    const v = str(envName, key);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${envName} (${key}): expected a whole number from ${min} to ${max}, got "${v}"`);
      return def;
    }
    return n;
  };
  const bool = (envName: string, key: string, def: boolean): boolean => {
    const v = str(envName, key);
    if (v === undefined) return def;
    if (/^(1|true|yes|on)$/i.test(v)) return true;
    if (/^(0|false|no|off)$/i.test(v)) return false;
    problems.push(`${envName} (${key}): expected true/false, got "${v}"`);
    return def;
  };
  const oneOf = <T extends string>(envName: string, key: string, allowed: readonly T[], def: T): T => {
    const v = str(envName, key);
    if (v === undefined) return def;
    if (!(allowed as readonly string[]).includes(v)) {
      problems.push(`${envName} (${key}): expected one of ${allowed.join(', ')}, got "${v}"`);
      return def;
    }
    return v as T;
  };

  const databaseUrl = str('DATABASE_URL', 'database.url');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL: expected a postgres:// or postgresql:// URL`);
  }

  const storageDriver = oneOf('EVARCHIVE_STORAGE', 'storage.driver', ['local', 's3'] as const, 'local');
  const verifyOnRead = bool('EVARCHIVE_STORAGE_VERIFY_ON_READ', 'storage.verifyOnRead', false);
  let storage: AppConfig['storage'];
  if (storageDriver === 's3') {
    const endpoint = str('EVARCHIVE_S3_ENDPOINT', 'storage.s3.endpoint');
    let endPoint = '';
    let port = 443;
    let useSSL = true;
    if (!endpoint) problems.push('EVARCHIVE_S3_ENDPOINT (storage.s3.endpoint): required when storage is s3, e.g. http://127.0.0.1:9000');
    else {
      try {
        const u = new URL(endpoint);
        endPoint = u.hostname;
        useSSL = u.protocol === 'https:';
        port = u.port ? Number(u.port) : useSSL ? 443 : 80;
      } catch {
        problems.push(`EVARCHIVE_S3_ENDPOINT: not a URL: "${endpoint}"`);
      }
    }
    const accessKey = str('EVARCHIVE_S3_ACCESS_KEY', 'storage.s3.accessKey');
    const secretKey = str('EVARCHIVE_S3_SECRET_KEY', 'storage.s3.secretKey');
    if (!accessKey) problems.push('EVARCHIVE_S3_ACCESS_KEY (storage.s3.accessKey): required when storage is s3');
    if (!secretKey) problems.push('EVARCHIVE_S3_SECRET_KEY (storage.s3.secretKey): required when storage is s3');
    storage = {
      driver: 's3',
      endPoint,
      port,
      useSSL,
      accessKey: accessKey ?? '',
      secretKey: secretKey ?? '',
      bucket: str('EVARCHIVE_S3_BUCKET', 'storage.s3.bucket', 'evarchive')!,
      region: str('EVARCHIVE_S3_REGION', 'storage.s3.region', 'us-east-1')!,
      pathStyle: bool('EVARCHIVE_S3_PATH_STYLE', 'storage.s3.pathStyle', true),
      retentionDays: int('EVARCHIVE_S3_RETENTION_DAYS', 'storage.s3.retentionDays', 0, 0, 365 * 100),
      verifyOnRead,
    };
  } else {
    const root = str('EVARCHIVE_STORAGE_DIR', 'storage.root');
    storage = { driver: 'local', root: root ? resolve(cwd, root) : join(dataDir, 'objects'), verifyOnRead };
  }

  const searchDriver = oneOf('EVARCHIVE_SEARCH', 'search.driver', ['postgres', 'opensearch'] as const, 'postgres');
  let search: AppConfig['search'];
  if (searchDriver === 'opensearch') {
    const node = str('EVARCHIVE_OPENSEARCH_URL', 'search.opensearch.url');
    if (!node) problems.push('EVARCHIVE_OPENSEARCH_URL (search.opensearch.url): required when search is opensearch');
    search = {
      driver: 'opensearch',
      node: node ?? '',
      indexPrefix: str('EVARCHIVE_OPENSEARCH_PREFIX', 'search.opensearch.indexPrefix', 'evarchive')!,
      username: str('EVARCHIVE_OPENSEARCH_USER', 'search.opensearch.username'),
      password: str('EVARCHIVE_OPENSEARCH_PASSWORD', 'search.opensearch.password'),
    };
  } else search = { driver: 'postgres' };

  const sessionSecret = str('EVARCHIVE_SESSION_SECRET', 'auth.sessionSecret');
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    problems.push('EVARCHIVE_SESSION_SECRET (auth.sessionSecret): must be at least 32 characters');
  }

  const config: AppConfig = {
    dataDir,
    host: str('HOST', 'server.host', '0.0.0.0')!,
    port: int('PORT', 'server.port', 3000, 0, 65535),
    databaseUrl,
    embeddedPostgresPort: int('EVARCHIVE_EMBEDDED_PG_PORT', 'database.embeddedPort', 54329, 1024, 65535),
    storage,
    search,
    auth: {
      sessionSecret,
      sessionTtlMinutes: int('EVARCHIVE_SESSION_TTL_MINUTES', 'auth.sessionTtlMinutes', 8 * 60, 1, 60 * 24 * 30),
      maxFailedLogins: int('EVARCHIVE_MAX_FAILED_LOGINS', 'auth.maxFailedLogins', 5, 1, 100),
      lockoutMinutes: int('EVARCHIVE_LOCKOUT_MINUTES', 'auth.lockoutMinutes', 15, 1, 60 * 24),
      apiKeyWindowSeconds: int('EVARCHIVE_API_KEY_WINDOW_SECONDS', 'auth.apiKeyWindowSeconds', 300, 10, 3600),
    },
    demo: /^synthetic$/i.test(str('EVARCHIVE_DEMO', 'demo') ?? '') ? 'synthetic' : bool('EVARCHIVE_DEMO', 'demo', true),
    trustAnchorsDir: str('EVARCHIVE_TRUST_ANCHORS', 'signatures.trustAnchorsDir'),
    logLevel: oneOf('EVARCHIVE_LOG_LEVEL', 'logLevel', ['error', 'warn', 'info', 'debug'] as const, 'info'),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/**
 * Real servers for tests, provisioned from Maven Central by scripts/servers/*.sh (see docs/test-servers.md).
 * Each start picks a free loopback port, uses a temporary data folder and is tied to this process: if the test
 * process dies without calling stop(), a watchdog stops the server.
 *
 *   let s3: S3ProxyHandle;
 *   beforeAll(async () => { s3 = await startS3Proxy(); }, SERVER_START_TIMEOUT_MS);
 *   afterAll(() => s3?.stop());
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const SCRIPTS = join(__dirname, '..', '..', '..', 'scripts', 'servers');

/** First run downloads ~55 MB per server from Maven Central; a loaded 2-core machine starts OpenSearch in ~20 s. */
export const SERVER_START_TIMEOUT_MS = 240_000;

export interface ServerHandle {
  url: string;
  pid: number;
  /** Temporary folder with the server's config, data, log (server.log) and pid; removed by stop(). */
  state: string;
  stop(): Promise<void>;
}

export interface S3ProxyHandle extends ServerHandle {
  /** host/port split out for the minio client and AppConfig['storage']. */
  endPoint: string;
  port: number;
  accessKey: string;
  secretKey: string;
}

export type OpenSearchHandle = ServerHandle;

/** S3Mock checks no credentials; these are what the tests pass. */
export interface S3MockHandle extends ServerHandle {
  endPoint: string;
  port: number;
  accessKey: string;
  secretKey: string;
}

function run(script: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [join(SCRIPTS, script), ...args], { timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} ${args[0]} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function parse(out: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

function stopper(script: string, state: string): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  return () => (stopped ??= run(script, ['stop', state], 60_000).then(() => undefined));
}

export async function startS3Proxy(): Promise<S3ProxyHandle> {
  const v = parse(await run('s3proxy.sh', ['start', '--owner', String(process.pid)], SERVER_START_TIMEOUT_MS));
  const url = new URL(v.S3PROXY_URL);
  return {
    url: v.S3PROXY_URL,
    endPoint: url.hostname,
    port: Number(url.port),
    accessKey: v.S3PROXY_ACCESS_KEY,
    secretKey: v.S3PROXY_SECRET_KEY,
    pid: Number(v.S3PROXY_PID),
    state: v.S3PROXY_STATE,
    stop: stopper('s3proxy.sh', v.S3PROXY_STATE),
  };
}

/** Adobe S3Mock: accepts object-lock buckets and reports per-object retention (it does not enforce it). */
export async function startS3Mock(): Promise<S3MockHandle> {
  const v = parse(await run('s3mock.sh', ['start', '--owner', String(process.pid)], SERVER_START_TIMEOUT_MS));
  const url = new URL(v.S3MOCK_URL);
  return {
    url: v.S3MOCK_URL,
    endPoint: url.hostname,
    port: Number(url.port),
    accessKey: 'evarchive-test',
    secretKey: 'evarchive-test-secret',
    pid: Number(v.S3MOCK_PID),
    state: v.S3MOCK_STATE,
    stop: stopper('s3mock.sh', v.S3MOCK_STATE),
  };
}

export async function startOpenSearch(): Promise<OpenSearchHandle> {
  const v = parse(await run('opensearch.sh', ['start', '--owner', String(process.pid)], SERVER_START_TIMEOUT_MS));
  return {
    url: v.OPENSEARCH_URL,
    pid: Number(v.OPENSEARCH_PID),
    state: v.OPENSEARCH_STATE,
    stop: stopper('opensearch.sh', v.OPENSEARCH_STATE),
  };
}

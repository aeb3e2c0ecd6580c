/**
 * Bank SFTP pulls against Debian's real OpenSSH sshd (password and key authentication): the first pull ingests the
 * bank files, the second fetches nothing, a new file is fetched alone, and a pull whose connection is killed in the
 * middle of a file resumes without doubles; a pinned host key is checked (the right one fetches, a wrong one is refused
 * naming both fingerprints, nothing fetched). Files are factory-made bank receipts/statements written to a temp dir.
 */
import { chmodSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { createFactory } from '../../src/formats/factory';
import { ConnectorsService } from '../../src/modules/pool/connectors/connectors.service';
import type { TestApp } from '../support/app';
import { call, createPoolTestApp, login, seedPoolOrg } from '../pool-claims/support';
import { sshdAvailable, startSshd, type SshdHandle } from './sshd';

const describeSshd = sshdAvailable() ? describe : describe.skip;
const factory = createFactory({ seed: 'pool-connectors' });
let t: TestApp;
let sshd: SshdHandle;
let seed: Awaited<ReturnType<typeof seedPoolOrg>>;
let ua: string;

function put(dir: string, name: string, bytes: Uint8Array, mtime = new Date('2026-03-01T08:00:00Z')) {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  chmodSync(p, 0o644);
  utimesSync(p, mtime, mtime);
}

function folder(name: string): string {
  const d = join(sshd.dir, name);
  mkdirSync(d);
  chmodSync(d, 0o755);
  return d;
}

async function unitFiles(connectorId: string) {
  return t.db
    .selectFrom('pool_connector_file' as never)
    .select(['remote_path' as never, 'outcome' as never, 'voucher_id' as never])
    .where('connector_id' as never, '=', connectorId as never)
    .orderBy('remote_path' as never)
    .execute() as Promise<{ remote_path: string; outcome: string | null; voucher_id: string | null }[]>;
}

/** `SHA256:…` of a public key file, as `ssh-keygen -lf` prints it. */
function fingerprint(pubFile: string): string {
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile], { encoding: 'utf8' }).split(/\s+/)[1];
}

/** A key-auth connector on a folder with one bank receipt, pinning `hostKeySha256`. */
async function pinnedConnector(name: string, hostKeySha256: string) {
  const dir = folder(`pinned-${Math.random().toString(36).slice(2, 8)}`);
  put(dir, 'HZ_20260301_1.ofd', factory.bankReceiptOfd().bytes);
  const c = await call(t, 'POST', '/api/pool/connectors', {
    token: ua,
    body: { unitId: seed.unitA.id, name, host: '127.0.0.1', port: sshd.port, username: sshd.user, authMethod: 'key', privateKey: sshd.privateKey, hostKeySha256, remoteDir: dir, filePattern: '*.ofd' },
  });
  expect(c.status).toBe(201);
  expect(c.json.hostKeySha256).toBe(hostKeySha256);
  return c.json.id as string;
}

describeSshd('bank SFTP connector against a real sshd', () => {
  beforeAll(async () => {
    sshd = await startSshd();
    // With background jobs: the schedule test below lets pg-boss run the pull.
    t = await createPoolTestApp({ jobs: { pollingIntervalSeconds: 0.5, cronMonitorIntervalSeconds: 1, cronWorkerIntervalSeconds: 1, poolSize: 3 } });
    seed = await seedPoolOrg(t);
    ua = await login(t, 'ua');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await sshd?.stop();
  });

  test('password auth: settings with a sealed password; pulls ingest once, then nothing, then only the new file', async () => {
    const dir = folder('outbox');
    const receipts = [factory.bankReceiptOfd(), factory.bankReceiptOfd(), factory.bankReceiptOfd()];
    receipts.forEach((r, i) => put(dir, `HZ_20260301_${i + 1}.ofd`, r.bytes));
    put(dir, 'DZD_202602.xml', factory.dataVoucher({ kind: 'bkrs' }).xbrl.bytes);
    put(dir, 'readme.txt', new TextEncoder().encode('not a bank file'));

    const body = { unitId: seed.unitA.id, name: '示例银行回单', host: '127.0.0.1', port: sshd.port, username: sshd.user, authMethod: 'password', password: sshd.password, appId: 'APP-0001', agreementNo: 'XY-2026-01', remoteDir: dir, filePattern: '*.ofd, *.xml', scheduleCron: '0 7 * * *' };
    const clerk = await login(t, 'clerk');
    expect((await call(t, 'POST', '/api/pool/connectors', { token: clerk, body })).status).toBe(403);
    const c = await call(t, 'POST', '/api/pool/connectors', { token: ua, body });
    expect(c.status).toBe(201);
    expect(c.json).toMatchObject({ name: '示例银行回单', port: sshd.port, authMethod: 'password', password: '********', privateKey: null, agreementNo: 'XY-2026-01', appId: 'APP-0001', enabled: true });
    expect(JSON.stringify(c.json)).not.toContain(sshd.password);
    expect(c.json.nextRunAt).toBeTruthy();
    const row = await t.db.selectFrom('pool_connector' as never).select(['secret_enc' as never]).where('id' as never, '=', c.json.id as never).executeTakeFirstOrThrow() as { secret_enc: string };
    expect(row.secret_enc).toMatch(/^v1:/);
    expect(row.secret_enc).not.toContain(sshd.password);
    // Sending the mask back keeps the stored secret.
    const upd = await call(t, 'PUT', `/api/pool/connectors/${c.json.id}`, { token: ua, body: { ...body, password: '********', name: '示例银行回单（基本户）' } });
    expect(upd.status).toBe(200);
    expect(JSON.stringify((await call(t, 'GET', `/api/pool/connectors/${c.json.id}`, { token: ua })).json)).not.toContain(sshd.password);

    const first = await call(t, 'POST', `/api/pool/connectors/${c.json.id}/run`, { token: ua });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ status: 'ok', listed: 4, fetched: 4, skipped: 0, failed: 0, error: null });
    expect(first.json.outcomes).toEqual({ created: 4 });
    const ids = first.json.files.map((f: any) => f.voucherId);
    expect(new Set(ids).size).toBe(4);
    const vouchers = await t.db.selectFrom('voucher').select(['id', 'unit_id', 'kind']).where('id', 'in', ids).execute();
    expect(vouchers.every((v) => v.unit_id === seed.unitA.id)).toBe(true);
    expect(vouchers.map((v) => v.kind).sort()).toEqual(['bker', 'bker', 'bker', 'bkrs']);
    const fileRow = await t.db.selectFrom('voucher_file').select(['channel', 'source_ref']).where('voucher_id', '=', ids[0]).executeTakeFirstOrThrow();
    expect(fileRow.channel).toBe('connector');
    expect(fileRow.source_ref).toBe(`sftp://127.0.0.1:${sshd.port}${dir}/DZD_202602.xml`);

    const second = await call(t, 'POST', `/api/pool/connectors/${c.json.id}/run`, { token: ua });
    expect(second.json).toMatchObject({ status: 'ok', listed: 4, fetched: 0, skipped: 4, outcomes: {} });

    put(dir, 'HZ_20260302_1.ofd', factory.bankReceiptOfd().bytes);
    const third = await call(t, 'POST', `/api/pool/connectors/${c.json.id}/run`, { token: ua });
    expect(third.json).toMatchObject({ status: 'ok', listed: 5, fetched: 1, skipped: 4, outcomes: { created: 1 } });
    expect(third.json.files.map((f: any) => f.remotePath)).toEqual([`${dir}/HZ_20260302_1.ofd`]);

    const shown = await call(t, 'GET', `/api/pool/connectors?unitId=${seed.unitA.id}`, { token: ua });
    expect(shown.json.items[0].lastRun).toMatchObject({ status: 'ok', fetched: 1, skipped: 4, trigger: 'manual' });
    expect((await unitFiles(c.json.id)).map((f) => f.outcome)).toEqual(['created', 'created', 'created', 'created', 'created']);

    // The operator's manual pull: `evarchive connectors run <id>` (same data folder, so the same sealing key).
    put(dir, 'HZ_20260303_1.ofd', factory.bankReceiptOfd().bytes);
    const cli = spawnSync(process.execPath, [resolve(__dirname, '../../bin/evarchive.js'), 'connectors', 'run', c.json.id], {
      env: { ...process.env, EVARCHIVE_DATA_DIR: t.config.dataDir, DATABASE_URL: t.testDb.url, EVARCHIVE_FROM_SRC: '1', EVARCHIVE_DEMO: 'false', EVARCHIVE_LOG_LEVEL: 'error' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect([cli.status, cli.stderr]).toEqual([0, '']);
    expect(cli.stdout).toContain(`created    ${dir}/HZ_20260303_1.ofd`);
    expect(cli.stdout).toMatch(/: ok; 6 listed, 1 fetched, 5 already fetched, 0 failed \(1 created\)/);
  }, 120_000);

  test('key auth: a pull cut off in the middle of a file resumes without doubles', async () => {
    const dir = folder('keyed');
    put(dir, 'A_receipt.ofd', factory.bankReceiptOfd().bytes);
    // A long statement (several hundred kB), so the link can be cut while it is being transferred.
    const big = factory.dataVoucher({ kind: 'bkrs', lines: 4000 }).xbrl.bytes;
    expect(big.length).toBeGreaterThan(300_000);
    put(dir, 'B_statement.xml', big);
    put(dir, 'C_receipt.ofd', factory.bankReceiptOfd().bytes);
    const svc = t.app.get(ConnectorsService);
    const c = await call(t, 'POST', '/api/pool/connectors', {
      token: ua,
      body: { unitId: seed.unitA.id, name: '示例银行（密钥）', host: '127.0.0.1', port: sshd.port, username: sshd.user, authMethod: 'key', privateKey: sshd.privateKey, remoteDir: dir, filePattern: '*.ofd,*.xml' },
    });
    expect(c.status).toBe(201);
    expect(c.json.privateKey).toBe('********');
    expect(JSON.stringify(c.json)).not.toContain('PRIVATE KEY');

    let cut = false;
    const broken = await svc.run(c.json.id, 'test', 'system', {
      onBytes(path, received) {
        if (!cut && path.endsWith('B_statement.xml') && received >= 64 * 1024) {
          cut = true;
          sshd.killSessions();
        }
      },
    });
    expect(cut).toBe(true);
    expect(broken.status).toBe('failed');
    expect(broken.error).toBeTruthy();
    expect(broken.files.map((f) => f.remotePath)).toEqual([`${dir}/A_receipt.ofd`]);
    // The half-received statement was discarded: nothing recorded for it.
    expect((await unitFiles(c.json.id)).map((f) => f.remote_path)).toEqual([`${dir}/A_receipt.ofd`]);

    const resumed = await svc.run(c.json.id, 'test');
    expect(resumed).toMatchObject({ status: 'ok', listed: 3, fetched: 2, skipped: 1, outcomes: { created: 2 } });
    const recs = await unitFiles(c.json.id);
    expect(recs.map((f) => [f.remote_path.split('/').pop(), f.outcome])).toEqual([
      ['A_receipt.ofd', 'created'],
      ['B_statement.xml', 'created'],
      ['C_receipt.ofd', 'created'],
    ]);
    expect(new Set(recs.map((f) => f.voucher_id)).size).toBe(3);
    const again = await svc.run(c.json.id, 'test');
    expect(again).toMatchObject({ status: 'ok', fetched: 0, skipped: 3 });
    const runs = await call(t, 'GET', `/api/pool/connectors/${c.json.id}`, { token: ua });
    expect(runs.json.runs.map((r: any) => r.status)).toEqual(['ok', 'ok', 'failed']);
  }, 120_000);

  test('schedule: a due connector is queued by the tick job and pulled by a pg-boss worker', async () => {
    const dir = folder('scheduled');
    put(dir, 'S_receipt.ofd', factory.bankReceiptOfd().bytes);
    const c = await call(t, 'POST', '/api/pool/connectors', {
      token: ua,
      body: { unitId: seed.unitA.id, name: '定时拉取', host: '127.0.0.1', port: sshd.port, username: sshd.user, authMethod: 'password', password: sshd.password, remoteDir: dir, filePattern: '*.ofd', scheduleCron: '30 7 * * *' },
    });
    expect(c.status).toBe(201);
    const svc = t.app.get(ConnectorsService);
    await t.db.updateTable('pool_connector' as never).set({ next_run_at: new Date(Date.now() - 60_000) } as never).where('id' as never, '=', c.json.id as never).execute();
    expect((await svc.tick()).queued).toBe(1);
    // Not due any more: the next time is tomorrow's 07:30 (Asia/Shanghai).
    const after = (await call(t, 'GET', `/api/pool/connectors/${c.json.id}`, { token: ua })).json;
    expect(new Date(after.nextRunAt).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(after.nextRunAt).toISOString()).toMatch(/T23:30:00\.000Z$/);
    let run: any;
    for (let i = 0; i < 60 && !run; i++) {
      await new Promise((r) => setTimeout(r, 500));
      run = (await call(t, 'GET', `/api/pool/connectors/${c.json.id}`, { token: ua })).json.runs.find((r: any) => r.status !== 'running');
    }
    expect(run).toMatchObject({ trigger: 'schedule', status: 'ok', fetched: 1, outcomes: { created: 1 } });
  }, 60_000);

  test('wrong password: the run fails with the reason, recorded as the last run', async () => {
    const c = await call(t, 'POST', '/api/pool/connectors', {
      token: ua,
      body: { unitId: seed.unitA.id, name: '错误密码', host: '127.0.0.1', port: sshd.port, username: sshd.user, authMethod: 'password', password: 'not-the-password', remoteDir: sshd.dir },
    });
    const r = await call(t, 'POST', `/api/pool/connectors/${c.json.id}/run`, { token: ua });
    expect(r.json.status).toBe('failed');
    expect(r.json.error).toMatch(/authentication/i);
  }, 60_000);

  test('the right pinned key: the pull fetches and ingests', async () => {
    const pinned = fingerprint(join(sshd.dir, 'host_key.pub'));
    expect(pinned).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const id = await pinnedConnector('钉住正确主机密钥', pinned);
    const r = await call(t, 'POST', `/api/pool/connectors/${id}/run`, { token: ua });
    expect(r.json).toMatchObject({ status: 'ok', listed: 1, fetched: 1, failed: 0, error: null, outcomes: { created: 1 } });
  }, 60_000);

  test('a wrong pinned key: refused with both fingerprints named, nothing fetched or recorded', async () => {
    // Another ed25519 key: what an impostor (or a bank that changed its key) would present.
    const other = join(sshd.dir, 'other_host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const wrong = fingerprint(`${other}.pub`);
    const actual = fingerprint(join(sshd.dir, 'host_key.pub'));
    expect(wrong).not.toBe(actual);
    const id = await pinnedConnector('钉住错误主机密钥', wrong);
    const r = await call(t, 'POST', `/api/pool/connectors/${id}/run`, { token: ua });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'failed', listed: 0, fetched: 0, outcomes: {}, files: [] });
    expect(r.json.error).toBe(
      `host key mismatch: 127.0.0.1:${sshd.port} presented ${actual}, the connector pins ${wrong} — refused before logging in, nothing fetched (if the bank changed its key, check the new fingerprint with the bank and update the connector)`,
    );
    const fetched = await t.db.selectFrom('pool_connector_file' as never).select('id' as never).where('connector_id' as never, '=', id as never).execute();
    expect(fetched).toEqual([]);
    const shown = await call(t, 'GET', `/api/pool/connectors/${id}`, { token: ua });
    expect(shown.json.runs[0]).toMatchObject({ status: 'failed', fetched: 0, error: expect.stringContaining('host key mismatch') });
  }, 60_000);
});

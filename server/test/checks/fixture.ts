/**
 * Linked sets for check and archive tests, built from the synthetic factory: one volume (卷) of journal vouchers,
 * each with sealed invoice OFDs stored in a real local object store and linked as 组件, inserted straight into the
 * pool, ledger and volumes tables (their services are exercised by their own tests).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFactory, type Factory } from '../../src/formats/factory';
import { AuditService } from '../../src/platform/audit/audit.service';
import type { Db } from '../../src/platform/database/database';
import { LocalObjectStore } from '../../src/platform/storage';
import { ChecksService } from '../../src/modules/checks/checks.service';
import { createTestDatabase, type TestDatabase } from '../support/db';

export interface Env {
  testDb: TestDatabase;
  db: Db;
  store: LocalObjectStore;
  storeRoot: string;
  dataDir: string;
  audit: AuditService;
  checks: ChecksService;
  factory: Factory;
  unitId: string;
  fondsId: string;
  close(): Promise<void>;
}

let unitSerial = 0;

export async function createEnv(seed = 'checks'): Promise<Env> {
  const testDb = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'evarchive-checks-'));
  const storeRoot = join(dataDir, 'objects');
  const store = await LocalObjectStore.open({ root: storeRoot });
  const audit = new AuditService(testDb.db);
  const checks = new ChecksService(testDb.db, store, audit, { dataDir });
  const unit = await testDb.db.insertInto('unit').values({ code: `U${++unitSerial}`, name: '示例单位' }).returning('id').executeTakeFirstOrThrow();
  const fonds = await testDb.db.insertInto('fonds').values({ code: '0012', name: '示例全宗', unit_id: unit.id }).returning('id').executeTakeFirstOrThrow();
  return {
    testDb,
    db: testDb.db,
    store,
    storeRoot,
    dataDir,
    audit,
    checks,
    factory: createFactory({ seed }),
    unitId: unit.id,
    fondsId: fonds.id,
    async close() {
      await store.close();
      await testDb.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface VolumeOptions {
  items?: number;
  /** Originals per journal voucher (default 1). */
  originalsPerItem?: number;
  volumeNo?: number;
  month?: number;
  state?: 'draft' | 'submitted' | 'approved' | 'archived';
  /** Per item index (0-based): replace the first original's bytes (e.g. EICAR, garbage). */
  fileBytes?: (i: number) => { bytes: Uint8Array; mediaType: string; format: string; filename: string } | undefined;
  /** Per item: declared 附件数 (default: the number of originals). */
  attachmentCount?: (i: number) => number;
  /** Per item: extra invoice numbers the journal voucher names (refs) without a linked original. */
  unlinkedInvoices?: (i: number) => string[];
  signatureVerdict?: (i: number) => string;
  warnings?: (i: number) => string[];
  receiverFiles?: boolean;
  /** The fonds code the 档号 starts with (default 0012, as createEnv makes it). */
  fondsCode?: string;
}

export interface VolumeFixture {
  volumeId: string;
  archivalCode: string;
  itemIds: string[];
  /** Per item: the pool vouchers and their original files. */
  originals: { voucherId: string; fileId: string; objectKey: string; sha256: string }[][];
}

export async function createVolume(env: Pick<Env, 'db' | 'store' | 'factory' | 'unitId' | 'fondsId'>, opts: VolumeOptions = {}): Promise<VolumeFixture> {
  const n = opts.items ?? 3;
  const per = opts.originalsPerItem ?? 1;
  const month = opts.month ?? (((opts.volumeNo ?? 1) - 1) % 12) + 1;
  const period = `2025-${String(month).padStart(2, '0')}`;
  const volumeNo = opts.volumeNo ?? 1;
  const archivalCode = `${opts.fondsCode ?? '0012'}-2025-PZ-D30-${String(volumeNo).padStart(4, '0')}`;
  const now = new Date();
  const db = env.db as any;
  const volume = await db
    .insertInto('volume')
    .values({
      unit_id: env.unitId,
      fonds_id: env.fondsId,
      year: 2025,
      period,
      category: 'voucher',
      retention: '30',
      retention_code: 'D30',
      expires_on: '2056-01-01',
      part: 1,
      volume_no: volumeNo,
      archival_code: archivalCode,
      title: `示例单位2025年${month}月记账凭证`,
      state: opts.state ?? 'approved',
      rule_id: 'volumes',
      rule_version: 1,
      retention_rule_id: 'retention',
      retention_rule_version: 1,
      retention_regime: 'administrative',
      retention_row: 3,
      item_count: n,
      sub_item_count: n * per,
      first_number: '1',
      last_number: String(n),
      fingerprint: 'fixture',
      created_at: now,
      created_by: 'test',
      updated_at: now,
      updated_by: 'test',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const itemIds: string[] = [];
  const originals: VolumeFixture['originals'] = [];
  let seq = 0;
  for (let i = 0; i < n; i++) {
    const files: VolumeFixture['originals'][number] = [];
    const invoiceNumbers: string[] = [];
    const made: { voucherId: string; title: string }[] = [];
    for (let j = 0; j < per; j++) {
      const gen = env.factory.ofdInvoice({ kind: 'inv_ord' });
      const replace = j === 0 ? opts.fileBytes?.(i) : undefined;
      const bytes = replace?.bytes ?? gen.bytes;
      const put = await env.store.put(bytes, { mediaType: replace?.mediaType ?? 'application/ofd', filename: replace?.filename ?? gen.name });
      const inv = gen.invoice as any;
      const number = String(inv.invoiceNumber ?? gen.expected.invoiceNumber);
      invoiceNumbers.push(number);
      const v = await db
        .insertInto('voucher')
        .values({
          unit_id: env.unitId,
          kind: 'inv_ord',
          identity_key: `inv:${number}:${i}:${j}:${volumeNo}:${month}`,
          invoice_number: number,
          total_amount: '100.00',
          data: JSON.stringify(gen.expected),
          signature_verdict: opts.signatureVerdict?.(i) ?? 'valid',
          warnings: JSON.stringify(opts.warnings?.(i) ?? []),
          state: 'booked',
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const f = await db
        .insertInto('voucher_file')
        .values({
          voucher_id: v.id,
          object_key: put.key,
          sha256: put.sha256,
          sm3: put.sm3,
          size: put.size,
          media_type: replace?.mediaType ?? 'application/ofd',
          filename: replace?.filename ?? gen.name,
          format: replace?.format ?? 'ofd',
          role: 'original',
          signature_verdict: opts.signatureVerdict?.(i) ?? 'valid',
          received_at: now,
          channel: 'upload',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (opts.receiverFiles && j === 0) {
        const data = env.factory.dataVoucher({ kind: 'bker' } as any);
        const rp = await env.store.put(data.xbrl.bytes, { mediaType: 'application/xml', filename: 'receiver.xbrl' });
        await db
          .insertInto('voucher_file')
          .values({ voucher_id: v.id, object_key: rp.key, sha256: rp.sha256, sm3: rp.sm3, size: rp.size, media_type: 'application/xml', filename: `入账-${i + 1}.xbrl`, format: 'xbrl', role: 'receiver_xbrl', signature_verdict: null, received_at: now, channel: 'receiver' })
          .execute();
      }
      files.push({ voucherId: v.id, fileId: f.id, objectKey: put.key, sha256: put.sha256 });
      made.push({ voucherId: v.id, title: `增值税普通发票 ${number}` });
    }
    const jv = await db
      .insertInto('journal_voucher')
      .values({
        unit_id: env.unitId,
        fonds_id: env.fondsId,
        period,
        number: String(i + 1),
        voucher_date: `${period}-10`,
        summary: `报销办公用品 ${i + 1}`,
        attachment_count: opts.attachmentCount?.(i) ?? per,
        total_debit: '100.00',
        total_credit: '100.00',
        refs: JSON.stringify({ invoiceNumbers: [...invoiceNumbers, ...(opts.unlinkedInvoices?.(i) ?? [])] }),
        version: 1,
        digest: `d${i}`,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const itemCode = `${archivalCode}-${String(i + 1).padStart(4, '0')}`;
    const top = await db
      .insertInto('volume_item')
      .values({ volume_id: volume.id, seq: ++seq, parent_seq: null, item_no: i + 1, source_type: 'journal_voucher', source_id: jv.id, item_key: 'journal_voucher', number: String(i + 1), item_date: `${period}-10`, title: `报销办公用品 ${i + 1}`, archival_code: itemCode })
      .returning(['id', 'seq'])
      .executeTakeFirstOrThrow();
    for (let j = 0; j < made.length; j++) {
      await db
        .insertInto('volume_item')
        .values({ volume_id: volume.id, seq: ++seq, parent_seq: top.seq, item_no: j + 1, source_type: 'original', source_id: made[j].voucherId, item_key: 'original_voucher', number: null, item_date: null, title: made[j].title, archival_code: `${itemCode}-${String(j + 1).padStart(2, '0')}` })
        .execute();
    }
    itemIds.push(top.id);
    originals.push(files);
  }
  return { volumeId: volume.id, archivalCode, itemIds, originals };
}

/** Changes one byte of a stored object behind the store's back (the file is read-only: make it writable first). */
export async function flipStoredByte(storeRoot: string, key: string, offset?: number): Promise<void> {
  const { chmodSync, readFileSync, writeFileSync } = await import('node:fs');
  const path = join(storeRoot, key);
  chmodSync(path, 0o644);
  const b = readFileSync(path);
  const at = offset ?? Math.floor(b.length / 2);
  b[at] ^= 0x01;
  writeFileSync(path, b);
  chmodSync(path, 0o444);
}

/** The EICAR anti-virus test string (harmless by design) and a ClamAV database folder that detects it. */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

export function eicarDatabase(dir: string): string {
  const { mkdirSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const db = join(dir, 'clamdb');
  mkdirSync(db, { recursive: true });
  // .hdb: MD5:size:name of the whole file (the EICAR file exactly as written by the tests).
  writeFileSync(join(db, 'eicar.hdb'), `${createHash('md5').update(EICAR).digest('hex')}:${EICAR.length}:Evarchive.Test.EICAR\n`);
  // .ndb: the EICAR string anywhere in any file (hex body), so it is also found inside other files.
  writeFileSync(join(db, 'eicar.ndb'), `Evarchive.Test.EICAR.Body:0:*:${Buffer.from(EICAR).toString('hex')}\n`);
  return db;
}

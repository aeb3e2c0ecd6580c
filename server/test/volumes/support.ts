import { randomUUID } from 'node:crypto';
import { AuditService } from '../../src/platform/audit/audit.service';
import { fixedClock } from '../../src/platform/clock/clock';
import type { Db } from '../../src/platform/database/database';
import type { Principal, Role } from '../../src/platform/identity';
import { OrgService } from '../../src/platform/identity/org.service';
import { ScopeService } from '../../src/platform/identity/scope.service';
import { RetentionService } from '../../src/modules/retention/retention.service';
import { SearchIndexer } from '../../src/modules/search/indexer.service';
import { SearchRepository } from '../../src/modules/search/search.repository';
import { VolumeSources } from '../../src/modules/volumes/sources';
import { VolumesService } from '../../src/modules/volumes/volumes.service';

/** The volume services wired by hand on a test database (no HTTP, no other feature modules). */
export function volumeServices(db: Db) {
  const clock = fixedClock('2025-02-01T08:00:00Z', 1000);
  const audit = new AuditService(db, clock);
  const scope = new ScopeService(new OrgService(db, audit));
  const retention = new RetentionService(db, clock, audit, scope);
  const sources = new VolumeSources(db);
  const indexer = new SearchIndexer(new SearchRepository(db), { search: { driver: 'postgres' } } as any);
  const volumes = new VolumesService(db, clock, audit, scope, retention, sources, indexer);
  return { clock, audit, scope, retention, sources, volumes };
}

export function user(username: string, grants: { role: Role; unitId: string | null }[]): Principal {
  return { kind: 'user', id: randomUUID(), username, displayName: username, grants, sessionId: null };
}

/** A unit with one fonds, straight into the identity tables. */
export async function seedUnit(db: Db, code: string, name: string, fondsCode: string) {
  const unit = await db.insertInto('unit').values({ code, name, credit_code: null, parent_id: null }).returning('id').executeTakeFirstOrThrow();
  const fonds = await db.insertInto('fonds').values({ code: fondsCode, name: `${name}全宗`, unit_id: unit.id }).returning('id').executeTakeFirstOrThrow();
  return { unitId: unit.id, fondsId: fonds.id };
}

/** Journal vouchers as the ledger module stores them (table journal_voucher, migration 0500_ledger). */
export async function insertJournals(db: Db, unitId: string, fondsId: string | null, period: string, numbers: number[], word = '记') {
  const rows = numbers.map((n) => ({
    unit_id: unitId,
    fonds_id: fondsId,
    period,
    number: `${word}-${String(n).padStart(4, '0')}`,
    voucher_date: `${period}-${String(1 + (n % 28)).padStart(2, '0')}`,
    summary: `支付办公用品费 ${n}`,
    attachment_count: 0,
    total_debit: '100.00',
    total_credit: '100.00',
    refs: JSON.stringify({ invoiceNumbers: [], reimbursementIds: [], paymentCodes: [], bankSerials: [], attachments: [] }),
    digest: `d${period}${word}${n}`,
    created_at: new Date(),
    updated_at: new Date(),
  }));
  const out: { id: string; number: string }[] = [];
  for (let i = 0; i < rows.length; i += 500) out.push(...(await (db as any).insertInto('journal_voucher').values(rows.slice(i, i + 500)).returning(['id', 'number']).execute()));
  return out;
}

/**
 * Builds check subjects from the database. Volumes, ledger, matching and pool are other modules' tables; they
 * are read with plain SQL and only when present (the modules land independently), so a missing table means
 * "nothing of that kind" rather than a crash. Archived volumes are read from this product's own snapshot
 * (archived_item, archive_package), which is what the long-term sweep checks.
 */
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../platform/database/database';
import { NotFoundError } from '../../platform/errors/errors';
import { formatPattern, loadVolumeRules } from '../volumes/volumes.rules';
import type { CheckSubject, SubjectFile, SubjectItem } from './subject';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function tableExists(db: Kysely<any>, name: string): Promise<boolean> {
  const r = await sql<{ ok: boolean }>`select to_regclass(${name}) is not null as ok`.execute(db);
  return r.rows[0].ok;
}

export interface VolumeRow {
  id: string;
  unit_id: string;
  fonds_id: string;
  fonds_code: string | null;
  year: number;
  period: string;
  category: string;
  retention: string;
  retention_code: string;
  expires_on: string | null;
  volume_no: number;
  archival_code: string;
  title: string;
  state: string;
  item_count: number;
}

/** A volume by id or by 档号. */
export async function findVolume(db: Db, ref: string): Promise<VolumeRow> {
  const k = db as unknown as Kysely<any>;
  if (!(await tableExists(k, 'volume'))) throw new NotFoundError('volumes are not set up in this database (no table volume)', { ref });
  const r = await sql<VolumeRow>`
    select v.id, v.unit_id, v.fonds_id, f.code as fonds_code, v.year, v.period, v.category, v.retention, v.retention_code,
           v.expires_on::text as expires_on, v.volume_no, v.archival_code, v.title, v.state, v.item_count
    from volume v left join fonds f on f.id = v.fonds_id
    where ${UUID.test(ref) ? sql`v.id = ${ref}::uuid` : sql`v.archival_code = ${ref}`}`.execute(k);
  if (!r.rows.length) throw new NotFoundError(`no volume ${ref}`, { ref });
  return r.rows[0];
}

interface FileRow {
  id: string;
  voucher_id: string;
  object_key: string;
  sha256: string;
  sm3: string;
  size: string;
  media_type: string;
  filename: string | null;
  format: string;
  role: string;
  signature_verdict: string | null;
}

function toFile(f: FileRow): SubjectFile {
  return { id: f.id, role: f.role, objectKey: f.object_key, sha256: f.sha256, sm3: f.sm3, size: Number(f.size), mediaType: f.media_type, filename: f.filename, format: f.format, signatureVerdict: f.signature_verdict };
}

const CATEGORY_CODE_FALLBACK: Record<string, string> = { voucher: 'PZ', ledger: 'ZB', report: 'BG', other: 'QT' };

/** A volume (卷) with its items (件), each journal voucher with its linked originals' files, from the live tables. */
export async function loadVolumeSubject(db: Db, ref: string): Promise<{ subject: CheckSubject; volume: VolumeRow; itemLabels: Record<string, string> }> {
  const k = db as unknown as Kysely<any>;
  const v = await findVolume(db, ref);
  let categoryCode = CATEGORY_CODE_FALLBACK[v.category] ?? v.category;
  let expectedVolumeCode: string | undefined;
  let itemPattern: string | undefined;
  try {
    const rules = loadVolumeRules();
    categoryCode = rules.categories[v.category as keyof typeof rules.categories]?.code ?? categoryCode;
    const month = /^\d{4}-(\d{2})$/.exec(v.period)?.[1] ?? '';
    expectedVolumeCode = formatPattern(rules.codes.volume, { fonds: v.fonds_code, year: v.year, month, period: v.period, category: categoryCode, retention: v.retention_code, volume: v.volume_no });
    itemPattern = rules.codes.item;
  } catch {
    // a pattern with tokens we cannot fill (e.g. {unit}): fall back to the structural 档号 checks
  }
  const rows = (
    await sql<{ id: string; seq: number; parent_seq: number | null; item_no: number; source_type: string; source_id: string; item_key: string; number: string | null; item_date: string | null; title: string; archival_code: string }>`
      select id, seq, parent_seq, item_no, source_type, source_id, item_key, number, item_date::text as item_date, title, archival_code
      from volume_item where volume_id = ${v.id}::uuid order by seq`.execute(k)
  ).rows;
  const top = rows.filter((r) => r.parent_seq === null);
  const children = rows.filter((r) => r.parent_seq !== null);

  const jvIds = top.filter((r) => r.source_type === 'journal_voucher').map((r) => r.source_id);
  const jvs = new Map<string, { attachment_count: number; refs: any; period: string; number: string }>();
  if (jvIds.length && (await tableExists(k, 'journal_voucher'))) {
    const r = await sql<any>`select id, attachment_count, refs, period, number from journal_voucher where id = any(${jvIds}::uuid[])`.execute(k);
    for (const j of r.rows) jvs.set(j.id, j);
  }
  const voucherIds = children.filter((c) => c.source_type === 'original').map((c) => c.source_id);
  const vouchers = new Map<string, { id: string; identity_key: string; invoice_number: string | null; warnings: unknown; state: string }>();
  const filesByVoucher = new Map<string, SubjectFile[]>();
  if (voucherIds.length && (await tableExists(k, 'voucher'))) {
    const vr = await sql<any>`select id, identity_key, invoice_number, warnings, state from voucher where id = any(${voucherIds}::uuid[])`.execute(k);
    for (const x of vr.rows) vouchers.set(x.id, x);
    const fr = await sql<FileRow>`
      select id, voucher_id, object_key, sha256, sm3, size::text as size, media_type, filename, format, role, signature_verdict
      from voucher_file where voucher_id = any(${voucherIds}::uuid[]) and role in ('original', 'receiver_xbrl', 'receiver_json')
      order by voucher_id, received_at, id`.execute(k);
    for (const f of fr.rows) filesByVoucher.set(f.voucher_id, [...(filesByVoucher.get(f.voucher_id) ?? []), toFile(f)]);
  }
  const recordIds = top.filter((r) => r.source_type !== 'journal_voucher').map((r) => r.source_id);
  const records = new Map<string, SubjectFile>();
  if (recordIds.length && (await tableExists(k, 'ledger_record'))) {
    const rr = await sql<any>`select id, object_key, sha256, sm3, size::text as size, media_type, filename from ledger_record where id = any(${recordIds}::uuid[])`.execute(k);
    for (const r of rr.rows) records.set(r.id, { id: r.id, role: 'original', objectKey: r.object_key, sha256: r.sha256, sm3: r.sm3, size: Number(r.size), mediaType: r.media_type, filename: r.filename, format: formatOfMedia(r.media_type, r.filename), signatureVerdict: null });
  }

  const itemLabels: Record<string, string> = {};
  const items: SubjectItem[] = top.map((t) => {
    const kids = children.filter((c) => c.parent_seq === t.seq);
    const files: SubjectFile[] = [];
    const warnings: string[] = [];
    const missingLinks: string[] = [];
    const originalKeys: string[] = [];
    const linkedNumbers = new Set<string>();
    let linkedOriginals = 0;
    for (const c of kids) {
      if (c.source_type !== 'original') continue;
      linkedOriginals++;
      const vch = vouchers.get(c.source_id);
      if (!vch) {
        missingLinks.push(`原始凭证 ${c.title || c.source_id} (${c.archival_code}) is not in the pool`);
        continue;
      }
      originalKeys.push(vch.identity_key);
      if (vch.invoice_number) linkedNumbers.add(vch.invoice_number);
      for (const w of (Array.isArray(vch.warnings) ? vch.warnings : []) as string[]) warnings.push(`${vch.identity_key}: ${w}`);
      const fs = filesByVoucher.get(c.source_id) ?? [];
      if (!fs.some((f) => f.role === 'original')) missingLinks.push(`原始凭证 ${vch.identity_key} has no stored original file`);
      files.push(...fs);
    }
    const jv = t.source_type === 'journal_voucher' ? jvs.get(t.source_id) : undefined;
    for (const n of ((jv?.refs as any)?.invoiceNumbers ?? []) as string[]) {
      if (!linkedNumbers.has(n)) missingLinks.push(`invoice ${n} named by the journal voucher is not linked`);
    }
    const rec = records.get(t.source_id);
    if (rec) files.push(rec);
    const expected = itemPattern && expectedVolumeCode ? safeFormat(itemPattern, { volumeCode: v.archival_code, item: t.item_no }) : undefined;
    itemLabels[t.id] = `${t.item_no} ${t.archival_code}`;
    return {
      id: t.id,
      seq: t.item_no,
      archivalCode: t.archival_code,
      title: t.title,
      identityKey: jv ? `jv:${v.unit_id}:${jv.period}:${jv.number}` : `${t.source_type}:${t.source_id}`,
      metadata: {
        sourceType: t.source_type,
        sourceId: t.source_id,
        number: t.number,
        date: t.item_date,
        itemKey: t.item_key,
        originalKeys,
        originalVoucherIds: kids.filter((c) => c.source_type === 'original' && vouchers.has(c.source_id)).map((c) => c.source_id),
        ...(jv ? { attachmentCount: jv.attachment_count } : {}),
        ...(expected ? { expectedArchivalCode: expected } : {}),
      },
      files,
      expectedAttachments: jv ? jv.attachment_count : null,
      linkedOriginals,
      missingLinks,
      warnings,
    };
  });
  const packages = (await tableExists(k, 'archive_package'))
    ? (await db.selectFrom('archive_package').select(['object_key', 'sha256', 'sm3']).where('volume_id', '=', v.id).orderBy('version', 'desc').limit(1).execute()).map((p) => ({ key: p.object_key, sha256: p.sha256, sm3: p.sm3 }))
    : [];
  return {
    volume: v,
    itemLabels,
    subject: {
      type: 'volume',
      id: v.id,
      unitId: v.unit_id,
      metadata: {
        fonds: v.fonds_code,
        archivalCode: v.archival_code,
        title: v.title,
        year: String(v.year),
        period: v.period,
        retention: v.retention_code,
        category: categoryCode,
        state: v.state,
        ...(expectedVolumeCode ? { expectedArchivalCode: expectedVolumeCode } : {}),
      },
      items,
      packages,
    },
  };
}

function safeFormat(pattern: string, values: Record<string, string | number>): string | undefined {
  try {
    return formatPattern(pattern, values);
  } catch {
    return undefined;
  }
}

export function formatOfMedia(mediaType: string, filename?: string | null): string {
  const m: Record<string, string> = { 'application/ofd': 'ofd', 'application/pdf': 'pdf', 'application/xml': 'xml', 'text/xml': 'xml', 'application/json': 'json', 'image/jpeg': 'jpeg', 'image/png': 'png', 'application/xbrl+xml': 'xbrl' };
  return m[mediaType] ?? (filename?.split('.').pop()?.toLowerCase() || 'unknown');
}

/** An archived volume as snapshotted at archiving (latest version of every item) with its packages. */
export async function loadArchivedSubject(db: Db, volumeId: string): Promise<{ subject: CheckSubject; itemLabels: Record<string, string> }> {
  const rows = await db
    .selectFrom('archived_item')
    .selectAll()
    .where('volume_id', '=', volumeId)
    .orderBy('item_id')
    .orderBy('version', 'desc')
    .execute();
  if (!rows.length) throw new NotFoundError(`volume ${volumeId} has no archived items`, { volumeId });
  const latest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) if (!latest.has(r.item_id)) latest.set(r.item_id, r);
  const pk = await db.selectFrom('archive_package').selectAll().where('volume_id', '=', volumeId).orderBy('version', 'desc').execute();
  const vm = ((pk[0] && (latest.values().next().value as any)?.metadata?.volume) ?? {}) as Record<string, unknown>;
  const itemLabels: Record<string, string> = {};
  const items: SubjectItem[] = [...latest.values()]
    .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))
    .map((r) => {
      const md = (r.metadata ?? {}) as Record<string, any>;
      itemLabels[r.item_id] = `${r.seq ?? ''} ${r.archival_code ?? ''}`.trim();
      return { id: r.item_id, seq: r.seq, archivalCode: r.archival_code, title: r.title, identityKey: r.identity_key, metadata: md.item ?? {}, files: r.files as SubjectFile[], expectedAttachments: md.expectedAttachments ?? null, linkedOriginals: md.linkedOriginals, missingLinks: [], warnings: [] };
    });
  return {
    itemLabels,
    subject: { type: 'volume', id: volumeId, unitId: rows[0].unit_id, metadata: vm, items, packages: pk.slice(0, 1).map((p) => ({ key: p.object_key, sha256: p.sha256, sm3: p.sm3 })) },
  };
}

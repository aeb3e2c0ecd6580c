/**
 * The named check functions a scheme item runs (`check.fn` in archive-rules/checks/*.yaml). Each looks at the
 * whole subject and returns one result per item (or one for the subject, item `*`), with evidence that lets a
 * reader of the report see why: recorded and recomputed digests, verdicts, the offending values.
 */
import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { detectFormat } from '../../formats/detect';
import { openOfd, pageText, readOfdDocument } from '../../formats/ofd';
import { renderOfdToPdf } from '../../formats/render';
import { parseXml } from '../../formats/xmlsafe';
import { openZip } from '../../formats/zip';
import { verifyAuditChain } from '../../platform/audit/audit.service';
import type { Db } from '../../platform/database/database';
import type { ObjectStore } from '../../platform/storage';
import { verifyPackage } from '../archive/package-verify';
import { scanBuffers, type ClamavOptions } from './clamav';
import type { CheckFnName } from './scheme';
import { SUBJECT_ITEM, type CheckSubject, type SubjectFile, type SubjectItem } from './subject';

export type Outcome = 'pass' | 'fail' | 'warn' | 'not_applicable';

export interface FnResult {
  itemId: string;
  outcome: Outcome;
  evidence: Record<string, unknown>;
}

export interface CheckEnv {
  store: ObjectStore;
  /** Needed by audit_chain and cross-archive uniqueness; without it those look at the subject only. */
  db?: Db;
  clamav?: ClamavOptions;
  fontPath?: string;
  /** Other archived items holding the same value (uniqueness across the archive), outside this subject. */
  duplicatesElsewhere?(field: string, values: string[], subject: CheckSubject): Promise<Map<string, string[]>>;
  /** Seeds the render sample (the same day samples the same files). */
  sampleSeed?: string;
}

/** Shared by all functions of one run: bytes read once, virus scan done once. */
export class RunContext {
  private readonly bytesCache = new Map<string, Promise<Uint8Array>>();
  private scan?: Promise<{ found: Map<string, string | null>; engine: string } | { error: string }>;
  constructor(
    readonly subject: CheckSubject,
    readonly env: CheckEnv,
  ) {}

  /** The stored bytes as they are now (no verification: the fixity check is what compares digests). */
  bytes(f: SubjectFile): Promise<Uint8Array> {
    let p = this.bytesCache.get(f.objectKey);
    if (!p) {
      p = this.env.store.get(f.objectKey, { verify: false }).then((b) => new Uint8Array(b));
      p.catch(() => undefined);
      this.bytesCache.set(f.objectKey, p);
    }
    return p;
  }

  virusScan(): Promise<{ found: Map<string, string | null>; engine: string } | { error: string }> {
    if (!this.scan) {
      this.scan = (async () => {
        const files = new Map<string, Uint8Array>();
        for (const it of this.subject.items) {
          for (const f of it.files) {
            try {
              files.set(f.id.replace(/[^A-Za-z0-9_-]/g, '_'), await this.bytes(f));
            } catch {
              // unreadable files are the storage_readable check's finding
            }
          }
        }
        try {
          return await scanBuffers(files, this.env.clamav);
        } catch (e) {
          return { error: (e as Error).message };
        }
      })();
    }
    return this.scan;
  }
}

type Fn = (ctx: RunContext, params: Record<string, any>) => Promise<FnResult[]>;

const worst = (outs: Outcome[]): Outcome =>
  outs.includes('fail') ? 'fail' : outs.includes('warn') ? 'warn' : outs.includes('pass') ? 'pass' : 'not_applicable';

/** Runs `per` on each file of each item and folds the file outcomes into one result per item. */
async function perFile(
  ctx: RunContext,
  per: (f: SubjectFile, item: SubjectItem) => Promise<{ outcome: Outcome } & Record<string, unknown>>,
  filter: (f: SubjectFile) => boolean = () => true,
): Promise<FnResult[]> {
  const out: FnResult[] = [];
  for (const item of ctx.subject.items) {
    const files = item.files.filter(filter);
    const ev: Record<string, unknown>[] = [];
    for (const f of files) {
      try {
        ev.push({ file: f.id, name: f.filename ?? f.objectKey, ...(await per(f, item)) });
      } catch (e) {
        ev.push({ file: f.id, name: f.filename ?? f.objectKey, outcome: 'fail', message: (e as Error).message });
      }
    }
    out.push({ itemId: item.id, outcome: worst(ev.map((e) => e.outcome as Outcome)), evidence: { files: ev } });
  }
  return out;
}

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const field = (item: SubjectItem | CheckSubject, name: string): unknown =>
  name in item ? (item as any)[name] : (item.metadata ?? {})[name];

const fixity: Fn = (ctx) =>
  perFile(ctx, async (f) => {
    const v = await ctx.env.store.verify(f.objectKey);
    const ok = v.ok && v.sha256 === f.sha256 && v.sm3 === f.sm3 && v.size === Number(f.size);
    return {
      outcome: ok ? 'pass' : 'fail',
      recorded: { sha256: f.sha256, sm3: f.sm3, size: Number(f.size) },
      computed: { sha256: v.sha256, sm3: v.sm3, size: v.size },
      ...(ok ? {} : { message: v.problem ?? 'the stored bytes no longer hash to the digests recorded at intake', messageCode: 'digests_changed' }),
    };
  });

const signatureVerdict: Fn = (ctx, p) => {
  const pass: string[] = p.pass ?? ['valid'];
  const fail: string[] = p.fail ?? ['invalid'];
  return perFile(
    ctx,
    async (f) => {
      const v = f.signatureVerdict ?? 'unsigned';
      const outcome: Outcome = pass.includes(v) ? 'pass' : fail.includes(v) ? 'fail' : 'warn';
      return { outcome, verdict: v };
    },
    (f) => f.role === 'original',
  );
};

const perItem = (ctx: RunContext, fn: (item: SubjectItem) => { outcome: Outcome } & Record<string, unknown>): FnResult[] =>
  ctx.subject.items.map((item) => {
    const { outcome, ...evidence } = fn(item);
    return { itemId: item.id, outcome, evidence };
  });

const metadataFormat: Fn = async (ctx, p) => {
  const rules = Object.entries((p.fields ?? {}) as Record<string, string>).map(([k, re]) => [k, new RegExp(re)] as const);
  const one = (target: SubjectItem | CheckSubject) => {
    const bad: { field: string; value: string; expected: string }[] = [];
    for (const [k, re] of rules) {
      const v = field(target, k);
      if (v === undefined || v === null || v === '') continue; // missing values are mandatory_metadata's finding
      if (!re.test(str(v))) bad.push({ field: k, value: str(v), expected: re.source });
    }
    return { outcome: (bad.length ? 'fail' : 'pass') as Outcome, checked: rules.map(([k]) => k), bad };
  };
  const { outcome, ...evidence } = one(ctx.subject);
  return [{ itemId: SUBJECT_ITEM, outcome, evidence }, ...perItem(ctx, one)];
};

const metadataDomain: Fn = async (ctx, p) => {
  const fields = (p.fields ?? {}) as Record<string, string[]>;
  const one = (target: SubjectItem | CheckSubject) => {
    const bad: { field: string; value: string; allowed: string[] }[] = [];
    for (const [k, allowed] of Object.entries(fields)) {
      const v = field(target, k);
      if (v === undefined || v === null || v === '') continue;
      if (!allowed.includes(str(v))) bad.push({ field: k, value: str(v), allowed });
    }
    return { outcome: (bad.length ? 'fail' : 'pass') as Outcome, bad };
  };
  const { outcome, ...evidence } = one(ctx.subject);
  return [{ itemId: SUBJECT_ITEM, outcome, evidence }, ...perItem(ctx, one)];
};

const fileProperties: Fn = (ctx) =>
  perFile(ctx, async (f) => {
    const b = await ctx.bytes(f);
    const detected = detectFormat(b);
    const recorded = f.format.toLowerCase();
    // XBRL instances are XML files: the detector may call them either.
    const same = detected === recorded || (recorded === 'xbrl' && detected === 'xml') || (recorded === 'xml' && detected === 'xbrl');
    const sizeOk = b.length === Number(f.size);
    return {
      outcome: same && sizeOk ? 'pass' : 'fail',
      recorded: { format: recorded, size: Number(f.size) },
      actual: { format: detected, size: b.length },
    };
  });

const uniqueness: Fn = async (ctx, p) => {
  const fields: string[] = p.fields ?? ['archivalCode', 'identityKey'];
  const seen = new Map<string, string[]>();
  for (const item of ctx.subject.items) {
    for (const k of fields) {
      const v = str(field(item, k));
      if (!v) continue;
      const key = `${k}\u0000${v}`;
      seen.set(key, [...(seen.get(key) ?? []), item.id]);
    }
  }
  const elsewhere = new Map<string, string[]>();
  if (ctx.env.duplicatesElsewhere) {
    for (const k of fields) {
      const values = ctx.subject.items.map((i) => str(field(i, k))).filter(Boolean);
      for (const [v, ids] of await ctx.env.duplicatesElsewhere(k, values, ctx.subject)) elsewhere.set(`${k}\u0000${v}`, ids);
    }
  }
  return perItem(ctx, (item) => {
    const dups: { field: string; value: string; alsoIn: string[] }[] = [];
    for (const k of fields) {
      const v = str(field(item, k));
      if (!v) continue;
      const key = `${k}\u0000${v}`;
      const others = [...(seen.get(key) ?? []).filter((id) => id !== item.id), ...(elsewhere.get(key) ?? [])];
      if (others.length) dups.push({ field: k, value: v, alsoIn: others });
    }
    return { outcome: dups.length ? 'fail' : 'pass', duplicates: dups };
  });
};

/**
 * 档号: the volume's code is well-formed, names the subject's fonds and year, and equals the code the volume
 * rules give for its metadata (`expectedArchivalCode`, computed by the loader from archive-rules/volumes.yaml);
 * each item's code equals its expected code (default `<volume code>-<件号 4 digits>`).
 */
const archivalCode: Fn = async (ctx, p) => {
  const m = ctx.subject.metadata;
  const volumeCode = str(m.archivalCode);
  const wellFormed = new RegExp(p.charset ?? '^[0-9A-Za-z\u4e00-\u9fff·._-]+$');
  const problems: string[] = [];
  if (!volumeCode) problems.push('the volume has no 档号');
  else {
    if (!wellFormed.test(volumeCode)) problems.push(`档号 "${volumeCode}" has characters outside ${wellFormed.source}`);
    const parts = volumeCode.split(/[-·]/);
    if (m.fonds !== undefined && !parts.includes(str(m.fonds))) problems.push(`档号 "${volumeCode}" does not contain the fonds code ${str(m.fonds)}`);
    if (m.year !== undefined && !parts.includes(str(m.year))) problems.push(`档号 "${volumeCode}" does not contain the year ${str(m.year)}`);
    if (m.expectedArchivalCode !== undefined && volumeCode !== str(m.expectedArchivalCode)) problems.push(`档号 "${volumeCode}" differs from "${str(m.expectedArchivalCode)}" given by the volume rules`);
  }
  const width: number = p.itemWidth ?? 4;
  const results: FnResult[] = [{ itemId: SUBJECT_ITEM, outcome: problems.length ? 'fail' : 'pass', evidence: { archivalCode: volumeCode, problems } }];
  for (const item of ctx.subject.items) {
    const code = str(item.archivalCode);
    const expected = item.metadata.expectedArchivalCode !== undefined ? str(item.metadata.expectedArchivalCode) : item.seq === null ? undefined : `${volumeCode}-${String(item.seq).padStart(width, '0')}`;
    if (!code) results.push({ itemId: item.id, outcome: 'not_applicable', evidence: { message: 'the item has no 档号 (mandatory_metadata reports it)' } });
    else if (!wellFormed.test(code) || (expected !== undefined && code !== expected)) results.push({ itemId: item.id, outcome: 'fail', evidence: { archivalCode: code, expected, message: `档号 "${code}" should be "${expected}"`, messageCode: 'archival_code_mismatch' } });
    else results.push({ itemId: item.id, outcome: 'pass', evidence: { archivalCode: code } });
  }
  return results;
};

const contentConsistency: Fn = async (ctx) =>
  perItem(ctx, (item) => {
    const w = item.warnings ?? [];
    return { outcome: w.length ? 'fail' : 'pass', warnings: w };
  });

const mandatoryMetadata: Fn = async (ctx, p) => {
  const subjectFields: string[] = p.subject ?? [];
  const itemFields: string[] = p.item ?? [];
  const missing = (t: SubjectItem | CheckSubject, fs: string[]) => fs.filter((k) => str(field(t, k)).trim() === '');
  const sm = missing(ctx.subject, subjectFields);
  return [
    { itemId: SUBJECT_ITEM, outcome: sm.length ? 'fail' : 'pass', evidence: { required: subjectFields, missing: sm } },
    ...perItem(ctx, (item) => {
      const mm = missing(item, itemFields);
      return { outcome: mm.length ? 'fail' : 'pass', required: itemFields, missing: mm };
    }),
  ];
};

const sequenceGaps: Fn = async (ctx) => {
  const seqs = ctx.subject.items.map((i) => i.seq).filter((s): s is number => s !== null).sort((a, b) => a - b);
  if (seqs.length === 0) return [{ itemId: SUBJECT_ITEM, outcome: 'not_applicable', evidence: { message: 'the items are not numbered' } }];
  const gaps: number[] = [];
  const dups: number[] = [];
  for (let i = 0, want = 1; i < seqs.length; i++) {
    if (i > 0 && seqs[i] === seqs[i - 1]) {
      dups.push(seqs[i]);
      continue;
    }
    while (want < seqs[i]) gaps.push(want++);
    want = seqs[i] + 1;
  }
  const bad = gaps.length > 0 || dups.length > 0;
  return [{ itemId: SUBJECT_ITEM, outcome: bad ? 'fail' : 'pass', evidence: { count: seqs.length, first: seqs[0], last: seqs[seqs.length - 1], gaps, duplicates: dups } }];
};

const attachmentCount: Fn = async (ctx) =>
  perItem(ctx, (item) => {
    if (item.expectedAttachments === null || item.expectedAttachments === undefined) {
      return { outcome: 'not_applicable', message: 'not a journal voucher (no 附件数)' };
    }
    const linked = item.linkedOriginals ?? item.files.filter((f) => f.role === 'original').length;
    return { outcome: linked === item.expectedAttachments ? 'pass' : 'fail', expected: item.expectedAttachments, linked };
  });

const linkedPresent: Fn = async (ctx) => {
  const out: FnResult[] = [];
  for (const item of ctx.subject.items) {
    const missingObjects: string[] = [];
    for (const f of item.files) if (!(await ctx.env.store.exists(f.objectKey))) missingObjects.push(f.objectKey);
    const missingLinks = item.missingLinks ?? [];
    // A journal voucher is data; it needs files only when it declares attachments.
    const noContent = item.files.length === 0 && (item.expectedAttachments === null || item.expectedAttachments === undefined || item.expectedAttachments > 0);
    const bad = missingObjects.length > 0 || missingLinks.length > 0 || noContent;
    out.push({
      itemId: item.id,
      outcome: bad ? 'fail' : 'pass',
      evidence: { fileCount: item.files.length, missingObjects, missingLinks, ...(noContent ? { message: 'the item has no content file', messageCode: 'no_content_file' } : {}) },
    });
  }
  return out;
};

const formatAllowed: Fn = (ctx, p) => {
  const allow: string[] = (p.allow ?? ['ofd', 'pdf', 'xml', 'xbrl', 'json', 'jpeg', 'png']).map((s: string) => s.toLowerCase());
  return perFile(ctx, async (f) => {
    const detected = detectFormat(await ctx.bytes(f));
    return { outcome: allow.includes(detected) ? 'pass' : 'fail', format: detected, allowed: allow };
  });
};

function sampled(seed: string, fileId: string, rate: number): boolean {
  if (rate >= 1) return true;
  const h = createHash('sha256').update(`${seed}\u0000${fileId}`).digest();
  return h.readUInt32BE(0) / 0x100000000 < rate;
}

/**
 * Opens the file the way a reader would. OFD: always the container, document and first page's content; with
 * `render`, also the first page drawn to PDF (formats/render) — that embeds a CJK font subset and costs about a
 * second, so runs render a sample and open the rest.
 */
export async function openAndRender(bytes: Uint8Array, fontPath?: string, render = true): Promise<Record<string, unknown>> {
  const format = detectFormat(bytes);
  switch (format) {
    case 'ofd': {
      const pkg = openOfd(bytes);
      const doc = readOfdDocument(pkg);
      if (!doc.pages.length) throw new Error('the OFD has no page');
      const text = pageText(doc, doc.pages[0]);
      if (!render) return { format, pages: doc.pages.length, firstPageChars: text.length, rendered: false };
      const pdf = await renderOfdToPdf(pkg, { pages: [0], fontPath });
      return { format, pages: doc.pages.length, firstPageChars: text.length, rendered: 'first page → PDF', pdfBytes: pdf.length };
    }
    case 'pdf': {
      const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
      const n = doc.getPageCount();
      if (n < 1) throw new Error('the PDF has no page');
      const { width, height } = doc.getPage(0).getSize();
      return { format, pages: n, firstPage: { width: Math.round(width), height: Math.round(height) } };
    }
    case 'xml':
    case 'xbrl': {
      const root = parseXml(bytes);
      return { format, root: root.name };
    }
    case 'json':
      JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      return { format };
    case 'jpeg':
    case 'png': {
      const meta = await sharp(Buffer.from(bytes)).metadata();
      await sharp(Buffer.from(bytes)).resize(64).raw().toBuffer();
      return { format, width: meta.width, height: meta.height };
    }
    default:
      throw new Error('unknown format: no reader can open it');
  }
}

/**
 * Every file is opened; page formats in the sample (`sample` rate, at most `maxRenders` per run) also have
 * their first page rendered. `sample: 0` opens only; files outside the sample are still opened.
 */
const renders: Fn = (ctx, p) => {
  const rate: number = p.sample ?? 1;
  let budget: number = p.maxRenders ?? Number.POSITIVE_INFINITY;
  const seed = ctx.env.sampleSeed ?? new Date().toISOString().slice(0, 10);
  return perFile(ctx, async (f) => {
    const render = budget > 0 && sampled(seed, f.id, rate);
    const info = await openAndRender(await ctx.bytes(f), ctx.env.fontPath, render);
    if (render && info.rendered) budget--;
    return { outcome: 'pass', ...info };
  });
};

/** PDF: an /Encrypt dictionary; ZIP-based (OFD, packages): encrypted entries or methods other than stored/deflate. */
export function encryptionFindings(bytes: Uint8Array): string[] {
  const format = detectFormat(bytes);
  const out: string[] = [];
  if (format === 'pdf') {
    const text = Buffer.from(bytes).toString('latin1');
    if (/\/Encrypt\s*(\d+\s+\d+\s+R|<<)/.test(text)) out.push('the PDF is encrypted (/Encrypt in the trailer)');
  } else if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b) {
    const zip = openZip(bytes);
    for (const e of zip.entries) {
      const p = e.localHeaderOffset;
      const flags = bytes[p + 6] | (bytes[p + 7] << 8);
      if (flags & 1) out.push(`ZIP entry ${e.name} is encrypted`);
      if (e.method !== 0 && e.method !== 8) out.push(`ZIP entry ${e.name} uses compression method ${e.method} (only stored and deflate are open)`);
    }
  }
  return out;
}

const noEncryption: Fn = (ctx) =>
  perFile(ctx, async (f) => {
    const findings = encryptionFindings(await ctx.bytes(f));
    return { outcome: findings.length ? 'fail' : 'pass', findings };
  });

const virusScan: Fn = async (ctx) => {
  const scan = await ctx.virusScan();
  if ('error' in scan) {
    return ctx.subject.items.map((i) => ({ itemId: i.id, outcome: 'fail' as Outcome, evidence: { message: `virus scan not possible: ${scan.error}`, messageCode: 'virus_scan_unavailable' } }));
  }
  return perFile(ctx, async (f) => {
    const sig = scan.found.get(f.id.replace(/[^A-Za-z0-9_-]/g, '_'));
    if (sig === undefined) return { outcome: 'fail', message: 'the file could not be read for scanning', messageCode: 'unreadable_for_scan' };
    return sig ? { outcome: 'fail', found: sig, engine: scan.engine } : { outcome: 'pass', engine: scan.engine };
  });
};

const storageReadable: Fn = (ctx) =>
  perFile(ctx, async (f) => {
    const info = await ctx.env.store.stat(f.objectKey);
    const b = await ctx.bytes(f);
    return { outcome: b.length === info.size ? 'pass' : 'fail', size: b.length, stored: info.size, storedAt: info.storedAt };
  });

const auditChain: Fn = async (ctx) => {
  if (!ctx.env.db) return [{ itemId: SUBJECT_ITEM, outcome: 'not_applicable', evidence: { message: 'no database: the audit chain is not reachable' } }];
  const v = await verifyAuditChain(ctx.env.db);
  return [{ itemId: SUBJECT_ITEM, outcome: v.ok ? 'pass' : 'fail', evidence: { ...v } }];
};

const packageStructure: Fn = async (ctx) => {
  const pkgs = ctx.subject.packages ?? [];
  if (pkgs.length === 0) return [{ itemId: SUBJECT_ITEM, outcome: 'not_applicable', evidence: { message: 'no archival package stored yet' } }];
  const out: FnResult[] = [];
  for (const p of pkgs) {
    const v = await ctx.env.store.verify(p.key);
    const fixOk = v.ok && v.sha256 === p.sha256 && v.sm3 === p.sm3;
    let problems: string[] = [];
    try {
      const r = await verifyPackage(await ctx.env.store.get(p.key, { verify: false }));
      problems = r.problems.filter((x) => x.kind === 'signature' || x.kind === 'manifest' || x.kind === 'changed').map((x) => x.message);
    } catch (e) {
      problems = [(e as Error).message];
    }
    if (!fixOk) problems.unshift(`package ${p.key}: stored bytes hash to SHA-256 ${v.sha256} / SM3 ${v.sm3}, recorded ${p.sha256} / ${p.sm3}`);
    out.push({ itemId: `package:${p.key}`, outcome: problems.length ? 'fail' : 'pass', evidence: { key: p.key, recorded: { sha256: p.sha256, sm3: p.sm3 }, computed: { sha256: v.sha256, sm3: v.sm3 }, problems } });
  }
  return out;
};

const packageComplete: Fn = async (ctx) => {
  const pkgs = ctx.subject.packages ?? [];
  if (pkgs.length === 0) return [{ itemId: SUBJECT_ITEM, outcome: 'not_applicable', evidence: { message: 'no archival package stored yet' } }];
  const out: FnResult[] = [];
  const want = new Set(ctx.subject.items.flatMap((i) => i.files.filter((f) => f.role !== 'journal').map((f) => f.sha256)));
  for (const p of pkgs) {
    const problems: string[] = [];
    try {
      const r = await verifyPackage(await ctx.env.store.get(p.key, { verify: false }));
      for (const x of r.problems) if (x.kind === 'missing' || x.kind === 'extra') problems.push(x.message);
      const inPkg = new Set(r.files.map((f) => f.sha256));
      for (const d of want) if (!inPkg.has(d)) problems.push(`an original with SHA-256 ${d} is not in the package`);
    } catch (e) {
      problems.push((e as Error).message);
    }
    out.push({ itemId: `package:${p.key}`, outcome: problems.length ? 'fail' : 'pass', evidence: { key: p.key, problems } });
  }
  return out;
};

export const CHECK_FUNCTIONS: Record<CheckFnName, Fn> = {
  fixity,
  signature_verdict: signatureVerdict,
  metadata_domain: metadataDomain,
  metadata_format: metadataFormat,
  file_properties: fileProperties,
  uniqueness,
  archival_code: archivalCode,
  content_consistency: contentConsistency,
  package_structure: packageStructure,
  attachment_count: attachmentCount,
  mandatory_metadata: mandatoryMetadata,
  sequence_gaps: sequenceGaps,
  linked_present: linkedPresent,
  package_complete: packageComplete,
  format_allowed: formatAllowed,
  renders,
  no_encryption: noEncryption,
  virus_scan: virusScan,
  storage_readable: storageReadable,
  audit_chain: auditChain,
};

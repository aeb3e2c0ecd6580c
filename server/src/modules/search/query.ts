/**
 * The query model's validation: HTTP query strings, CLI options and programmatic callers all end up as one
 * NormalizedQuery, or a ValidationError naming the field.
 */
import { ValidationError } from '../../platform/errors/errors';
import { queryTerms, rankTokens } from './analyze';
import { CATEGORIES, DOC_TYPES, SEARCH_KINDS, type Category, type Cursor, type NormalizedQuery, type SearchFilters, type SearchQuery, type SortKey, type SortOrder } from './search.types';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONEY = /^-?\d{1,16}(\.\d{1,2})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_LIMIT = 500;

/** "1234.5" → 123450n (fen). Money never goes through a float. */
export function toFen(amount: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!m) throw new ValidationError(`amount: expected a decimal with up to two places, got "${amount}"`, { field: 'amount' });
  const fen = BigInt(m[2]) * 100n + BigInt((m[3] ?? '').padEnd(2, '0') || '0');
  return m[1] ? -fen : fen;
}

/** 123450n → "1234.50" */
export function fromFen(fen: bigint): string {
  const neg = fen < 0n;
  const a = neg ? -fen : fen;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

function validDate(v: string, field: string): string {
  if (!DATE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new ValidationError(`${field}: expected a date YYYY-MM-DD, got "${v}"`, { field });
  // Date.parse reads 2024-02-30 as 1 March; a calendar date reads back as itself. Year 0 does not exist.
  if (new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v || v.startsWith('0000')) {
    throw new ValidationError(`${field}: "${v}" is not a date in the calendar`, { field });
  }
  return v;
}

/** PostgreSQL's limit for one word of a text search (bytes of UTF-8); a longer word cannot be looked up. */
const MAX_WORD_BYTES = 2046;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.value, c.id])).toString('base64url');
}

export function decodeCursor(s: string, sort: SortKey): Cursor {
  try {
    const [cs, value, id] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    // A relevance query may continue in date order (PostgreSQL beyond 1,000 matches, see postgres.backend.ts).
    if (cs !== sort && !(sort === 'relevance' && cs === 'date')) throw new Error('sort changed');
    if ((value !== null && typeof value !== 'string') || typeof id !== 'string') throw new Error('shape');
    return { sort: cs, value, id };
  } catch {
    throw new ValidationError('cursor: not a cursor of this query (take nextCursor from the previous page with the same sort)', { field: 'cursor' });
  }
}

function checkFilters(f: SearchFilters): SearchFilters {
  const out: SearchFilters = { ...f };
  for (const k of ['unitId', 'fondsId'] as const) {
    for (const id of f[k] ?? []) if (!UUID.test(id)) throw new ValidationError(`${k}: expected an id (UUID), got "${id}"`, { field: k });
  }
  const unknownKinds = (f.kind ?? []).filter((k) => !SEARCH_KINDS.includes(k));
  if (unknownKinds.length) {
    throw new ValidationError(`kind: unknown kind${unknownKinds.length > 1 ? 's' : ''} ${unknownKinds.map((k) => `"${k}"`).join(', ')}; expected one of ${SEARCH_KINDS.join(', ')}`, { field: 'kind', unknown: unknownKinds });
  }
  const unknownTypes = (f.docType ?? []).filter((d) => !(DOC_TYPES as readonly string[]).includes(d));
  if (unknownTypes.length) {
    throw new ValidationError(`docType: unknown document type${unknownTypes.length > 1 ? 's' : ''} ${unknownTypes.map((d) => `"${d}"`).join(', ')}; expected one of ${DOC_TYPES.join(', ')}`, { field: 'docType', unknown: unknownTypes });
  }
  for (const y of f.year ?? []) if (!Number.isInteger(y) || y < 1900 || y > 2999) throw new ValidationError(`year: expected a year, got "${y}"`, { field: 'year' });
  for (const p of f.period ?? []) if (!Number.isInteger(p) || p < 1 || p > 12) throw new ValidationError(`period: expected a month 1–12, got "${p}"`, { field: 'period' });
  for (const c of f.category ?? []) if (!(CATEGORIES as readonly string[]).includes(c)) throw new ValidationError(`category: expected one of ${CATEGORIES.join(', ')}, got "${c}"`, { field: 'category' });
  for (const k of ['amountMin', 'amountMax'] as const) {
    const v = f[k];
    if (v !== undefined && !MONEY.test(v)) throw new ValidationError(`${k}: expected an amount like 1234.50, got "${v}"`, { field: k });
  }
  if (f.amountMin !== undefined && f.amountMax !== undefined && toFen(f.amountMin) > toFen(f.amountMax)) {
    throw new ValidationError(`amountMin ${f.amountMin} is above amountMax ${f.amountMax}`, { field: 'amountMin' });
  }
  if (f.dateFrom) validDate(f.dateFrom, 'dateFrom');
  if (f.dateTo) validDate(f.dateTo, 'dateTo');
  if (f.dateFrom && f.dateTo && f.dateFrom > f.dateTo) throw new ValidationError(`dateFrom ${f.dateFrom} is after dateTo ${f.dateTo}`, { field: 'dateFrom' });
  for (const k of ['archivalCode', 'number', 'party', 'account'] as const) {
    if (f[k] !== undefined) out[k] = f[k]!.trim() || undefined;
  }
  // An empty list means "no filter", not "match nothing".
  for (const k of ['docType', 'kind', 'fondsId', 'unitId', 'year', 'period', 'category', 'state', 'retention'] as const) {
    if (Array.isArray(out[k]) && (out[k] as unknown[]).length === 0) delete out[k];
  }
  return out;
}

export function normalizeQuery(q: SearchQuery): NormalizedQuery {
  const texts = [q.text ?? '', ...(q.refine ?? [])].filter((t) => t.trim());
  const terms = texts.flatMap((t) => queryTerms(t));
  const seen = new Set<string>();
  const uniqueTerms = terms.filter((t) => (seen.has(`${t.type}:${t.text}`) ? false : (seen.add(`${t.type}:${t.text}`), true)));
  if (texts.some((t) => t.trim()) && uniqueTerms.length === 0) {
    throw new ValidationError('q: the text has no letters, digits or Chinese characters to search for', { field: 'q' });
  }
  const long = uniqueTerms.find((t) => Buffer.byteLength(t.text, 'utf8') > MAX_WORD_BYTES);
  if (long) throw new ValidationError(`q: a word of ${[...long.text].length} characters is too long to search for (at most ${MAX_WORD_BYTES} bytes of UTF-8 per word)`, { field: 'q' });
  const limit = q.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new ValidationError(`limit: expected a whole number from 1 to ${MAX_LIMIT}, got "${q.limit}"`, { field: 'limit' });
  let sort: SortKey = q.sort ?? 'relevance';
  if (!['relevance', 'date', 'amount'].includes(sort)) throw new ValidationError(`sort: expected relevance, date or amount, got "${sort}"`, { field: 'sort' });
  // Without text there is nothing to be relevant to: newest first.
  if (sort === 'relevance' && uniqueTerms.length === 0) sort = 'date';
  const order: SortOrder = sort === 'relevance' ? 'desc' : (q.order ?? 'desc');
  if (order !== 'asc' && order !== 'desc') throw new ValidationError(`order: expected asc or desc, got "${q.order}"`, { field: 'order' });
  return {
    terms: uniqueTerms,
    rankTokens: [...new Set(texts.flatMap((t) => rankTokens(t)))],
    filters: checkFilters(q.filters ?? {}),
    sort,
    order,
    limit,
    cursor: q.cursor ? decodeCursor(q.cursor, sort) : null,
    facets: q.facets !== false,
    highlight: q.highlight !== false,
  };
}

type Params = Record<string, unknown>;

function list(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
}
function one(v: unknown): string | undefined {
  const l = Array.isArray(v) ? v : v === undefined ? [] : [v];
  const s = l.length ? String(l[l.length - 1]).trim() : '';
  return s || undefined;
}
function ints(v: unknown, field: string): number[] {
  return list(v).map((s) => {
    if (!/^\d{1,4}$/.test(s)) throw new ValidationError(`${field}: expected whole numbers, got "${s}"`, { field });
    return Number(s);
  });
}

/**
 * The HTTP (and CLI) spelling of a query: q, kind, docType, fonds, unit, year, period (1–12 or YYYY-MM),
 * category, archivalCode, number, amountMin, amountMax, from, to, party, account, state, retention,
 * refine (repeatable), sort, order, limit, cursor. Lists: repeat the parameter or separate with commas.
 */
export function queryFromParams(p: Params): SearchQuery {
  const years = ints(p.year, 'year');
  const periods: number[] = [];
  for (const s of list(p.period)) {
    const ym = /^(\d{4})-(\d{1,2})$/.exec(s);
    if (ym) {
      years.push(Number(ym[1]));
      periods.push(Number(ym[2]));
    } else if (/^\d{1,2}$/.test(s)) periods.push(Number(s));
    else throw new ValidationError(`period: expected a month 1–12 or YYYY-MM, got "${s}"`, { field: 'period' });
  }
  const limit = one(p.limit);
  if (limit !== undefined && !/^\d+$/.test(limit)) throw new ValidationError(`limit: expected a whole number, got "${limit}"`, { field: 'limit' });
  return {
    text: one(p.q),
    refine: list(p.refine).length ? (Array.isArray(p.refine) ? p.refine.map(String) : [String(p.refine)]) : undefined,
    filters: {
      docType: list(p.docType),
      kind: list(p.kind),
      fondsId: list(p.fonds ?? p.fondsId),
      unitId: list(p.unit ?? p.unitId),
      year: [...new Set(years)],
      period: [...new Set(periods)],
      category: list(p.category) as Category[],
      archivalCode: one(p.archivalCode),
      number: one(p.number),
      amountMin: one(p.amountMin),
      amountMax: one(p.amountMax),
      dateFrom: one(p.from ?? p.dateFrom),
      dateTo: one(p.to ?? p.dateTo),
      party: one(p.party),
      account: one(p.account),
      state: list(p.state),
      retention: list(p.retention),
    },
    sort: one(p.sort) as SortKey | undefined,
    order: one(p.order) as SortOrder | undefined,
    limit: limit === undefined ? undefined : Number(limit),
    cursor: one(p.cursor),
    facets: one(p.facets) === 'false' ? false : undefined,
  };
}

import { ValidationError } from '../errors/errors';

/** Small field checks shared by the identity services; each error names the field. */
export function reqString(v: unknown, field: string, opts: { max?: number; pattern?: RegExp; hint?: string } = {}): string {
  if (typeof v !== 'string' || v.trim() === '') throw new ValidationError(`${field}: required`, { field });
  const s = v.trim();
  if (s.length > (opts.max ?? 200)) throw new ValidationError(`${field}: at most ${opts.max ?? 200} characters`, { field });
  if (opts.pattern && !opts.pattern.test(s)) throw new ValidationError(`${field}: ${opts.hint ?? 'invalid format'}, got "${s}"`, { field });
  return s;
}

export function optString(v: unknown, field: string, opts: { max?: number; pattern?: RegExp; hint?: string } = {}): string | null {
  if (v === undefined || v === null || v === '') return null;
  return reqString(v, field, opts);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID.test(v);
}
export function reqUuid(v: unknown, field: string): string {
  if (!isUuid(v)) throw new ValidationError(`${field}: expected an id (UUID), got ${JSON.stringify(v ?? null)}`, { field });
  return v.toLowerCase();
}

export function reqObject(v: unknown, field = 'body'): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ValidationError(`${field}: expected a JSON object`, { field });
  return v as Record<string, unknown>;
}

/** 统一社会信用代码 (GB 32100-2015): 18 characters, the last a mod-31 check character. */
const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
export function creditCodeProblem(code: string): string | null {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return 'must be 18 characters of digits and capital letters (no I, O, S, V, Z)';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CHARS.indexOf(code[i]) * CREDIT_WEIGHTS[i];
  const expected = CREDIT_CHARS[(31 - (sum % 31)) % 31];
  return code[17] === expected ? null : `check character should be ${expected}`;
}

/** Maps a PostgreSQL unique violation on `constraint` to a message naming the field; other errors pass through. */
export function uniqueViolation(e: unknown): string | null {
  const err = e as { code?: string; constraint?: string };
  return err?.code === '23505' ? (err.constraint ?? 'unique') : null;
}

/**
 * The MoF toolkit's JSON interchange form of an e-voucher (工具包 `json样例文件`) → the same Voucher as its XBRL twin.
 * Keys are the taxonomy's element local names; arrays (and, in the ctp sample, a bare object) are tuples; the
 * 非税 e-bill keeps its nested upper-snake groups. There is no schemaRef, so the configId is decided by which
 * element map the keys fit.
 */
import { FormatError } from '../errors';
import { normaliseVoucher } from '../kinds';
import { buildVoucher } from '../kinds/build';
import type { Voucher, VoucherKind } from '../voucher';
import { resolveConfigId } from '../xbrl/config';
import { elementMap } from '../xbrl/element-maps';
import type { VoucherRole, XbrlItem } from '../xbrl/model';

export interface VoucherJson {
  configId: string;
  kind: VoucherKind;
  role: VoucherRole;
  /** The JSON as facts and tuples, the same model readXbrl gives. */
  facts: XbrlItem[];
  voucher: Voucher;
}

export interface ReadJsonOptions {
  path?: string;
  /** File name, used only to break a tie between configIds that fit equally well. */
  filename?: string;
}

/** An e-voucher's JSON is a few kilobytes; anything near this is not one (and JSON.parse would hold it all). */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

export function readVoucherJson(bytes: Uint8Array | string, options: ReadJsonOptions = {}): VoucherJson {
  const where = options.path;
  if (bytes.length > MAX_JSON_BYTES) throw new FormatError('too_large', `JSON of ${bytes.length} bytes exceeds ${MAX_JSON_BYTES}`, where);
  const text = typeof bytes === 'string' ? bytes : decodeUtf8(bytes, where);
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (e) {
    throw new FormatError('invalid_field', `not valid JSON: ${(e as Error).message}`, where);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new FormatError('unknown_format', 'JSON e-voucher must be an object of element names', where);
  const facts = objectItems(data as Record<string, unknown>, '');
  const configId = resolveConfigId(facts, { filename: options.filename });
  if (!configId) throw new FormatError('unknown_format', `JSON keys fit no MoF e-voucher element map (${Object.keys(data).slice(0, 5).join(', ')}…)`, where);
  const map = elementMap(configId);
  const voucher = normaliseVoucher(buildVoucher(map, facts));
  return { configId, kind: voucher.kind, role: map.role, facts, voucher };
}

function decodeUtf8(bytes: Uint8Array, where?: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError('invalid_field', 'JSON is not valid UTF-8', where);
  }
}

function objectItems(obj: Record<string, unknown>, path: string): XbrlItem[] {
  const items: XbrlItem[] = [];
  for (const [name, value] of Object.entries(obj)) items.push(...valueItems(name, value, path ? `${path}/${name}` : name));
  return items;
}

function valueItems(name: string, value: unknown, path: string): XbrlItem[] {
  if (value === null) return [{ type: 'fact', name, value: '', nil: true }];
  if (typeof value === 'string') return [{ type: 'fact', name, value, nil: false }];
  if (typeof value === 'number' || typeof value === 'boolean') return [{ type: 'fact', name, value: String(value), nil: false }];
  if (Array.isArray(value)) return value.flatMap((v, i) => valueItems(name, v, `${path}[${i}]`));
  if (typeof value === 'object') return [{ type: 'tuple', name, children: objectItems(value as Record<string, unknown>, path) }];
  throw new FormatError('invalid_field', `${path}: unsupported JSON value`);
}

/**
 * The element maps of schemas/xbrl/ (one JSON file per toolkit configId), resolved: `sameAs` copies another map's
 * facts and tuples (ordinary/special invoices share a taxonomy), `include` appends groups from common.json (the
 * receiver's booking data is the same in every taxonomy). The voucher-pool writer uses the same maps.
 *
 * The JSON files are bundled with require (no file I/O at run time).
 */
import type { ElementMap, FactMapping, TupleMapping } from './model';

/* eslint-disable @typescript-eslint/no-require-imports */
const RAW: Record<string, RawMap> = {
  inv_ord_issuer: require('../../../../schemas/xbrl/inv_ord_issuer.json'),
  inv_spcl_issuer: require('../../../../schemas/xbrl/inv_spcl_issuer.json'),
  inv_ord_receiver: require('../../../../schemas/xbrl/inv_ord_receiver.json'),
  inv_spcl_receiver: require('../../../../schemas/xbrl/inv_spcl_receiver.json'),
  einv_ord_receiver: require('../../../../schemas/xbrl/einv_ord_receiver.json'),
  einv_spcl_receiver: require('../../../../schemas/xbrl/einv_spcl_receiver.json'),
  rai_issuer: require('../../../../schemas/xbrl/rai_issuer.json'),
  rai_receiver: require('../../../../schemas/xbrl/rai_receiver.json'),
  atr_issuer: require('../../../../schemas/xbrl/atr_issuer.json'),
  atr_receiver: require('../../../../schemas/xbrl/atr_receiver.json'),
  bker_issuer: require('../../../../schemas/xbrl/bker_issuer.json'),
  bker_receiver: require('../../../../schemas/xbrl/bker_receiver.json'),
  bkrs: require('../../../../schemas/xbrl/bkrs.json'),
  efi: require('../../../../schemas/xbrl/efi.json'),
  ntrev_gpm_issuer: require('../../../../schemas/xbrl/ntrev_gpm_issuer.json'),
  ntrev_gpm_receiver: require('../../../../schemas/xbrl/ntrev_gpm_receiver.json'),
  ctp: require('../../../../schemas/xbrl/ctp.json'),
};
const COMMON: { groups: Record<string, { facts?: FactMapping[]; tuples?: TupleMapping[] }> } = require('../../../../schemas/xbrl/common.json');
/* eslint-enable @typescript-eslint/no-require-imports */

interface RawMap extends Omit<ElementMap, 'facts' | 'tuples'> {
  sameAs?: string;
  include?: string[];
  facts?: FactMapping[];
  tuples?: TupleMapping[];
}

/** Every toolkit configId the readers understand, in a stable order. */
export const CONFIG_IDS = Object.keys(RAW);

const resolved = new Map<string, ElementMap>();

export function elementMap(configId: string): ElementMap {
  const hit = resolved.get(configId);
  if (hit) return hit;
  const raw = RAW[configId];
  if (!raw) throw new Error(`no element map for configId ${configId}`);
  const base = raw.sameAs ? RAW[raw.sameAs] : raw;
  const facts = [...(base.facts ?? [])];
  const tuples = [...(base.tuples ?? [])];
  for (const g of base.include ?? []) {
    const group = COMMON.groups[g];
    if (!group) throw new Error(`element map ${configId} includes unknown group ${g}`);
    facts.push(...(group.facts ?? []));
    tuples.push(...(group.tuples ?? []));
  }
  const map: ElementMap = {
    configId: raw.configId,
    kind: raw.kind,
    role: raw.role,
    prefix: raw.prefix,
    taxonomyDate: raw.taxonomyDate,
    entryPoint: raw.entryPoint,
    title: raw.title,
    facts,
    tuples,
  };
  resolved.set(configId, map);
  return map;
}

/** The first path segment of every top-level fact and tuple a map knows: what the JSON form may contain at its top. */
export function topLevelElements(map: ElementMap): Set<string> {
  return new Set([...map.facts, ...map.tuples].map((m) => m.element.split('/')[0]));
}

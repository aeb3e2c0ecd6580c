import type { Migration } from 'kysely';
import * as m0100 from './0100_platform';
import * as m0200 from './0200_identity';
import * as m0300 from './0300_audit';
import * as m0500 from '../../../modules/ledger/0500_ledger.migration';
import * as m0600 from '../../../modules/matching/0600_matching.migration';
import * as m0800 from '../../../modules/checks/0800_checks.migration';
import * as m0810 from '../../../modules/archive/0810_archive.migration';
import * as m0400 from '../../../modules/pool/0400_pool.migration';
import * as m0450 from '../../../modules/pool/claims/0450_pool_claims.migration';
import * as m0460 from '../../../modules/pool/claims/0460_pool_booking_source.migration';
import * as m0900 from '../../../modules/search/0900_search.migration';
import * as m0901 from '../../../modules/search/0901_search_keyset_indexes.migration';
import * as m0700 from '../../../modules/volumes/0700_volumes.migration';
import * as m0710 from '../../../modules/retention/0710_retention.migration';

/**
 * Every migration of the product, in order. Modules own their migration files (ranges by module: 01xx
 * platform, 02xx identity, 03xx audit, 04xx pool, 05xx ledger, 06xx matching, 07xx volumes, 08xx checks and
 * archive, 09xx search, 10xx+ later modules) and register them here. Names sort in application order.
 */
export const migrations: Record<string, Migration> = {
  '0100_platform': m0100,
  '0200_identity': m0200,
  '0300_audit': m0300,
  '0500_ledger': m0500,
  '0600_matching': m0600,
  '0400_pool': m0400,
  '0450_pool_claims': m0450,
  '0460_pool_booking_source': m0460,
  '0900_search': m0900,
  '0901_search_keyset_indexes': m0901,
  '0700_volumes': m0700,
  '0710_retention': m0710,
  '0800_checks': m0800,
  '0810_archive': m0810,
};

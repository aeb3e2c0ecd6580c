import type { AppConfig } from '../../platform/config/config';
import { OpenSearchBackend } from './opensearch.backend';
import { PostgresSearchBackend } from './postgres.backend';
import type { SearchRepository } from './search.repository';
import type { SearchBackend } from './search.types';

/** The backend config.search.driver names; provided under the SEARCH token. */
export function createSearchBackend(config: Pick<AppConfig, 'search'>, repo: SearchRepository, opts: { refreshOnWrite?: boolean } = {}): SearchBackend {
  const s = config.search;
  if (s.driver === 'opensearch') {
    return new OpenSearchBackend(repo, { node: s.node, indexPrefix: s.indexPrefix, username: s.username, password: s.password, ...opts });
  }
  return new PostgresSearchBackend(repo);
}

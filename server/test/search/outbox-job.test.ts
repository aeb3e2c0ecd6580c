/**
 * In the running application with search.driver opensearch: a change indexed inside a transaction reaches a
 * real OpenSearch node through the outbox and the pg-boss job alone (no explicit processing).
 */
import { sql } from 'kysely';
import { SearchIndexer } from '../../src/modules/search/indexer.service';
import { OpenSearchBackend } from '../../src/modules/search/opensearch.backend';
import { normalizeQuery } from '../../src/modules/search/query';
import { SearchRepository } from '../../src/modules/search/search.repository';
import type { SearchScope } from '../../src/modules/search/search.types';
import { createTestApp } from '../support/app';
import { SERVER_START_TIMEOUT_MS, startOpenSearch, type OpenSearchHandle } from '../support/servers';
import { DOCS, seedUnits, short } from './fixtures';

let os: OpenSearchHandle;
const ALL: SearchScope = { unitIds: 'all', documentIds: [] };

beforeAll(async () => {
  os = await startOpenSearch();
}, SERVER_START_TIMEOUT_MS);

afterAll(async () => {
  await os?.stop();
}, 60_000);

test('in the application, the outbox job (pg-boss) carries a committed change to OpenSearch by itself', async () => {
  const app = await createTestApp({ env: { EVARCHIVE_SEARCH: 'opensearch', EVARCHIVE_OPENSEARCH_URL: os.url, EVARCHIVE_OPENSEARCH_PREFIX: 'app' } });
  try {
    await seedUnits(app.db);
    const appIndexer = app.app.get(SearchIndexer);
    await app.db.transaction().execute((trx) => appIndexer.upsert([DOCS[0], DOCS[1]], { trx }));
    const appBackend = new OpenSearchBackend(new SearchRepository(app.db), { node: os.url, indexPrefix: 'app' });
    try {
      let ids: string[] = [];
      for (let i = 0; i < 60 && ids.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 500));
        await appBackend.refresh().catch(() => undefined);
        ids = (await appBackend.search(normalizeQuery({ text: '南通市财政局' }), ALL).catch(() => ({ hits: [] as { id: string }[] }))).hits.map((h) => short(h.id)).sort();
      }
      expect(ids).toEqual(['v01', 'v02']);
      expect((await sql<{ n: string }>`select count(*) as n from search_outbox`.execute(app.db)).rows[0].n).toBe('0');
    } finally {
      await appBackend.close();
    }
  } finally {
    await app.close();
  }
}, 120_000);

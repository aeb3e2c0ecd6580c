import { createTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

test('GET /api/health reports the database, the version and running jobs', async () => {
  const res = await fetch(`${t.url}/api/health`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok', version: '0.1.0', db: 'ok', jobs: 'running' });
});

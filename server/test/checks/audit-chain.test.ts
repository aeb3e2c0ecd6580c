import { sql } from 'kysely';
import { CHECK_FUNCTIONS, RunContext } from '../../src/modules/checks/functions';
import { createEnv, type Env } from './fixture';

let env: Env;
beforeAll(async () => {
  env = await createEnv('audit-chain');
});
afterAll(() => env.close());

test('audit_chain passes on a continuous chain and fails, naming the broken link, when an entry was altered', async () => {
  for (let i = 0; i < 3; i++) await env.audit.record({ actor: 'system', action: 'test.entry', details: { i } });
  const subject = { type: 'volume' as const, id: 'v', metadata: {}, items: [] };
  const ok = await CHECK_FUNCTIONS.audit_chain(new RunContext(subject, { store: env.store, db: env.db }), {});
  expect(ok).toEqual([expect.objectContaining({ itemId: '*', outcome: 'pass' })]);
  // Only a superuser who disables the append-only trigger can alter the log; the chain then shows it.
  await sql`alter table audit_log disable trigger audit_log_no_change`.execute(env.db);
  await sql`update audit_log set details = '{"i": 99}'::jsonb where seq = (select min(seq) + 1 from audit_log)`.execute(env.db);
  await sql`alter table audit_log enable trigger audit_log_no_change`.execute(env.db);
  const bad = await CHECK_FUNCTIONS.audit_chain(new RunContext(subject, { store: env.store, db: env.db }), {});
  expect(bad[0].outcome).toBe('fail');
  expect(bad[0].evidence).toMatchObject({ ok: false, reason: 'hash_mismatch' });
});

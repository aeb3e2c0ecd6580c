import type { Command } from 'commander';
import { AuditService } from '../../platform/audit/audit.service';
import { systemClock } from '../../platform/clock/clock';
import { loadConfig, type AppConfig } from '../../platform/config/config';
import type { Db } from '../../platform/database/database';
import { openDatabase } from '../../platform/database/open';
import { ValidationError } from '../../platform/errors/errors';
import { ApiClientService } from '../../platform/identity/api-client.service';
import { OrgService } from '../../platform/identity/org.service';
import { generatePassword } from '../../platform/identity/password';
import { CLIENT_ROLE_IDS, ROLE_IDS } from '../../platform/identity/roles';
import { UserService } from '../../platform/identity/user.service';

/** Opens the database (migrated), runs `fn`, closes it again; CLI changes are audited with actor `system`. */
async function withDb<T>(fn: (db: Db, config: AppConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const handle = await openDatabase(config);
  try {
    return await fn(handle.db, config);
  } finally {
    await handle.close();
  }
}

function passwordFrom(opts: { password?: string; generate?: boolean }): { password: string; generated: boolean } {
  if (opts.password && opts.generate) throw new ValidationError('give either --password or --generate, not both', { field: 'password' });
  if (opts.password) return { password: opts.password, generated: false };
  if (opts.generate) return { password: generatePassword(), generated: true };
  throw new ValidationError('--password <password> or --generate is required', { field: 'password' });
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function userCommand(program: Command): void {
  const user = program.command('user').description('people who sign in (用户)');
  user
    .command('add <username>')
    .description(`create a user with one role (${ROLE_IDS.join(', ')}), in one or more units`)
    .requiredOption('--role <role>', 'role id')
    .option('--unit <code>', 'unit code (repeat for several units; none = all units, for system_admin/auditor)', collect)
    .option('--display-name <name>', 'name shown in the app')
    .option('--password <password>', 'initial password (at least 8 characters)')
    .option('--generate', 'generate a password and print it once')
    .action(async (username: string, opts: { role: string; unit?: string[]; displayName?: string; password?: string; generate?: boolean }) => {
      const { password, generated } = passwordFrom(opts);
      const roles = opts.unit?.length ? opts.unit.map((unitCode) => ({ role: opts.role, unitCode })) : [{ role: opts.role }];
      await withDb(async (db) => {
        const users = new UserService(db, new AuditService(db, systemClock));
        const r = await users.create('system', { username, displayName: opts.displayName, password, roles });
        const where = r.user.roles.map((g) => `${g.role}@${g.unitName ?? 'all units'}`).join(', ');
        console.log(`created user ${r.user.username} (${where})`);
        if (generated) console.log(`password: ${password}`);
      });
    });
  user
    .command('passwd <username>')
    .description('set a new password (also clears a lockout and ends the sessions)')
    .option('--password <password>', 'new password (at least 8 characters)')
    .option('--generate', 'generate a password and print it once')
    .action(async (username: string, opts: { password?: string; generate?: boolean }) => {
      const { password, generated } = passwordFrom(opts);
      await withDb(async (db) => {
        const users = new UserService(db, new AuditService(db, systemClock));
        await users.setPassword('system', await users.idByUsername(username), password);
        console.log(`password of ${username.toLowerCase()} changed`);
        if (generated) console.log(`password: ${password}`);
      });
    });
}

export function unitCommand(program: Command): void {
  const unit = program.command('unit').description('units (单位)');
  unit
    .command('add <code> <name>')
    .description('create a unit')
    .option('--credit-code <code>', '统一社会信用代码 (18 characters, check character verified)')
    .option('--parent <code>', 'code of the parent unit')
    .action(async (code: string, name: string, opts: { creditCode?: string; parent?: string }) => {
      await withDb(async (db) => {
        const org = new OrgService(db, new AuditService(db, systemClock));
        const u = await org.createUnit('system', { code, name, creditCode: opts.creditCode, parentCode: opts.parent });
        console.log(`created unit ${u.code} ${u.name} (${u.id})`);
      });
    });
  unit
    .command('list')
    .description('list units')
    .action(async () => {
      await withDb(async (db) => {
        const org = new OrgService(db, new AuditService(db, systemClock));
        for (const u of await org.listUnits('all')) console.log([u.code, u.name, u.creditCode ?? '-', u.id].join('\t'));
      });
    });
}

export function fondsCommand(program: Command): void {
  program
    .command('fonds')
    .description('fonds (全宗)')
    .command('add <code> <name>')
    .description('create a fonds in a unit')
    .requiredOption('--unit <code>', 'code of the unit the fonds belongs to')
    .action(async (code: string, name: string, opts: { unit: string }) => {
      await withDb(async (db) => {
        const org = new OrgService(db, new AuditService(db, systemClock));
        const f = await org.createFonds('system', { code, name, unitCode: opts.unit });
        console.log(`created fonds ${f.code} ${f.name} in ${f.unitName} (${f.id})`);
      });
    });
}

export function clientCommand(program: Command): void {
  program
    .command('client')
    .description('machine clients calling with signed requests (API keys)')
    .command('add <name>')
    .description(`create an API client (${CLIENT_ROLE_IDS.join(', ')}) and print its key id and secret once`)
    .requiredOption('--role <role>', 'client role')
    .requiredOption('--unit <code>', 'unit code (repeat for several units)', collect)
    .action(async (name: string, opts: { role: string; unit: string[] }) => {
      await withDb(async (db, config) => {
        const audit = new AuditService(db, systemClock);
        const clients = new ApiClientService(db, config, systemClock, audit);
        const r = await clients.create('system', { name, role: opts.role, unitCodes: opts.unit });
        console.log(`created API client ${r.client.name} (${r.client.role}) for ${r.client.units.map((u) => u.code).join(', ')}`);
        console.log(`key id: ${r.keyId}`);
        console.log(`secret: ${r.secret}`);
      });
    });
}

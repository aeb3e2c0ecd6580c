import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors/errors';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the embedded defaults when nothing is set', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.dataDir).toBe('/srv/app/data');
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.storage).toEqual({ driver: 'local', root: '/srv/app/data/objects', verifyOnRead: false });
    expect(c.search).toEqual({ driver: 'postgres' });
  });

  it('reads a YAML config file and lets the environment win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evcfg-'));
    writeFileSync(join(dir, 'evarchive.yaml'), 'server:\n  port: 4000\ndemo: false\nsearch:\n  driver: opensearch\n  opensearch:\n    url: http://127.0.0.1:9200\n');
    try {
      const c = loadConfig({ EVARCHIVE_DATA_DIR: dir, PORT: '4100' });
      expect(c.port).toBe(4100);
      expect(c.demo).toBe(false);
      expect(c.search).toMatchObject({ driver: 'opensearch', node: 'http://127.0.0.1:9200' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists every problem at once, naming the variable', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'abc', EVARCHIVE_STORAGE: 's3', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('PORT'),
        expect.stringContaining('EVARCHIVE_S3_ENDPOINT'),
        expect.stringContaining('EVARCHIVE_S3_ACCESS_KEY'),
        expect.stringContaining('DATABASE_URL'),
      ]),
    );
  });
});

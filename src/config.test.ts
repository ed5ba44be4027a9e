import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has working defaults: SQLite under ./data, port 3000', () => {
    const c = loadConfig({}, '/srv/scholia');
    expect(c.port).toBe(3000);
    expect(c.database).toEqual({ engine: 'sqlite', file: '/srv/scholia/data/scholia.db' });
    expect(c.siteUrl).toBe('http://localhost:3000');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('switches to PostgreSQL for a postgres URL', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/scholia', DATABASE_POOL_SIZE: '20' }, '/x');
    expect(c.database).toEqual({ engine: 'postgres', url: 'postgres://u@127.0.0.1:5432/scholia', poolSize: 20 });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ SITE_URL: 'not a url' }, 'SITE_URL'],
    [{ SITE_URL: 'ftp://x.org' }, 'SITE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '99' }, 'TRUST_PROXY'],
    [{ DATABASE_POOL_SIZE: '0', DATABASE_URL: 'postgres://x@y/z' }, 'DATABASE_POOL_SIZE'],
  ])('names the bad variable in %j', (env, variable) => {
    expect(() => loadConfig(env, '/x')).toThrowError(ConfigError);
    try {
      loadConfig(env, '/x');
    } catch (err) {
      expect((err as ConfigError).variable).toBe(variable);
      expect((err as Error).message.startsWith(`${variable}:`)).toBe(true);
    }
  });

  it.each([
    [undefined, false],
    ['false', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['127.0.0.1', ['127.0.0.1']],
    [' 10.0.0.0/8, ::1 ,loopback', ['10.0.0.0/8', '::1', 'loopback']],
  ])('reads TRUST_PROXY=%j as %j', (raw, expected) => {
    expect(loadConfig(raw === undefined ? {} : { TRUST_PROXY: raw }, '/x').trustProxy).toEqual(expected);
  });

  it('never echoes a database URL, which may hold a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:secret@host/db' }, '/x')).toThrowError(/^(?!.*secret)/);
  });

  it('reads secrets from *_FILE', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/scholia-config-');
    writeFileSync(`${dir}/url`, 'postgres://a:b@c/d\n');
    expect(loadConfig({ DATABASE_URL_FILE: `${dir}/url` }, '/x').database).toMatchObject({ engine: 'postgres', url: 'postgres://a:b@c/d' });
    expect(() => loadConfig({ DATABASE_URL_FILE: `${dir}/missing` }, '/x')).toThrowError(/DATABASE_URL_FILE/);
  });
});

describe('.env.example', () => {
  it('documents every variable the configuration reads', async () => {
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(new URL('./config.ts', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const read = [...source.matchAll(/\(env, '([A-Z_]+)'/g)].map((m) => m[1] as string);
    expect(read.length).toBeGreaterThan(8);
    for (const name of new Set(read)) expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});

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
    [{ COMPRESSION: 'gzip' }, 'COMPRESSION'],
    [{ METRICS_ALLOW: 'localhost' }, 'METRICS_ALLOW'],
    [{ METRICS_ALLOW: '10.0.0.0/40' }, 'METRICS_ALLOW'],
    [{ METRICS_TOKEN: 'too-short' }, 'METRICS_TOKEN'],
    [{ METRICS_TOKEN: `${'a'.repeat(20)} ${'b'.repeat(20)}` }, 'METRICS_TOKEN'],
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

  it.each([
    [undefined, ['127.0.0.1', '::1']],
    ['none', []],
    [' 10.0.0.0/8, 192.168.1.5 ,::1', ['10.0.0.0/8', '192.168.1.5', '::1']],
  ])('reads METRICS_ALLOW=%j as %j', (raw, expected) => {
    expect(loadConfig(raw === undefined ? {} : { METRICS_ALLOW: raw }, '/x').metrics.allow).toEqual(expected);
  });

  it('never echoes a metrics token it refuses', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'hunter2-secret' }, '/x')).toThrowError(/^(?!.*hunter2)/);
  });

  it.each([
    [undefined, true],
    ['on', true],
    ['OFF', false],
  ])('reads COMPRESSION=%j as %j', (raw, expected) => {
    expect(loadConfig(raw === undefined ? {} : { COMPRESSION: raw }, '/x').compression).toBe(expected);
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

describe('IMAGE_STORE and the S3 settings', () => {
  const s3 = { IMAGE_STORE: 's3', S3_BUCKET: 'scholia-images' };

  it('keeps images on the disk with SQLite and in the database with PostgreSQL unless told otherwise', () => {
    expect(loadConfig({}, '/x').images.store).toBe('files');
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/d' }, '/x').images.store).toBe('database');
  });

  it('reads a bucket with the defaults: us-east-1, AWS itself, virtual-host addresses, the SDK credentials, no prefix', () => {
    expect(loadConfig(s3, '/x').images).toMatchObject({
      store: 's3',
      s3: { bucket: 'scholia-images', region: 'us-east-1', endpoint: null, forcePathStyle: false, credentials: null, prefix: '' },
    });
  });

  it('reads an S3-compatible store with keys, one of them from a file, and makes the prefix a folder', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/scholia-config-');
    writeFileSync(`${dir}/secret`, 'minio-secret-key\n');
    const images = loadConfig(
      {
        ...s3,
        S3_REGION: 'auto',
        S3_ENDPOINT: 'http://127.0.0.1:9000/',
        S3_FORCE_PATH_STYLE: 'true',
        S3_ACCESS_KEY_ID: 'minio-access',
        S3_SECRET_ACCESS_KEY_FILE: `${dir}/secret`,
        S3_PREFIX: '/scholia/images',
      },
      '/x',
    ).images;
    expect(images).toEqual({
      maxBytes: 10 * 1024 * 1024,
      maxPixels: 40_000_000,
      maxPerQuestion: 4,
      store: 's3',
      s3: {
        bucket: 'scholia-images',
        region: 'auto',
        endpoint: 'http://127.0.0.1:9000',
        forcePathStyle: true,
        credentials: { accessKeyId: 'minio-access', secretAccessKey: 'minio-secret-key' },
        prefix: 'scholia/images/',
      },
    });
  });

  it.each([
    [{ IMAGE_STORE: 'nas' }, 'IMAGE_STORE'],
    [{ IMAGE_STORE: 's3' }, 'S3_BUCKET'],
    [{ S3_BUCKET: 'scholia-images' }, 'IMAGE_STORE'],
    [{ IMAGE_STORE: 'database', S3_BUCKET: 'scholia-images' }, 'IMAGE_STORE'],
    [{ ...s3, S3_BUCKET: 's3://scholia-images' }, 'S3_BUCKET'],
    [{ ...s3, S3_BUCKET: 'scholia-images/photos' }, 'S3_BUCKET'],
    [{ ...s3, S3_REGION: 'US East' }, 'S3_REGION'],
    [{ ...s3, S3_ENDPOINT: '127.0.0.1:9000' }, 'S3_ENDPOINT'],
    [{ ...s3, S3_ENDPOINT: 'ftp://files.example.org' }, 'S3_ENDPOINT'],
    [{ ...s3, S3_FORCE_PATH_STYLE: 'maybe' }, 'S3_FORCE_PATH_STYLE'],
    [{ ...s3, S3_ACCESS_KEY_ID: 'AKIAEXAMPLE' }, 'S3_SECRET_ACCESS_KEY'],
    [{ ...s3, S3_SECRET_ACCESS_KEY: 'wJalrEXAMPLE' }, 'S3_ACCESS_KEY_ID'],
    [{ ...s3, S3_SECRET_ACCESS_KEY_FILE: '/nonexistent/secret' }, 'S3_SECRET_ACCESS_KEY_FILE'],
    [{ ...s3, S3_PREFIX: 'images/../other' }, 'S3_PREFIX'],
    [{ ...s3, S3_PREFIX: 'scholia//images' }, 'S3_PREFIX'],
    [{ ...s3, S3_PREFIX: 'photos?x=1' }, 'S3_PREFIX'],
  ])('names the bad variable in %j', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env, '/x');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
  });

  it('never echoes a key, nor an endpoint that holds one', () => {
    for (const env of [
      { ...s3, S3_ACCESS_KEY_ID: 'AKIA-CANARY' },
      { ...s3, S3_SECRET_ACCESS_KEY: 'SECRET-CANARY' },
      { ...s3, S3_ENDPOINT: 'http://AKIA-CANARY:SECRET-CANARY@127.0.0.1:9000' },
    ])
      expect(() => loadConfig(env, '/x')).toThrowError(/^(?!.*CANARY)/);
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

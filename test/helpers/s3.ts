import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** What s3rver checks signatures against: its one account's fixed keys. */
const KEYS = { S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' };

export interface LocalS3 {
  /** IMAGE_STORE=s3 and the S3_* variables that reach the bucket, as a site's environment would hold them. */
  env(prefix?: string): Record<string, string>;
  close(): Promise<void>;
}

/**
 * A real S3-compatible server (s3rver, from npm) in a process of its own (local-s3.mjs says why) on a free loopback
 * port, its objects in a temporary directory, with one bucket. It checks SigV4 signatures (not Content-MD5) and
 * answers in S3's XML, so the adapter is tested through the AWS SDK as a site would run it against MinIO or AWS;
 * addresses are path-style, as with MinIO.
 */
export async function startLocalS3(bucket = 'scholia-test'): Promise<LocalS3> {
  const directory = mkdtempSync(path.join(tmpdir(), 'scholia-s3-'));
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '--no-warnings', path.join(import.meta.dirname, 'local-s3.mjs'), directory, bucket],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let errors = '';
  child.stderr.on('data', (d) => {
    errors += d;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the local S3 server stopped (${code}): ${errors}`)));
  });
  return {
    env: (prefix = `run-${randomBytes(4).toString('hex')}/`) => ({
      IMAGE_STORE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_FORCE_PATH_STYLE: 'true',
      S3_PREFIX: prefix,
      ...KEYS,
    }),
    async close() {
      child.stdin.end();
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

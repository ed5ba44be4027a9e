import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

describe('kill -9 in the middle of a long command', () => {
  it('leaves whole batches and an intact database, and the same command then finishes the job', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'scholia-kill-'));
    const env = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const args = [path.join(root, 'bin/scholia.js'), 'generate', '--questions', '200000', '--batch', '1000'];
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'ignore' });
    const file = path.join(dataDir, 'scholia.db');

    // Wait until some batches have committed, then kill without warning.
    const count = () => {
      try {
        const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
        try {
          return (db.prepare('select count(*) as n from questions').get() as { n: number }).n;
        } finally {
          db.close();
        }
      } catch {
        return 0;
      }
    };
    const deadline = Date.now() + 60_000;
    while (count() < 3000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const db = new SqliteDatabase(file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const questions = (db.prepare('select count(*) as n from questions').get() as { n: number }).n;
    const answers = (db.prepare('select count(*) as n from answers').get() as { n: number }).n;
    db.close();
    expect(questions).toBeGreaterThanOrEqual(3000);
    expect(questions).toBeLessThan(200_000);
    // Each batch is one transaction: a question never exists without its answer, and batches are whole.
    expect(answers).toBe(questions);
    expect(questions % 1000).toBe(0);

    // Running the command again picks up where the killed run stopped (smaller total here, to keep the test short).
    const again = spawnSync(process.execPath, [...args.slice(0, 3), String(questions + 1500), '--batch', '1000'], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    expect(again.stdout).toContain(`added 1500 question(s), ${questions} already present`);
    expect(count()).toBe(questions + 1500);
  }, 120_000);
});

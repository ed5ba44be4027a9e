import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../src/db/connect.ts';
import { scholia } from './helpers/sites.ts';

const root = path.resolve(import.meta.dirname, '..');

/**
 * The real command as its own process, from the TypeScript sources (SCHOLIA_FROM_SOURCE: the bin would otherwise run
 * dist/ when a build of these sources is there). `SCHOLIA_FROM_SOURCE=0 npx vitest run test/cli.test.ts` runs it
 * against the build instead.
 */
function spawnScholia(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/scholia.js'), ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      LOG_LEVEL: 'warn',
      SCHOLIA_FROM_SOURCE: process.env.SCHOLIA_FROM_SOURCE ?? '1',
      ...env,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function freshDataDir() {
  return mkdtempSync(path.join(tmpdir(), 'scholia-cli-'));
}

const record = (n: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    subject: 'History',
    title: `Why did the imported event number ${n} happen?`,
    details: 'We covered it in class.',
    quickAnswer: 'Because of several causes. They built up over time.',
    answer: 'Several causes built up over time.',
    educator: 'Imported Teacher',
    ...extra,
  });

describe('the scholia command', () => {
  it('runs as its own process: a bad environment variable stops it with one line naming it, and exit code 2', () => {
    const r = spawnScholia(['migrate'], { DATA_DIR: freshDataDir(), PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['Configuration error: PORT: must be a whole number, got "eighty"']);
    const help = spawnScholia(['--help'], { DATA_DIR: freshDataDir() });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: scholia <command> \[options\]\n/);
  });

  it('stops on a bad environment variable with one line naming it', async () => {
    const r = await scholia(['migrate'], { DATA_DIR: freshDataDir(), PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['Configuration error: PORT: must be a whole number, got "eighty"']);
  });

  it('imports a JSONL file: all-or-nothing with bad lines listed, --skip-invalid, and idempotent', async () => {
    const dir = freshDataDir();
    const file = path.join(dir, 'questions.jsonl');
    writeFileSync(file, [record(1), record(2, { title: 'Too short' }), '{"subject":', record(3)].join('\n'));
    const refused = await scholia(['import', file], { DATA_DIR: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('line 2: title must be 10 to 200 characters (got 9)');
    expect(refused.stderr).toMatch(/line 3: \(line\) is not valid JSON/);
    expect(refused.stdout).toContain('Nothing imported: 2 of 4 line(s) are invalid');

    const partial = await scholia(['import', file, '--skip-invalid'], { DATA_DIR: dir });
    expect(partial.code).toBe(2);
    expect(partial.stdout).toContain('Imported 2 question(s); 0 already present; 2 invalid line(s) skipped');

    const again = await scholia(['import', file, '--skip-invalid'], { DATA_DIR: dir });
    expect(again.stdout).toContain('Imported 0 question(s); 2 already present');
  });

  it('creates users, verifies educators for subjects, and refuses duplicates', async () => {
    const dir = freshDataDir();
    expect((await scholia(['seed', '--demo'], { DATA_DIR: dir })).stdout).toMatch(
      /Demo content: 9 account\(s\) and \d+ question\(s\) added/,
    );
    const ok = await scholia(
      [
        'user',
        'create',
        '--email',
        'new@example.org',
        '--name',
        'New Teacher',
        '--role',
        'educator',
        '--subjects',
        'history,science',
        '--password',
        'a long password',
      ],
      {
        DATA_DIR: dir,
      },
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Created educator New Teacher <new@example.org> \(id \d+\)\./);
    const dup = await scholia(['user', 'create', '--email', 'NEW@example.org', '--name', 'Again'], { DATA_DIR: dir });
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('email: an account with this email already exists');
    const badSubject = await scholia(
      ['user', 'create', '--email', 'x@example.org', '--name', 'X', '--role', 'educator', '--subjects', 'alchemy'],
      { DATA_DIR: dir },
    );
    expect(badSubject.stderr).toContain('subjects: no subject called alchemy');

    const h = connect({ engine: 'sqlite', file: path.join(dir, 'scholia.db') });
    const subjects = await h.db
      .selectFrom('educator_subjects as es')
      .innerJoin('users as u', 'u.id', 'es.user_id')
      .innerJoin('subjects as s', 's.id', 'es.subject_id')
      .select('s.slug')
      .where('u.email', '=', 'new@example.org')
      .orderBy('s.slug')
      .execute();
    await h.close();
    expect(subjects.map((s) => s.slug)).toEqual(['history', 'science']);
  });

  it('renders stored Markdown again: text saved before math rendered gets its formulas, and a second run changes nothing', async () => {
    const dir = freshDataDir();
    const file = path.join(dir, 'questions.jsonl');
    writeFileSync(file, record(1, { details: 'Solve $x^2 = 4$ for x.', answer: 'Both $x = 2$ and $x = -2$ work.' }));
    expect((await scholia(['import', file], { DATA_DIR: dir })).code).toBe(0);
    // As a site upgraded from a release without math has it: the formulas stored as plain text.
    const handle = connect({ engine: 'sqlite', file: path.join(dir, 'scholia.db') });
    await handle.db.updateTable('questions').set({ details_html: '<p>Solve $x^2 = 4$ for x.</p>\n' }).execute();
    await handle.db.updateTable('answers').set({ body_html: '<p>Both $x = 2$ and $x = -2$ work.</p>\n' }).execute();
    await handle.close();

    const r = await scholia(['render'], { DATA_DIR: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^read 2 text\(s\), 2 rendered anew, in [\d.]+ s\./);
    const after = connect({ engine: 'sqlite', file: path.join(dir, 'scholia.db') });
    const q = await after.db.selectFrom('questions').select('details_html').executeTakeFirstOrThrow();
    const a = await after.db.selectFrom('answers').select('body_html').executeTakeFirstOrThrow();
    await after.close();
    expect(q.details_html).toContain('<annotation encoding="application/x-tex">x^2 = 4</annotation>');
    expect(a.body_html).toContain('<annotation encoding="application/x-tex">x = -2</annotation>');
    expect((await scholia(['render'], { DATA_DIR: dir })).stdout).toMatch(/^read 2 text\(s\), 0 rendered anew/);
    expect((await scholia(['render', 'extra'], { DATA_DIR: dir })).stderr).toContain('render takes no arguments');
  });

  it('generates synthetic questions and says how many', async () => {
    const dir = freshDataDir();
    const r = await scholia(['generate', '--questions', '120', '--seed', '3'], { DATA_DIR: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^added 120 question\(s\), 0 already present, in [\d.]+ s\./);
    expect((await scholia(['generate', '--questions', 'many'], { DATA_DIR: dir })).stderr).toContain(
      '--questions must be a positive whole number',
    );
  });

  it('prints the usage for --help, help and no command', async () => {
    for (const args of [['--help'], ['help'], []]) {
      const r = await scholia(args, { DATA_DIR: freshDataDir() });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: scholia <command> \[options\]\n/);
      expect(r.stdout).toContain('roles: student, educator, editor, admin');
    }
  });

  it('explains unknown commands and migrates', async () => {
    const dir = freshDataDir();
    const r = await scholia(['frobnicate'], { DATA_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command: frobnicate');
    expect(r.stderr).toContain('Usage: scholia <command>');
    expect((await scholia(['migrate'], { DATA_DIR: dir })).stdout).toMatch(/^Applied \d+ migration\(s\): 20261126T1200_initial, /);
    expect((await scholia(['migrate'], { DATA_DIR: dir })).stdout).toContain('The database is up to date.');
  });
});

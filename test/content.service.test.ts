import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containsInsensitive } from '../src/db/dialect.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { InputError } from '../src/lib/errors.ts';
import { systemClock } from '../src/lib/time.ts';
import { createUser, listEducatorSubjectSlugs } from '../src/modules/accounts/index.ts';
import { countQuestions, generateQuestions } from '../src/modules/content/generate.service.ts';
import { importQuestions } from '../src/modules/content/import.service.ts';
import { getQuestionPage, getSubjectPage, listRecentlyAnswered, PAGE_SIZE } from '../src/modules/questions/index.ts';
import { ensureStandardSubjects, ensureSubject, ensureTopic, listSubjects } from '../src/modules/subjects/index.ts';
import { testCaches } from './helpers/caches.ts';
import { createTestDatabase, engines, type TestDatabase } from './helpers/databases.ts';
import { makeEducator, makeQuestion } from './helpers/factories.ts';

const line = (o: Record<string, unknown>) => JSON.stringify(o);
const good = (n: number, extra: Record<string, unknown> = {}) =>
  line({
    subject: 'History',
    title: `Why did the imported event number ${n} happen?`,
    details: 'We covered it in class.',
    quickAnswer: 'Because of several causes. They built up over time.',
    answer: `## Causes\n\nSeveral causes of event ${n} built up over time.`,
    educator: 'Imported Teacher',
    ...extra,
  });
const source = (lines: string[]) =>
  async function* () {
    yield* lines;
  };

describe.each(engines)('content services on %s', (engine) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(engine);
  });
  afterEach(async () => {
    await database.destroy();
  });

  describe('subject pages (keyset pagination)', () => {
    it('lists answered questions newest first, 20 a page, continuing without gaps or repeats', async () => {
      const db = database.db;
      const educator = await makeEducator(db);
      // 45 questions; several share a publication time so the id tie-break matters.
      for (let i = 0; i < 45; i++) {
        const at = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 3) * 60_000).toISOString();
        await makeQuestion(db, { subject: 'Science', title: `Science question number ${i}?`, educatorId: educator.id, publishedAt: at });
      }
      await makeQuestion(db, { subject: 'History', educatorId: educator.id });
      const seen: string[] = [];
      let page = await getSubjectPage(db, 'science', null);
      const sizes: number[] = [];
      while (page) {
        sizes.push(page.questions.length);
        seen.push(...page.questions.map((q) => q.title));
        if (!page.next) break;
        const { decodeCursor } = await import('../src/modules/questions/index.ts');
        page = await getSubjectPage(db, 'science', decodeCursor(page.next));
      }
      expect(sizes).toEqual([PAGE_SIZE, PAGE_SIZE, 5]);
      expect(new Set(seen).size).toBe(45);
      expect(seen[0]).toBe('Science question number 44?');
      expect(seen[44]).toBe('Science question number 0?');
    });

    it('answers undefined for an unknown subject', async () => {
      expect(await getSubjectPage(database.db, 'alchemy', null)).toBeUndefined();
    });
  });

  describe('question page', () => {
    it('loads the question, answer, educator, approval and related questions of the same subject', async () => {
      const db = database.db;
      const editor = await createUser(db, { email: 'ed@example.org', name: 'Edna Editor', role: 'editor' });
      const educator = await makeEducator(db, { name: 'Ms. Rivera' });
      const id = await makeQuestion(db, {
        subject: 'Literature',
        topics: ['Poetry'],
        title: 'What does the raven symbolise in the poem?',
        educatorId: educator.id,
        approvedBy: editor.id,
        sources: [{ title: 'E. A. Poe, The Raven (1845)', url: 'https://example.org/raven' }],
      });
      const sameTopic = await makeQuestion(db, { subject: 'Literature', topics: ['Poetry'], title: 'Why does the poem repeat nevermore?' });
      await makeQuestion(db, { subject: 'Literature', title: 'Who narrates the novel we are reading?' });
      await makeQuestion(db, { subject: 'Math', title: 'How do I factor this polynomial here?' });

      const page = await getQuestionPage({ database, caches: testCaches(), clock: systemClock }, id);
      expect(page?.title).toBe('What does the raven symbolise in the poem?');
      expect(page?.subject.name).toBe('Literature');
      expect(page?.topics.map((t) => t.name)).toEqual(['Poetry']);
      expect(page?.answer?.educator.name).toBe('Ms. Rivera');
      expect(page?.answer?.approvedBy?.name).toBe('Edna Editor');
      expect(page?.answer?.sources).toEqual([{ title: 'E. A. Poe, The Raven (1845)', url: 'https://example.org/raven' }]);
      expect(page?.answer?.bodyHtml).toContain('<h3>Background</h3>');
      const related = page?.related ?? [];
      expect(related[0]?.id).toBe(sameTopic);
      // The same subject only: the Math question is not related.
      expect(related.map((r) => r.title)).toEqual(['Why does the poem repeat nevermore?', 'Who narrates the novel we are reading?']);
      expect(related.some((r) => r.id === id)).toBe(false);
    });

    it('has no page for a question that is not published', async () => {
      const db = database.db;
      const id = await makeQuestion(db);
      await db.updateTable('questions').set({ status: 'queued' }).where('id', '=', id).execute();
      expect(await getQuestionPage({ database, caches: testCaches(), clock: systemClock }, id)).toBeUndefined();
      expect(await getQuestionPage({ database, caches: testCaches(), clock: systemClock }, 999_999)).toBeUndefined();
    });
  });

  describe('scholia import', () => {
    it('imports good lines, creating the subject, topics and educator, and adds nothing the second time', async () => {
      const db = database.db;
      const lines = [
        good(1, { subject: 'Philosophy', topics: ['Ethics'] }),
        '',
        good(2, { sources: ['Plato, Republic', { title: 'Kant', url: 'https://e.org' }] }),
      ];
      const first = await importQuestions(db, source(lines));
      expect(first).toMatchObject({ lines: 2, added: 2, alreadyPresent: 0, committed: true, invalid: [] });
      const subjects = await listSubjects(db);
      expect(subjects.map((s) => s.name)).toEqual(expect.arrayContaining(['Philosophy', 'History']));
      const educator = await db.selectFrom('users').selectAll().where('name', '=', 'Imported Teacher').execute();
      expect(educator).toHaveLength(1);
      expect(educator[0]?.role).toBe('educator');

      const second = await importQuestions(db, source(lines));
      expect(second).toMatchObject({ added: 0, alreadyPresent: 2, committed: true });
      expect(await countQuestions(db)).toBe(2);
    });

    it('by default imports nothing when any line is bad, and lists every bad line by number and field', async () => {
      const db = database.db;
      const lines = [
        good(1),
        '{not json',
        good(2, { title: 'Short' }),
        line({ subject: 'History' }),
        good(3, { quick_answer: 'x' }),
        good(4, { sources: [{ title: 'x', url: 'javascript:alert(1)' }] }),
        // Symbols alone make no slug, and a subject's or topic's slug is its identity.
        good(5, { subject: '!!!', topics: ['Ethics', '???'] }),
      ];
      const report = await importQuestions(db, source(lines));
      expect(report.committed).toBe(false);
      expect(report.added).toBe(0);
      expect(await countQuestions(db)).toBe(0);
      const byLine = Object.fromEntries(report.invalid.map((e) => [e.line, e.issues.map((i) => `${i.field} ${i.message}`)]));
      expect(Object.keys(byLine).map(Number)).toEqual([2, 3, 4, 5, 6, 7]);
      expect(byLine[2]?.[0]).toMatch(/^\(line\) is not valid JSON/);
      expect(byLine[3]).toEqual(['title must be 10 to 200 characters (got 5)']);
      expect(byLine[4]).toEqual(
        expect.arrayContaining(['title is missing', 'answer is missing', 'educator is missing', 'quickAnswer is missing']),
      );
      expect(byLine[5]).toEqual(['quick_answer is not a known field (did you mean quickAnswer?)']);
      expect(byLine[6]).toEqual(['sources[0].url must be an http:// or https:// URL']);
      expect(byLine[7]).toEqual([
        'subject needs at least one letter or digit',
        'topics[1] must be a name of 1 to 60 characters with a letter or digit',
      ]);
    });

    it('with --skip-invalid imports the good lines and still lists the bad', async () => {
      const db = database.db;
      const report = await importQuestions(db, source([good(1), '[]', good(2)]), { skipInvalid: true });
      expect(report).toMatchObject({ added: 2, committed: true });
      expect(report.invalid.map((e) => e.line)).toEqual([2]);
    });

    it('treats the same question twice in one file as one', async () => {
      const report = await importQuestions(database.db, source([good(1), good(1, { answer: 'A different answer text.' })]));
      expect(report).toMatchObject({ added: 1, alreadyPresent: 1 });
    });
  });

  describe('subjects and topics', () => {
    it('makes one subject and one topic when their first uses come at once', async () => {
      const db = database.db;
      const subjects = await Promise.all(Array.from({ length: 8 }, () => ensureSubject(db, 'Astronomy')));
      expect(new Set(subjects.map((s) => s.id)).size).toBe(1);
      const subjectId = subjects[0]?.id as number;
      const topics = await Promise.all(
        Array.from({ length: 8 }, (_, i) => ensureTopic(db, subjectId, i % 2 ? 'Black Holes' : 'black  holes')),
      );
      expect(new Set(topics.map((t) => t.id)).size).toBe(1);
      expect(topics[0]).toMatchObject({ slug: 'black-holes', subjectId });
      const rows = await db.selectFrom('topics').select('id').where('subject_id', '=', subjectId).execute();
      expect(rows).toHaveLength(1);
    });
  });

  describe('scholia user create', () => {
    it('creates an educator verified for the named subjects', async () => {
      const db = database.db;
      await ensureStandardSubjects(db);
      const user = await createUser(db, {
        email: ' Ada@Example.org ',
        name: 'Ada',
        role: 'educator',
        subjects: ['history', 'Social Studies'],
        password: 'long enough password',
      });
      expect(user.email).toBe('ada@example.org');
      expect(await listEducatorSubjectSlugs(db, user.id)).toEqual(['history', 'social-studies']);
      const row = await db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
    });

    it('refuses bad input with a message per field and creates nothing', async () => {
      const db = database.db;
      await ensureStandardSubjects(db);
      await createUser(db, { email: 'taken@example.org', name: 'First' });
      const attempt = (input: Parameters<typeof createUser>[1]) =>
        createUser(db, input).then(
          () => null,
          (e: unknown) => e,
        );
      const e1 = (await attempt({ email: 'nope', name: '', role: 'wizard', password: 'short' })) as InputError;
      expect(e1).toBeInstanceOf(InputError);
      expect(e1.issues.map((i) => i.field).sort()).toEqual(['email', 'name', 'password', 'role']);
      const e2 = (await attempt({ email: 'taken@example.org', name: 'Second' })) as InputError;
      expect(e2.issues).toEqual([{ field: 'email', message: 'an account with this email already exists' }]);
      const e3 = (await attempt({ email: 'x@example.org', name: 'X', role: 'educator', subjects: ['alchemy'] })) as InputError;
      expect(e3.issues[0]?.message).toBe('no subject called alchemy');
      const e4 = (await attempt({ email: 'y@example.org', name: 'Y', role: 'student', subjects: ['math'] })) as InputError;
      expect(e4.issues[0]?.field).toBe('subjects');
      const users = await db.selectFrom('users').select('email').execute();
      expect(users.map((u) => u.email)).toEqual(['taken@example.org']);
    });
  });

  describe('scholia generate', () => {
    it('adds N questions deterministically and continues, never duplicating, when run again', async () => {
      const db = database.db;
      const r1 = await generateQuestions(db, { questions: 30, seed: 7, batchSize: 8 });
      expect(r1).toEqual({ added: 30, alreadyPresent: 0, interrupted: false });
      const r2 = await generateQuestions(db, { questions: 45, seed: 7, batchSize: 8 });
      expect(r2).toEqual({ added: 15, alreadyPresent: 30, interrupted: false });
      expect(await countQuestions(db)).toBe(45);
      const recent = await listRecentlyAnswered(db, 3);
      expect(recent).toHaveLength(3);
      const page = await getQuestionPage({ database, caches: testCaches(), clock: systemClock }, recent[0]?.id as number);
      expect(page?.answer?.wordCount).toBeGreaterThan(100);

      // The same seed in a fresh database gives the same titles.
      const other = await createTestDatabase(engine);
      try {
        await generateQuestions(other.db, { questions: 5, seed: 7 });
        const a = await db.selectFrom('questions').select('title').where('import_key', 'like', 'gen:7:%').orderBy('id').limit(5).execute();
        const b = await other.db.selectFrom('questions').select('title').orderBy('id').execute();
        expect(b).toEqual(a);
      } finally {
        await other.destroy();
      }
    });

    it('refreshes the planner statistics each time the questions added have doubled', async () => {
      const before = await countQuestions(database.db);
      const seen: number[] = [];
      const refreshStatistics = async () => {
        seen.push((await countQuestions(database.db)) - before);
      };
      const report = await generateQuestions(database.db, { questions: 100, seed: 11, batchSize: 10, refreshStatistics });
      expect(report.added).toBe(100);
      expect(seen).toEqual([10, 20, 40, 80]);
    });

    it('stops at a batch boundary when interrupted', async () => {
      const controller = new AbortController();
      const report = await generateQuestions(database.db, {
        questions: 100,
        batchSize: 10,
        signal: controller.signal,
        onProgress: (done) => {
          if (done >= 30) controller.abort();
        },
      });
      expect(report).toEqual({ added: 30, alreadyPresent: 0, interrupted: true });
      expect(await countQuestions(database.db)).toBe(30);
    });
  });

  describe('demo seed', () => {
    it('loads at least 40 answered questions over at least 6 subjects, the demo people, and nothing twice', async () => {
      const db = database.db;
      const first = await seedDemo(db);
      expect(first.questionsAdded).toBeGreaterThanOrEqual(40);
      const perSubject = await db
        .selectFrom('questions as q')
        .innerJoin('subjects as s', 's.id', 'q.subject_id')
        .select(['s.slug', sql<number>`count(*)`.as('n')])
        .groupBy('s.slug')
        .execute();
      expect(perSubject.filter((r) => Number(r.n) > 0).length).toBeGreaterThanOrEqual(6);
      const roles = await db
        .selectFrom('users')
        .select(['role', sql<number>`count(*)`.as('n')])
        .groupBy('role')
        .execute();
      const count = (role: string) => Number(roles.find((r) => r.role === role)?.n ?? 0);
      expect(count('educator')).toBeGreaterThanOrEqual(4);
      expect(count('editor')).toBeGreaterThanOrEqual(1);
      expect(count('admin')).toBeGreaterThanOrEqual(1);
      expect(count('student')).toBeGreaterThanOrEqual(2);
      const answers = await db.selectFrom('answers').select(['word_count', 'quick_answer', 'approved_by']).execute();
      for (const a of answers) {
        expect(a.word_count).toBeGreaterThanOrEqual(250);
        expect(a.word_count).toBeLessThanOrEqual(600);
        expect(a.approved_by).not.toBeNull();
      }
      expect(await seedDemo(db)).toEqual({ usersAdded: 0, questionsAdded: 0 });
    });
  });

  it('matches substrings case-insensitively, treating % and _ literally', async () => {
    const db = database.db;
    await makeQuestion(db, { title: 'What is 100% of a Number, really?' });
    await makeQuestion(db, { title: 'What is 100 of a number, really?' });
    const rows = await db
      .selectFrom('questions')
      .select('title')
      .where(containsInsensitive(database.engine, sql.ref('title'), '100% OF A number'))
      .execute();
    expect(rows.map((r) => r.title)).toEqual(['What is 100% of a Number, really?']);
  });
});

describe.each(engines)('planner statistics on %s', (engine) => {
  it('gives the planner row counts for freshly loaded tables', async () => {
    const database = await createTestDatabase(engine);
    try {
      const { refreshPlannerStatistics } = await import('../src/db/dialect.ts');
      await generateQuestions(database.db, { questions: 20 });
      // What the planner knows of the questions table: SQLite's sqlite_stat1, PostgreSQL's pg_class.reltuples
      // (-1 until a table is first analyzed).
      const known = async (): Promise<string | null> => {
        if (database.engine === 'sqlite') {
          const tables = await sql<{ n: number }>`select count(*) as n from sqlite_master where name = 'sqlite_stat1'`.execute(database.db);
          if (!tables.rows[0]?.n) return null;
          const stat = await sql<{ stat: string }>`select stat from sqlite_stat1 where tbl = 'questions' limit 1`.execute(database.db);
          return stat.rows[0]?.stat.split(' ')[0] ?? null;
        }
        const pgClass = await sql<{
          n: number;
        }>`select reltuples as n from pg_class where relname = 'questions' and relnamespace = current_schema()::regnamespace`.execute(
          database.db,
        );
        return String(pgClass.rows[0]?.n);
      };
      expect(['-1', null]).toContain(await known());
      await refreshPlannerStatistics(database.engine, database.db);
      expect(await known()).toBe('20');
    } finally {
      await database.destroy();
    }
  });
});

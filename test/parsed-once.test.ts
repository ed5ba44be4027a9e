import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { connect } from '../src/db/connect.ts';
import { MAX_PARSED_ONCE, PARSED_ONCE } from '../src/db/parsed-once.ts';
import { search } from '../src/modules/search/index.ts';
import { testCaches } from './helpers/caches.ts';
import { createTestDatabase } from './helpers/databases.ts';
import { postgresUrl } from './helpers/environment.ts';
import { makeQuestion } from './helpers/factories.ts';

describe.skipIf(!postgresUrl)('PostgreSQL statements parsed once a connection', () => {
  it('prepares a search’s statements on first use, binds them after, and plans each run with its values', async () => {
    const database = await createTestDatabase('postgres');
    // One connection, so what it holds can be read back on it.
    const one = connect({ engine: 'postgres', url: postgresUrl as string, poolSize: 1 }, { pgSchema: database.pgSchema as string });
    try {
      const id = await makeQuestion(database.db, { title: 'Why do volcanoes erupt along plate boundaries?' });
      await makeQuestion(database.db, { title: 'How did the printing press spread?' });
      const { previews } = testCaches();
      const find = async (q: string) => (await search(one, { q, viewer: null, previewWords: 80, previews })).results.map((r) => r.id);
      const prepared = async () =>
        (
          await sql<{ statement: string; generic_plans: string; custom_plans: string }>`
            select statement, generic_plans, custom_plans from pg_prepared_statements`.execute(one.db)
        ).rows;

      expect(await find('volcanoes')).toEqual([id]);
      const first = await prepared();
      expect(first.length).toBeGreaterThan(0);
      for (const p of first) expect(p.statement).toContain(PARSED_ONCE);

      // The same searches again: no statement is prepared anew, and each run was planned for its own values.
      for (let i = 0; i < 6; i++) expect(await find('volcanoes')).toEqual([id]);
      const after = await prepared();
      expect(after.map((p) => p.statement).sort()).toEqual(first.map((p) => p.statement).sort());
      for (const p of after) {
        expect(Number(p.generic_plans)).toBe(0);
        expect(Number(p.custom_plans)).toBeGreaterThanOrEqual(7);
      }
      // Another query of the same shape binds the same statements.
      expect(await find('printing')).toHaveLength(1);
      expect((await prepared()).length).toBe(first.length);
    } finally {
      await one.close();
      await database.destroy();
    }
  });

  it('keeps at most MAX_PARSED_ONCE texts a connection and runs the rest as any other statement', async () => {
    const database = await createTestDatabase('postgres');
    const one = connect({ engine: 'postgres', url: postgresUrl as string, poolSize: 1 }, { pgSchema: database.pgSchema as string });
    try {
      for (let k = 0; k < MAX_PARSED_ONCE + 5; k++) {
        const { rows } = await sql<{ n: number }>`${sql.raw(PARSED_ONCE)} select ${k}::int + ${sql.lit(k)} as n`.execute(one.db);
        expect(rows[0]?.n).toBe(2 * k);
      }
      const { rows } = await sql<{ n: string }>`select count(*) as n from pg_prepared_statements`.execute(one.db);
      expect(Number(rows[0]?.n)).toBe(MAX_PARSED_ONCE);
    } finally {
      await one.close();
      await database.destroy();
    }
  });
});

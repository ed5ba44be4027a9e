import { type Kysely, type MigrationResultSet, Migrator } from 'kysely';
import { migrations } from '../../migrations/index.ts';

/**
 * Applies every migration not yet applied. Several processes may call it at once: Kysely takes a lock, but only
 * over the migrations; `serve` and the CLI call it inside withStartupLock (db/dialect.ts) so that what follows
 * the migrations (standard subjects, the demo seed) is one process at a time too.
 */
export async function migrateToLatest(handle: { db: Kysely<any>; pgSchema?: string }): Promise<string[]> {
  const migrator = new Migrator({
    db: handle.db,
    provider: { getMigrations: async () => migrations },
    // With a schema of its own, Kysely must look for its bookkeeping tables there, not in another schema.
    ...(handle.pgSchema ? { migrationTableSchema: handle.pgSchema } : {}),
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

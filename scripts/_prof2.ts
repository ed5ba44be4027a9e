import Database from 'better-sqlite3';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { connect } from '../src/db/connect.ts';
async function main() {
  const ids = (new Database('bench-data/100k/scholia.db', { readonly: true }).prepare("select id, slug from questions where status='published' limit 300").all()) as { id: number; slug: string }[];
  const config = loadConfig({ DATA_DIR: 'bench-data/100k', LOG_LEVEL: 'silent', PAGE_CACHE_MB: '0' });
  const database = connect(config.database);
  const app = await buildApp(config, { database, logger: false, jobs: false });
  for (const round of [1, 2, 3, 4]) {
    const t = performance.now();
    for (const q of ids) { const r = await app.inject(`/q/${q.id}/${q.slug}`); if (r.statusCode !== 200) console.log(r.statusCode); }
    console.log('round', round, 'ms/page', ((performance.now() - t) / ids.length).toFixed(2));
  }
  await app.close();
}
main();

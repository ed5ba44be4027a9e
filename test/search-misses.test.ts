import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteJobs } from '../src/jobs/site-jobs.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { Client, TestClock } from './helpers/http.ts';

describe.each(engines)('searches that found nothing on %s', (engine) => {
  let t: TestApp;
  const clock = new TestClock();
  beforeAll(async () => {
    t = await buildTestApp(engine, { clock });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts a search that found nothing, and the hourly job forgets it after 100 days', async () => {
    await new Client(t.app).get('/search?q=zxqvbnm+wobblequark');
    const counted = async () => t.database.db.selectFrom('search_misses').select(['query', 'misses']).execute();
    expect(await counted()).toEqual([{ query: 'zxqvbnm wobblequark', misses: 1 }]);
    const prune = siteJobs(t.app.context).find((j) => j.name === 'prune-search-misses');
    expect(prune?.everyMs).toBe(3_600_000);
    await prune?.run();
    expect(await counted()).toHaveLength(1);
    clock.advance(101 * 86_400_000);
    await prune?.run();
    expect(await counted()).toEqual([]);
  });
});

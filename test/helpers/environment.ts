import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Which optional suites can run here. On a developer machine a missing PostgreSQL, Chromium or Java skips its suite
 * (and says so); in CI (`SCHOLIA_CI=1`, set by .ci/run) a missing one fails the run.
 */
export const ci = process.env.SCHOLIA_CI === '1';
export const postgresUrl = process.env.TEST_DATABASE_URL || undefined;
export const redisUrl = process.env.TEST_REDIS_URL || undefined;
export const chromiumPath = process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

let javaFound: boolean | undefined;
/** Whether `java` runs here (the Nu HTML checker, vnu.jar, needs it). Asked once, when first needed. */
export function hasJava(): boolean {
  javaFound ??= spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
  return javaFound;
}

export function skipNotes(): string[] {
  const notes: string[] = [];
  if (!postgresUrl) notes.push('PostgreSQL suite SKIPPED: set TEST_DATABASE_URL=postgres://user@host/db to run it.');
  if (!redisUrl) notes.push('Redis suite SKIPPED: set TEST_REDIS_URL=redis://127.0.0.1:6379 to run it.');
  if (!chromiumPath) notes.push('Browser suite SKIPPED: no Chromium at /usr/bin/chromium (apt install chromium, or set CHROMIUM_PATH).');
  if (!hasJava()) notes.push('HTML validity suite SKIPPED: no java on PATH for the Nu HTML checker (apt install openjdk-17-jre-headless).');
  return notes;
}

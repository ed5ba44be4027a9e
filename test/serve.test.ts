import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, root, startServe } from './helpers/processes.ts';

async function waitFor(url: string, ms: number): Promise<Response> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await fetch(url);
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('scholia serve', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
  });

  it('loads the demo into an empty database, serves it, and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'scholia-serve-'));
    child = spawn(process.execPath, [path.join(root, 'bin/scholia.js'), 'serve', '--demo-if-empty'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout?.on('data', (d) => {
      log += d;
    });
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));

    const health = await waitFor(`http://127.0.0.1:${port}/healthz`, 30_000);
    expect(await health.json()).toEqual({ status: 'ok', engine: 'sqlite', database: 'ok', disk: 'ok' });
    const home = await fetch(`http://127.0.0.1:${port}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Recently answered');

    // Logs are JSON lines (pino).
    const lines = log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines.some((l) => l.msg === 'demo content loaded into the empty database')).toBe(true);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(log).toContain('shut down cleanly');
  });

  it('on a site with no admin, prints a setup link that works, and says mail goes to the outbox', async () => {
    const port = await freePort();
    const s = startServe([], port, mkdtempSync(path.join(tmpdir(), 'scholia-setup-')));
    child = s.child;
    await waitFor(`http://127.0.0.1:${port}/healthz`, 30_000);
    const deadline = Date.now() + 10_000;
    while (!s.log().includes('/setup?token=') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const url = /"setupUrl":"([^"]+)"/.exec(s.log())?.[1] as string;
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/setup\\?token=[A-Za-z0-9_-]{43}$`));
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Create the first admin');
    expect(s.log()).toContain('SMTP_URL is not set');
    child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});

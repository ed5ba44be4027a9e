import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

// Starting the real `scholia serve` as its own process, for the tests that need one (start-up, shutdown, races).

export const root = path.resolve(import.meta.dirname, '..', '..');

/** A port nothing listens on right now (taken from the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface Served {
  child: ChildProcess;
  port: number;
  /** Everything it printed so far, stdout and stderr. */
  log: () => string;
  exited: Promise<number | null>;
}

/** `scholia serve ARGS` on 127.0.0.1:port with this data directory (and any other settings in `env`). */
export function startServe(args: string[], port: number, dataDir: string, env: Record<string, string> = {}): Served {
  const child = spawn(process.execPath, [path.join(root, 'bin/scholia.js'), 'serve', ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      SITE_URL: `http://127.0.0.1:${port}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, port, log: () => out, exited };
}

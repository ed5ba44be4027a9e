import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../src/demo/seed.ts';
import { ci, postgresUrl, redisUrl } from './helpers/environment.ts';
import { freePort, type Served, startServe } from './helpers/processes.ts';

// The scale-out set-up of docs/deploy.md, for real: Debian's nginx in front of two `scholia serve` processes on one
// PostgreSQL database and one Redis. One process is killed with SIGKILL in the middle of traffic; nginx must hand
// the GETs it had sent there to the other, sessions must live on, and an edit made through one process must show
// through the other at once, whatever its page cache holds.

function findNginx(): string | undefined {
  const named = process.env.NGINX_PATH;
  if (named) return existsSync(named) ? named : undefined;
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const nginxPath = findNginx();
const missing = [
  nginxPath ? null : 'nginx (apt-get install nginx, or set NGINX_PATH)',
  postgresUrl ? null : 'PostgreSQL (TEST_DATABASE_URL)',
  redisUrl ? null : 'Redis (TEST_REDIS_URL)',
].filter((m): m is string => m !== null);
const skip = missing.length > 0 && !ci;
if (skip) console.warn(`\n*** Scale-out suite (test/scale-out.test.ts) SKIPPED: it needs ${missing.join(', ')}.`);

/**
 * The nginx configuration under test: the upstream and proxy settings are those of docs/deploy.md; only the
 * paths (all inside `dir`, so nothing of the system's nginx is touched) and the port differ.
 */
function nginxConf(dir: string, port: number, apps: readonly number[]): string {
  return `worker_processes 1;
pid ${dir}/nginx.pid;
lock_file ${dir}/nginx.lock;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  client_max_body_size 50m;

  upstream scholia {
${apps.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join('\n')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://scholia;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # A request that could not reach an app, or whose app died before answering, goes to the next one. nginx does
      # this for GET and HEAD only: a POST that reached an app is never sent again (no non_idempotent here), since
      # the first app may have acted on it before it died.
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
    }
  }
}
`;
}

/** A browser-like client over real HTTP: keeps cookies, reads form tokens, never follows redirects by itself. */
class WebClient {
  readonly jar = new Map<string, string>();
  constructor(public base: string) {}

  private remember(res: Response): Response {
    for (const c of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }

  private headers(): Record<string, string> {
    return this.jar.size === 0 ? {} : { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  async get(url: string): Promise<{ status: number; body: string; location: string | null }> {
    const res = this.remember(
      await fetch(this.base + url, { headers: this.headers(), redirect: 'manual', signal: AbortSignal.timeout(30_000) }),
    );
    return { status: res.status, body: await res.text(), location: res.headers.get('location') };
  }

  async post(url: string, form: Record<string, string>): Promise<{ status: number; body: string; location: string | null }> {
    const res = this.remember(
      await fetch(this.base + url, {
        method: 'POST',
        headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
      }),
    );
    return { status: res.status, body: await res.text(), location: res.headers.get('location') };
  }

  /** The page's CSRF token (its first form's). */
  async token(pageUrl: string): Promise<string> {
    const page = await this.get(pageUrl);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    if (!token) throw new Error(`no CSRF token on ${pageUrl} (status ${page.status})`);
    return token;
  }

  async signIn(email: string): Promise<void> {
    const res = await this.post('/login', { _csrf: await this.token('/login'), email, password: DEMO_PASSWORD });
    if (res.status !== 303) throw new Error(`signing ${email} in answered ${res.status}`);
  }
}

async function waitFor<T>(what: string, ms: number, logs: () => string, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {}
    if (Date.now() > until) throw new Error(`${what} did not happen within ${ms} ms:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function healthy(s: Served): Promise<void> {
  await waitFor(`the app on port ${s.port} answering /healthz`, 60_000, s.log, async () => {
    if (s.child.exitCode !== null) throw new Error(`exited with ${s.child.exitCode}`);
    const res = await fetch(`http://127.0.0.1:${s.port}/healthz`);
    return res.status === 200 ? true : undefined;
  });
}

interface Outcome {
  kind: 'visitor' | 'member' | 'search' | 'ask';
  method: 'GET' | 'POST';
  startedAt: number;
  endedAt: number;
  /** Why it counts as failed (a network error, a 502, the wrong page), or null when it got what it asked for. */
  failure: string | null;
  /**
   * The answer had begun (status and headers came) and was cut off: no proxy can hand half a response to another
   * server, so such a GET is lost like a POST.
   */
  cut: boolean;
}

describe.skipIf(skip)('scale-out: nginx in front of two app processes on one PostgreSQL and Redis', () => {
  it('a process killed with SIGKILL mid-load costs at most the requests it had in flight; sessions live on; an edit through one process shows through the other at once', async () => {
    if (missing.length > 0) throw new Error(`CI requires the scale-out suite, but it needs ${missing.join(', ')}`);
    const name = `scholia_scale_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const dbUrl = new URL(postgresUrl as string);
    dbUrl.pathname = `/${name}`;
    const dir = mkdtempSync(path.join(tmpdir(), 'scholia-scale-'));
    // nginx started as root runs its worker as nobody, which must reach the temporary paths inside.
    chmodSync(dir, 0o755);
    const apps: Served[] = [];
    let nginx: ReturnType<typeof spawn> | undefined;
    let nginxOut = '';
    const nginxExited = () =>
      new Promise<void>((resolve) => {
        if (!nginx || nginx.exitCode !== null || nginx.signalCode !== null) resolve();
        else nginx.once('exit', () => resolve());
      });
    try {
      const nginxPort = await freePort();
      const site = `http://127.0.0.1:${nginxPort}`;
      const env = {
        DATABASE_URL: dbUrl.toString(),
        REDIS_URL: redisUrl as string,
        TRUST_PROXY: '1',
        SITE_URL: site,
        LOG_LEVEL: 'warn',
        // The load below asks many questions as one member.
        QUESTIONS_PER_MONTH: '10000',
      };
      for (let i = 0; i < 2; i++) apps.push(startServe(['--demo-if-empty'], await freePort(), dir, env));
      const [a, b] = apps as [Served, Served];
      await Promise.all(apps.map(healthy));

      writeFileSync(path.join(dir, 'nginx.conf'), nginxConf(dir, nginxPort, [a.port, b.port]));
      const proc = spawn(
        nginxPath as string,
        ['-c', path.join(dir, 'nginx.conf'), '-p', dir, '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      nginx = proc;
      proc.stdout?.on('data', (d) => (nginxOut += d));
      proc.stderr?.on('data', (d) => (nginxOut += d));
      const nginxLog = () =>
        `${nginxOut}\n${existsSync(path.join(dir, 'error.log')) ? readFileSync(path.join(dir, 'error.log'), 'utf8') : ''}`;
      await waitFor('nginx answering /healthz', 20_000, nginxLog, async () => {
        if (proc.exitCode !== null) throw new Error(`nginx exited with ${proc.exitCode}`);
        return (await fetch(`${site}/healthz`)).status === 200 ? true : undefined;
      });

      // 1. An answer written through process A shows through process B at once, and B's cached visitor page never
      // outlives a change made through A.
      const viaA = () => new WebClient(`http://127.0.0.1:${a.port}`);
      const visitorB = new WebClient(`http://127.0.0.1:${b.port}`);
      const educator = viaA();
      await educator.signIn('amara.okafor@demo.scholia.test');
      const queue = await educator.get('/educator');
      // The demo's member asked this one; it waits in the history queue.
      const queued = /<strong>Why did the Berlin Wall fall[^<]*<\/strong>[\s\S]*?action="\/educator\/q\/(\d+)\/claim"/.exec(queue.body);
      expect(queued, queue.body).not.toBeNull();
      const qid = queued?.[1] as string;
      expect((await educator.post(`/educator/q/${qid}/claim`, { _csrf: await educator.token('/educator') })).status).toBe(303);
      const marker = `Checkpoint ${randomBytes(3).toString('hex')}`;
      const quick = `${marker}: the border opened by mistake after a garbled announcement, and crowds forced the gates.`;
      const body = [
        `${marker}. On 9 November 1989 the East German spokesman Günter Schabowski announced new travel rules at a press`,
        'conference and, asked when they applied, said "immediately". Thousands went to the crossings that night, and the',
        'guards, without orders, opened the gates. Months of protest and emigration through Hungary had already emptied',
        "the regime's authority; the announcement only set the date.",
      ].join(' ');
      const editorPage = `/educator/q/${qid}`;
      const submitted = await educator.post(editorPage, {
        _csrf: await educator.token(editorPage),
        body,
        quickAnswer: quick,
        sources: '',
        intent: 'submit',
      });
      expect(submitted.status, submitted.body).toBe(303);
      const editor = viaA();
      await editor.signIn('editor@demo.scholia.test');
      const review = `/editor/q/${qid}`;
      const approved = await editor.post(`${review}/approve`, { _csrf: await editor.token(review), body, quickAnswer: quick, sources: '' });
      expect(approved.status, approved.body).toBe(303);
      // Published through A: B finds it by its number and serves its canonical page, with the answer, at once.
      const moved = await visitorB.get(`/q/${qid}`);
      expect(moved.status).toBe(301);
      const pagePath = moved.location as string;
      const first = await visitorB.get(pagePath);
      expect(first.status).toBe(200);
      expect(first.body).toContain(marker);
      // Now B holds the page in its cache. The member reports the answer through A and the editor hides the page
      // through A: B must stop serving it on the very next request.
      const member = viaA();
      await member.signIn('jordan.lee@demo.scholia.test');
      const reportForm = `/report?question=${qid}&target=answer`;
      const reported = await member.post('/report', {
        _csrf: await member.token(reportForm),
        question: qid,
        target: 'answer',
        reason: 'Checking that a hidden page leaves every app process at once.',
      });
      expect(reported.status, reported.body).toBe(200);
      const reports = await editor.get('/editor/reports');
      const reportId = /action="\/editor\/reports\/(\d+)\/hide"/.exec(reports.body)?.[1];
      expect(reportId, reports.body).toBeDefined();
      expect((await visitorB.get(pagePath)).status).toBe(200);
      expect((await editor.post(`/editor/reports/${reportId}/hide`, { _csrf: await editor.token('/editor/reports') })).status).toBe(200);
      const hidden = await visitorB.get(pagePath);
      expect(hidden.status).toBe(404);
      expect(hidden.body).not.toContain(marker);
      expect((await editor.post(`/editor/reports/${reportId}/restore`, { _csrf: await editor.token('/editor/reports') })).status).toBe(200);
      const restored = await visitorB.get(pagePath);
      expect(restored.status).toBe(200);
      expect(restored.body).toContain(marker);

      // 2. Traffic through nginx: visitors reading questions and searching, and a member (signed in through nginx,
      // by the real form) reading and asking. Process A is killed in the middle of it.
      const viaNginx = new WebClient(site);
      const home = await viaNginx.get('/');
      const questionPaths = [...new Set([...home.body.matchAll(/href="(\/q\/\d+\/[a-z0-9-]+)"/g)].map((m) => m[1] as string))];
      expect(questionPaths.length).toBeGreaterThan(3);
      const memberN = new WebClient(site);
      await memberN.signIn('jordan.lee@demo.scholia.test');
      const askToken = await memberN.token('/ask');
      const cookie = () => [...memberN.jar].map(([k, v]) => `${k}=${v}`).join('; ');

      const outcomes: Outcome[] = [];
      let inFlight = 0;
      let stop = false;
      let n = 0;
      const one = async (): Promise<void> => {
        const i = n++;
        const pick = questionPaths[i % questionPaths.length] as string;
        const kind: Outcome['kind'] = i % 10 === 9 ? 'ask' : i % 10 >= 7 ? 'member' : i % 10 === 6 ? 'search' : 'visitor';
        const started = Date.now();
        inFlight++;
        let failure: string | null = null;
        let answered = false;
        let threw = false;
        try {
          if (kind === 'ask') {
            const res = await fetch(`${site}/ask`, {
              method: 'POST',
              redirect: 'manual',
              headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({
                _csrf: askToken,
                title: `Load question ${i}: why do bridges expand in summer heat?`,
                details: '',
                subject: 'science',
                topics: 'heat',
                step: 'post',
              }).toString(),
              signal: AbortSignal.timeout(30_000),
            });
            await res.arrayBuffer();
            if (res.status !== 303) failure = `POST /ask answered ${res.status}`;
          } else {
            const url =
              kind === 'search' ? `/search?q=${encodeURIComponent(['revolution', 'cell', 'poem', 'energy'][i % 4] as string)}` : pick;
            const res = await fetch(site + url, {
              redirect: 'manual',
              headers: kind === 'member' ? { cookie: cookie() } : {},
              signal: AbortSignal.timeout(30_000),
            });
            answered = true;
            const text = await res.text();
            if (res.status !== 200) failure = `GET ${url} answered ${res.status}`;
            // The session is in the database: whichever process answers, the member is still signed in.
            else if (kind === 'member' && !text.includes('Jordan Lee')) failure = `GET ${url} as the member came back signed out`;
          }
        } catch (err) {
          threw = true;
          failure = `${kind}: ${(err as Error).message}`;
        } finally {
          inFlight--;
        }
        outcomes.push({
          kind,
          method: kind === 'ask' ? 'POST' : 'GET',
          startedAt: started,
          endedAt: Date.now(),
          failure,
          cut: threw && answered,
        });
      };
      const worker = async () => {
        while (!stop) await one();
      };
      const workers = Array.from({ length: 8 }, worker);

      await waitFor('traffic through both processes', 30_000, nginxLog, async () => (outcomes.length >= 150 ? true : undefined));
      // The signal is sent at once, but the process takes a moment to die: a request sent meanwhile may still reach
      // it. "In flight at the kill" is every request on its way when the signal went, or sent before A was gone.
      const inFlightAtKill = inFlight;
      const startedBefore = n;
      const killedAt = Date.now();
      a.child.kill('SIGKILL');
      await a.exited;
      const goneAt = Date.now();
      const exposed = inFlightAtKill + (n - startedBefore);
      const doneAtKill = outcomes.length;
      await waitFor('traffic after the kill', 30_000, nginxLog, async () => (outcomes.length >= doneAtKill + 250 ? true : undefined));
      stop = true;
      await Promise.all(workers);

      const failures = outcomes.filter((o) => o.failure !== null);
      const detail = failures.map((f) => `${f.failure} (started ${f.startedAt - killedAt} ms after the kill)`).join('\n');
      // Only requests already on their way when A died may fail, and of those only POSTs (and a GET whose answer A
      // had begun to send): nginx hands every other GET to B, so no GET gets a 502.
      expect(inFlightAtKill).toBeGreaterThan(0);
      expect(failures.length, detail).toBeLessThanOrEqual(exposed);
      expect(
        failures.filter((f) => f.method === 'GET' && !f.cut),
        detail,
      ).toEqual([]);
      for (const f of failures) expect(f.startedAt, detail).toBeLessThanOrEqual(goneAt);
      const after = outcomes.filter((o) => o.startedAt > goneAt);
      expect(after.length).toBeGreaterThanOrEqual(200);
      expect(after.filter((o) => o.kind === 'member').length).toBeGreaterThan(0);
      expect(after.filter((o) => o.kind === 'ask').length).toBeGreaterThan(0);
      // nginx did meet the dead process (so the success above is its failover, not luck of the draw).
      expect(readFileSync(path.join(dir, 'error.log'), 'utf8')).toContain(`127.0.0.1:${a.port}`);

      // 3. The member's session, made through nginx before the kill, is good on the survivor, directly too.
      const onB = new WebClient(`http://127.0.0.1:${b.port}`);
      for (const [k, v] of memberN.jar) onB.jar.set(k, v);
      const account = await onB.get('/account');
      expect(account.status).toBe(200);
      expect(account.body).toContain('Jordan Lee');
      const asked = await onB.get('/account/questions');
      expect(asked.body).toContain('why do bridges expand in summer heat?');
      expect(b.child.exitCode, b.log()).toBeNull();

      b.child.kill('SIGTERM');
      expect(await b.exited, b.log()).toBe(0);
      proc.kill('SIGQUIT');
      await nginxExited();
    } finally {
      for (const s of apps) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
      await Promise.all(apps.map((s) => s.exited));
      if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
        // SIGTERM: nginx's master stops its worker at once and exits. A SIGKILL would leave the worker behind.
        nginx.kill('SIGTERM');
        const last = setTimeout(() => nginx?.kill('SIGKILL'), 5000);
        await nginxExited();
        clearTimeout(last);
      }
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

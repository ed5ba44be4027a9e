/**
 * The ceiling for `npm run bench`: a bare Fastify app that serves, from memory, the exact bytes Scholia sent for
 * a set of pages, at the same paths. Whatever this reaches on the machine is the most any page could reach with
 * Fastify in front of it; the benchmark reports Scholia as a fraction of it.
 *
 * Started by scripts/bench.ts as its own process (like the real server, so neither shares a heap or an event loop
 * with the load generator): `node --import tsx scripts/bench-ceiling.ts PAGES.json`, listening on PORT at HOST.
 * PAGES.json is `[{ "path": "/q/1/slug", "headers": { … }, "body": "<base64>" }, …]`.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

export interface CeilingPage {
  path: string;
  /**
   * The headers Scholia sent with it (Content-Type, Content-Encoding, Vary, the security headers...), all but those
   * of the connection, so the ceiling sends the same response, compressed body and all.
   */
  headers: Record<string, string>;
  /** The response body as sent (compressed), base64, so the bytes are exactly those Scholia sent. */
  body: string;
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: bench-ceiling.ts PAGES.json (PORT and HOST from the environment)\n');
  process.exit(2);
}
const pages = JSON.parse(readFileSync(file, 'utf8')) as CeilingPage[];

// No logger, no plugins, no hooks: the least work Fastify can do per request.
const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
for (const page of pages) {
  const body = Buffer.from(page.body, 'base64');
  app.get(page.path, (_request, reply) => {
    reply.headers(page.headers).send(body);
  });
}

await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });

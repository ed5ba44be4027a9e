import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailDispatcher, type MailMessage, queuedMailer, smtpTransport } from '../src/modules/mail/index.ts';
import { createTestDatabase, engines, type TestDatabase } from './helpers/databases.ts';
import { TestClock } from './helpers/http.ts';
import { MailCatcher } from './helpers/smtp.ts';

const quiet = { warn: () => {}, error: () => {} };
/** Queues mail without sending it: the dispatcher it pokes is stopped. */
async function parkedMailer(database: TestDatabase, clock: TestClock) {
  const parked = new MailDispatcher(database.db, { send: async () => {} }, clock, quiet);
  await parked.stop();
  return queuedMailer(database.db, clock, parked);
}
const message = (n: number): MailMessage => ({
  to: `reader${n}@example.org`,
  subject: `Hello ${n}`,
  text: `Body ${n}`,
  html: `<p>Body ${n}</p>`,
});

describe.each(engines)('the mail queue on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await database.destroy();
  });

  it('sends queued mail over real SMTP and marks it sent', async () => {
    const smtp = new MailCatcher();
    const url = await smtp.start();
    const clock = new TestClock();
    const transport = smtpTransport(url, 'Scholia <no-reply@scholia.test>');
    const dispatcher = new MailDispatcher(database.db, transport, clock, quiet);
    const mailer = queuedMailer(database.db, clock, dispatcher);
    await mailer.send(message(1));
    const got = await smtp.waitFor('reader1@example.org');
    expect(got.subject).toBe('Hello 1');
    await dispatcher.stop();
    transport.close();
    await smtp.close();
    const row = await database.db
      .selectFrom('outbox')
      .select(['sent_at', 'attempts'])
      .where('to_address', '=', 'reader1@example.org')
      .executeTakeFirstOrThrow();
    expect(row.sent_at).not.toBeNull();
    expect(row.attempts).toBe(0);
  });

  it('keeps a message whose sending failed and retries it later', async () => {
    const clock = new TestClock();
    let fail = true;
    const sent: string[] = [];
    const transport = {
      async send(m: MailMessage) {
        if (fail) throw new Error('connection refused');
        sent.push(m.to);
      },
    };
    const dispatcher = new MailDispatcher(database.db, transport, clock, quiet);
    await (await parkedMailer(database, clock)).send(message(2));
    await dispatcher.runOnce();
    const failed = await database.db
      .selectFrom('outbox')
      .select(['sent_at', 'attempts', 'last_error'])
      .where('to_address', '=', 'reader2@example.org')
      .executeTakeFirstOrThrow();
    expect(failed).toEqual({ sent_at: null, attempts: 1, last_error: 'connection refused' });
    fail = false;
    await dispatcher.runOnce(); // not due yet: the retry waits a minute
    expect(sent).toEqual([]);
    clock.advance(61_000);
    await dispatcher.runOnce();
    expect(sent).toEqual(['reader2@example.org']);
  });

  it('sends each message once even with several processes dispatching', async () => {
    const clock = new TestClock();
    const sent: string[] = [];
    const transport = {
      async send(m: MailMessage) {
        await new Promise((r) => setTimeout(r, 5));
        sent.push(m.to);
      },
    };
    const mailer = await parkedMailer(database, clock);
    for (let i = 10; i < 20; i++) await mailer.send(message(i));
    const a = new MailDispatcher(database.db, transport, clock, quiet);
    const b = new MailDispatcher(database.db, transport, clock, quiet);
    await Promise.all([a.runOnce(), b.runOnce(), a.runOnce()]);
    const mine = sent.filter((to) => /reader1\d@/.test(to)).sort();
    expect(mine).toEqual(Array.from({ length: 10 }, (_, i) => `reader${10 + i}@example.org`));
  });
});

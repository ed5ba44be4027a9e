import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type Role } from '../src/modules/accounts/index.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { Client } from './helpers/http.ts';
import { enrolTwoFactor } from './helpers/two-factor.ts';

const PW = 'role table password';
type Who = 'visitor' | Role;
const WHO: Who[] = ['visitor', 'student', 'educator', 'editor', 'admin'];

describe.each(engines)('role x route table on %s', (engine) => {
  let t: TestApp;
  const clients = new Map<Who, Client>();
  const ids = new Map<string, number>();

  beforeAll(async () => {
    t = await buildTestApp(engine);
    let n = 0;
    for (const who of WHO) {
      const c = new Client(t.app, `100.64.0.${++n}`);
      if (who !== 'visitor') {
        await createUser(t.database.db, { email: `${who}@example.org`, name: `The ${who}`, role: who, password: PW });
        expect((await c.submit('/login', '/login', { email: `${who}@example.org`, password: PW })).statusCode).toBe(303);
        // Admins must use two-factor sign-in (the default site setting): set it up as a new admin would.
        if (who === 'admin') {
          expect((await c.get('/account')).headers.location).toBe('/account/2fa/setup');
          await enrolTwoFactor(c, new Date());
        }
      }
      clients.set(who, c);
    }
    for (const name of ['target-student', 'target-editor']) {
      const u = await createUser(t.database.db, {
        email: `${name}@example.org`,
        name,
        role: name === 'target-editor' ? 'editor' : 'student',
        password: PW,
      });
      ids.set(name, u.id);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  // Expected status for each of visitor, student, educator, editor, admin.
  const getTable: Array<[string, number[]]> = [
    ['/account', [303, 200, 200, 200, 200]],
    ['/admin/users', [303, 403, 403, 200, 200]],
    ['/admin/outbox', [303, 403, 403, 403, 200]],
    ['/logout', [303, 200, 200, 200, 200]],
  ];
  it.each(getTable)('GET %s', async (url, expected) => {
    const got: number[] = [];
    for (const who of WHO) got.push((await (clients.get(who) as Client).get(url)).statusCode);
    expect(got).toEqual(expected);
  });

  it('changes roles: admins only, never their own', async () => {
    const target = ids.get('target-student') as number;
    const got: number[] = [];
    for (const who of WHO) {
      const c = clients.get(who) as Client;
      const page = who === 'visitor' ? '/login' : '/account';
      got.push((await c.submit(page, `/admin/users/${target}/role`, { role: 'educator' })).statusCode);
    }
    expect(got).toEqual([303, 403, 403, 403, 200]);
    const row = await t.database.db.selectFrom('users').select('role').where('id', '=', target).executeTakeFirstOrThrow();
    expect(row.role).toBe('educator');
    const admin = clients.get('admin') as Client;
    const me = await t.database.db.selectFrom('users').select('id').where('email', '=', 'admin@example.org').executeTakeFirstOrThrow();
    expect((await admin.submit('/account', `/admin/users/${me.id}/role`, { role: 'student' })).statusCode).toBe(403);
    expect((await admin.submit('/account', `/admin/users/${target}/role`, { role: 'emperor' })).statusCode).toBe(400);
  });

  it('a role change signs the person out, so their next session has a new id', async () => {
    const u = await createUser(t.database.db, { email: 'promoted@example.org', name: 'Pro Moted', password: PW });
    const c = new Client(t.app, '100.64.1.1');
    await c.submit('/login', '/login', { email: 'promoted@example.org', password: PW });
    const before = c.cookies.get('scholia_session');
    await (clients.get('admin') as Client).submit('/account', `/admin/users/${u.id}/role`, { role: 'editor' });
    expect((await c.get('/')).body).toContain('href="/login"');
    await c.submit('/login', '/login', { email: 'promoted@example.org', password: PW });
    expect(c.cookies.get('scholia_session')).not.toBe(before);
    expect((await c.get('/admin/users')).statusCode).toBe(200);
  });

  it('suspends and restores: editors may suspend students but not editors; admins both', async () => {
    const student = new Client(t.app, '100.64.2.1');
    const s = await createUser(t.database.db, { email: 'suspect@example.org', name: 'Sus Pect', password: PW });
    await student.submit('/login', '/login', { email: 'suspect@example.org', password: PW });
    const editor = clients.get('editor') as Client;
    expect((await editor.submit('/account', `/admin/users/${s.id}/suspend`, {})).statusCode).toBe(200);
    expect((await student.get('/')).body).toContain('href="/login"');
    const again = await new Client(t.app, '100.64.2.2').submit('/login', '/login', { email: 'suspect@example.org', password: PW });
    expect(again.statusCode).toBe(403);
    expect(again.body).toContain('This account is suspended');
    // A wrong password still gets the ordinary answer: suspension is not revealed without the password.
    expect(
      (await new Client(t.app, '100.64.2.3').submit('/login', '/login', { email: 'suspect@example.org', password: 'wrong wrong' }))
        .statusCode,
    ).toBe(401);
    expect((await editor.submit('/account', `/admin/users/${s.id}/restore`, {})).statusCode).toBe(200);
    expect(
      (await new Client(t.app, '100.64.2.4').submit('/login', '/login', { email: 'suspect@example.org', password: PW })).statusCode,
    ).toBe(303);

    const targetEditor = ids.get('target-editor') as number;
    expect((await editor.submit('/account', `/admin/users/${targetEditor}/suspend`, {})).statusCode).toBe(403);
    expect((await (clients.get('student') as Client).submit('/account', `/admin/users/${s.id}/suspend`, {})).statusCode).toBe(403);
    expect((await (clients.get('admin') as Client).submit('/account', `/admin/users/${targetEditor}/suspend`, {})).statusCode).toBe(200);
  });

  it('finds users by name or email', async () => {
    const res = await (clients.get('editor') as Client).get('/admin/users?q=TARGET-STU');
    expect(res.body).toContain('target-student@example.org');
    expect(res.body).not.toContain('admin@example.org');
  });
});

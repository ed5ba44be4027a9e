import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import type { Client } from './http.ts';

/** The code an authenticator app would show for this secret at this time. */
export function totpCode(secret: string, at: Date): string {
  return new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp: at.getTime() });
}

/** Turns on two-factor sign-in through the pages, as a person would; returns the secret and the recovery codes. */
export async function enrolTwoFactor(c: Client, now: Date): Promise<{ secret: string; recoveryCodes: string[] }> {
  const start = await c.get('/account/2fa/setup');
  expect(start.statusCode).toBe(200);
  expect(start.body).not.toContain('class="secret"');
  // Post/redirect/get: the setup page shows the secret the button made.
  const setup = await c.follow(await c.submit('/account/2fa/setup', '/account/2fa/setup', {}));
  expect(setup.statusCode).toBe(200);
  const secret = /<code class="secret">([A-Z2-7]+)<\/code>/.exec(setup.body)?.[1] as string;
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  const done = await c.submit('/account/2fa/setup', '/account/2fa/enable', { code: totpCode(secret, now) });
  expect(done.statusCode).toBe(200);
  const recoveryCodes = [...done.body.matchAll(/<li><code>([0-9a-f]{5}-[0-9a-f]{5})<\/code><\/li>/g)].map((m) => m[1] as string);
  expect(recoveryCodes).toHaveLength(10);
  return { secret, recoveryCodes };
}

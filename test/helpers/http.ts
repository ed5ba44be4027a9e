import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** A browser-like client over inject: keeps cookies between requests and reads form tokens from pages. */
export class Client {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly ip = '203.0.113.7',
    /** Sent with every request (a proxy's X-Forwarded-For, say); may be changed between requests. */
    public headers: Record<string, string> = {},
  ) {}

  private remember(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() <= Date.now()) || c.value === '';
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size === 0
      ? { ...this.headers }
      : { ...this.headers, cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({ method: 'GET', url, headers: this.cookieHeader(), remoteAddress: this.ip }));
  }

  async post(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        payload: new URLSearchParams(form).toString(),
        headers: { ...this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
        remoteAddress: this.ip,
      }),
    );
  }

  /** What a browser shows after a form: the page a redirect names (GET), or the response itself. */
  async follow(res: LightMyRequestResponse): Promise<LightMyRequestResponse> {
    const to = res.headers.location;
    // A browser keeps the fragment to itself.
    return res.statusCode >= 300 && res.statusCode < 400 && typeof to === 'string' ? this.get(to.split('#')[0] as string) : res;
  }

  /** Loads the page and posts its form with these fields plus the page's CSRF token. */
  async submit(pageUrl: string, actionUrl: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    const page = await this.get(pageUrl);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    if (!token) throw new Error(`no CSRF token on ${pageUrl}`);
    return this.post(actionUrl, { _csrf: token, ...form });
  }
}

/** A clock tests can move. */
export class TestClock {
  constructor(private ms = Date.UTC(2026, 10, 26, 12, 0, 0)) {}
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

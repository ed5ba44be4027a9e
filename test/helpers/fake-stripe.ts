import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

// A local stand-in for the parts of the Stripe API Scholia calls, so the real SDK (and the real adapter) runs in
// tests without the network. It keeps customers, checkout sessions, subscriptions and cards in memory; tests move
// subscriptions between states and build the events Stripe would send, signed like Stripe signs them.

type Obj = Record<string, unknown>;

interface FakeSubscription {
  id: string;
  object: 'subscription';
  customer: string;
  status: string;
  created: number;
  trial_end: number | null;
  ended_at: number | null;
  cancel_at_period_end: boolean;
  metadata: Record<string, string>;
  default_payment_method: string | null;
  items: { object: 'list'; data: Array<{ id: string; object: 'subscription_item'; current_period_end: number; price: { id: string } }> };
}

export interface RecordedRequest {
  method: string;
  path: string;
  params: Record<string, string>;
}

export const WEBHOOK_SECRET = 'whsec_scholia_test_secret';
const signer = new Stripe('sk_test_signer');

export class FakeStripe {
  readonly requests: RecordedRequest[] = [];
  readonly customers = new Map<string, Obj>();
  readonly sessions = new Map<string, Obj>();
  readonly subscriptions = new Map<string, FakeSubscription>();
  readonly cards = new Map<string, { id: string; object: 'payment_method'; card: { fingerprint: string; brand: string; last4: string } }>();
  /** When set, every API call answers 500 (Stripe down). */
  down = false;
  private server: Server | null = null;
  private seq = 0;
  private events = 0;
  url = '';

  constructor(private readonly nowMs: () => number) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => this.send(res, 500, { error: { type: 'api_error', message: String(err) } }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private id(prefix: string): string {
    return `${prefix}_${(++this.seq).toString(36).padStart(8, '0')}`;
  }

  private now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${this.seq}` });
    res.end(JSON.stringify(body));
  }

  private notFound(res: ServerResponse, what: string): void {
    this.send(res, 404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}` } });
  }

  /** A subscription as the API returns it, with the card expanded when asked. */
  private render(s: FakeSubscription, expandCard: boolean): Obj {
    return {
      ...s,
      default_payment_method: expandCard && s.default_payment_method ? this.cards.get(s.default_payment_method) : s.default_payment_method,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const params = Object.fromEntries(new URLSearchParams(req.method === 'GET' || req.method === 'DELETE' ? url.search : raw));
    this.requests.push({ method: req.method ?? '', path: url.pathname, params });
    if (req.headers.authorization !== 'Bearer sk_test_scholia') {
      this.send(res, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
      return;
    }
    if (this.down) {
      this.send(res, 500, { error: { type: 'api_error', message: 'Stripe is down (test)' } });
      return;
    }
    const path = url.pathname;
    const expandCard = Object.entries(params).some(([k, v]) => k.startsWith('expand') && v === 'data.default_payment_method');
    const sessionPath = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path);
    const subscriptionPath = /^\/v1\/subscriptions\/([^/]+)$/.exec(path);
    if (req.method === 'POST' && path === '/v1/customers') {
      const c = { id: this.id('cus'), object: 'customer', email: params.email, name: params.name, metadata: {} };
      this.customers.set(c.id, c);
      return this.send(res, 200, c);
    }
    if (req.method === 'POST' && path === '/v1/checkout/sessions') {
      const id = this.id('cs_test');
      const s = {
        id,
        object: 'checkout.session',
        mode: params.mode,
        customer: params.customer,
        client_reference_id: params.client_reference_id,
        status: 'open',
        subscription: null,
        url: `${this.url}/pay/${id}`,
        success_url: params.success_url,
        cancel_url: params.cancel_url,
        price: params['line_items[0][price]'],
        trial_end: params['subscription_data[trial_end]'] ? Number(params['subscription_data[trial_end]']) : null,
        payment_method_collection: params.payment_method_collection,
      };
      this.sessions.set(id, s);
      return this.send(res, 200, s);
    }
    if (req.method === 'GET' && sessionPath) {
      const s = this.sessions.get(sessionPath[1] as string);
      return s ? this.send(res, 200, s) : this.notFound(res, 'checkout.session');
    }
    if (req.method === 'GET' && path === '/v1/subscriptions') {
      const data = [...this.subscriptions.values()]
        .filter((s) => s.customer === params.customer)
        .sort((a, b) => b.created - a.created)
        .map((s) => this.render(s, expandCard));
      return this.send(res, 200, { object: 'list', data, has_more: false, url: '/v1/subscriptions' });
    }
    if (subscriptionPath) {
      const s = this.subscriptions.get(subscriptionPath[1] as string);
      if (!s) return this.notFound(res, 'subscription');
      if (req.method === 'POST' && params.cancel_at_period_end !== undefined)
        s.cancel_at_period_end = params.cancel_at_period_end === 'true';
      if (req.method === 'DELETE') {
        s.status = 'canceled';
        s.ended_at = this.now();
      }
      return this.send(res, 200, this.render(s, false));
    }
    if (req.method === 'POST' && path === '/v1/billing_portal/sessions') {
      if (!this.customers.has(params.customer ?? '')) return this.notFound(res, 'customer');
      return this.send(res, 200, { id: this.id('bps'), object: 'billing_portal.session', url: `${this.url}/portal/${params.customer}` });
    }
    this.notFound(res, `route ${req.method} ${path}`);
  }

  /** The person pays on Stripe's page: a card, a subscription (trialing when the checkout had a trial). */
  completeCheckout(sessionId: string, fingerprint = 'fp_card_default'): FakeSubscription {
    const s = this.sessions.get(sessionId) as Obj & { trial_end: number | null; customer: string; price: string };
    const card = { id: this.id('pm'), object: 'payment_method' as const, card: { fingerprint, brand: 'visa', last4: '4242' } };
    this.cards.set(card.id, card);
    const now = this.now();
    const sub: FakeSubscription = {
      id: this.id('sub'),
      object: 'subscription',
      customer: s.customer,
      status: s.trial_end ? 'trialing' : 'active',
      created: now,
      trial_end: s.trial_end,
      ended_at: null,
      cancel_at_period_end: false,
      metadata: { scholia_user_id: String(s.client_reference_id) },
      default_payment_method: card.id,
      items: {
        object: 'list',
        data: [
          { id: this.id('si'), object: 'subscription_item', current_period_end: s.trial_end ?? now + 30 * 86_400, price: { id: s.price } },
        ],
      },
    };
    this.subscriptions.set(sub.id, sub);
    s.status = 'complete';
    s.subscription = sub.id;
    return sub;
  }

  /** Moves a subscription as Stripe would: the trial converting, a renewal, a failed payment, the end. */
  setState(subscriptionId: string, state: 'trialing' | 'active' | 'past_due' | 'canceled' | 'cancel_at_period_end'): void {
    const s = this.subscriptions.get(subscriptionId);
    if (!s) throw new Error(`no subscription ${subscriptionId}`);
    const now = this.now();
    const item = s.items.data[0] as FakeSubscription['items']['data'][number];
    if (state === 'cancel_at_period_end') {
      s.cancel_at_period_end = true;
      return;
    }
    s.status = state;
    if (state === 'active' || state === 'past_due') item.current_period_end = now + 30 * 86_400;
    if (state === 'canceled') s.ended_at = now;
  }

  /** The JSON body of an event as Stripe would send it. */
  event(type: string, object: Obj, id = `evt_${(++this.events).toString().padStart(6, '0')}_${this.seq}`): string {
    return JSON.stringify({
      id,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: this.now(),
      livemode: false,
      type,
      data: { object },
    });
  }

  /** The Stripe-Signature header for a body, signed at `timestamp` (seconds) with `secret`. */
  static sign(payload: string, timestamp: number, secret = WEBHOOK_SECRET): string {
    return signer.webhooks.generateTestHeaderString({ payload, secret, timestamp });
  }

  /** The payloads each event type carries for a subscription (customer and ids as Stripe sends them). */
  objectFor(type: string, sub: FakeSubscription): Obj {
    if (type.startsWith('checkout.session')) {
      const session = [...this.sessions.values()].find((x) => x.subscription === sub.id);
      return { ...(session ?? {}), object: 'checkout.session', customer: sub.customer, subscription: sub.id };
    }
    if (type.startsWith('invoice.'))
      return {
        id: this.id('in'),
        object: 'invoice',
        customer: sub.customer,
        parent: { type: 'subscription_details', subscription_details: { subscription: sub.id } },
      };
    return this.render(sub, false);
  }
}

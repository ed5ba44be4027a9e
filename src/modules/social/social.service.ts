import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { LRUCache } from 'lru-cache';
import type { Database } from '../../db/database.ts';
import { findGuideBySlug } from '../guides/index.ts';
import { type TaskSlots, taskSlots } from '../images/index.ts';
import { findQuestionCard } from './social.repository.ts';
import { buildSocialCardSvg, type SocialCard } from './social-card.ts';
import { renderSocialPng } from './social-render.ts';

type Db = Kysely<Database>;

/**
 * Raised with every change to how a card is drawn (social-card.ts, the fonts), so that browsers and shared caches
 * holding an old picture under an old ETag fetch the new one.
 */
const CARD_VERSION = 1;

/** The card of a published question, or undefined. */
export async function questionCard(db: Db, siteName: string, id: number): Promise<SocialCard | undefined> {
  const q = await findQuestionCard(db, id);
  return q ? { kind: 'question', siteName, subject: q.subject, title: q.title } : undefined;
}

/** The card of a published study guide, or undefined. */
export async function guideCard(db: Db, siteName: string, slug: string): Promise<SocialCard | undefined> {
  const g = await findGuideBySlug(db, slug);
  return g && g.status === 'published' ? { kind: 'guide', siteName, subject: g.subject.name, title: g.title } : undefined;
}

/** A strong ETag for a card: the same card always renders to the same bytes. */
export function cardEtag(card: SocialCard): string {
  const key = JSON.stringify([CARD_VERSION, card.kind, card.siteName, card.subject, card.title]);
  return `"${createHash('sha256').update(key).digest('base64url').slice(0, 32)}"`;
}

/** Cards rendered at the same time: a crawler asking for many leaves the thread pool to compression and files. */
const RENDERS_AT_ONCE = 2;

/**
 * Cards as PNG, each rendered once: kept by content in `cache` (caches.socialImages), and a card asked for again
 * while it renders waits for that render instead of starting another.
 */
export class SocialImages {
  private readonly rendering = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly cache: LRUCache<string, Buffer>,
    private readonly slots: TaskSlots = taskSlots(RENDERS_AT_ONCE),
  ) {}

  async png(card: SocialCard, etag: string = cardEtag(card)): Promise<Buffer> {
    const kept = this.cache.get(etag);
    if (kept) return kept;
    let pending = this.rendering.get(etag);
    if (!pending) {
      pending = this.slots
        .run(() => renderSocialPng(buildSocialCardSvg(card)))
        .then((png) => {
          this.cache.set(etag, png);
          return png;
        })
        .finally(() => this.rendering.delete(etag));
      this.rendering.set(etag, pending);
    }
    return pending;
  }
}

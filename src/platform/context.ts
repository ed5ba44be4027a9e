import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import type { Clock } from '../lib/time.ts';
import type { BlobStore, TaskSlots } from '../modules/images/index.ts';
import type { Mailer } from '../modules/mail/index.ts';
import type { BillingDeps } from '../modules/membership/index.ts';
import type { Site } from '../views/layout.tsx';
import type { Caches } from './caches.ts';
import type { Metrics } from './metrics.ts';
import type { SessionSettings } from './session.ts';

/** What each module's routes receive. */
export interface RouteContext {
  database: DatabaseHandle;
  mailer: Mailer;
  clock: Clock;
  site: Site;
  config: Config;
  /** Cookie and session settings (Secure over HTTPS, timeouts). */
  session: SessionSettings;
  /** Stripe mode: the payment provider and what billing needs; null in local mode. */
  billing: BillingDeps | null;
  /** What the process keeps in memory (built by buildApp; see platform/caches.ts). */
  caches: Caches;
  /** The figures /metrics exports (built by buildApp; see platform/metrics.ts), in a registry of the app's own. */
  metrics: Metrics;
  /**
   * Images' files (IMAGE_STORE: under DATA_DIR or in the database), one store for the process; and the slots
   * uploads take turns in to be decoded (a large photo holds ~160 MB while it is).
   */
  images: { blobs: BlobStore; decoding: TaskSlots };
  /** The content-hashed URL of a file in public/ (scripts for islands). */
  assetUrl(file: string): string;
}

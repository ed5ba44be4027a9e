import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types. Timestamps are ISO-8601 UTC strings (`2026-11-26T14:37:38.000Z`) on both engines:
 * they sort as text, compare the same way in SQLite and PostgreSQL, and need no driver parsing.
 * See docs/decisions/0002-timestamps-as-iso-text.md.
 */
export type Role = 'student' | 'educator' | 'editor' | 'admin';
/** The lifecycle (see modules/asking/lifecycle.ts); 'hidden' is a published question taken down by a moderator. */
export type QuestionStatus = 'queued' | 'claimed' | 'drafted' | 'in_review' | 'published' | 'closed' | 'rejected' | 'hidden';

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string;
  role: Role;
  password_hash: string | null;
  bio: string | null;
  created_at: string;
  email_verified_at: ColumnType<string | null, string | null | undefined, string | null>;
  suspended_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** Set when the person deleted their account: the row stays, anonymised, so their questions keep an asker. */
  deleted_at: ColumnType<string | null, string | null | undefined, string | null>;
  totp_secret: ColumnType<string | null, string | null | undefined, string | null>;
  totp_enabled_at: ColumnType<string | null, string | null | undefined, string | null>;
  totp_last_step: ColumnType<number | null, number | null | undefined, number | null>;
  /** 0 when the person turned notification mail off (/account). */
  notify_email: ColumnType<number, number | undefined, number>;
  /** The image on the person's educator profile, or null for their initials (migrations/20261205T1000_educator_photos.ts). */
  photo_image_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface SubjectsTable {
  id: Generated<number>;
  slug: string;
  name: string;
  description: string;
  position: number;
}

export interface TopicsTable {
  id: Generated<number>;
  subject_id: number;
  slug: string;
  name: string;
}

export interface EducatorSubjectsTable {
  user_id: number;
  subject_id: number;
  verified_at: string;
}

export interface QuestionsTable {
  id: Generated<number>;
  slug: string;
  title: string;
  details: string;
  /** Sanitized HTML of `details`, rendered once at write time. */
  details_html: string;
  subject_id: number;
  asker_id: number | null;
  status: QuestionStatus;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  /** Identity of an imported question, so that importing a file again adds nothing. */
  import_key: string | null;
  claimed_by: ColumnType<number | null, number | null | undefined, number | null>;
  claim_expires_at: ColumnType<string | null, string | null | undefined, string | null>;
  due_at: ColumnType<string | null, string | null | undefined, string | null>;
  allowance_returned_at: ColumnType<string | null, string | null | undefined, string | null>;
  duplicate_of: ColumnType<number | null, number | null | undefined, number | null>;
  close_reason: ColumnType<string | null, string | null | undefined, string | null>;
  review_comment: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface QuestionEventsTable {
  id: Generated<number>;
  question_id: number;
  actor_id: number | null;
  from_status: string;
  to_status: string;
  note: string | null;
  created_at: string;
}

export interface AnswerRevisionsTable {
  id: Generated<number>;
  question_id: number;
  author_id: number | null;
  body: string;
  quick_answer: string;
  sources: string;
  created_at: string;
}

export interface NotificationsTable {
  id: Generated<number>;
  user_id: number;
  question_id: number | null;
  kind: string;
  text: string;
  link: string;
  created_at: string;
  read_at: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ReportsTable {
  id: Generated<number>;
  reporter_id: number | null;
  question_id: number;
  target: 'question' | 'answer' | 'image';
  reason: string;
  /** removed: the image the report pointed at was taken down. */
  status: 'open' | 'hidden' | 'dismissed' | 'restored' | 'removed';
  created_at: string;
  decided_by: ColumnType<number | null, number | null | undefined, number | null>;
  decided_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** The image a report of target 'image' points at (migrations/20261204T1900_image_uses.ts). */
  image_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface AskDraftsTable {
  token_hash: string;
  payload: string;
  created_at: string;
}

export interface QuestionTopicsTable {
  question_id: number;
  topic_id: number;
}

export interface AnswersTable {
  id: Generated<number>;
  question_id: number;
  educator_id: number;
  body: string;
  /** Sanitized HTML of `body`, rendered once at write time. */
  body_html: string;
  quick_answer: string;
  /** JSON array of {title, url?}. */
  sources: ColumnType<string, string, string>;
  word_count: number;
  approved_by: number | null;
  approved_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  /** SHA-256 of the session id; the id itself exists only in the visitor's cookie. */
  id_hash: string;
  user_id: number;
  created_at: string;
  last_seen_at: string;
  /** Absolute end of the session, whatever the activity. */
  expires_at: string;
  ip: string;
  user_agent: string;
}

export interface AuthThrottlesTable {
  key: string;
  failures: number;
  locked_until: string | null;
  updated_at: string;
}

export type TokenPurpose = 'verify_email' | 'sign_in' | 'reset_password' | 'second_factor' | 'change_email';

export interface OneTimeTokensTable {
  id: Generated<number>;
  user_id: number;
  purpose: TokenPurpose;
  /** SHA-256 of the secret in the link. */
  token_hash: string;
  /** SHA-256 of the 6-digit code (sign-in only), bound to this token. */
  code_hash: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  /** JSON; verify_email: the name and password hash chosen at sign-up; change_email: the new address. */
  payload: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface OutboxTable {
  id: Generated<number>;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  created_at: string;
  sent_at: ColumnType<string | null, string | null | undefined, string | null>;
  claimed_at: ColumnType<string | null, string | null | undefined, string | null>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<string | null, string | null | undefined, string | null>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface RateCountersTable {
  key: string;
  window_start: string;
  count: number;
}

export interface RecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  used_at: string | null;
}

export type ApplicationStatus = 'pending' | 'approved' | 'declined';

export interface EducatorApplicationsTable {
  id: Generated<number>;
  user_id: number;
  subject_id: number;
  qualifications: string;
  statement: string;
  status: ColumnType<ApplicationStatus, ApplicationStatus | undefined, ApplicationStatus>;
  created_at: string;
  decided_by: number | null;
  decided_at: string | null;
  note: string | null;
}

export interface SiteSettingsTable {
  key: string;
  value: string;
}

export type MembershipStatus = 'trialing' | 'active' | 'past_due' | 'canceled' | 'expired';

export interface PlansTable {
  id: Generated<number>;
  name: string;
  interval: 'month' | 'year';
  price_minor: number;
  currency: string;
  stripe_price_id: string | null;
  active: ColumnType<number, number | undefined, number>;
  position: ColumnType<number, number | undefined, number>;
}

export interface MembershipsTable {
  user_id: number;
  status: MembershipStatus;
  source: 'trial' | 'complimentary' | 'stripe';
  plan_id: number | null;
  period_end: string;
  cancel_at_period_end: ColumnType<number, number | undefined, number>;
  reminder_sent_at: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: string;
  updated_at: string;
  /** The Stripe subscription this membership mirrors (source 'stripe'). */
  subscription_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1 while the current period is a free trial (local or Stripe). */
  in_trial: ColumnType<number, number | undefined, number>;
  /** Why a trial was refused, for the billing page. */
  notice: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface BillingCustomersTable {
  user_id: number;
  customer_id: string;
  created_at: string;
}

export interface BillingEventsTable {
  /** A Stripe event id: recorded in the transaction of its effect, so each takes effect once. */
  event_id: string;
  type: string;
  received_at: string;
}

export interface TrialClaimsTable {
  /** A normalised email address (or, with a card provider, a card fingerprint). */
  identity: string;
  user_id: number | null;
  created_at: string;
}

export interface AdSlotsTable {
  id: Generated<number>;
  /** Where on the page: 'question-sidebar' for now. */
  placement: string;
  headline: string;
  body: string;
  link_url: string;
  active: ColumnType<number, number | undefined, number>;
  created_at: string;
}

/** Ad network snippets (modules/ads/snippet.ts checks them); the newest active one fills the slot. */
export interface AdSnippetsTable {
  id: Generated<number>;
  placement: string;
  /** The admin's name for it, shown only on /admin/ads. */
  name: string;
  /** Re-written from what the check parsed, never the text as typed. */
  html: string;
  /** Space-separated origins the snippet loads from; it shows only while each is in AD_SNIPPET_ORIGINS. */
  origins: string;
  active: ColumnType<number, number | undefined, number>;
  created_at: string;
}

/** A group of words and phrases search treats as one (migrations/20261204T1200_search_synonyms.ts). */
export interface SearchSynonymsTable {
  position: number;
  /** Comma-separated, lower case. */
  phrases: string;
}

/** Searches that found nothing, counted per query and UTC day (migrations/20261204T1800_search_misses.ts). */
export interface SearchMissesTable {
  /** YYYY-MM-DD, UTC. */
  day: string;
  /** Normalised (lower case, spaces collapsed) and cut to SEARCH_MISS_CHARS. */
  query: string;
  misses: ColumnType<number, number | undefined, number>;
}

/** An uploaded image (migrations/20261204T1600_images.ts, modules/images): the upload itself is not kept, only its variants. */
export interface ImagesTable {
  id: Generated<number>;
  owner_id: number | null;
  /** SHA-256 (hex) of the upload's bytes: the same person uploading the same file again gets this row back. */
  source_hash: string;
  /** Upright, as uploaded. */
  width: number;
  height: number;
  /** 1 when some pixel is not fully opaque (the fallback variants are PNG, not JPEG). */
  has_alpha: number;
  created_at: string;
  /** Set when an editor removed it; its variants then answer 410. */
  removed_at: ColumnType<string | null, string | null | undefined, string | null>;
  removed_by: ColumnType<number | null, number | null | undefined, number | null>;
}

export type ImageVariantFormat = 'webp' | 'jpeg' | 'png';

/** The files served for an image: each width it was made at, in WebP and in its fallback format. */
export interface ImageVariantsTable {
  image_id: number;
  format: ImageVariantFormat;
  width: number;
  height: number;
  /** Key in the BlobStore: SHA-256 of the file and its extension. */
  blob_key: string;
  bytes: number;
}

/** The database BlobStore's files (IMAGE_STORE=database); keys as in image_variants.blob_key. */
export interface BlobsTable {
  key: string;
  content_type: string;
  bytes: number;
  /** Last put: a sweep deletes only blobs stored before its cut-off. */
  stored_at: string;
  data: Buffer;
}

/**
 * A student's photos on a question (migrations/20261204T1700_question_images.ts), in their order. They are attached
 * when the question is created, so the question's own version (updated_at) covers them for the page cache; anything
 * that changes them later must move the question's updated_at too.
 */
export interface QuestionImagesTable {
  question_id: number;
  image_id: number;
  /** 1, 2, … */
  position: number;
}

/** Where an image is placed in Markdown (migrations/20261204T1900_image_uses.ts); rewritten with each save of the text. */
export type ImageUseKind = 'answer' | 'guide_overview' | 'guide_section';

export interface ImageUsesTable {
  kind: ImageUseKind;
  /** The question's id (answer), the guide's (guide_overview) or the section's (guide_section). */
  content_id: number;
  image_id: number;
}

export interface Database {
  users: UsersTable;
  subjects: SubjectsTable;
  topics: TopicsTable;
  educator_subjects: EducatorSubjectsTable;
  questions: QuestionsTable;
  question_topics: QuestionTopicsTable;
  answers: AnswersTable;
  sessions: SessionsTable;
  auth_throttles: AuthThrottlesTable;
  one_time_tokens: OneTimeTokensTable;
  outbox: OutboxTable;
  rate_counters: RateCountersTable;
  recovery_codes: RecoveryCodesTable;
  educator_applications: EducatorApplicationsTable;
  site_settings: SiteSettingsTable;
  search_synonyms: SearchSynonymsTable;
  search_misses: SearchMissesTable;
  plans: PlansTable;
  memberships: MembershipsTable;
  trial_claims: TrialClaimsTable;
  ad_slots: AdSlotsTable;
  ad_snippets: AdSnippetsTable;
  billing_customers: BillingCustomersTable;
  billing_events: BillingEventsTable;
  question_events: QuestionEventsTable;
  answer_revisions: AnswerRevisionsTable;
  notifications: NotificationsTable;
  reports: ReportsTable;
  ask_drafts: AskDraftsTable;
  images: ImagesTable;
  image_variants: ImageVariantsTable;
  blobs: BlobsTable;
  question_images: QuestionImagesTable;
  image_uses: ImageUsesTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type SubjectRow = Selectable<SubjectsTable>;
export type QuestionRow = Selectable<QuestionsTable>;
export type NewQuestion = Insertable<QuestionsTable>;
export type QuestionUpdate = Updateable<QuestionsTable>;
export type AnswerRow = Selectable<AnswersTable>;
export type NewAnswer = Insertable<AnswersTable>;

import type { Generated, Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';

/*
 * Table types of the study guides (migration 20261126T2300_guides). They live beside the module rather than in
 * db/database.ts so that the guides work could land without touching a file other work was changing; moving
 * them there later changes no query. The repository sees them through `guideDb`, a type-only view of the same
 * Kysely instance (so compileOnce and the SQLite read connection, both keyed by that instance, still apply).
 */

export type GuideStatus = 'draft' | 'published';

export interface GuidesTable {
  id: Generated<number>;
  slug: string;
  title: string;
  subject_id: number;
  status: GuideStatus;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  import_key: string | null;
  overview: string;
  /** Sanitized HTML of `overview`, rendered once at write time (decision 0003). */
  overview_html: string;
}

export interface GuideSectionsTable {
  id: Generated<number>;
  guide_id: number;
  slug: string;
  title: string;
  position: number;
  /** 1: members-only (non-members get the opening and the call to start the trial); 0: free. */
  members_only: number;
  created_at: string;
  updated_at: string;
  body: string;
  body_html: string;
}

export interface GuideRevisionsTable {
  id: Generated<number>;
  guide_id: number;
  /** Null for a revision of the guide's details (title, subject, overview). */
  section_id: number | null;
  author_id: number | null;
  title: string;
  subject_id: number | null;
  members_only: number | null;
  created_at: string;
  body: string;
}

/** A guide's topics (migration 20261127T0200_guide_topics): rows of `topics`, so of the guide's subject. */
export interface GuideTopicsTable {
  guide_id: number;
  topic_id: number;
}

export interface GuideTables {
  guides: GuidesTable;
  guide_sections: GuideSectionsTable;
  guide_revisions: GuideRevisionsTable;
  guide_topics: GuideTopicsTable;
}

export type GuideDb = Kysely<Database & GuideTables>;

/** The same Kysely instance (or transaction), typed to know the guide tables. */
export function guideDb(db: Kysely<Database>): GuideDb {
  return db as unknown as GuideDb;
}

import { createHash } from 'node:crypto';
import { sql } from 'kysely';

/*
 * Statements PostgreSQL parses once per connection. A search sends PostgreSQL four to eight statements of a few
 * kilobytes each; parsing and analysing one again on every search cost about as much as running it (0.3 ms a
 * statement at a million questions). A statement whose text holds PARSED_ONCE is sent as a named (prepared)
 * statement by the client db/connect.ts gives the pool: parsed on a connection's first use of it, then only bound.
 * It is still planned each time with the values it is given (the pool sets plan_cache_mode to force_custom_plan):
 * a plan made for any values (a generic plan) took a common and a rare word from 22 to 29 ms at p95. The functions
 * that keep the search tables in step keep PostgreSQL's own choice (migrations/20261205T1500_search_trigger_plans.ts).
 *
 * Only statements of a bounded number of texts should carry it: each text is kept on every connection for as long
 * as the connection lives (MAX_PARSED_ONCE of them at most). SQLite ignores the comment (better-sqlite3 keeps its
 * own prepared statements).
 */

/**
 * Texts a connection prepares at most; past them, a marked statement of a new text is sent as any other. Each costs
 * PostgreSQL about 110 KB on the connection: the benchmark's whole mix of searches at a million questions prepared 34
 * (3.9 MB), so this leaves room for the rarer shapes and bounds a connection at about 7 MB.
 */
export const MAX_PARSED_ONCE = 64;

/** The marker: a comment anywhere in a statement's text. */
export const PARSED_ONCE = '/* parsed once */';

/** The marker as SQL, for a raw statement (at its start) or a query builder's modifyFront. */
export const parsedOnce = sql.raw(PARSED_ONCE);

/** The name a statement is prepared under: the same text has the same name on every connection. */
export function statementName(text: string): string {
  return `p${createHash('sha1').update(text).digest('base64url').slice(0, 22)}`;
}

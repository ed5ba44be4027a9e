import { type Kysely, PostgresAdapter, sql } from 'kysely';

// PostgreSQL search at a million questions (issue #14). SQLite is left as it is.
//
// 1. Slices of the id range inside the GIN index. Search ranks the newest 1,000 matches of a query, and a GIN index
//    cannot stop early: it gathers every match of every word before the heap is read, 20-30 ms for two words of a
//    few percent each at a million questions, and a primary-key range beside it (a BitmapAnd) does not shorten that.
//    So each question's row is indexed with four more lexemes naming the aligned blocks of ids it falls in, of 2^10,
//    2^13, 2^16 and 2^19 ids ('id10 976' for ids 999,424 to 1,000,447). A query for one block is the words AND that
//    lexeme, and GIN's AND walks the shortest posting list and skips through the others: a block costs about its
//    size, whatever the words. The adapter asks the newest block first and older, larger ones after, and stops at
//    1,000 matches. A lexeme holds a space, which no parsed text yields, so no question's own words can match one.
//    The index is on an expression (`document || search_id_slices(question_id)`), so no row is rewritten and
//    ts_rank still reads `document` as it was; it replaces the index on `document` alone, which nothing reads now.
//
// 2. A spelling vocabulary. "Did you mean" looked up a few hundred spellings one edit from each unknown word in the
//    free-text GIN index (60-110 ms a query at a million questions). search_vocabulary holds every lexeme of the
//    free text (title, details, quick answer) ever indexed, one row each, filled by search_refresh; the spellings
//    go through it in one indexed lookup first, and only the few that exist are counted in the index. Words of
//    questions since hidden stay listed: the count, which reads the published questions' free text only, decides.
//    The same list turns the start of a word being typed into the few words it may be (postgres-search.repository.ts).

const SLICES_FUNCTION = `create function search_id_slices(qid integer) returns tsvector language sql immutable parallel safe as $$
  select array_to_tsvector(array['id10 ' || (qid >> 10), 'id13 ' || (qid >> 13), 'id16 ' || (qid >> 16), 'id19 ' || (qid >> 19)])
$$`;

const PG_ROW = `
  select q.id, q.subject_id,
         setweight(to_tsvector('english', q.title), 'A')
      || setweight(to_tsvector('english', q.details || ' ' || a.quick_answer || ' ' || a.body), 'B'),
         to_tsvector('english', q.title || ' ' || q.details || ' ' || a.quick_answer)
  from questions q join answers a on a.question_id = q.id`;

/** search_refresh as migrations/20261126T2200_search.ts made it, and with the vocabulary filled too. */
function refreshFunction(withVocabulary: boolean): string {
  const vocabulary = withVocabulary
    ? `insert into search_vocabulary (lexeme)
         select unnest(tsvector_to_array(free_text)) from search_documents where question_id = qid
       on conflict do nothing;`
    : '';
  return `create or replace function search_refresh(qid integer) returns void language plpgsql as $$
   begin
     insert into search_documents (question_id, subject_id, document, free_text)
     ${PG_ROW}
     where q.id = qid and q.status = 'published'
     on conflict (question_id) do update
       set subject_id = excluded.subject_id, document = excluded.document, free_text = excluded.free_text;
     if not found then
       delete from search_documents where question_id = qid;
     else
       ${vocabulary}
     end if;
   end $$`;
}

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // Building a GIN index over a million documents sorts its entries in this much memory at most (default 64 MB).
  await sql.raw(`set local maintenance_work_mem = '512MB'`).execute(db);
  await sql.raw(SLICES_FUNCTION).execute(db);
  await sql
    .raw('create index search_documents_sliced_idx on search_documents using gin ((document || search_id_slices(question_id)))')
    .execute(db);
  await sql.raw('drop index if exists search_documents_document_idx').execute(db);
  await sql.raw('create table search_vocabulary (lexeme text primary key)').execute(db);
  // The lexemes starting with a word being typed (`like 'stud%'`), whatever the database's collation.
  await sql.raw('create index search_vocabulary_prefix_idx on search_vocabulary (lexeme text_pattern_ops)').execute(db);
  await sql
    .raw('insert into search_vocabulary (lexeme) select distinct unnest(tsvector_to_array(free_text)) from search_documents')
    .execute(db);
  await sql.raw(refreshFunction(true)).execute(db);
  await sql.raw('analyze search_documents').execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql.raw(refreshFunction(false)).execute(db);
  await sql.raw('drop table if exists search_vocabulary').execute(db);
  await sql.raw('create index if not exists search_documents_document_idx on search_documents using gin (document)').execute(db);
  await sql.raw('drop index if exists search_documents_sliced_idx').execute(db);
  await sql.raw('drop function if exists search_id_slices(integer)').execute(db);
}

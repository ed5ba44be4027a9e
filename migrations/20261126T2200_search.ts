import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Full-text search over published questions: the title, the details, the quick answer and the expert answer.
//
// The index is kept in step by triggers, so every write that touches a question or its answer (import, generate,
// the demo seed, the asking workflow, a moderator hiding a question, a hand-made UPDATE) changes the index in the
// same transaction, whichever code made it. The index holds the published questions (with their expert answer).
//
// The free text (title, details, quick answer) is kept apart from the expert answer, which non-members may only
// partly read: "did you mean" suggestions come from the free text only, so a suggestion can never spell out a
// word of a gated answer.
//
// SQLite: FTS5 tables without a copy of the text (contentless; the text stays in questions and answers), whose
// rowid is the question id; contentless_delete lets a trigger remove a row by its id alone. Porter stemming over
// unicode61 with diacritics folded.
// PostgreSQL: a tsvector per question (title weight A, the rest B) in a table of its own with a GIN index, and
// beside it a tsvector of the free text alone, filled by PL/pgSQL triggers.

// The question's rows in the two FTS5 tables: search_fts (everything, for matching and ranking) and search_titles
// (titles alone: a small index that ranks title matches cheaply when every word of a query is common).
const SQLITE_ROW = (id: string) => `
  insert into search_fts (rowid, title, body, answer)
  select q.id, q.title, q.details || char(10) || a.quick_answer, a.body
  from questions q join answers a on a.question_id = q.id
  where q.id = ${id} and q.status = 'published';
  insert into search_titles (rowid, title)
  select q.id, q.title
  from questions q join answers a on a.question_id = q.id
  where q.id = ${id} and q.status = 'published';`;

const SQLITE_UNROW = (id: string) => `
  delete from search_fts where rowid = ${id};
  delete from search_titles where rowid = ${id};`;

// What is indexed: every published question that has its expert answer (publishing requires one; imports and
// generate insert the question, then the answer, which is when the row goes in: indexing the question alone first
// would index its title and details twice). Deleting a rowid the index does not hold is harmless, while inserting
// one it holds would index the question twice, so the update triggers delete before they insert.
const SQLITE_TRIGGERS = [
  `create trigger search_questions_au after update of title, details, status on questions begin
     ${SQLITE_UNROW('old.id')}
     ${SQLITE_UNROW('new.id')}
     ${SQLITE_ROW('new.id')}
   end`,
  `create trigger search_questions_ad after delete on questions begin
     ${SQLITE_UNROW('old.id')}
   end`,
  // One answer per question (a unique key), so a question gaining its answer is not in the index yet.
  `create trigger search_answers_ai after insert on answers begin
     ${SQLITE_ROW('new.question_id')}
   end`,
  `create trigger search_answers_au after update of body, quick_answer, question_id on answers begin
     ${SQLITE_UNROW('old.question_id')}
     ${SQLITE_UNROW('new.question_id')}
     ${SQLITE_ROW('new.question_id')}
   end`,
  `create trigger search_answers_ad after delete on answers begin
     ${SQLITE_UNROW('old.question_id')}
   end`,
];

// A question's row in search_documents. `document` (title weight A, details, quick answer and expert answer B) is
// what queries match and rank; `free_text` (title, details, quick answer) only answers "is this word in text anyone
// may read", for "did you mean", exactly and from its own GIN index.
const PG_ROW = `
  select q.id, q.subject_id,
         setweight(to_tsvector('english', q.title), 'A')
      || setweight(to_tsvector('english', q.details || ' ' || a.quick_answer || ' ' || a.body), 'B'),
         to_tsvector('english', q.title || ' ' || q.details || ' ' || a.quick_answer)
  from questions q join answers a on a.question_id = q.id`;

const PG_STATEMENTS = [
  `create table search_documents (
     question_id integer primary key references questions (id) on delete cascade,
     subject_id integer not null,
     document tsvector not null,
     free_text tsvector not null
   )`,
  'create index search_documents_document_idx on search_documents using gin (document)',
  // fastupdate off: with it on, writes collect in a pending list (up to 4 MB) that every lookup reads through until
  // a vacuum merges it. A search pays that once a word; "did you mean" looks up hundreds of spellings, and took
  // 0.4 ms each instead of 0.01 ms after a bulk load. The free text is small, so writing it straight is cheap.
  'create index search_documents_free_text_idx on search_documents using gin (free_text) with (fastupdate = off)',
  // Suggestions while typing (src/modules/search/typeahead.repository.ts): the words of published titles, unstemmed
  // and with stop words ('simple'), so a half-typed word is a plain prefix of what is stored, and beside each word
  // its first 2, 3 and 4 letters marked with a tilde ('wh~'). GIN answers a prefix query ('wh':*) by first
  // gathering every title of every word with that prefix, most titles for "wh" or "of", even when another word of
  // the query is rare; a marked prefix is one entry, which GIN skips through like a word (60 ms to 4 ms at a million
  // questions). SQLite's search_titles does the same with prefix = '2 3 4'.
  // Not `document` above: it is stemmed English without stop words ("wh" finds nothing), and checking a row
  // against it detoasts a document holding the whole expert answer. An index on questions is kept current by
  // PostgreSQL with no trigger (`scholia reindex` need not know it). fastupdate off as above: every keystroke looks up.
  `create function search_title_words(title text) returns tsvector language sql immutable parallel safe as $$
     select to_tsvector('simple'::regconfig, title) || coalesce(
       (select array_to_tsvector(array_agg(distinct left(w, n) || '~'))
          from unnest(tsvector_to_array(to_tsvector('simple'::regconfig, title))) as w, generate_series(2, 4) as n
         where length(w) > n),
       ''::tsvector)
   $$`,
  `create index questions_title_words_idx on questions using gin (search_title_words(title))
     with (fastupdate = off) where status = 'published'`,
  // The one place that says what a question's row is: the triggers and `scholia reindex` call it.
  `create function search_refresh(qid integer) returns void language plpgsql as $$
   begin
     insert into search_documents (question_id, subject_id, document, free_text)
     ${PG_ROW}
     where q.id = qid and q.status = 'published'
     on conflict (question_id) do update
       set subject_id = excluded.subject_id, document = excluded.document, free_text = excluded.free_text;
     if not found then
       delete from search_documents where question_id = qid;
     end if;
   end $$`,
  `create function search_questions_changed() returns trigger language plpgsql as $$
   begin
     perform search_refresh(new.id);
     return null;
   end $$`,
  `create trigger search_questions_au after update of title, details, status, subject_id on questions
     for each row execute function search_questions_changed()`,
  `create function search_answers_changed() returns trigger language plpgsql as $$
   begin
     if tg_op <> 'INSERT' then
       perform search_refresh(old.question_id);
     end if;
     if tg_op = 'INSERT' or (tg_op = 'UPDATE' and new.question_id <> old.question_id) then
       perform search_refresh(new.question_id);
     end if;
     return null;
   end $$`,
  `create trigger search_answers_changed after insert or update of body, quick_answer, question_id or delete on answers
     for each row execute function search_answers_changed()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  if (pg) {
    for (const statement of PG_STATEMENTS) await sql.raw(statement).execute(db);
    // Questions that already exist: one pass over them.
    await sql
      .raw(`insert into search_documents (question_id, subject_id, document, free_text) ${PG_ROW} where q.status = 'published'`)
      .execute(db);
    await sql.raw('analyze search_documents').execute(db);
    return;
  }
  const tokenize = `tokenize = 'porter unicode61 remove_diacritics 2'`;
  await sql
    .raw(`create virtual table search_fts using fts5(title, body, answer, content = '', contentless_delete = 1, ${tokenize})`)
    .execute(db);
  // prefix = '2 3 4': suggestions while typing (src/modules/search/typeahead.repository.ts) match the last word as a
  // prefix. Without these indexes FTS5 merges the posting lists of every word that starts with the prefix on each
  // keystroke ("wh", "th", "what" reach most titles); with them such a prefix reads one list, newest first, and
  // stops at the few it needs. The titles index grows 2.5 times (46 to 116 MB at a million questions, beside
  // 1.7 GB for search_fts; docs/benchmarks.md).
  await sql
    .raw(`create virtual table search_titles using fts5(title, content = '', contentless_delete = 1, prefix = '2 3 4', ${tokenize})`)
    .execute(db);
  for (const trigger of SQLITE_TRIGGERS) await sql.raw(trigger).execute(db);
  // Questions that already exist: one pass over them (a few minutes for a million).
  const inserted = await sql
    .raw(`insert into search_fts (rowid, title, body, answer)
          select q.id, q.title, q.details || char(10) || a.quick_answer, a.body
          from questions q join answers a on a.question_id = q.id
          where q.status = 'published'`)
    .execute(db);
  await sql
    .raw(`insert into search_titles (rowid, title)
          select q.id, q.title from questions q join answers a on a.question_id = q.id where q.status = 'published'`)
    .execute(db);
  // A bulk load leaves many segments; merging them into one makes every later query read one b-tree a word.
  if (Number(inserted.numAffectedRows ?? 0) > 0) {
    await sql.raw(`insert into search_fts (search_fts) values ('optimize')`).execute(db);
    await sql.raw(`insert into search_titles (search_titles) values ('optimize')`).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  if (pg) {
    await sql.raw('drop trigger if exists search_answers_changed on answers').execute(db);
    await sql.raw('drop trigger if exists search_questions_au on questions').execute(db);
    await sql.raw('drop function if exists search_answers_changed()').execute(db);
    await sql.raw('drop function if exists search_questions_changed()').execute(db);
    await sql.raw('drop function if exists search_refresh(integer)').execute(db);
    await sql.raw('drop table if exists search_documents').execute(db);
    await sql.raw('drop index if exists questions_title_words_idx').execute(db);
    await sql.raw('drop function if exists search_title_words(text)').execute(db);
    return;
  }
  for (const name of ['search_answers_ad', 'search_answers_au', 'search_answers_ai', 'search_questions_ad', 'search_questions_au'])
    await sql.raw(`drop trigger if exists ${name}`).execute(db);
  await sql.raw('drop table if exists search_titles').execute(db);
  await sql.raw('drop table if exists search_fts').execute(db);
}

import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Full-text search over published study guides, beside the questions' index (20261126T2200_search): the title,
// the free text (overview, every section's title, free sections' bodies) and the members-only sections' bodies.
// As with expert answers, everything is matched for everyone (a guide about the word is worth finding), while
// snippets are cut, in TypeScript, from what the viewer may read only; the columns are apart to weigh them.
//
// Triggers keep it in step as for questions: a guide's row is rebuilt whenever the guide or one of its sections
// changes, in the same transaction as the change. Guides are few (a site has hundreds, not millions), so
// rebuilding a whole guide's row on every section save costs nothing worth saving.
//
// SQLite: a contentless FTS5 table whose rowid is the guide id. PostgreSQL: a row per published guide in
// guide_search with a tsvector (title weight A, the rest B) under a GIN index.

// The rows of the published guides that `where` selects (over guides g).
const SQLITE_GUIDE_ROWS = (where: string) => `
  insert into guide_fts (rowid, title, free, members)
  select g.id, g.title,
    g.overview || char(10) || coalesce((select group_concat(s.title || char(10) || case when s.members_only = 0 then s.body else '' end, char(10))
                                         from guide_sections s where s.guide_id = g.id), ''),
    coalesce((select group_concat(s.body, char(10)) from guide_sections s where s.guide_id = g.id and s.members_only = 1), '')
  from guides g
  where ${where} and g.status = 'published';`;

const SQLITE_GUIDE_ROW = (id: string) => `
  delete from guide_fts where rowid = ${id};
  ${SQLITE_GUIDE_ROWS(`g.id = ${id}`)}`;

const SQLITE_TRIGGERS = [
  `create trigger guide_search_guides_ai after insert on guides begin
     ${SQLITE_GUIDE_ROW('new.id')}
   end`,
  `create trigger guide_search_guides_au after update of title, overview, status on guides begin
     ${SQLITE_GUIDE_ROW('new.id')}
   end`,
  `create trigger guide_search_guides_ad after delete on guides begin
     delete from guide_fts where rowid = old.id;
   end`,
  `create trigger guide_search_sections_ai after insert on guide_sections begin
     ${SQLITE_GUIDE_ROW('new.guide_id')}
   end`,
  `create trigger guide_search_sections_au after update of title, body, members_only, guide_id on guide_sections begin
     ${SQLITE_GUIDE_ROW('old.guide_id')}
     ${SQLITE_GUIDE_ROW('new.guide_id')}
   end`,
  `create trigger guide_search_sections_ad after delete on guide_sections begin
     ${SQLITE_GUIDE_ROW('old.guide_id')}
   end`,
];

const PG_STATEMENTS = [
  `create table guide_search (
     guide_id integer primary key references guides (id) on delete cascade,
     subject_id integer not null,
     document tsvector not null
   )`,
  'create index guide_search_document_idx on guide_search using gin (document)',
  // The one definition of a guide's row: the triggers and `scholia reindex` call it.
  `create function guide_search_refresh(gid integer) returns void language plpgsql as $$
   declare
     free text;
     members text;
   begin
     select coalesce(string_agg(s.title || ' ' || case when s.members_only = 0 then s.body else '' end, ' '), ''),
            coalesce(string_agg(case when s.members_only = 1 then s.body else '' end, ' '), '')
       into free, members
       from guide_sections s where s.guide_id = gid;
     insert into guide_search (guide_id, subject_id, document)
     select g.id, g.subject_id,
            setweight(to_tsvector('english', g.title), 'A')
         || setweight(to_tsvector('english', g.overview || ' ' || free || ' ' || members), 'B')
     from guides g where g.id = gid and g.status = 'published'
     on conflict (guide_id) do update set subject_id = excluded.subject_id, document = excluded.document;
     if not found then
       delete from guide_search where guide_id = gid;
     end if;
   end $$`,
  `create function guide_search_guides_changed() returns trigger language plpgsql as $$
   begin
     if tg_op = 'DELETE' then
       delete from guide_search where guide_id = old.id;
     else
       perform guide_search_refresh(new.id);
     end if;
     return null;
   end $$`,
  `create trigger guide_search_guides_changed after insert or update of title, overview, status, subject_id or delete on guides
     for each row execute function guide_search_guides_changed()`,
  `create function guide_search_sections_changed() returns trigger language plpgsql as $$
   begin
     if tg_op <> 'INSERT' then
       perform guide_search_refresh(old.guide_id);
     end if;
     if tg_op = 'INSERT' or (tg_op = 'UPDATE' and new.guide_id <> old.guide_id) then
       perform guide_search_refresh(new.guide_id);
     end if;
     return null;
   end $$`,
  `create trigger guide_search_sections_changed after insert or update of title, body, members_only, guide_id or delete on guide_sections
     for each row execute function guide_search_sections_changed()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  if (pg) {
    for (const statement of PG_STATEMENTS) await sql.raw(statement).execute(db);
    await sql.raw('select guide_search_refresh(id) from guides').execute(db);
    return;
  }
  await sql
    .raw(
      `create virtual table guide_fts using fts5(title, free, members, content = '', contentless_delete = 1,
         tokenize = 'porter unicode61 remove_diacritics 2')`,
    )
    .execute(db);
  for (const trigger of SQLITE_TRIGGERS) await sql.raw(trigger).execute(db);
  await sql.raw(SQLITE_GUIDE_ROWS('1 = 1')).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  if (pg) {
    await sql.raw('drop table if exists guide_search').execute(db);
    for (const f of ['guide_search_sections_changed()', 'guide_search_guides_changed()', 'guide_search_refresh(integer)']) {
      await sql.raw(`drop function if exists ${f} cascade`).execute(db);
    }
    return;
  }
  for (const t of ['guides_ai', 'guides_au', 'guides_ad', 'sections_ai', 'sections_au', 'sections_ad']) {
    await sql.raw(`drop trigger if exists guide_search_${t}`).execute(db);
  }
  await sql.raw('drop table if exists guide_fts').execute(db);
}

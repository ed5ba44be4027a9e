import type { Kysely } from 'kysely';

// Words and phrases a search treats as one: school shorthand ("ww1"), numerals and ordinals ("1st", "first"),
// abbreviations. One row a group, its phrases comma-separated, as admins edit them at /admin/search. A query
// naming any phrase of a group matches a question holding any of them; nothing is reindexed.

const DEFAULTS = [
  'ww1, wwi, world war 1, world war i, world war one, first world war, great war',
  'ww2, wwii, world war 2, world war ii, world war two, second world war',
  'usa, united states, america',
  'uk, united kingdom, britain, great britain',
  'ussr, soviet union',
  'un, united nations',
  'eu, european union',
  'mlk, martin luther king',
  'jfk, john f kennedy',
  'fdr, franklin roosevelt',
  'dna, deoxyribonucleic acid',
  'std dev, standard deviation',
  'pythagoras, pythagorean, a2 b2 c2',
  'math, maths, mathematics',
  'bio, biology',
  'chem, chemistry',
  'econ, economics',
  'gov, govt, government',
  'lit, literature',
  '1st, first',
  '2nd, second',
  '3rd, third',
  '4th, fourth',
  '5th, fifth',
  '6th, sixth',
  '7th, seventh',
  '8th, eighth',
  '9th, ninth',
  '10th, tenth',
  '18th, eighteenth',
  '19th, nineteenth',
  '20th, twentieth',
  '21st, twenty first',
  '2, two',
  '3, three',
  '4, four',
  '5, five',
  '6, six',
  '7, seven',
  '8, eight',
  '9, nine',
  '10, ten',
  '12, twelve',
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('search_synonyms')
    .addColumn('position', 'integer', (c) => c.primaryKey())
    .addColumn('phrases', 'text', (c) => c.notNull())
    .execute();
  await db
    .insertInto('search_synonyms')
    .values(DEFAULTS.map((phrases, i) => ({ position: i + 1, phrases })))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('search_synonyms').ifExists().execute();
}

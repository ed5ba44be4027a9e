import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import sharp from 'sharp';
import type { Database, Role } from '../db/database.ts';
import { InputError } from '../lib/errors.ts';
import { type Clock, systemClock } from '../lib/time.ts';
import { createUser, findUserByEmail } from '../modules/accounts/index.ts';
import { addHouseAd } from '../modules/ads/index.ts';
import { askQuestion, checkAsk } from '../modules/asking/index.ts';
import { importKey, validateImportRecord } from '../modules/content/import-record.ts';
import { type ImageDeps, storeImage } from '../modules/images/index.ts';
import { outboxMailer } from '../modules/mail/index.ts';
import { getMembership, grantComplimentary } from '../modules/membership/index.ts';
import { createPublishedQuestion, findExistingImportKeys } from '../modules/questions/index.ts';
import { ensureStandardSubjects, ensureSubject, ensureTopic } from '../modules/subjects/index.ts';
import { seedDemoGuides } from './guides.ts';

type Db = Kysely<Database>;

/** Every demo account signs in with this password (see README). */
export const DEMO_PASSWORD = 'scholia-demo-2026';

export const DEMO_USERS: ReadonlyArray<{ email: string; name: string; role: Role; subjects?: string[]; bio?: string }> = [
  { email: 'admin@demo.scholia.test', name: 'Alex Morgan', role: 'admin', bio: 'Runs the Scholia demo site.' },
  {
    email: 'editor@demo.scholia.test',
    name: 'Margaret Ellis',
    role: 'editor',
    bio: 'Scholia Editorial: checks every expert answer before it is marked approved.',
  },
  {
    email: 'amara.okafor@demo.scholia.test',
    name: 'Dr. Amara Okafor',
    role: 'educator',
    subjects: ['history', 'social-studies', 'arts'],
    bio: 'PhD in modern history; twelve years teaching AP World History.',
  },
  {
    email: 'samuel.whitcombe@demo.scholia.test',
    name: 'Samuel Whitcombe',
    role: 'educator',
    subjects: ['social-studies', 'history'],
    bio: 'High-school civics and economics teacher.',
  },
  {
    email: 'thomas.reyes@demo.scholia.test',
    name: 'Thomas Reyes',
    role: 'educator',
    subjects: ['literature', 'arts'],
    bio: 'MA in English literature; teaches drama and poetry.',
  },
  {
    email: 'lena.hoffmann@demo.scholia.test',
    name: 'Dr. Lena Hoffmann',
    role: 'educator',
    subjects: ['science'],
    bio: 'Biochemist turned science teacher.',
  },
  {
    email: 'priya.natarajan@demo.scholia.test',
    name: 'Priya Natarajan',
    role: 'educator',
    subjects: ['math', 'science', 'computer-science'],
    bio: 'Math department head; loves a good proof and a clean loop.',
  },
  { email: 'jordan.lee@demo.scholia.test', name: 'Jordan Lee', role: 'student' },
  { email: 'maya.chen@demo.scholia.test', name: 'Maya Chen', role: 'student' },
];

const contentDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'content');

const subjectNames: Record<string, string> = {
  history: 'History',
  literature: 'Literature',
  science: 'Science',
  math: 'Math',
  'social-studies': 'Social Studies',
  arts: 'Arts',
  'computer-science': 'Computer Science',
};

export interface SeedReport {
  usersAdded: number;
  questionsAdded: number;
}

/** Loads the demo accounts and the demo questions; running it again adds nothing. */
/**
 * The demo's diagrams (original SVG beside the content) stored as images of the educator who placed them, and the
 * answer's `image:diagram-N` placeholders pointed at them. Without an image store (a caller that has none), the
 * diagrams are left out of the answer.
 */
async function placeDiagrams(
  item: { answer?: unknown; diagrams?: unknown },
  images: ImageDeps | undefined,
  ownerId: number | null,
): Promise<string | undefined> {
  if (typeof item.answer !== 'string') return undefined;
  const diagrams = Array.isArray(item.diagrams) ? (item.diagrams as Array<{ file: string }>) : [];
  let answer = item.answer;
  for (const [i, d] of diagrams.entries()) {
    const placeholder = `(image:diagram-${i + 1})`;
    if (!images) {
      answer = answer.replace(new RegExp(`\\n*!\\[[^\\]]*\\]\\(image:diagram-${i + 1}\\)\\n*`), '\n\n');
      continue;
    }
    const png = await sharp(readFileSync(path.join(contentDir, 'images', d.file)))
      .png()
      .toBuffer();
    const stored = await storeImage(images, { bytes: png, ownerId });
    answer = answer.split(placeholder).join(`(image:${stored.id})`);
  }
  return answer;
}

export async function seedDemo(db: Db, clock: Clock = systemClock, images?: ImageDeps): Promise<SeedReport> {
  await ensureStandardSubjects(db);
  let usersAdded = 0;
  for (const u of DEMO_USERS) {
    if (await findUserByEmail(db, u.email)) continue;
    try {
      await createUser(db, { ...u, password: DEMO_PASSWORD }, clock);
      usersAdded++;
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      throw new Error(`demo user ${u.email}: ${err.message}`);
    }
  }
  const editor = await findUserByEmail(db, 'editor@demo.scholia.test');
  const educators = new Map<string, number>();
  for (const u of DEMO_USERS) {
    const found = await findUserByEmail(db, u.email);
    if (found) educators.set(u.name, found.id);
  }

  // Interleave subjects so the home page's "recently answered" shows a mix.
  const files = readdirSync(contentDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const perSubject = files.map((f) => ({
    subject: subjectNames[f.replace(/\.json$/, '')] ?? f,
    items: JSON.parse(readFileSync(path.join(contentDir, f), 'utf8')) as unknown[],
  }));
  const ordered: Array<{ subject: string; item: unknown }> = [];
  for (let i = 0; perSubject.some((s) => i < s.items.length); i++) {
    for (const s of perSubject) if (i < s.items.length) ordered.push({ subject: s.subject, item: s.items[i] });
  }

  const now = clock.now().getTime();
  const withDiagrams: unknown[] = [];
  for (const { item } of ordered) {
    const educatorName = (item as { educator?: unknown }).educator;
    const ownerId = typeof educatorName === 'string' ? (educators.get(educatorName) ?? null) : null;
    const { diagrams: _diagrams, ...rest } = item as { diagrams?: unknown };
    const answer = await placeDiagrams(item as { answer?: unknown; diagrams?: unknown }, images, ownerId);
    withDiagrams.push(answer === undefined ? rest : { ...rest, answer });
  }
  const records = ordered.map(({ subject }, i) => {
    const { record, issues } = validateImportRecord({ ...(withDiagrams[i] as object), subject });
    if (!record) throw new Error(`demo content for ${subject}, item ${i + 1}: ${issues.map((x) => `${x.field} ${x.message}`).join('; ')}`);
    return record;
  });
  const existing = await findExistingImportKeys(db, records.map(importKey));
  let questionsAdded = 0;
  await db.transaction().execute(async (trx) => {
    for (const [i, record] of records.entries()) {
      const key = importKey(record);
      if (existing.has(key)) continue;
      const subject = await ensureSubject(trx, record.subject);
      const topicIds: number[] = [];
      for (const t of record.topics) topicIds.push((await ensureTopic(trx, subject.id, t)).id);
      const educatorId = educators.get(record.educator);
      if (educatorId === undefined) throw new Error(`demo content names an unknown educator: ${record.educator}`);
      // Spread publication over the past weeks, oldest first, so lists have a stable order.
      const publishedAt = new Date(now - (records.length - i) * 31 * 3600_000).toISOString();
      await createPublishedQuestion(
        trx,
        {
          subjectId: subject.id,
          topicIds,
          title: record.title,
          details: record.details,
          educatorId,
          answer: record.answer,
          quickAnswer: record.quickAnswer,
          sources: record.sources,
          approvedBy: editor?.id ?? null,
          importKey: key,
          publishedAt,
        },
        clock,
      );
      questionsAdded++;
    }
  });
  if (questionsAdded > 0) {
    await addHouseAd(
      db,
      {
        placement: 'question-sidebar',
        headline: 'Read every expert answer, ad-free',
        body: 'Start your free trial: full answers and study guides, no ads.',
        linkUrl: '/membership',
      },
      clock,
    );
  }
  await seedAsking(db, clock);
  // Study guides are keyed like imported ones, so a second run adds none (and a site seeded before guides existed gets them).
  await seedDemoGuides(db, editor?.id ?? null, clock);
  return { usersAdded, questionsAdded };
}

/**
 * So the ask-and-answer flow can be tried at once: Jordan Lee is a member (complimentary for a year) with two
 * questions waiting in the queue for the history and science educators. Added once.
 */
async function seedAsking(db: Db, clock: Clock): Promise<void> {
  const jordan = await findUserByEmail(db, 'jordan.lee@demo.scholia.test');
  if (!jordan || (await getMembership(db, jordan.id))) return;
  const inAYear = new Date(clock.now().getTime() + 365 * 86_400_000).toISOString().slice(0, 10);
  await grantComplimentary(db, jordan.id, inAYear, clock);
  const deps = {
    db,
    clock,
    mailer: outboxMailer(db, clock),
    site: { name: 'Scholia', url: '' },
    questionsPerMonth: 20,
    answerTargetHours: 24,
  };
  for (const q of [
    {
      title: 'Why did the Berlin Wall fall so suddenly in November 1989?',
      details: 'My textbook says protests grew for months, but the wall opened in a single night. What tipped it over?',
      subject: 'history',
      topics: 'Cold War, Germany',
    },
    {
      title: 'Why does ice float on water when most solids sink in their liquids?',
      details: 'We saw it in the lab. I think it has to do with hydrogen bonds but I cannot explain why.',
      subject: 'science',
      topics: 'water, density',
    },
  ]) {
    const checked = await checkAsk(db, q);
    if ('ask' in checked) await askQuestion(deps, jordan.id, checked.ask);
  }
}

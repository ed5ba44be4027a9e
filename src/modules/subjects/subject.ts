/** Slugs of subjects and topics are cut to this length when they are made. */
export const SLUG_MAX = 60;
/** A subject's slug as ensureSubject writes it: anything else in a /subjects/:slug address names no subject. */
export const SUBJECT_SLUG_PATTERN = `^[a-z0-9-]{1,${SLUG_MAX}}$`;

export interface Subject {
  id: number;
  slug: string;
  name: string;
  description: string;
  position: number;
}

export interface SubjectWithCount extends Subject {
  questionCount: number;
}

export interface Topic {
  id: number;
  subjectId: number;
  slug: string;
  name: string;
}

/** The subjects every new site starts with (demo and synthetic data use them too). */
/** A topic's page: its questions and study guides, under its subject's address. */
export function topicPath(subjectSlug: string, topicSlug: string): string {
  return `/subjects/${subjectSlug}/${topicSlug}`;
}

export const STANDARD_SUBJECTS: ReadonlyArray<{ slug: string; name: string; description: string; topics: string[] }> = [
  {
    slug: 'history',
    name: 'History',
    description: 'Empires, revolutions, wars and the people who shaped them, from the ancient world to the Cold War.',
    topics: ['Ancient World', 'Medieval Europe', 'Revolutions', 'World Wars', 'Cold War', 'United States'],
  },
  {
    slug: 'literature',
    name: 'Literature',
    description: 'Novels, poems and plays: themes, characters, devices and what the words are doing.',
    topics: ['Novels', 'Poetry', 'Drama', 'Shakespeare', 'Literary Devices'],
  },
  {
    slug: 'science',
    name: 'Science',
    description: 'Biology, chemistry, physics and earth science, explained from first principles.',
    topics: ['Biology', 'Chemistry', 'Physics', 'Earth Science'],
  },
  {
    slug: 'math',
    name: 'Math',
    description: 'Algebra, geometry, calculus and statistics, with worked steps and the reasons behind them.',
    topics: ['Algebra', 'Geometry', 'Calculus', 'Statistics'],
  },
  {
    slug: 'social-studies',
    name: 'Social Studies',
    description: 'Government, economics, geography and civics: how societies organise themselves.',
    topics: ['Government', 'Economics', 'Geography', 'Civics'],
  },
  {
    slug: 'arts',
    name: 'Arts',
    description: 'Painting, music, architecture and film: movements, works and how to read them.',
    topics: ['Art History', 'Music', 'Architecture', 'Film'],
  },
  {
    slug: 'computer-science',
    name: 'Computer Science',
    description: 'Programming, algorithms and data structures: why code behaves as it does, with examples to run.',
    topics: ['Python', 'Algorithms', 'Data Structures', 'Recursion'],
  },
];

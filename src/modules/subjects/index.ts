export { findSubjectsBySlugs } from './subject.repository.ts';
export {
  ensureStandardSubjects,
  ensureSubject,
  ensureTopic,
  findSubjectBySlug,
  listSubjects,
  listSubjectsWithCounts,
  listTopics,
} from './subject.service.ts';
export { STANDARD_SUBJECTS, SUBJECT_SLUG_PATTERN, type Subject, type Topic, topicPath } from './subject.ts';
export { SubjectGrid } from './views/subjects-page.tsx';

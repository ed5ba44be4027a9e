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
export { STANDARD_SUBJECTS, type Subject, type Topic } from './subject.ts';
export { SubjectGrid } from './views/subjects-page.tsx';

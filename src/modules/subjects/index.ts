export { listSubjects, listSubjectsWithCounts, findSubjectBySlug, listTopics, ensureSubject, ensureTopic, ensureStandardSubjects } from './subject.service.ts';
export { STANDARD_SUBJECTS, type Subject, type Topic } from './subject.ts';

export {
  getQuestionPage,
  getSubjectPage,
  listRecentlyAnswered,
  searchQuestionTitles,
  createPublishedQuestion,
  findExistingImportKeys,
  countPublished,
  PAGE_SIZE,
} from './question.service.ts';
export { decodeCursor, encodeCursor, parseQuestionId, questionPath, type QuestionSummary, type QuestionPage, type Source } from './question.ts';

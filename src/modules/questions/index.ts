export {
  createPublishedQuestion,
  findExistingImportKeys,
  getQuestionPage,
  getSubjectPage,
  listQuestionsOfTopic,
  listRecentlyAnswered,
  PAGE_SIZE,
  questionsForGuide,
} from './question.service.ts';
export {
  DETAILS_MAX,
  decodeCursor,
  encodeCursor,
  parseQuestionId,
  type QuestionPage,
  type QuestionSummary,
  questionPath,
  type Source,
  TITLE_MAX,
  TITLE_MIN,
} from './question.ts';

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
  ANSWER_LIMITS,
  decodeCursor,
  encodeCursor,
  parseQuestionId,
  QUESTION_LIMITS,
  type QuestionPage,
  type QuestionSummary,
  questionPath,
  type Source,
} from './question.ts';

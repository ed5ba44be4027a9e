export { countQuestionsByStatus } from './metrics.repository.ts';
export { findAnswerMarkdown } from './question.repository.ts';
export {
  createPublishedQuestion,
  findExistingImportKeys,
  getQuestionPage,
  getSubjectPage,
  listQuestionImages,
  listQuestionsOfTopic,
  listRecentlyAnswered,
  PAGE_SIZE,
  questionsForGuide,
} from './question.service.ts';
export {
  ANSWER_LIMITS,
  decodeCursor,
  encodeCursor,
  pageCursor,
  parseQuestionId,
  QUESTION_LIMITS,
  type QuestionImage,
  type QuestionPage,
  type QuestionSummary,
  questionPath,
  type Source,
} from './question.ts';
export { QuestionPhotos } from './views/question-photos.tsx';

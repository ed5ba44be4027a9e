export { type ParsedQuery, parseQuery } from './query.ts';
export {
  MAX_PAGE,
  RESULTS_PER_PAGE,
  rebuildSearchIndex,
  type SearchOutcome,
  type SearchRequest,
  type SearchResult,
  searchQuestions,
} from './search.service.ts';
export { CANDIDATE_LIMIT, RebuildInterrupted } from './search-index.ts';

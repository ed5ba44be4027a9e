export { type ParsedQuery, parseQuery, STOP_WORDS } from './query.ts';
export {
  type GuideResult,
  MAX_PAGE,
  pruneSearchMisses,
  RESULTS_PER_PAGE,
  rebuildSearchIndex,
  SEARCH_TYPES,
  type SearchOutcome,
  type SearchRequest,
  type SearchResult,
  type SearchType,
  search,
} from './search.service.ts';
export { CANDIDATE_LIMIT, RebuildInterrupted } from './search-index.ts';
export { type SimilarMatch, type SimilarRequest, similarByTerms } from './similar.repository.ts';
export { roughStem } from './snippet.ts';

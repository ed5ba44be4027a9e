// What other modules use of the study guides. The routes are not here: app.ts imports guide.routes.tsx itself,
// and the question routes import this file, so exporting the routes would make the two modules import each other.
export { findExistingGuideImportKeys, findGuideBySlug, findGuidesForSearch, isSectionFree } from './guide.repository.ts';
export { type GuideImportResult, importGuides, listGuideLinks, listGuidesForSitemap } from './guide.service.ts';
export {
  distinctTopics,
  GUIDE_TITLE_MAX,
  GUIDE_TITLE_MIN,
  GUIDE_TOPICS_MAX,
  type Guide,
  type GuideImport,
  guidePath,
  OVERVIEW_MAX,
  SECTION_BODY_MAX,
  SECTION_TITLE_MAX,
  SECTIONS_MAX,
  type SectionFields,
  sectionPath,
  textIssue,
  tidyTopic,
  topicNameIssue,
} from './guide.ts';

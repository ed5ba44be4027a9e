import type { Migration } from 'kysely';
import * as initial from './20261126T1200_initial.ts';
import * as sessions from './20261126T1500_sessions.ts';
import * as accountsMail from './20261126T1600_accounts_mail.ts';
import * as accountAdmin from './20261126T1700_account_admin.ts';
import * as membership from './20261126T1800_membership.ts';
import * as ads from './20261126T1900_ads.ts';
import * as billing from './20261126T2000_billing.ts';
import * as adSnippets from './20261126T2100_ad_snippets.ts';
import * as search from './20261126T2200_search.ts';
import * as guides from './20261126T2300_guides.ts';
import * as asking from './20261126T2400_asking.ts';
import * as guideSearch from './20261127T0100_guide_search.ts';
import * as guideTopics from './20261127T0200_guide_topics.ts';
import * as searchSynonyms from './20261204T1200_search_synonyms.ts';
import * as images from './20261204T1600_images.ts';
import * as questionImages from './20261204T1700_question_images.ts';
import * as searchMisses from './20261204T1800_search_misses.ts';
import * as imageUses from './20261204T1900_image_uses.ts';
import * as educatorPhotos from './20261205T1000_educator_photos.ts';
import * as searchIdSlices from './20261205T1100_search_id_slices.ts';
import * as searchNarrowRows from './20261205T1200_search_narrow_rows.ts';
import * as searchFreeTextCount from './20261205T1300_search_free_text_count.ts';
import * as searchWordBlocks from './20261205T1400_search_word_blocks.ts';
import * as searchTriggerPlans from './20261205T1500_search_trigger_plans.ts';

/**
 * Every migration, by name. Kysely runs them in name order and refuses one that sorts before a migration already run,
 * so a new migration's name must sort after every landed one.
 */
export const migrations: Record<string, Migration> = {
  '20261126T1200_initial': initial,
  '20261126T1500_sessions': sessions,
  '20261126T1600_accounts_mail': accountsMail,
  '20261126T1700_account_admin': accountAdmin,
  '20261126T1800_membership': membership,
  '20261126T1900_ads': ads,
  '20261126T2000_billing': billing,
  '20261126T2100_ad_snippets': adSnippets,
  '20261126T2200_search': search,
  '20261126T2300_guides': guides,
  '20261126T2400_asking': asking,
  '20261127T0100_guide_search': guideSearch,
  '20261127T0200_guide_topics': guideTopics,
  '20261204T1200_search_synonyms': searchSynonyms,
  '20261204T1600_images': images,
  '20261204T1700_question_images': questionImages,
  '20261204T1800_search_misses': searchMisses,
  '20261204T1900_image_uses': imageUses,
  '20261205T1000_educator_photos': educatorPhotos,
  '20261205T1100_search_id_slices': searchIdSlices,
  '20261205T1200_search_narrow_rows': searchNarrowRows,
  '20261205T1300_search_free_text_count': searchFreeTextCount,
  '20261205T1400_search_word_blocks': searchWordBlocks,
  '20261205T1500_search_trigger_plans': searchTriggerPlans,
};

// What pages use of the social cards: where a page's card is and what it shows, for its og:image and twitter:image.
// Only the pure card file: the question and guide views import this, and the routes read those modules.
export { guideSocialImage, questionSocialImage, SOCIAL_IMAGE, type SocialImageRef } from './social-card.ts';

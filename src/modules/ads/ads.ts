export interface HouseAd {
  id: number;
  placement: string;
  headline: string;
  body: string;
  linkUrl: string;
}

/** An ad network's snippet, as stored: checked and re-written by snippet.ts. */
export interface AdSnippet {
  id: number;
  placement: string;
  name: string;
  html: string;
  /** The origins it loads from; it shows only while AD_SNIPPET_ORIGINS holds every one of them. */
  origins: string[];
}

/** What fills an ad slot: a house ad or a network snippet. */
export type Ad = ({ kind: 'house' } & HouseAd) | ({ kind: 'snippet' } & AdSnippet);

export const PLACEMENTS = ['question-sidebar'] as const;

/**
 * The one set of limits of the ads forms, read by the service's checks, the fields' maxLength and the route schemas.
 * `snippet` counts the snippet's HTML as pasted.
 */
export const AD_LIMITS = { headline: 80, body: 300, linkUrl: 500, snippetName: 80, snippet: 5000 } as const;

/** Ads are for readers without membership; members never get ad markup at all. */
export function showsAds(viewer: { member: boolean }): boolean {
  return !viewer.member;
}

/** Same-site paths or http(s) URLs only. */
export function isAdLink(url: string): boolean {
  if (/^\/(?![/\\])/.test(url)) return true;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * A snippet shows only while network snippets are on (AD_SNIPPET_ORIGINS set) and every origin it loads from is still
 * allowed: the CSP would block the rest anyway, leaving an empty box where a house ad could be.
 */
export function snippetAllowed(snippet: { origins: readonly string[] }, allowedOrigins: readonly string[]): boolean {
  return allowedOrigins.length > 0 && snippet.origins.every((o) => allowedOrigins.includes(o));
}

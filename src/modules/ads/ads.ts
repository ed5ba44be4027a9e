export interface HouseAd {
  id: number;
  placement: string;
  headline: string;
  body: string;
  linkUrl: string;
}

export const PLACEMENTS = ['question-sidebar'] as const;

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

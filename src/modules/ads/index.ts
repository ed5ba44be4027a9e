export { addAdSnippet, addHouseAd, adFor } from './ads.service.ts';
export { type Ad, type AdSnippet, type HouseAd, showsAds } from './ads.ts';

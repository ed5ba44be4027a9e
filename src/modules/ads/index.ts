export { addHouseAd, adFor } from './ads.service.ts';
export { type HouseAd, showsAds } from './ads.ts';

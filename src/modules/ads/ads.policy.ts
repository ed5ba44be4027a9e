import type { Policy } from '../../platform/guard.tsx';
import { isAdmin } from '../accounts/index.ts';

/** /admin/ads: admins only, checked by the guard before the route reads the form. */
export const managesAds: Policy = { name: 'manage-ads', allows: isAdmin, refusal: 'Only admins manage ads' };

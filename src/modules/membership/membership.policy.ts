import type { Policy } from '../../platform/guard.tsx';
import { isAdmin } from '../accounts/index.ts';

/** Plans and complimentary memberships: admins only, checked by the guard before the route reads the form. */
export const managesMemberships: Policy = {
  name: 'manage-memberships',
  allows: isAdmin,
  refusal: 'Only admins manage plans and memberships',
};

export { type BillingDeps, reconcileAll } from './billing.service.ts';
export { answerPreview, getMembership, grantComplimentary, startLocalTrial } from './membership.service.ts';
export { decideAccess, effectiveStatus, isMember, type MembershipState, trialIdentity } from './membership.ts';
export { stripeBilling } from './stripe-billing.ts';

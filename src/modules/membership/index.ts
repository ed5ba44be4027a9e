export { answerPreview, getMembership, startLocalTrial } from './membership.service.ts';
export { decideAccess, effectiveStatus, isMember, type MembershipState, trialIdentity } from './membership.ts';

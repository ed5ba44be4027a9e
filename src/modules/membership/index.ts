export { type BillingDeps, reconcileAll } from './billing.service.ts';
export { type GatedSource, type GatedText, gateText, gateTextNow, type PreviewLimits, type PreviewMemo } from './gate.ts';
export { getMembership, grantComplimentary, startLocalTrial } from './membership.service.ts';
export {
  type Content,
  decideAccess,
  effectiveStatus,
  isMember,
  type MembershipState,
  previewMarkdown,
  trialIdentity,
} from './membership.ts';
export { countMembershipsByState, countTrials, type MembershipSource } from './metrics.repository.ts';
export { stripeBilling } from './stripe-billing.ts';

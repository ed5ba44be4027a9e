import { describe, expect, it } from 'vitest';
import { decideAccess, effectiveStatus, isMember, type MembershipState, previewMarkdown, trialIdentity } from './membership.ts';

const at = (iso: string) => Date.parse(iso);
const trial = (periodEnd: string, status: MembershipState['status'] = 'trialing'): MembershipState => ({
  status,
  source: 'trial',
  periodEnd,
  cancelAtPeriodEnd: false,
});

describe('membership rules', () => {
  it('gives access until the period end, to the second', () => {
    const m = trial('2026-11-28T12:00:00.000Z');
    expect(isMember(m, at('2026-11-28T11:59:59.000Z'))).toBe(true);
    expect(isMember(m, at('2026-11-28T12:00:00.000Z'))).toBe(false);
    expect(effectiveStatus(m, at('2026-11-28T12:00:00.000Z'))).toBe('expired');
  });

  it.each([
    ['trialing', true],
    ['active', true],
    ['past_due', true],
    ['canceled', true],
    ['expired', false],
  ] as const)('%s within the period: member %s', (status, expected) => {
    expect(isMember(trial('2030-01-01T00:00:00.000Z', status), at('2026-11-26T00:00:00.000Z'))).toBe(expected);
  });

  it('shows the expert answer whole only to members', () => {
    expect(decideAccess(null, { kind: 'expert_answer' })).toEqual({ full: false });
    expect(decideAccess({ member: false }, { kind: 'expert_answer' })).toEqual({ full: false });
    expect(decideAccess({ member: true }, { kind: 'expert_answer' })).toEqual({ full: true });
    expect(decideAccess(null, { kind: 'quick_answer' })).toEqual({ full: true });
  });

  it.each([
    ['Ana.B+school@Gmail.com', 'email:anab@gmail.com'],
    ['anab@googlemail.com', 'email:anab@gmail.com'],
    ['a.n.a.b@gmail.com', 'email:anab@gmail.com'],
    ['ana.b+x@example.org', 'email:ana.b@example.org'],
    ['  ANA@EXAMPLE.ORG ', 'email:ana@example.org'],
  ])('one trial per person: %s is %s', (email, identity) => {
    expect(trialIdentity(email)).toBe(identity);
  });
});

describe('previewMarkdown', () => {
  const answer = [
    'First paragraph has five words.',
    '## A heading',
    'Second paragraph has quite a few more words in it than that.',
    'Third one.',
  ].join('\n\n');

  it('keeps whole blocks that fit and cuts the next at a word', () => {
    const p = previewMarkdown(answer, 10);
    expect(p.cut).toBe(true);
    expect(p.markdown).toBe('First paragraph has five words.\n\n## A heading\n\nSecond paragraph…');
  });

  it('returns the whole text when it is short enough', () => {
    expect(previewMarkdown('Just a few words.', 80)).toEqual({ markdown: 'Just a few words.', cut: false });
  });

  it('never includes words past the limit', () => {
    const long = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
    const p = previewMarkdown(long, 80);
    expect(p.markdown).toContain('w79');
    expect(p.markdown).not.toContain('w80');
  });
});

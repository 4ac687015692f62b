import { DomainErrorCode } from '../errors/domain-error';
import { decideIssueInvitation, decideUseInvitation, foldInvitation, IssueInvitation, UseInvitation } from './invitation';

describe('invitation decider', () => {
  const hash = 'a'.repeat(64);
  const issued = IssueInvitation.create({ invitationId: 'INV1', userId: 'u1', secretHash: hash, expiresAt: '2026-01-02T00:00:00.000Z' });
  const use = (over: Partial<{ userId: string; secretHash: string }> = {}) => UseInvitation.create({ invitationId: 'INV1', userId: 'u1', secretHash: hash, source: 'sdk:c1', ...over });
  const now = new Date('2026-01-01T00:00:00.000Z');
  const state = foldInvitation(decideIssueInvitation(foldInvitation([]), issued));

  it('is used once, by its user, with its secret, before it expires', () => {
    const [used] = decideUseInvitation(state, use(), { now });
    expect(used).toMatchObject({ type: 'InvitationUsed', data: { invitationId: 'INV1', userId: 'u1', source: 'sdk:c1' } });
    const after = foldInvitation([used], state);
    expect(() => decideUseInvitation(after, use(), { now })).toThrow(expect.objectContaining({ code: DomainErrorCode.CodeAlreadyUsed }));
  });

  it('reads the same for another user, a wrong secret, an expired or an unknown invitation', () => {
    for (const [s, cmd, at] of [
      [state, use({ userId: 'u2' }), now], [state, use({ secretHash: 'b'.repeat(64) }), now],
      [state, use(), new Date('2026-01-02T00:00:00.000Z')], [foldInvitation([]), use(), now],
    ] as const) {
      expect(() => decideUseInvitation(s, cmd, { now: at })).toThrow(expect.objectContaining({ code: DomainErrorCode.ValidationFailed, message: 'The invitation code is not valid or has expired.' }));
    }
  });

  it('is issued once per id', () => {
    expect(() => decideIssueInvitation(state, issued)).toThrow(expect.objectContaining({ code: DomainErrorCode.AlreadyExists }));
  });
});

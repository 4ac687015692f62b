import { DomainErrorCode } from '../errors/domain-error';
import { foldUser } from '../users/user.state';
import {
  activeBypass, decideGrantBypass, decideRecordBypassUsed, decideRecordUnenrolledPass, decideRevokeBypass, GrantBypass, hasSecondFactor, RecordBypassUsed,
  RecordUnenrolledPass, RevokeBypass,
} from './bypass';

// A v1 record (contact in clear): the fold must read the log of an earlier release.
const created = { type: 'UserCreated', schemaVersion: 1, payload: { userId: 'u1', username: 'alice', displayName: 'Alice', email: null, phones: [], preferredMethod: 'totp', language: 'en' } };
const t0 = new Date('2026-03-01T10:00:00Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);

describe('one-time bypass', () => {
  it('lets the user in until it lapses, and records who granted it and why', () => {
    const user = foldUser([created]);
    const granted = decideGrantBypass(user, GrantBypass.create({ userId: 'u1', seconds: 900, reason: 'phone lost' }), { now: t0, grantedBy: 'admin:ops' });
    expect(granted[0]).toMatchObject({ type: 'UserBypassGranted', data: { reason: 'phone lost', grantedBy: 'admin:ops', until: '2026-03-01T10:15:00.000Z', once: false } });
    const state = foldUser(granted, user);
    expect(activeBypass(state, later(899))?.reason).toBe('phone lost');
    expect(activeBypass(state, later(900))).toBeNull();
  });

  it('--once: the first use ends it, and a second use of it is refused', () => {
    const user = foldUser([created]);
    const state = foldUser(decideGrantBypass(user, GrantBypass.create({ userId: 'u1', bypassId: 'b1', seconds: 900, reason: 'travel', once: true }), { now: t0, grantedBy: 'admin' }), user);
    const used = decideRecordBypassUsed(state, RecordBypassUsed.create({ userId: 'u1', bypassId: 'b1', source: 'radius:vpn' }), { now: later(10) });
    expect(used.map((e) => e.type)).toEqual(['UserBypassUsed', 'AuthenticationSucceeded']);
    const after = foldUser(used, state);
    expect(activeBypass(after, later(11))).toBeNull();
    expect(() => decideRecordBypassUsed(after, RecordBypassUsed.create({ userId: 'u1', bypassId: 'b1', source: 'radius:vpn' }), { now: later(12) }))
      .toThrow(expect.objectContaining({ code: DomainErrorCode.BypassNotActive }));
  });

  it('refuses a use of a bypass the user does not hold, and refuses durations out of range', () => {
    const user = foldUser([created]);
    expect(() => decideRecordBypassUsed(user, RecordBypassUsed.create({ userId: 'u1', bypassId: 'nope', source: 's' }), { now: t0 }))
      .toThrow(expect.objectContaining({ code: DomainErrorCode.BypassNotActive }));
    expect(() => GrantBypass.create({ userId: 'u1', seconds: 1, reason: 'x' })).toThrow(expect.objectContaining({ field: 'seconds' }));
    expect(() => GrantBypass.create({ userId: 'u1', seconds: 60 })).toThrow(expect.objectContaining({ field: 'reason' }));
  });

  it('a revoked bypass lets nobody in any more, a use of it is refused, and it names the administrator', () => {
    const user = foldUser([created]);
    const state = foldUser(decideGrantBypass(user, GrantBypass.create({ userId: 'u1', bypassId: 'b1', seconds: 900, reason: 'travel' }), { now: t0, grantedBy: 'admin:ops' }), user);
    const revoked = decideRevokeBypass(state, RevokeBypass.create({ userId: 'u1' }), { now: later(60), revokedBy: 'admin:lead' });
    expect(revoked).toEqual([expect.objectContaining({ type: 'UserBypassRevoked', data: { userId: 'u1', bypassId: 'b1', at: later(60).toISOString(), revokedBy: 'admin:lead' } })]);
    const after = foldUser(revoked, state);
    expect(activeBypass(after, later(61))).toBeNull();
    expect(after.bypass).toMatchObject({ reason: 'travel', revokedBy: 'admin:lead' });
    // A slave that let the user in before the revocation reached it: the master refuses the use.
    expect(() => decideRecordBypassUsed(after, RecordBypassUsed.create({ userId: 'u1', bypassId: 'b1', source: 'radius:vpn' }), { now: later(62) }))
      .toThrow(expect.objectContaining({ code: DomainErrorCode.BypassNotActive }));
    // Nothing left to revoke: a clear refusal, not a second event.
    expect(() => decideRevokeBypass(after, RevokeBypass.create({ userId: 'u1' }), { now: later(63), revokedBy: 'admin:lead' }))
      .toThrow(expect.objectContaining({ code: DomainErrorCode.BypassNotActive }));
    expect(() => decideRevokeBypass(user, RevokeBypass.create({ userId: 'u1' }), { now: t0, revokedBy: 'admin' }))
      .toThrow(expect.objectContaining({ code: DomainErrorCode.BypassNotActive }));
  });

  it('an unenrolled pass is an event of its own plus the success', () => {
    const state = foldUser([created]);
    const events = decideRecordUnenrolledPass(state, RecordUnenrolledPass.create({ userId: 'u1', source: 'radius:vpn' }), { now: t0 });
    expect(events.map((e) => e.type)).toEqual(['UnenrolledSignInAllowed', 'AuthenticationSucceeded']);
    expect(foldUser(events, state)).toMatchObject({ unenrolledSignIns: 1, lastAuthenticatedAt: t0.toISOString() });
  });

  it('knows who has a second factor for their method', () => {
    const state = foldUser([created]);
    expect(hasSecondFactor(state, 'totp')).toBe(false);
    expect(hasSecondFactor({ ...state, tokens: [{} as never] }, 'totp')).toBe(true);
    expect(hasSecondFactor(state, 'sms')).toBe(false);
    expect(hasSecondFactor({ ...state, profile: { ...state.profile!, phones: [{ label: 'mobile', number: '+491511234567' }] } }, 'voice')).toBe(true);
  });
});

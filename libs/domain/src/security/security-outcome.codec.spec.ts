import { SecurityOutcome } from './security-outcome';
import { decodeSecurityOutcome, encodeSecurityOutcome, SECURITY_OUTCOME_VERSION } from './security-outcome.codec';

const defaults = { defaultSource: 'node s1' };
const challenge = { nonce: 'n0nce-0123456789', expiresAt: '2026-03-01T12:05:00.000Z' };

describe('security outcome codec', () => {
  const every: SecurityOutcome[] = [
    { kind: 'failed_attempt', userId: 'u1', reason: 'wrong PIN', source: 'radius:vpn' },
    { kind: 'success', userId: 'u1', source: 'sdk:adfs' },
    { kind: 'code_used', userId: 'u1', tokenId: 't1', counter: 0, source: 'radius:vpn' },
    { kind: 'oath_success', userId: 'u1', tokenId: 't1', counter: 59_000_123, source: 'radius:vpn' },
    { kind: 'oath_success', userId: 'u1', tokenId: 't1', counter: 4, source: 'radius:vpn', challenge },
    { kind: 'challenge_success', userId: 'u1', challenge, source: 'sdk:adfs' },
    { kind: 'fraud', userId: 'u1', reason: 'fraud reported', source: 'portal' },
    { kind: 'bypass_used', userId: 'u1', bypassId: 'b1', source: 'radius:vpn' },
    { kind: 'unenrolled_pass', userId: 'u1', source: 'sdk:adfs' },
    { kind: 'approval_decided', userId: 'u1', approvalKey: 'k1', decision: 'fraud', source: 'device:d1' },
  ];

  it('reads back every outcome it writes, as version 2', () => {
    for (const outcome of every) {
      const encoded = encodeSecurityOutcome(outcome);
      expect(encoded.kind).toBe(outcome.kind);
      expect(encoded.payload.v).toBe(SECURITY_OUTCOME_VERSION);
      // Through JSON, as the outbox row and the upstream frame carry it.
      expect(decodeSecurityOutcome(encoded.kind, JSON.parse(JSON.stringify(encoded.payload)), defaults)).toEqual({ ok: true, outcome, version: 2 });
    }
  });

  it('writes the field names a master of the previous release reads', () => {
    expect(encodeSecurityOutcome(every[4]).payload).toEqual({ v: 2, userId: 'u1', source: 'radius:vpn', tokenId: 't1', counter: 4, nonce: challenge.nonce, expiresAt: challenge.expiresAt });
    expect(encodeSecurityOutcome(every[5]).payload).toEqual({ v: 2, userId: 'u1', source: 'sdk:adfs', ...challenge });
  });

  it('upcasts version 1 (no v: outbox rows and frames of the previous release), filling in source and reason', () => {
    expect(decodeSecurityOutcome('failed_attempt', { userId: 'u1' }, defaults)).toEqual({ ok: true, version: 1, outcome: { kind: 'failed_attempt', userId: 'u1', reason: 'authentication failed', source: 'node s1' } });
    expect(decodeSecurityOutcome('fraud', { userId: 'u1', source: 'radius:vpn' }, defaults)).toEqual({ ok: true, version: 1, outcome: { kind: 'fraud', userId: 'u1', reason: 'fraud reported', source: 'radius:vpn' } });
    expect(decodeSecurityOutcome('oath_success', { userId: 'u1', tokenId: 't1', counter: 3, source: 'radius:vpn', ...challenge }, defaults))
      .toEqual({ ok: true, version: 1, outcome: { kind: 'oath_success', userId: 'u1', tokenId: 't1', counter: 3, source: 'radius:vpn', challenge } });
    expect(decodeSecurityOutcome('challenge_success', { userId: 'u1', ...challenge }, defaults))
      .toEqual({ ok: true, version: 1, outcome: { kind: 'challenge_success', userId: 'u1', challenge, source: 'node s1' } });
    expect(decodeSecurityOutcome('code_used', { userId: 'u1', tokenId: 't1', counter: 9, source: 'radius:vpn' }, defaults)).toMatchObject({ ok: true, version: 1 });
  });

  it('refuses what it cannot read, saying why, instead of guessing', () => {
    const bad: Array<[unknown, unknown, RegExp]> = [
      ['UserDeleted', { userId: 'u1' }, /kind/],
      ['constructor', { userId: 'u1' }, /kind/],
      ['fraud', null, /object/],
      ['fraud', [1], /object/],
      ['fraud', { userId: 42 }, /userId/],
      ['fraud', { userId: 'u', source: 'x'.repeat(201) }, /source/],
      ['code_used', { userId: 'u', tokenId: 't1', counter: 1.5 }, /counter/],
      ['code_used', { userId: 'u', tokenId: 't1', counter: -1 }, /counter/],
      ['oath_success', { userId: 'u', counter: 1 }, /tokenId/],
      ['oath_success', { userId: 'u', tokenId: 't1', counter: 1, nonce: 'n0nce-0123456789' }, /expiresAt/],
      ['challenge_success', { userId: 'u', nonce: 'n0nce-0123456789' }, /expiresAt/],
      // Version 2 says everything: no defaults.
      ['success', { v: 2, userId: 'u' }, /source/],
      ['failed_attempt', { v: 2, userId: 'u', source: 'radius:vpn' }, /reason/],
      ['failed_attempt', { v: 3, userId: 'u', reason: 'r', source: 'radius:vpn' }, /version 3/],
      ['failed_attempt', { v: '2', userId: 'u', reason: 'r', source: 'radius:vpn' }, /version 2 is not known/],
      // The staged-rollout kinds came with version 2: nothing of theirs is upcast or guessed.
      ['bypass_used', { userId: 'u', bypassId: 'b1', source: 'radius:vpn' }, /no version 1/],
      ['unenrolled_pass', { userId: 'u', source: 'radius:vpn' }, /no version 1/],
      ['bypass_used', { v: 2, userId: 'u', source: 'radius:vpn' }, /bypassId/],
      ['bypass_used', { v: 2, userId: 'u', bypassId: 7, source: 'radius:vpn' }, /bypassId/],
      ['second_factor_waived', { v: 2, userId: 'u', source: 'radius:vpn' }, /kind/],
    ];
    for (const [kind, payload, error] of bad) {
      const decoded = decodeSecurityOutcome(kind, payload, defaults);
      expect(decoded.ok).toBe(false);
      expect(decoded.ok ? '' : decoded.error).toMatch(error);
    }
  });

  it('refuses an approval decision that is not approved, denied or fraud, and one without a version', () => {
    expect(decodeSecurityOutcome('approval_decided', { v: 2, userId: 'u1', source: 'device:d1', approvalKey: 'k1', decision: 'approve' }, defaults))
      .toEqual({ ok: false, error: 'approvalKey or decision is missing or not one of approved, denied, fraud' });
    expect(decodeSecurityOutcome('approval_decided', { userId: 'u1', approvalKey: 'k1', decision: 'approved' }, defaults)).toEqual({ ok: false, error: 'approval_decided has no version 1 (v is missing)' });
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { hashOtpForState, verifyOtpForState } from './otp-hash';
import { SealedStateError, SealedStateErrorCode } from './sealed-state.error';
import { createStateNonce, RADIUS_STATE_MAX_BYTES, StateSealer } from './state-sealer';

const key = randomBytes(32);
const now = 1_700_000_000_000;

function codeOf(fn: () => unknown): SealedStateErrorCode | 'no error' {
  try {
    fn();
    return 'no error';
  } catch (error) {
    if (error instanceof SealedStateError) return error.code;
    throw error;
  }
}

describe('StateSealer', () => {
  const sut = new StateSealer({ key, keyId: 'c0ffee01' });
  const clientId = randomUUID();
  const userId = randomUUID();
  const typical = () => {
    const nonce = createStateNonce();
    return {
      purpose: 'radius-otp',
      userId,
      clientId,
      expiresAt: now + 120_000,
      nonce,
      data: { codeHash: hashOtpForState('123456', nonce), method: 'sms', attempt: 1 },
    };
  };

  it('round-trips claims through the Buffer and the string form, on another node with the same key', () => {
    const claims = typical();
    const otherNode = new StateSealer({ key: Buffer.from(key), keyId: 'c0ffee01' });
    expect(otherNode.open(sut.seal(claims), { purpose: 'radius-otp', nowMs: now, clientId })).toEqual(claims);
    const text = sut.sealToString(claims);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(otherNode.open(text, { purpose: 'radius-otp', nowMs: now, clientId })).toEqual(claims);
  });

  it('keeps non-UUID ids, unicode and an absent client exactly as given', () => {
    const claims = { purpose: 'sdk-challenge', userId: 'DOMAIN\\Zoë', expiresAt: now + 1, data: { nested: { a: [1, 'x'] } } };
    const opened = sut.open(sut.seal(claims), { purpose: 'sdk-challenge', nowMs: now });
    expect(opened).toEqual({ ...claims, nonce: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
    expect(opened.clientId).toBeUndefined();
  });

  it('adds a fresh random nonce and IV: the same claims never seal to the same token', () => {
    const claims = { purpose: 'p', userId: 'u', expiresAt: now + 1000 };
    const a = sut.open(sut.seal(claims), { purpose: 'p', nowMs: now });
    const b = sut.open(sut.seal(claims), { purpose: 'p', nowMs: now });
    expect(a.nonce).not.toBe(b.nonce);
    const withNonce = { ...claims, nonce: 'n' };
    expect(sut.seal(withNonce).equals(sut.seal(withNonce))).toBe(false);
  });

  it('fits a typical RADIUS challenge (UUIDs, nonce, 32-byte code hash) into the State attribute', () => {
    const token = sut.sealForRadius(typical());
    expect(token.length).toBeLessThanOrEqual(RADIUS_STATE_MAX_BYTES);
    // Even with non-UUID ids of the usual size there is room.
    const long = { ...typical(), userId: 'u'.repeat(36), clientId: 'c'.repeat(36) };
    expect(sut.sealForRadius(long).length).toBeLessThanOrEqual(RADIUS_STATE_MAX_BYTES);
  });

  it('refuses to produce a RADIUS State that is too large', () => {
    expect(codeOf(() => sut.sealForRadius({ ...typical(), data: { blob: 'x'.repeat(300) } }))).toBe('too_large');
  });

  it('rejects a token with any single byte changed', () => {
    const token = sut.seal(typical());
    for (let i = 0; i < token.length; i++) {
      const bad = Buffer.from(token);
      bad[i] ^= 0x01;
      expect(['malformed', 'bad_key', 'tampered']).toContain(codeOf(() => sut.open(bad, { purpose: 'radius-otp', nowMs: now, clientId })));
    }
  });

  it('rejects truncated, extended, empty and non-token input as malformed or tampered', () => {
    const token = sut.seal(typical());
    const opts = { purpose: 'radius-otp', nowMs: now, clientId };
    expect(codeOf(() => sut.open(token.subarray(0, token.length - 1), opts))).toBe('tampered');
    expect(codeOf(() => sut.open(Buffer.concat([token, Buffer.from([0])]), opts))).toBe('tampered');
    expect(codeOf(() => sut.open(token.subarray(0, 20), opts))).toBe('malformed');
    expect(codeOf(() => sut.open(Buffer.alloc(0), opts))).toBe('malformed');
    expect(codeOf(() => sut.open('', opts))).toBe('malformed');
    expect(codeOf(() => sut.open('not base64url!', opts))).toBe('malformed');
    expect(codeOf(() => sut.open(undefined as unknown as string, opts))).toBe('malformed');
  });

  it('rejects a token sealed under another key', () => {
    const token = sut.seal(typical());
    const opts = { purpose: 'radius-otp', nowMs: now, clientId };
    expect(codeOf(() => new StateSealer({ key: randomBytes(32), keyId: 'c0ffee01' }).open(token, opts))).toBe('tampered');
    expect(codeOf(() => new StateSealer({ key, keyId: 'other' }).open(token, opts))).toBe('bad_key');
  });

  it('opens tokens of a retired key during rotation but seals with the current one', () => {
    const token = sut.seal(typical());
    const rotated = new StateSealer({ key: randomBytes(32), keyId: 'next', retiredKeys: [{ key, keyId: 'c0ffee01' }] });
    expect(rotated.open(token, { purpose: 'radius-otp', nowMs: now, clientId }).userId).toBe(userId);
    expect(codeOf(() => sut.open(rotated.seal(typical()), { purpose: 'radius-otp', nowMs: now, clientId }))).toBe('bad_key');
  });

  it('expires at expiresAt, judged by the injected clock', () => {
    const claims = typical();
    const token = sut.seal(claims);
    const at = (nowMs: number) => codeOf(() => sut.open(token, { purpose: 'radius-otp', nowMs, clientId }));
    expect(at(claims.expiresAt - 1)).toBe('no error');
    expect(at(claims.expiresAt)).toBe('expired');
    expect(at(claims.expiresAt + 3_600_000)).toBe('expired');
  });

  it('rejects the wrong purpose', () => {
    const token = sut.seal(typical());
    expect(codeOf(() => sut.open(token, { purpose: 'sdk-challenge', nowMs: now, clientId }))).toBe('wrong_purpose');
  });

  it('rejects another client, and a client-bound token opened without a client (and vice versa)', () => {
    const token = sut.seal(typical());
    expect(codeOf(() => sut.open(token, { purpose: 'radius-otp', nowMs: now, clientId: randomUUID() }))).toBe('wrong_client');
    expect(codeOf(() => sut.open(token, { purpose: 'radius-otp', nowMs: now }))).toBe('wrong_client');
    const unbound = sut.seal({ purpose: 'radius-otp', userId, expiresAt: now + 1000 });
    expect(codeOf(() => sut.open(unbound, { purpose: 'radius-otp', nowMs: now, clientId }))).toBe('wrong_client');
  });

  it('refuses bad keys and claims it cannot encode, without echoing them', () => {
    expect(codeOf(() => new StateSealer({ key: randomBytes(16), keyId: 'k' }))).toBe('bad_key');
    expect(codeOf(() => new StateSealer({ key, keyId: '' }))).toBe('bad_key');
    expect(codeOf(() => sut.seal({ purpose: '', userId: 'u', expiresAt: now }))).toBe('invalid_claims');
    expect(codeOf(() => sut.seal({ purpose: 'p', userId: 'u', expiresAt: -1 }))).toBe('invalid_claims');
    expect(codeOf(() => sut.seal({ purpose: 'p', userId: 'x'.repeat(255), expiresAt: now }))).toBe('invalid_claims');
    expect(codeOf(() => sut.seal({ purpose: 'p', userId: 'u', expiresAt: now, data: [] as unknown as Record<string, unknown> }))).toBe('invalid_claims');
  });
});

describe('OTP hash inside the state', () => {
  it('accepts the right code for its own nonce only, never throwing', () => {
    const nonce = createStateNonce();
    const codeHash = hashOtpForState('042917', nonce);
    expect(codeHash).not.toContain('042917');
    expect(verifyOtpForState('042917', nonce, codeHash)).toBe(true);
    expect(verifyOtpForState('042918', nonce, codeHash)).toBe(false);
    expect(verifyOtpForState('42917', nonce, codeHash)).toBe(false);
    expect(verifyOtpForState('042917', createStateNonce(), codeHash)).toBe(false);
    expect(verifyOtpForState('042917', nonce, 'short')).toBe(false);
    expect(verifyOtpForState('042917', nonce, undefined)).toBe(false);
    expect(verifyOtpForState(undefined as unknown as string, nonce, codeHash)).toBe(false);
  });

  it('gives equal codes different hashes in different states', () => {
    expect(hashOtpForState('123456', createStateNonce())).not.toBe(hashOtpForState('123456', createStateNonce()));
  });
});

import { randomBytes } from 'node:crypto';
import { SessionSealer } from './sealed-session';

describe('SessionSealer', () => {
  const key = randomBytes(32);
  const sut = new SessionSealer(key, 60_000);

  it('opens what it sealed, on any instance with the same key', () => {
    const session = { ...sut.fresh(1_000), enrolment: 'handle-from-the-sdk' };
    const other = new SessionSealer(Buffer.from(key), 60_000);
    expect(other.open(sut.seal(session), 2_000)).toEqual(session);
  });

  it('refuses an expired, tampered, foreign or malformed cookie', () => {
    const sealed = sut.seal(sut.fresh(1_000));
    expect(sut.open(sealed, 61_001)).toBeNull();
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[20] ^= 1;
    expect(sut.open(bytes.toString('base64url'), 2_000)).toBeNull();
    expect(new SessionSealer(randomBytes(32), 60_000).open(sealed, 2_000)).toBeNull();
    for (const bad of [undefined, '', 'a', '!!!', 'A'.repeat(4000)]) expect(sut.open(bad, 2_000)).toBeNull();
  });

  it('binds the CSRF token to the session id, which rotates', () => {
    const session = sut.fresh();
    const token = sut.csrfToken(session);
    expect(sut.csrfValid(session, token)).toBe(true);
    expect(sut.csrfValid(sut.rotate(session), token)).toBe(false);
    expect(sut.csrfValid(session, undefined)).toBe(false);
    expect(sut.csrfValid(session, `${token}x`)).toBe(false);
  });

  it('writes a Secure, HttpOnly, SameSite=Strict host cookie', () => {
    expect(sut.cookie(sut.fresh())).toMatch(/^__Host-twofold-portal=[A-Za-z0-9_-]+; Path=\/; Secure; HttpOnly; SameSite=Strict; Max-Age=(59|60)$/);
    expect(sut.cookie(null)).toContain('Max-Age=0');
  });
});

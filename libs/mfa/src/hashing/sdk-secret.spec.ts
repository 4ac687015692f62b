import { generateSecret, hashSdkSecret, verifySdkSecret } from './sdk-secret';
import { HashingError } from './hashing.error';

describe('SDK secrets', () => {
  it('generates distinct base64url secrets of the requested size', () => {
    const a = generateSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(generateSecret()).not.toBe(a);
    expect(Buffer.from(generateSecret(48), 'base64url')).toHaveLength(48);
    expect(() => generateSecret(8)).toThrow(HashingError);
  });

  it('verifies the secret against its hash and nothing else', () => {
    const secret = generateSecret();
    const hashed = hashSdkSecret(secret);
    expect(hashed).toMatch(/^sha256\$/);
    expect(hashed).not.toContain(secret);
    expect(verifySdkSecret(hashed, secret)).toBe(true);
    expect(verifySdkSecret(hashed, secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A'))).toBe(false);
    expect(verifySdkSecret(hashed, '')).toBe(false);
  });

  it.each([[''], ['sha256$'], ['sha256$short'], ['md5$abc'], [undefined as unknown as string]])('returns false for malformed hash %p', (hashed) => {
    expect(verifySdkSecret(hashed, 'anything')).toBe(false);
  });
});

import { randomBytes } from 'node:crypto';
import { parsePacket } from './parse-packet';
import { decryptUserPassword, encryptUserPassword } from './user-password';
import { packetErrorCode } from '../testing/packet-error-code';

const RFC_REQUEST = Buffer.from(
  '010000380f403f9473978057bd83d5cb98f4227a01066e656d6f02120dbe708d93d413ce3196e43f782a0aee0406c0a80110050600000003',
  'hex',
);
const RFC_SECRET = 'xyzzy5461';

const codeOf = packetErrorCode;

describe('User-Password (RFC 2865 §5.2)', () => {
  it('decrypts the RFC 2865 §7.1 example to "arctangent"', () => {
    const request = parsePacket(RFC_REQUEST);
    const sut = decryptUserPassword(request.get('User-Password')!, RFC_SECRET, request.authenticator);
    expect(sut.toString('utf8')).toBe('arctangent');
  });

  it('encrypts "arctangent" to the RFC 2865 §7.1 bytes', () => {
    const request = parsePacket(RFC_REQUEST);
    expect(encryptUserPassword('arctangent', RFC_SECRET, request.authenticator).equals(request.get('User-Password')!)).toBe(true);
  });

  it.each([0, 1, 15, 16, 17, 31, 32, 33, 100, 127, 128])('round-trips a %i-byte password', (length) => {
    const password = Buffer.alloc(length, 'x');
    if (length > 0) password[0] = 0x7a;
    const authenticator = randomBytes(16);
    const encrypted = encryptUserPassword(password, 'sec', authenticator);
    expect(encrypted.length).toBe(Math.max(16, Math.ceil(length / 16) * 16));
    expect(decryptUserPassword(encrypted, 'sec', authenticator).equals(password)).toBe(true);
  });

  it('round-trips multi-byte UTF-8 text', () => {
    const authenticator = randomBytes(16);
    const encrypted = encryptUserPassword('pässwörd-密码', 'sec', authenticator);
    expect(decryptUserPassword(encrypted, 'sec', authenticator).toString('utf8')).toBe('pässwörd-密码');
  });

  it('chains blocks: a password over 16 bytes differs in the second block when only the first changes', () => {
    const authenticator = randomBytes(16);
    const a = encryptUserPassword('A'.repeat(32), 'sec', authenticator);
    const b = encryptUserPassword('B' + 'A'.repeat(31), 'sec', authenticator);
    expect(a.subarray(16).equals(b.subarray(16))).toBe(false);
  });

  it('gives garbage, not the password, with the wrong secret', () => {
    const authenticator = randomBytes(16);
    const encrypted = encryptUserPassword('arctangent', 'right', authenticator);
    expect(decryptUserPassword(encrypted, 'wrong', authenticator).toString('latin1')).not.toBe('arctangent');
  });

  it.each([0, 15, 17, 144])('rejects a %i-byte encrypted value', (length) => {
    expect(codeOf(() => decryptUserPassword(Buffer.alloc(length), 'sec', randomBytes(16)))).toBe('bad_user_password');
  });

  it('rejects passwords over 128 bytes, an empty secret and a bad authenticator', () => {
    expect(codeOf(() => encryptUserPassword('x'.repeat(129), 'sec', randomBytes(16)))).toBe('password_too_long');
    expect(codeOf(() => encryptUserPassword('x', '', randomBytes(16)))).toBe('invalid_secret');
    expect(codeOf(() => encryptUserPassword('x', 'sec', randomBytes(15)))).toBe('invalid_authenticator');
  });

  it('never puts the password or secret in an error message', () => {
    try {
      encryptUserPassword('hunter2'.repeat(20), 'topsecret', randomBytes(16));
      throw new Error('expected a throw');
    } catch (err) {
      expect(String((err as Error).message)).not.toMatch(/hunter2|topsecret/);
    }
  });
});

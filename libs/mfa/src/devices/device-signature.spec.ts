import { generateKeyPairSync, sign } from 'node:crypto';
import { p256PublicKey, verifyDeviceSignature } from './device-signature';

describe('device signatures (ECDSA P-256, SHA-256, DER)', () => {
  const device = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = device.publicKey.export({ format: 'der', type: 'spki' }).toString('base64url');
  const signed = (text: string, key = device.privateKey) => sign('sha256', Buffer.from(text), { key, dsaEncoding: 'der' }).toString('base64url');

  it('accepts the device\'s own signature of exactly that text', () => {
    expect(verifyDeviceSignature(spki, 'hello', signed('hello'))).toBe(true);
    expect(verifyDeviceSignature(spki, 'hello!', signed('hello'))).toBe(false);
    expect(verifyDeviceSignature(spki, 'hello', signed('hello', stranger.privateKey))).toBe(false);
  });

  it('refuses junk signatures and keys that are not P-256', () => {
    for (const bad of [undefined, '', '!!!', 'A'.repeat(300), 12]) expect(verifyDeviceSignature(spki, 'hello', bad)).toBe(false);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64url');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64url');
    expect([p256PublicKey(p384), p256PublicKey(rsa), p256PublicKey('A'.repeat(120))]).toEqual([null, null, null]);
    expect(p256PublicKey(spki)).not.toBeNull();
  });
});

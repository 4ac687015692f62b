import { createPublicKey, KeyObject, verify } from 'node:crypto';

// Device keys: ECDSA P-256, public key as SPKI DER in base64url, signatures DER over SHA-256.
const B64URL = /^[A-Za-z0-9_-]+$/;

// The key object for a P-256 SPKI public key, or null for anything else (another curve, RSA, junk).
export function p256PublicKey(spkiBase64url: string): KeyObject | null {
  if (!B64URL.test(spkiBase64url) || spkiBase64url.length > 400) return null;
  try {
    const key = createPublicKey({ key: Buffer.from(spkiBase64url, 'base64url'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : null;
  } catch {
    return null;
  }
}

// True only for a well-formed DER signature of `message` by this key.
export function verifyDeviceSignature(spkiBase64url: string, message: string, signatureBase64url: unknown): boolean {
  if (typeof signatureBase64url !== 'string' || !B64URL.test(signatureBase64url) || signatureBase64url.length > 200) return false;
  const key = p256PublicKey(spkiBase64url);
  if (!key) return false;
  try {
    return verify('sha256', Buffer.from(message, 'utf8'), { key, dsaEncoding: 'der' }, Buffer.from(signatureBase64url, 'base64url'));
  } catch {
    return false;
  }
}

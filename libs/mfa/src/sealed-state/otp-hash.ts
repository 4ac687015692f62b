import { createHmac, timingSafeEqual } from 'node:crypto';

// An SMS/voice code travels inside the sealed state as HMAC-SHA256(key = state nonce, code), so
// a node that opens the state can check the answer without any shared store. The per-state
// nonce keeps equal codes from looking equal across states; the sealing (AES-GCM) is what keeps
// the hash from being brute-forced, since a 6-digit code space is tiny.
export function hashOtpForState(code: string, nonce: string): string {
  return createHmac('sha256', Buffer.from(nonce, 'utf8')).update(code, 'utf8').digest('base64url');
}

// Constant-time; false (never a throw) for anything that is not a well-formed answer.
export function verifyOtpForState(code: string, nonce: string, codeHash: unknown): boolean {
  if (typeof code !== 'string' || typeof nonce !== 'string' || typeof codeHash !== 'string') return false;
  const expected = Buffer.from(codeHash, 'base64url');
  if (expected.length !== 32) return false;
  return timingSafeEqual(expected, Buffer.from(hashOtpForState(code, nonce), 'base64url'));
}

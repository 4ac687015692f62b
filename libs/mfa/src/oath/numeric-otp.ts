import { randomInt } from 'node:crypto';
import { OathError } from './oath.error';

// One-time codes for SMS and voice. randomInt draws each digit uniformly (it rejects
// out-of-range samples internally), so there is no modulo bias; leading zeros are kept.
export function generateNumericOtp(length: number): string {
  if (!Number.isInteger(length) || length < 4 || length > 12) throw new OathError('invalid_options', 'OTP length must be an integer from 4 to 12');
  let code = '';
  for (let i = 0; i < length; i++) code += String(randomInt(0, 10));
  return code;
}

import { createHash } from 'node:crypto';
import { AUTHENTICATOR_LENGTH } from './codes';
import { RadiusPacketError } from './radius-packet-error';
import { RadiusSecret, secretBytes } from './secret';

export const MAX_USER_PASSWORD_LENGTH = 128;

// RFC 2865 §5.2: c(i) = p(i) xor MD5(S + c(i-1)), with c(0) the Request Authenticator.
function xorChain(input: Buffer, secret: RadiusSecret, authenticator: Buffer, decrypting: boolean): Buffer {
  if (authenticator.length !== AUTHENTICATOR_LENGTH) {
    throw new RadiusPacketError('invalid_authenticator', 'Request Authenticator must be 16 bytes');
  }
  const key = secretBytes(secret);
  const out = Buffer.alloc(input.length);
  let previous = authenticator;
  for (let i = 0; i < input.length; i += 16) {
    const pad = createHash('md5').update(key).update(previous).digest();
    for (let j = 0; j < 16; j++) out[i + j] = input[i + j] ^ pad[j];
    previous = decrypting ? input.subarray(i, i + 16) : out.subarray(i, i + 16);
  }
  return out;
}

export function encryptUserPassword(password: string | Buffer, secret: RadiusSecret, requestAuthenticator: Buffer): Buffer {
  const plain = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  if (plain.length > MAX_USER_PASSWORD_LENGTH) {
    throw new RadiusPacketError('password_too_long', `User-Password is limited to ${MAX_USER_PASSWORD_LENGTH} bytes`);
  }
  // Pad with NULs to a multiple of 16; an empty password still takes one block.
  const padded = Buffer.alloc(Math.max(16, Math.ceil(plain.length / 16) * 16));
  plain.copy(padded);
  return xorChain(padded, secret, requestAuthenticator, false);
}

// Returns the password bytes with the NUL padding removed; callers decide on the text encoding.
export function decryptUserPassword(value: Buffer, secret: RadiusSecret, requestAuthenticator: Buffer): Buffer {
  if (value.length === 0 || value.length % 16 !== 0 || value.length > MAX_USER_PASSWORD_LENGTH) {
    throw new RadiusPacketError('bad_user_password', `User-Password of ${value.length} bytes is not 16..128 in steps of 16`);
  }
  const plain = xorChain(value, secret, requestAuthenticator, true);
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end--;
  return plain.subarray(0, end);
}

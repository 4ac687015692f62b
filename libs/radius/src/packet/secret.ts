import { RadiusPacketError } from './radius-packet-error';

export type RadiusSecret = string | Buffer;

export function secretBytes(secret: RadiusSecret): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  // RFC 2865 §3: the secret MUST NOT be empty; an empty one would make every check trivial.
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new RadiusPacketError('invalid_secret', 'shared secret is empty');
  return bytes;
}

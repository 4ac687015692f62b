import { DomainError, DomainErrorCode } from '../errors/domain-error';

// RFC 4648 base32, used for OATH seeds (otpauth:// URIs, oathtool, authenticator apps).
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array, options: { padding?: boolean } = {}): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  if (options.padding) while (out.length % 8 !== 0) out += '=';
  return out;
}

// Case-insensitive; spaces, dashes and trailing "=" are ignored (seeds are often shown in groups).
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  // 1, 3 or 6 trailing characters cannot come from whole bytes.
  if ([1, 3, 6].includes(clean.length % 8)) {
    throw DomainError.rule(DomainErrorCode.InvalidBase32, undefined, 'Base32 text has an impossible length.');
  }
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) {
      throw DomainError.rule(DomainErrorCode.InvalidBase32, undefined, 'Base32 text may only contain A-Z and 2-7.');
    }
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

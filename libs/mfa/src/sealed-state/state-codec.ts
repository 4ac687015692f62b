import { SealedStateError } from './sealed-state.error';

// Compact binary encoding of the claims, before encryption. RADIUS State is at most 253 bytes,
// so strings are length-prefixed (no JSON keys) and canonical UUIDs shrink to 16 bytes.
//
//   flags u8 | expiresAt u48 BE | purpose | userId | [clientId] | nonce | [data: u16 len + JSON]
//   string = u8 n (0..254) + n UTF-8 bytes, or 0xFF + 16 UUID bytes

export interface SealedStateClaims {
  purpose: string;
  userId: string;
  clientId?: string;
  expiresAt: number;
  nonce?: string;
  data?: Record<string, unknown>;
}

export type OpenedStateClaims = SealedStateClaims & { nonce: string };

const FLAG_CLIENT = 1;
const FLAG_DATA = 2;
const UUID_TAG = 0xff;
const MAX_STRING_BYTES = 254;
const MAX_EXPIRES_AT = 2 ** 48 - 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const invalid = (message: string) => new SealedStateError('invalid_claims', message);
const malformed = () => new SealedStateError('malformed', 'sealed state payload is malformed');

function encodeString(name: string, value: unknown, parts: Buffer[]): void {
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  if (UUID.test(value)) {
    parts.push(Buffer.from([UUID_TAG]), Buffer.from(value.replace(/-/g, ''), 'hex'));
    return;
  }
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > MAX_STRING_BYTES) throw invalid(`${name} is longer than ${MAX_STRING_BYTES} bytes`);
  parts.push(Buffer.from([bytes.length]), bytes);
}

export function encodeClaims(claims: OpenedStateClaims): Buffer {
  if (!claims.purpose) throw invalid('purpose is required');
  if (!claims.userId) throw invalid('userId is required');
  if (!claims.nonce) throw invalid('nonce must not be empty');
  if (!Number.isSafeInteger(claims.expiresAt) || claims.expiresAt < 0 || claims.expiresAt > MAX_EXPIRES_AT) throw invalid('expiresAt must be a time in ms');
  const hasClient = claims.clientId !== undefined;
  let dataJson: Buffer | null = null;
  if (claims.data !== undefined) {
    if (typeof claims.data !== 'object' || claims.data === null || Array.isArray(claims.data)) throw invalid('data must be an object');
    dataJson = Buffer.from(JSON.stringify(claims.data), 'utf8');
    if (dataJson.length > 0xffff) throw invalid('data is too large');
  }
  const head = Buffer.alloc(7);
  head[0] = (hasClient ? FLAG_CLIENT : 0) | (dataJson ? FLAG_DATA : 0);
  head.writeUIntBE(claims.expiresAt, 1, 6);
  const parts: Buffer[] = [head];
  encodeString('purpose', claims.purpose, parts);
  encodeString('userId', claims.userId, parts);
  if (hasClient) encodeString('clientId', claims.clientId, parts);
  encodeString('nonce', claims.nonce, parts);
  if (dataJson) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(dataJson.length);
    parts.push(len, dataJson);
  }
  return Buffer.concat(parts);
}

class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  take(n: number): Buffer {
    if (this.offset + n > this.buf.length) throw malformed();
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  string(): string {
    const tag = this.take(1)[0];
    if (tag === UUID_TAG) {
      const hex = this.take(16).toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    return this.take(tag).toString('utf8');
  }

  done(): boolean {
    return this.offset === this.buf.length;
  }
}

// Only ever sees authenticated plaintext, but stays defensive: a bug must not become a crash.
export function decodeClaims(plain: Buffer): OpenedStateClaims {
  const reader = new Reader(plain);
  const head = reader.take(7);
  const flags = head[0];
  if (flags & ~(FLAG_CLIENT | FLAG_DATA)) throw malformed();
  const claims: OpenedStateClaims = { purpose: '', userId: '', expiresAt: head.readUIntBE(1, 6), nonce: '' };
  claims.purpose = reader.string();
  claims.userId = reader.string();
  if (flags & FLAG_CLIENT) claims.clientId = reader.string();
  claims.nonce = reader.string();
  if (flags & FLAG_DATA) {
    const json = reader.take(reader.take(2).readUInt16BE()).toString('utf8');
    try {
      const data: unknown = JSON.parse(json);
      if (typeof data !== 'object' || data === null || Array.isArray(data)) throw malformed();
      claims.data = data as Record<string, unknown>;
    } catch {
      throw malformed();
    }
  }
  if (!reader.done()) throw malformed();
  return claims;
}

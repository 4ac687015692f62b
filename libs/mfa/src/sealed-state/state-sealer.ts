import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { SealedStateError } from './sealed-state.error';
import { decodeClaims, encodeClaims, OpenedStateClaims, SealedStateClaims } from './state-codec';

// Sealed state: a small AES-256-GCM token any node of the cluster can open, so RADIUS
// Access-Challenge State and SDK challenge handles need no sticky sessions or shared memory.
//
//   version u8 | keyIdLen u8 | keyId | iv (12) | ciphertext | tag (16)
//
// version and keyId are the GCM additional data, so they cannot be swapped either.

export const RADIUS_STATE_MAX_BYTES = 253;
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface StateKey {
  keyId: string;
  // The 32-byte cluster key. A sub-key is derived from it, so the same cluster key can also
  // seal other things (event secrets) without the two uses ever sharing an AES key.
  key: Buffer;
}

export interface StateSealerOptions extends StateKey {
  // Keys that still open tokens (during a rotation) but never seal new ones.
  retiredKeys?: StateKey[];
}

export interface OpenStateOptions {
  purpose: string;
  nowMs: number;
  clientId?: string;
}

interface DerivedKey { keyId: Buffer; aesKey: Buffer }

function derive({ keyId, key }: StateKey): DerivedKey {
  if (!Buffer.isBuffer(key) || key.length !== 32) throw new SealedStateError('bad_key', 'the state key must be 32 bytes');
  const id = Buffer.from(keyId ?? '', 'utf8');
  if (id.length === 0 || id.length > 32) throw new SealedStateError('bad_key', 'the state key id must be 1 to 32 bytes');
  const aesKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'twofold/sealed-state/v1', 32));
  return { keyId: id, aesKey };
}

// 16 random bytes, base64url: unique per state, and the salt for its OTP hash.
export function createStateNonce(): string {
  return randomBytes(16).toString('base64url');
}

export class StateSealer {
  private readonly current: DerivedKey;
  private readonly byId = new Map<string, DerivedKey>();

  constructor(options: StateSealerOptions) {
    this.current = derive(options);
    for (const k of [...(options.retiredKeys ?? [])].reverse()) this.byId.set(k.keyId, derive(k));
    this.byId.set(options.keyId, this.current);
  }

  seal(claims: SealedStateClaims): Buffer {
    const plain = encodeClaims({ ...claims, nonce: claims.nonce ?? createStateNonce() });
    const aad = Buffer.concat([Buffer.from([VERSION, this.current.keyId.length]), this.current.keyId]);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.aesKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([aad, iv, ct, cipher.getAuthTag()]);
  }

  // For the RADIUS State attribute: refuses to produce what the attribute cannot carry.
  sealForRadius(claims: SealedStateClaims): Buffer {
    const token = this.seal(claims);
    if (token.length > RADIUS_STATE_MAX_BYTES) throw new SealedStateError('too_large', `sealed state is ${token.length} bytes, RADIUS State allows ${RADIUS_STATE_MAX_BYTES}`);
    return token;
  }

  // For HTTP (SDK challenge handles): the same token, base64url.
  sealToString(claims: SealedStateClaims): string {
    return this.seal(claims).toString('base64url');
  }

  open(token: Buffer | string, options: OpenStateOptions): OpenedStateClaims {
    const bytes = toBytes(token);
    if (bytes.length < 2 || bytes[0] !== VERSION) throw new SealedStateError('malformed', 'not a sealed state token');
    const aadLength = 2 + bytes[1];
    if (bytes.length < aadLength + IV_BYTES + TAG_BYTES + 1) throw new SealedStateError('malformed', 'sealed state token is truncated');
    const aad = bytes.subarray(0, aadLength);
    const key = this.byId.get(bytes.subarray(2, aadLength).toString('utf8'));
    if (!key) throw new SealedStateError('bad_key', 'sealed state was sealed under an unknown key');
    const iv = bytes.subarray(aadLength, aadLength + IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const ct = bytes.subarray(aadLength + IV_BYTES, bytes.length - TAG_BYTES);

    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.aesKey, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      plain = Buffer.concat([decipher.update(ct), decipher.final()]);
    } catch {
      throw new SealedStateError('tampered', 'sealed state failed authentication');
    }

    const claims = decodeClaims(plain);
    if (claims.purpose !== options.purpose) throw new SealedStateError('wrong_purpose', 'sealed state was issued for another purpose');
    // A state bound to a client opens only for that client, and an unbound one only without a client.
    if ((claims.clientId ?? null) !== (options.clientId ?? null)) throw new SealedStateError('wrong_client', 'sealed state was issued to another client');
    if (!(options.nowMs < claims.expiresAt)) throw new SealedStateError('expired', 'sealed state has expired');
    return claims;
  }
}

function toBytes(token: Buffer | string): Buffer {
  if (Buffer.isBuffer(token)) return token;
  if (typeof token === 'string' && /^[A-Za-z0-9_-]+$/.test(token)) return Buffer.from(token, 'base64url');
  throw new SealedStateError('malformed', 'not a sealed state token');
}

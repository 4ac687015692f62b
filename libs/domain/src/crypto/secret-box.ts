import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { SealedSecret } from '../events/event';

// Anything that can seal and open secrets: one key (SecretBox) or a rotating keyring.
export interface SecretSealer {
  seal(plaintext: string, aad?: string): SealedSecret;
  open(sealed: SealedSecret, aad?: string): string;
}

// AAD that binds a sealed secret to its owner, so a sealed value copied into another
// user's (or client's) event cannot be opened there.
export const SealContext = {
  oathSeed: (userId: string, tokenId: string) => `oath-seed:${userId}:${tokenId}`,
  radiusSecret: (clientId: string) => `radius-secret:${clientId}`,
  radiusUpstreamSecret: (clientId: string) => `radius-upstream-secret:${clientId}`,
  ldapBindPassword: (clientId: string) => `ldap-bind-password:${clientId}`,
  pinHash: (userId: string) => `pin-hash:${userId}`,
  passwordHash: (userId: string) => `password-hash:${userId}`,
  userContact: (userId: string) => `user-contact:${userId}`,
  // An imported hardware token not given to anyone yet (token-pool/token-pool.ts).
  poolSeed: (serial: string) => `pool-seed:${serial}`,
  directoryBindPassword: (name: string) => `directory-bind-password:${name}`,
} as const;

const IV_BYTES = 12;
const TAG_BYTES = 16;

function unreadable(): DomainError {
  // Deliberately vague: which check failed (key, tag, AAD) is not the caller's business.
  return DomainError.rule(DomainErrorCode.SecretUnreadable, undefined, 'Sealed secret cannot be opened with this key and context.');
}

export class SecretBox implements SecretSealer {
  readonly #key: Buffer;

  constructor(readonly keyId: string, key: Buffer) {
    if (!keyId) throw DomainError.rule(DomainErrorCode.InvalidSecretKey, 'keyId', 'Key id must not be empty.');
    if (!Buffer.isBuffer(key) || key.length !== 32) {
      throw DomainError.rule(DomainErrorCode.InvalidSecretKey, 'key', 'Key must be exactly 32 bytes (AES-256).');
    }
    this.#key = Buffer.from(key);
  }

  seal(plaintext: string, aad = ''): SealedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { alg: 'A256GCM', keyId: this.keyId, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
  }

  open(sealed: SealedSecret, aad = ''): string {
    if (!sealed || sealed.alg !== 'A256GCM' || sealed.keyId !== this.keyId) throw unreadable();
    try {
      const iv = Buffer.from(sealed.iv, 'base64');
      const tag = Buffer.from(sealed.tag, 'base64');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw unreadable();
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw unreadable();
    }
  }

  // Keep the key out of logs and JSON.
  toJSON(): { keyId: string } {
    return { keyId: this.keyId };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SecretBox(${this.keyId})`;
  }
}

// Several keys by id: seals with the current one, opens with whichever sealed the value.
// Rotation: add the new key, make it current, then `reseal` old values at leisure.
export class SecretKeyring implements SecretSealer {
  readonly #boxes = new Map<string, SecretBox>();
  #currentKeyId: string;

  constructor(currentKeyId: string, keys: Record<string, Buffer> | Map<string, Buffer>) {
    const entries = keys instanceof Map ? [...keys.entries()] : Object.entries(keys);
    for (const [id, key] of entries) this.#boxes.set(id, new SecretBox(id, key));
    if (!this.#boxes.has(currentKeyId)) {
      throw DomainError.rule(DomainErrorCode.InvalidSecretKey, 'currentKeyId', 'Current key id must be one of the keyring keys.');
    }
    this.#currentKeyId = currentKeyId;
  }

  get currentKeyId(): string {
    return this.#currentKeyId;
  }

  get keyIds(): string[] {
    return [...this.#boxes.keys()];
  }

  add(keyId: string, key: Buffer, options: { makeCurrent?: boolean } = {}): void {
    this.#boxes.set(keyId, new SecretBox(keyId, key));
    if (options.makeCurrent) this.#currentKeyId = keyId;
  }

  setCurrent(keyId: string): void {
    if (!this.#boxes.has(keyId)) throw DomainError.rule(DomainErrorCode.InvalidSecretKey, 'keyId', 'Key id is not in the keyring.');
    this.#currentKeyId = keyId;
  }

  // Dropping a key makes everything sealed under it unreadable (crypto-erasure).
  remove(keyId: string): void {
    if (keyId === this.#currentKeyId) throw DomainError.rule(DomainErrorCode.InvalidSecretKey, 'keyId', 'The current key cannot be removed.');
    this.#boxes.delete(keyId);
  }

  seal(plaintext: string, aad?: string): SealedSecret {
    return this.#boxes.get(this.#currentKeyId)!.seal(plaintext, aad);
  }

  open(sealed: SealedSecret, aad?: string): string {
    const box = sealed && this.#boxes.get(sealed.keyId);
    if (!box) throw unreadable();
    return box.open(sealed, aad);
  }

  needsReseal(sealed: SealedSecret): boolean {
    return sealed.keyId !== this.#currentKeyId;
  }

  reseal(sealed: SealedSecret, aad?: string): SealedSecret {
    return this.needsReseal(sealed) ? this.seal(this.open(sealed, aad), aad) : sealed;
  }

  toJSON(): { currentKeyId: string; keyIds: string[] } {
    return { currentKeyId: this.#currentKeyId, keyIds: this.keyIds };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SecretKeyring(current=${this.#currentKeyId}, keys=${this.keyIds.join(',')})`;
  }
}

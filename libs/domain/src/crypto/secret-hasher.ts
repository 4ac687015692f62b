import { SealedSecret } from '../events/event';

// Port: hashing PINs and passwords needs async native work (argon2), which lives in
// libs/mfa. Callers hash after a command has validated the plain value, and pass the hash
// to the decide function.
export interface SecretHasher {
  hash(plain: string): Promise<string>;
  verify(hash: string, plain: string): Promise<boolean>;
}

// A PIN or local password hash as events and user state carry it. Since schema v2 of UserPinSet
// and UserPasswordSet it is the argon2id PHC string sealed with the cluster key (AAD
// SealContext.pinHash / passwordHash), so a copy of the log alone gives nothing to brute-force.
// A bare PHC string is the unkeyed form that schema v1 events held: still verified, never written.
export type StoredSecretHash = SealedSecret | string;

export function isUnkeyedHash(stored: StoredSecretHash): stored is string {
  return typeof stored === 'string';
}

import { isUnkeyedHash, SecretSealer, StoredSecretHash } from '@twofold/domain';

// Verifies a PIN or local password against the hash the log keeps. The argon2id PHC string is
// sealed with the cluster key (schema v2 on), so it is opened first; a bare PHC string from a v1
// event (before the hash was keyed) is verified as it is, so upgraded users keep signing in.
export class KeyedHashVerifier {
  constructor(
    private readonly argon2: { verify(hash: string, plain: string): Promise<boolean> },
    private readonly sealer: SecretSealer,
  ) {}

  // context: SealContext.pinHash(userId) or SealContext.passwordHash(userId). Never throws.
  async verify(stored: StoredSecretHash, plain: string, context: string): Promise<boolean> {
    let phc: string;
    if (isUnkeyedHash(stored)) {
      phc = stored;
    } else {
      try {
        phc = this.sealer.open(stored, context);
      } catch {
        return false; // sealed for another user, or under a key this node does not hold
      }
    }
    // Argon2 runs on the libuv pool (@node-rs/argon2 async), never on the event loop.
    return this.argon2.verify(phc, plain);
  }
}

import { SealContext } from '@twofold/domain';
import type { PasswordVerifier } from '../engine/engine.ports';
import { FirstFactorInput, FirstFactorProvider, FirstFactorResult } from './first-factor';

// The user's own argon2id password hash, kept in the log (UserPasswordSet), sealed with the cluster key.
export class LocalPasswordFirstFactor implements FirstFactorProvider {
  readonly mode = 'local-password' as const;

  constructor(private readonly hasher: PasswordVerifier) {}

  async verify({ password, user }: FirstFactorInput): Promise<FirstFactorResult> {
    if (!user.passwordHash || !user.userId || password === '') return { ok: false, reason: 'invalid_credentials' };
    return (await this.hasher.verify(user.passwordHash, password, SealContext.passwordHash(user.userId))) ? { ok: true } : { ok: false, reason: 'invalid_credentials' };
  }
}

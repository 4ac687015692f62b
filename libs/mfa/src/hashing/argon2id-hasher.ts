import { hash, parseOptions, verify } from '@node-rs/argon2';
import { HashingError } from './hashing.error';
import { argon2Threads, type ThreadPoolShare } from './thread-pool-share';

export interface Argon2idParams {
  memoryCostKiB: number;
  timeCost: number;
  parallelism: number;
}

// OWASP Password Storage Cheat Sheet's argon2id baseline (19 MiB, 2 passes, 1 lane): a PIN or
// password check stays in the tens of milliseconds on a small 2-core node under RADIUS load.
export const DEFAULT_ARGON2ID_PARAMS: Argon2idParams = { memoryCostKiB: 19456, timeCost: 2, parallelism: 1 };

// For tests and benchmarks only: still argon2id, just cheap.
export const TEST_ARGON2ID_PARAMS: Argon2idParams = { memoryCostKiB: 1024, timeCost: 1, parallelism: 1 };

// `Algorithm` is a `const enum` in the package typings and an empty object at runtime, so it
// cannot be read under swc/isolated modules; 2 is Argon2id.
const ARGON2ID = 2;

// Structurally the `SecretHasher` port of @twofold/domain: { hash(plain), verify(hash, plain) }.
export class Argon2idHasher {
  private readonly params: Argon2idParams;

  // threads: how many libuv threads hashes may hold at once (see thread-pool-share.ts).
  constructor(params: Partial<Argon2idParams> = {}, private readonly threads: ThreadPoolShare = argon2Threads) {
    this.params = { ...DEFAULT_ARGON2ID_PARAMS, ...params };
    const { memoryCostKiB, timeCost, parallelism } = this.params;
    if (!Number.isInteger(memoryCostKiB) || memoryCostKiB < 8 * parallelism) throw new HashingError('invalid_options', 'memoryCostKiB must be an integer >= 8 x parallelism');
    if (!Number.isInteger(timeCost) || timeCost < 1) throw new HashingError('invalid_options', 'timeCost must be an integer >= 1');
    if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 255) throw new HashingError('invalid_options', 'parallelism must be an integer from 1 to 255');
  }

  // Returns a PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash) with a fresh random salt.
  async hash(plain: string): Promise<string> {
    try {
      return await this.threads.run(() => hash(plain, {
        algorithm: ARGON2ID,
        memoryCost: this.params.memoryCostKiB,
        timeCost: this.params.timeCost,
        parallelism: this.params.parallelism,
      }));
    } catch (error) {
      throw new HashingError('hash_failed', 'argon2id hashing failed', { cause: error });
    }
  }

  // Never throws: a malformed or foreign hash is simply not a match.
  async verify(hashed: string, plain: string): Promise<boolean> {
    if (typeof hashed !== 'string' || typeof plain !== 'string' || !hashed.startsWith('$argon2id$')) return false;
    try {
      return await this.threads.run(() => verify(hashed, plain));
    } catch {
      return false;
    }
  }

  // True when a stored hash was made with other parameters: rehash it after the next good verify.
  needsRehash(hashed: string): boolean {
    try {
      const parsed = parseOptions(hashed);
      return parsed.algorithm !== ARGON2ID
        || parsed.memoryCost !== this.params.memoryCostKiB
        || parsed.timeCost !== this.params.timeCost
        || parsed.parallelism !== this.params.parallelism;
    } catch {
      return true;
    }
  }
}

import { LruMap, type OathTokenState } from '@twofold/domain';
import { generateHotp, type OathDigits } from './oath';

export const DEFAULT_CODE_CACHE_TOKENS = 20_000;
// Counters computed at once when one is missing: a user signing in again needs the window moved
// by one, so the seed is opened and HMACs computed about once per this many sign-ins.
const BATCH = 16;

interface Entry { sealed: string; codes: Map<number, string> }

// HOTP codes of recently used tokens, by counter, least recently used token evicted first. The
// look-ahead window of each sign-in (counter .. counter + look-ahead) overlaps the last one's, so
// the window's codes come from here and the seed is opened only for counters not held. An entry
// belongs to one sealed seed: a token whose seed changed (re-sealed, reassigned) starts afresh.
// Holds codes, never seeds; codes more than one below the lowest counter asked are dropped as it moves on.
export class OathCodeCache {
  private readonly tokens: LruMap<string, Entry>;

  constructor(maxTokens = DEFAULT_CODE_CACHE_TOKENS) {
    this.tokens = new LruMap(maxTokens);
  }

  // codeAt(counter) for this token's window from `from` on; openSeed runs at most once per call.
  hotp(token: Pick<OathTokenState, 'tokenId' | 'seed' | 'digits' | 'algorithm'>, from: number, openSeed: () => Buffer): (counter: number) => string {
    const sealed = `${token.seed.keyId}:${token.seed.iv}:${token.seed.tag}:${token.digits}:${token.algorithm}`;
    let entry = this.tokens.get(token.tokenId);
    if (!entry || entry.sealed !== sealed) entry = { sealed, codes: new Map() };
    this.tokens.set(token.tokenId, entry); // the newest
    // The code before `from` stays: verifyHotpCodes compares it (the code accepted last).
    for (const c of entry.codes.keys()) if (c < from - 1) entry.codes.delete(c);
    const codes = entry.codes;
    let seed: Buffer | undefined;
    const options = { digits: token.digits as OathDigits, algorithm: token.algorithm };
    return (counter) => {
      let code = codes.get(counter);
      if (code === undefined) {
        seed ??= openSeed();
        for (let c = counter; c < counter + BATCH; c++) if (!codes.has(c)) codes.set(c, generateHotp(seed, c, options));
        code = codes.get(counter)!;
      }
      return code;
    };
  }

  get size(): number {
    return this.tokens.size;
  }
}

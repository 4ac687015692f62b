import type { Settings, UserState } from '@twofold/domain';
import { DEFAULT_HOTP_LOOK_AHEAD, totpStep } from '@twofold/mfa';

// A used OATH code can only be one the slave could have accepted: a TOTP step at most the current
// step plus the allowed drift, an HOTP counter at most the stored counter plus the look-ahead.
// Anything higher would burn the token for good (every later code would count as a replay).
export function counterAllowed(state: UserState, settings: Settings, tokenId: string, counter: number, nowMs: number): string | null {
  const token = state.tokens.find((t) => t.tokenId === tokenId);
  if (!token) return null; // the domain answers unknown_token
  const highest = token.kind === 'hotp' ? token.counter + DEFAULT_HOTP_LOOK_AHEAD : totpStep(nowMs, token.period) + settings.otp.totpDriftSteps;
  return counter <= highest ? null : `counter ${counter} is beyond what any code accepted now could use (at most ${highest})`;
}

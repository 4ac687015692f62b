import type { Settings, UserState } from '@twofold/domain';
import { DEFAULT_HOTP_LOOK_AHEAD, totpStep } from '@twofold/mfa';

// What a slave may send upstream. Anything else is refused and logged, never appended.
export const UPSTREAM_KINDS = ['failed_attempt', 'success', 'code_used', 'oath_success', 'challenge_success', 'fraud', 'second_factor_waived'] as const;
export type UpstreamKind = (typeof UPSTREAM_KINDS)[number];

export function isUpstreamKind(kind: string): kind is UpstreamKind {
  return (UPSTREAM_KINDS as readonly string[]).includes(kind);
}

export interface UpstreamPayload { userId: string; reason?: string; source?: string; tokenId?: string; counter?: number; nonce?: string; expiresAt?: string; bypassId?: string }

const TEXT = 200;
const text = (v: unknown) => typeof v === 'string' && v.length <= TEXT;

// The fields each kind needs, with their types: a malformed message is refused, not guessed at.
export function upstreamPayload(kind: UpstreamKind, payload: Record<string, unknown>): UpstreamPayload | string {
  const p = payload as Record<string, unknown>;
  if (!text(p.userId)) return 'userId is missing or not text';
  if (p.source !== undefined && !text(p.source)) return 'source is not text';
  if (p.reason !== undefined && !text(p.reason)) return 'reason is not text';
  if (kind === 'code_used' || kind === 'oath_success') {
    if (!text(p.tokenId)) return 'tokenId is missing';
    if (!Number.isSafeInteger(p.counter) || (p.counter as number) < 0) return 'counter is not a non-negative integer';
  }
  if (kind === 'challenge_success' && (!text(p.nonce) || !text(p.expiresAt))) return 'nonce or expiresAt is missing';
  if (p.bypassId !== undefined && !text(p.bypassId)) return 'bypassId is not text';
  return p as unknown as UpstreamPayload;
}

// A used OATH code can only be one the slave could have accepted: a TOTP step at most the current
// step plus the allowed drift, an HOTP counter at most the stored counter plus the look-ahead.
// Anything higher would burn the token for good (every later code would count as a replay).
export function counterAllowed(state: UserState, settings: Settings, tokenId: string, counter: number, nowMs: number): string | null {
  const token = state.tokens.find((t) => t.tokenId === tokenId);
  if (!token) return null; // the domain answers unknown_token
  const highest = token.kind === 'hotp' ? token.counter + DEFAULT_HOTP_LOOK_AHEAD : totpStep(nowMs, token.period) + settings.otp.totpDriftSteps;
  return counter <= highest ? null : `counter ${counter} is beyond what any code accepted now could use (at most ${highest})`;
}

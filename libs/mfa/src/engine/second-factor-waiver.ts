import { activeBypass, DomainErrorCode, hasSecondFactor, isDomainError, UserState } from '@twofold/domain';
import type { EngineClient, EngineLogger, SecurityEventRecorder } from './engine.ports';

// The part of an attempt the waiver looks at (the engine's Attempt has these fields).
export interface WaiverAttempt { userId: string; username: string; state: UserState; client: EngineClient; source: string; now: number }

export interface WaiverOutcome { kind: 'accept'; userId: string; username: string }

// Runs after the first factor (and PIN) passed, before any second factor is asked for. A user
// holding an administrator's bypass is let in (and the use recorded, once only if so granted);
// a user with no second factor for `method` is let in when the client's rollout policy says
// 'first-factor-only'. null: ask for the second factor as usual.
export async function waiveSecondFactor(
  security: SecurityEventRecorder, attempt: WaiverAttempt, method: string, logger?: EngineLogger,
): Promise<WaiverOutcome | null> {
  const record = security.recordSecondFactorWaived?.bind(security);
  if (!record) return null;
  if (attempt.client.firstFactor.mode === 'none' && !attempt.client.firstFactorCheckedByCaller) return null;
  const accept: WaiverOutcome = { kind: 'accept', userId: attempt.userId, username: attempt.username };
  const bypass = activeBypass(attempt.state, new Date(attempt.now));
  if (bypass) {
    try {
      await record(attempt.userId, attempt.source, bypass.bypassId);
      return accept;
    } catch (error) {
      // A once-only bypass spent on another node a moment ago: sign in as if there were none.
      if (!isDomainError(error, DomainErrorCode.BypassNotActive)) throw error;
      logger?.warn({ userId: attempt.userId, code: error.code }, 'bypass already used elsewhere');
    }
  }
  if (attempt.client.unenrolled !== 'first-factor-only' || hasSecondFactor(attempt.state, method)) return null;
  // The pass is durable before the Accept, like every other sign-in record.
  await record(attempt.userId, attempt.source);
  return accept;
}

import { activeBypass, DomainErrorCode, hasSecondFactor, isDomainError, SecurityOutcome } from '@twofold/domain';
import { accept, SignInAttempt, EngineContext } from './attempt';
import type { AuthOutcome } from './engine.types';

// Runs after the first factor (and PIN) passed, before any second factor is asked for. A user
// holding an administrator's bypass is let in (the use recorded: a 'bypass_used' outcome, once
// only if so granted); a user with no second factor for `method` is let in when the client's
// rollout policy says 'first-factor-only' (an 'unenrolled_pass' outcome). Both are recorded,
// durably, before the Accept. null: ask for the second factor as usual.
export async function waiveSecondFactor(ctx: EngineContext, attempt: SignInAttempt, method: string): Promise<AuthOutcome | null> {
  if (attempt.client.firstFactor.mode === 'none' && !attempt.client.firstFactorCheckedByCaller) return null;
  const bypass = activeBypass(attempt.state, new Date(attempt.now));
  if (bypass && (await recorded(ctx, attempt, { kind: 'bypass_used', userId: attempt.userId, bypassId: bypass.bypassId, source: attempt.source }))) return accept(attempt);
  if (attempt.client.unenrolled !== 'first-factor-only' || hasSecondFactor(attempt.state, method)) return null;
  return (await recorded(ctx, attempt, { kind: 'unenrolled_pass', userId: attempt.userId, source: attempt.source })) ? accept(attempt) : null;
}

// false: the write side refused the waiver (a once-only bypass spent on another node a moment ago,
// or a slave whose master cannot record waivers yet): sign in as if there were none.
async function recorded(ctx: EngineContext, attempt: SignInAttempt, outcome: SecurityOutcome): Promise<boolean> {
  try {
    await ctx.deps.security.record(outcome);
    return true;
  } catch (error) {
    if (!isDomainError(error, DomainErrorCode.BypassNotActive)) throw error;
    ctx.deps.logger?.warn({ userId: attempt.userId, kind: outcome.kind, code: error.code }, 'second factor not waived');
    return false;
  }
}

import { EngineContext, fail, SignInAttempt } from './attempt';
import type { AuthOutcome } from './engine.types';
import { reject } from './reject-messages';

// The client's first factor (local password, LDAP, RADIUS proxy; 'none' passes): null when it
// passed, else the reject; a wrong secret is a failed attempt, an unreachable directory is not.
export async function checkFirstFactor(ctx: EngineContext, attempt: SignInAttempt, password: string): Promise<AuthOutcome | null> {
  const { client } = attempt;
  if (client.firstFactor.mode === 'none') return null;
  const first = await client.firstFactor.verify({ username: attempt.username, password, user: attempt.state });
  if (first.ok) return null;
  if (first.reason === 'unavailable') {
    ctx.deps.logger?.warn({ userId: attempt.userId, clientId: client.clientId, detail: first.detail }, 'first factor unavailable');
    return reject('first_factor_unavailable', attempt.userId);
  }
  return fail(ctx, attempt, 'invalid_credentials');
}

import type { AuthenticationEngine, EngineClient, SendLimit } from '@twofold/mfa';
import { integerAttribute, octetsAttribute, replyMessageAttributes } from '../packet/attributes';
import { AccessAnswer, AccessHandler, RadiusServerClient } from './radius-server';

export interface EngineRadiusClient extends RadiusServerClient {
  engineClient: EngineClient;
}

type Engine = Pick<AuthenticationEngine, 'authenticate' | 'answerChallenge'>;

// RADIUS <-> engine: an Access-Request with a State answers a challenge, one without starts an
// authentication. Outcomes become Accept, Reject + Reply-Message, or Challenge + State.
// `sendLimit`: asked before an SMS, call or push goes out (per user), so requests cannot spam texts.
export function engineAccessHandler<C extends EngineRadiusClient>(engine: Engine, clock: () => number = Date.now, sendLimit?: SendLimit): AccessHandler<C> {
  return async ({ client, username, password, state }): Promise<AccessAnswer> => {
    const source = `radius:${client.clientId}`;
    const text = password?.toString('utf8') ?? '';
    const outcome = state !== undefined
      ? await engine.answerChallenge({ state, response: text, username, client: client.engineClient, source })
      : await engine.authenticate({ username: username ?? '', password: text, client: client.engineClient, source, ...(sendLimit ? { sendLimit } : {}) });
    switch (outcome.kind) {
      case 'accept':
        return { code: 'accept', userId: outcome.userId, reason: 'accepted' };
      case 'reject':
        return {
          code: 'reject', attributes: replyMessageAttributes(outcome.message), userId: outcome.userId,
          reason: outcome.reason === 'rate_limited' ? 'rate_limited_user_sends' : outcome.reason,
        };
      case 'challenge': {
        const seconds = Math.max(1, Math.floor((outcome.expiresAt - clock()) / 1000));
        return {
          code: 'challenge',
          userId: outcome.userId,
          reason: `challenge_${outcome.method}`,
          attributes: [
            ...replyMessageAttributes(outcome.prompt),
            octetsAttribute('State', outcome.state),
            // RFC 2865 §5.27: how long the NAS should wait for the user's answer.
            integerAttribute('Session-Timeout', seconds),
          ],
        };
      }
    }
  };
}

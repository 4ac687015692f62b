import type { AnswerResult } from '@twofold/sdk-client';
import { fromProfile, MessageKey } from '../i18n/i18n';
import type { Session } from '../session/sealed-session';
import type { PortalDeps } from '../exchange';

const KNOWN_REJECTS = new Set([
  'invalid_credentials', 'unknown_user', 'invalid_code', 'invalid_pin', 'code_replayed', 'user_locked', 'user_disabled', 'user_blocked', 'no_second_factor',
  'invalid_state', 'first_factor_unavailable', 'approval_denied', 'approval_timeout', 'approval_cancelled', 'fraud_reported', 'delivery_failed',
]);

export const rejectKey = (reason: string): MessageKey => (KNOWN_REJECTS.has(reason) ? `reject.${reason}` : 'reject.other') as MessageKey;

// A new session id at sign-in: nothing from before (a planted cookie, an old form) carries over.
export async function signedInSession({ sdk, sealer }: PortalDeps, answered: Extract<AnswerResult, { status: 'accepted' }>, from: Session): Promise<Session> {
  const assertion = answered.userAssertion;
  let displayName = answered.username;
  let lang = from.lang;
  try {
    const me = await sdk.call((c) => c.getSelf(assertion));
    displayName = me.displayName || me.username;
    lang = fromProfile(me.language) ?? lang;
  } catch {
    // The profile only names the user and picks the language; the sign-in stands without it.
  }
  return {
    ...sealer.rotate(from), pending: undefined, push: undefined, ...(lang ? { lang } : {}),
    user: { id: answered.userId, name: answered.username, displayName, assertion, exp: Date.parse(answered.userAssertionExpiresAt) },
  };
}

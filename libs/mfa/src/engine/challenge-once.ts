import { ChallengeAnswer, DomainErrorCode, hasErrorCode, UserState } from '@twofold/domain';

// A challenge State (TOTP, SMS, or a polled push/voice handle) is good for one successful answer
// in the whole cluster: its nonce is recorded (OtpChallengeConsumed) in the same append as the
// success, and the log refuses a second one. One mechanism for every method.
// nonce, and expiresAt (ISO; the record can be forgotten after it): the domain's ChallengeAnswer.
export type ChallengeRef = ChallengeAnswer;

export function challengeRef(claims: { nonce: string; expiresAt: number }): ChallengeRef {
  return { nonce: claims.nonce, expiresAt: new Date(claims.expiresAt).toISOString() };
}

// Already answered, as far as this node's view (read model + its own pending events) knows.
export function isChallengeConsumed(state: UserState, nonce: string): boolean {
  return (state.consumedChallenges ?? []).some((c) => c.nonce === nonce);
}

// The log refused the challenge's record (answered elsewhere first), as opposed to the code's.
export function isChallengeReplay(error: unknown): boolean {
  return hasErrorCode(error, DomainErrorCode.CodeAlreadyUsed) && 'field' in error && error.field === 'nonce';
}

export function isCodeReplay(error: unknown): boolean {
  return hasErrorCode(error, DomainErrorCode.CodeAlreadyUsed);
}

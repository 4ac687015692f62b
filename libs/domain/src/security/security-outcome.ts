import type { Settings } from '../settings/settings.events';
import type { UserEvent } from '../users/user.events';
import {
  RecordChallengeConsumed, RecordFailedAuthentication, RecordOathCodeUsed, RecordSuccessfulAuthentication,
} from '../users/user.commands';
import { decideOathSignIn, decideRecordChallengeConsumed, decideRecordOathCodeUsed, decideRecordSuccessfulAuthentication } from '../users/user.decide';
import { assertUserExists, evaluateFailure, evaluateFraudReport } from '../users/user.policies';
import { evolveUser, UserState } from '../users/user.state';
import { decidePushRequested } from '../devices/push-request';
import type { PushApprovalRequested } from '../devices/devices.events';
import type { ApprovalOutcome } from '../approvals/approval.events';
import { decideRecordBypassUsed, decideRecordUnenrolledPass, RecordBypassUsed, RecordUnenrolledPass } from '../rollout/bypass';

// An answered challenge State: its nonce is recorded once in the whole cluster (expiresAt: ISO,
// after which the record may be forgotten).
export interface ChallengeAnswer { nonce: string; expiresAt: string }

// What a sign-in records durably, on any node: one typed value that the master appends, a slave
// keeps in its outbox and sends upstream, and the master's upstream apply decides again.
// `source`: where it happened ("radius:<clientId>", "sdk:<credentialId>", "node <name>").
export type SecurityOutcome =
  // A wrong password, PIN or code, a denied approval: counts toward the lockout.
  | { kind: 'failed_attempt'; userId: string; reason: string; source: string }
  // A sign-in that rests on nothing once-only (an out-of-band approval held by the request).
  | { kind: 'success'; userId: string; source: string }
  // An OATH step/counter spent with no sign-in (the code that confirmed a new token; earlier releases' records).
  | { kind: 'code_used'; userId: string; tokenId: string; counter: number; source: string }
  // An OATH code accepted: its counter, the success, and the challenge it answered (if any), at once
  // (the challenge's OtpChallengeConsumed, then one AuthenticationSucceeded carrying the code).
  | { kind: 'oath_success'; userId: string; tokenId: string; counter: number; source: string; challenge?: ChallengeAnswer }
  // A challenge State (SMS, polled push/voice) answered: consumed with the success.
  | { kind: 'challenge_success'; userId: string; challenge: ChallengeAnswer; source: string }
  // The user reported fraud: blocked if the cluster blocks automatically.
  | { kind: 'fraud'; userId: string; reason: string; source: string }
  // Staged rollout: a sign-in on the first factor alone by the administrator's bypass `bypassId`
  // (a once-only one is used once in the whole cluster), recorded with the success.
  | { kind: 'bypass_used'; userId: string; bypassId: string; source: string }
  // Staged rollout: a sign-in on the first factor alone because the user has no second factor yet
  // and the client's policy is 'first-factor-only', recorded with the success.
  | { kind: 'unenrolled_pass'; userId: string; source: string }
  // A push sign-in waiting for the user's devices (approvalKey: the sealed approvalId's nonce), so
  // every node can offer it to a device that long-polls there.
  | { kind: 'push_requested'; userId: string; approvalKey: string; approvalId: string; source: string }
  // A push approval decided by a device on the node holding the sign-in while the master could
  // not be reached (released there at once); the master appends it as the approval's decision,
  // unless it holds another one for that key (then the master's stands).
  | { kind: 'approval_decided'; userId: string; approvalKey: string; decision: ApprovalOutcome; source: string };

export type SecurityOutcomeKind = SecurityOutcome['kind'];

export const SECURITY_OUTCOME_KINDS: readonly SecurityOutcomeKind[] = ['failed_attempt', 'success', 'code_used', 'oath_success', 'challenge_success', 'fraud', 'bypass_used', 'unenrolled_pass', 'push_requested', 'approval_decided'];

// The staged-rollout kinds (a sign-in without a second factor). Masters of releases before them
// do not read them: a slave sends them only to a master whose welcome says it does.
export const SECOND_FACTOR_WAIVER_KINDS: readonly SecurityOutcomeKind[] = ['bypass_used', 'unenrolled_pass'];

export function isSecondFactorWaiver(outcome: SecurityOutcome): outcome is Extract<SecurityOutcome, { kind: 'bypass_used' | 'unenrolled_pass' }> {
  return outcome.kind === 'bypass_used' || outcome.kind === 'unenrolled_pass';
}

export function isSecurityOutcomeKind(kind: unknown): kind is SecurityOutcomeKind {
  return typeof kind === 'string' && (SECURITY_OUTCOME_KINDS as readonly string[]).includes(kind);
}

// Once-only kinds: an Accept rests on them, so a slave waits for the master's verdict (a bypass
// may be a once-only one; the master refuses a second use with 'bypass_not_active').
export function isOnceOnlyOutcome(outcome: SecurityOutcome): boolean {
  return outcome.kind === 'code_used' || outcome.kind === 'oath_success' || outcome.kind === 'challenge_success' || outcome.kind === 'bypass_used' || outcome.kind === 'approval_decided';
}

export interface SecurityOutcomeContext { now: Date; settings: Settings }

// Only failures (lockout) and fraud reports (blocking) depend on the settings: a recorder may skip
// reading them for the others (a success costs no settings read on the hot path).
export function securityOutcomeReadsSettings(outcome: SecurityOutcome): boolean {
  return outcome.kind === 'failed_attempt' || outcome.kind === 'fraud';
}

// The events one outcome stands for on this state. Throws a DomainError when a rule refuses it:
// unknown or deleted user, validation_failed, code_already_used (field 'counter' for an OATH
// step/counter, 'nonce' for a challenge State), bypass_not_active (a bypass replaced or a once-only
// one already used). All or nothing: a refused part refuses the whole.
// What an outcome appends: user events, and the push request (on the user's stream too).
export type SecurityOutcomeEvent = UserEvent | PushApprovalRequested;

export function decideSecurityOutcome(state: UserState, outcome: SecurityOutcome, ctx: SecurityOutcomeContext): SecurityOutcomeEvent[] {
  const { userId, source } = outcome;
  const success = () => decideRecordSuccessfulAuthentication(state, RecordSuccessfulAuthentication.create({ userId, source }), ctx);
  const consume = (c: ChallengeAnswer) => decideRecordChallengeConsumed(state, RecordChallengeConsumed.create({ userId, nonce: c.nonce, expiresAt: c.expiresAt }));
  const codeUsed = (tokenId: string, counter: number) => decideRecordOathCodeUsed(state, RecordOathCodeUsed.create({ userId, tokenId, counter }));
  switch (outcome.kind) {
    case 'failed_attempt': {
      const command = RecordFailedAuthentication.create({ userId, reason: outcome.reason, source });
      assertUserExists(state, userId);
      return evaluateFailure(state, ctx.settings, ctx.now, { reason: command.reason, source: command.source });
    }
    case 'success':
      return success();
    case 'code_used':
      return codeUsed(outcome.tokenId, outcome.counter);
    case 'oath_success': {
      // One event for the code and the success (AuthenticationSucceeded v2), after the challenge.
      const code = RecordOathCodeUsed.create({ userId, tokenId: outcome.tokenId, counter: outcome.counter });
      const signIn = decideOathSignIn(state, code, RecordSuccessfulAuthentication.create({ userId, source }), ctx);
      return outcome.challenge ? [...consume(outcome.challenge), ...signIn] : signIn;
    }
    case 'challenge_success':
      return [...consume(outcome.challenge), ...success()];
    case 'fraud':
      assertUserExists(state, userId);
      return evaluateFraudReport(state, ctx.settings, ctx.now, outcome.reason);
    case 'bypass_used':
      return decideRecordBypassUsed(state, RecordBypassUsed.create({ userId, bypassId: outcome.bypassId, source }), ctx);
    case 'unenrolled_pass':
      return decideRecordUnenrolledPass(state, RecordUnenrolledPass.create({ userId, source }), ctx);
    case 'push_requested':
      return decidePushRequested(state, outcome, ctx);
    case 'approval_decided':
      // Nothing on the user's stream: the decision goes on the approval's (ApprovalCommands).
      assertUserExists(state, userId);
      return [];
  }
}

// The state after the outcome's events (what the engine reads lockout and block from).
export function applySecurityEvents(state: UserState, events: readonly SecurityOutcomeEvent[]): UserState {
  let s = state;
  for (const e of events) s = evolveUser(s, e);
  return s;
}

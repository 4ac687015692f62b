import type { AuthMethod, Settings, StoredSecretHash, UnenrolledPolicy, UserState } from '@twofold/domain';
import type { FirstFactorProvider } from '../first-factor/first-factor';

// The engine's view of the read model. ReadModelQueries satisfies it structurally.
export interface UserDirectory {
  findUserByUsername(username: string): Promise<{ userId: string } | null>;
  getUserState(userId: string): Promise<UserState | null>;
  getSettings(): Promise<Settings>;
}

// What the engine reports to the log. CommandService.security (SecurityEventSink) satisfies it.
export interface SecurityEventRecorder {
  recordFailedAttempt(userId: string, reason: string, source: string): Promise<void>;
  recordSuccess(userId: string, source: string): Promise<void>;
  // Must throw an error with code 'code_already_used' when the step/counter was used anywhere.
  recordOathCodeUsed(userId: string, tokenId: string, counter: number, source: string): Promise<void>;
  // Both of the above in one append (one durable write per sign-in). With `challenge`, the answered
  // challenge State is consumed in the same append (throws 'code_already_used' on field 'nonce').
  recordOathSuccess(userId: string, tokenId: string, counter: number, source: string, challenge?: { nonce: string; expiresAt: string }): Promise<void>;
  // A challenge State (SMS, polled push/voice) answered, once in the whole cluster; throws 'code_already_used' on a replay.
  recordChallengeSuccess(userId: string, nonce: string, expiresAt: string, source: string): Promise<void>;
  reportFraud(userId: string, reason: string, source: string): Promise<void>;
  // A sign-in let through without a second factor (staged rollout): by the user's bypass (`bypassId`;
  // throws 'bypass_not_active' when a once-only one was used elsewhere first) or, without one, because
  // the user is not enrolled and the client allows it. Without this method no sign-in is let through.
  recordSecondFactorWaived?(userId: string, source: string, bypassId?: string): Promise<void>;
}

export type OathTokenForCheck = UserState['tokens'][number];

// Opens a token's sealed seed (keyring + SealContext.oathSeed in the app).
export type SeedOpener = (userId: string, token: OathTokenForCheck) => Buffer;

// KeyedHashVerifier satisfies it. context: the SealContext the hash was sealed with.
export interface PasswordVerifier {
  verify(stored: StoredSecretHash, plain: string, context: string): Promise<boolean>;
}

export type ApprovalDecision = 'approved' | 'denied' | 'fraud';

export interface PendingApproval {
  readonly decision: Promise<ApprovalDecision | 'timeout'>;
  cancel(): void;
}

// Out-of-band approvals: registered before the request goes out, resolved from wherever the
// decision is seen (on a server: the log subscription, so any node may take the decision).
export interface ApprovalWaiter {
  expect(approvalId: string, timeoutMs: number): PendingApproval;
}

// Who is asking: a RADIUS client, an SDK credential. `firstFactor` is resolved by the caller.
export interface EngineClient {
  clientId: string;
  firstFactor: FirstFactorProvider;
  // A user with no second factor yet: refused (default) or let in on the first factor (rollout).
  unenrolled?: UnenrolledPolicy;
  // The caller checked the first factor itself (the SDK: ADFS did). Without it, a client whose first
  // factor is 'none' never lets anyone in without a second factor: that would be no factor at all.
  firstFactorCheckedByCaller?: boolean;
}

export interface EngineLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

export type SecondFactorMethod = AuthMethod;
